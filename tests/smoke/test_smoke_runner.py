"""Running checks against real (small, in-process) servers: captures, polling, XPath, results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from smoke_helpers import Seen, json_reply, run_cli, serve, write_project

from paritygate.config import load_config
from paritygate.core.models import Endpoint, FindingKind, PhaseStatus
from paritygate.errors import StackError
from paritygate.phases.smoke import load_smoke, run_plan, run_plan_async, run_smoke


def _echo(seen: Seen) -> tuple[int, dict[str, str], bytes]:
    body = json.loads(seen.body) if seen.body else None
    doc = {"method": seen.method, "path": seen.path, "session": seen.headers.get("x-session"), "json": body}
    return json_reply(json.dumps(doc).encode())


def _by_name(checks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f"{c['chain']}/{c['name']}": c for c in checks}


def test_captures_flow_to_later_checks_of_the_chain(tmp_path: Path) -> None:
    def app(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.path == "/login":
            return json_reply(b'{"token": "abc", "id": 42, "note": "code=Z9"}', **{"X-Session": "S-1"})
        return _echo(seen)

    with serve(app) as (url, _):
        smoke = f"""
[[chains]]
name = "c"
target = "{url}"

[[chains.checks]]
name = "login"
path = "/login"
capture = [
  {{ name = "tok", jsonpath = "$.token" }},
  {{ name = "item", jsonpath = "$.id" }},
  {{ name = "sid", header = "x-session" }},
  {{ name = "code", regex = "code=(\\\\w+)" }},
]

[[chains.checks]]
name = "use"
method = "POST"
path = "/items/{{{{item}}}}"
query = {{ t = "{{{{tok}}}}", code = "{{{{code}}}}" }}
headers = {{ X-Session = "{{{{sid}}}}" }}
json = {{ id = "{{{{item}}}}", label = "item {{{{item}}}}" }}
expect.status = 200
expect.json."$.path" = "/items/42?t=abc&code=Z9"
expect.json."$.session" = "S-1"
expect.json."$.json.id" = 42
expect.json."$.json.label" = "item 42"
"""
        result = run_smoke(load_config(write_project(tmp_path, smoke)), {})
    checks = _by_name(result.json_data["checks"])
    assert result.status is PhaseStatus.PASSED, checks
    assert checks["c/login"]["captured"] == {"tok": "abc", "item": "42", "sid": "S-1", "code": "Z9"}
    assert checks["c/use"]["status"] == "pass"


def test_captures_do_not_leak_across_parallel_chains(tmp_path: Path) -> None:
    def app(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.path in ("/a", "/b"):
            return json_reply(json.dumps({"id": seen.path[1:] * 3}).encode())
        return _echo(seen)

    with serve(app) as (url, _):
        chains = "".join(
            f"""
[[chains]]
name = "{name}"
target = "{url}"
[[chains.checks]]
name = "get-id"
path = "/{name}"
capture = [{{ name = "id", jsonpath = "$.id" }}]
[[chains.checks]]
name = "use-id"
path = "/echo/{{{{id}}}}"
expect.json."$.path" = "/echo/{name * 3}"
"""
            for name in ("a", "b")
        )
        result = run_smoke(load_config(write_project(tmp_path, chains)), {}, jobs=2)
    assert result.status is PhaseStatus.PASSED, result.json_data["checks"]
    assert [c["captured"] for c in result.json_data["checks"] if c["name"] == "get-id"] == [
        {"id": "aaa"},
        {"id": "bbb"},
    ]


def test_failed_capture_fails_its_check_and_errors_the_dependent(tmp_path: Path) -> None:
    with serve(lambda seen: json_reply(b'{"other": 1}')) as (url, _):
        smoke = f"""
[[chains]]
name = "c"
target = "{url}"
[[chains.checks]]
name = "grab"
capture = [{{ name = "kind", jsonpath = "$.kind" }}]
[[chains.checks]]
name = "use"
json = {{ kind = "{{{{kind}}}}" }}
[[chains.checks]]
name = "independent"
expect.status = 200
"""
        result = run_smoke(load_config(write_project(tmp_path, smoke)), {})
    checks = _by_name(result.json_data["checks"])
    assert checks["c/grab"]["status"] == "fail"
    assert checks["c/grab"]["failures"][0]["assertion"] == "capture kind from jsonpath $.kind"
    assert checks["c/use"]["status"] == "error"
    assert "{{kind}} has no value" in checks["c/use"]["error"]
    assert checks["c/independent"]["status"] == "pass"
    assert result.json_data["failed"] == 1 and result.json_data["errors"] == 1
    assert result.summary.startswith("1/3 PASS, 1 FAIL, 1 ERROR in ")
    assert [f.evidence for f in result.findings] == ["c/grab", "c/use"]
    assert {f.kind for f in result.findings} == {FindingKind.SMOKE_FAILED}


def test_polling_passes_on_the_third_attempt_and_records_each(tmp_path: Path) -> None:
    hits = {"/eventually": 0, "/never": 0}

    def app(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        hits[seen.path] += 1
        done = seen.path == "/eventually" and hits[seen.path] >= 3
        return json_reply(json.dumps({"state": "done" if done else "pending"}).encode())

    with serve(app) as (url, _):
        smoke = f"""
[[chains]]
name = "poll"
target = "{url}"
[[chains.checks]]
name = "eventually"
path = "/eventually"
retry = 5
interval = 0.01
expect.json."$.state" = "done"
[[chains.checks]]
name = "never"
path = "/never"
retry = 2
interval = 0.01
expect.json."$.state" = "done"
"""
        result = run_smoke(load_config(write_project(tmp_path, smoke)), {})
    checks = _by_name(result.json_data["checks"])
    eventually = checks["poll/eventually"]
    assert eventually["status"] == "pass"
    assert [(a["n"], a["status_code"], a["passed"]) for a in eventually["attempts"]] == [
        (1, 200, False),
        (2, 200, False),
        (3, 200, True),
    ]
    assert eventually["attempts"][0]["failures"][0]["actual"] == '"pending"'
    assert hits["/eventually"] == 3
    never = checks["poll/never"]
    assert never["status"] == "fail"
    assert len(never["attempts"]) == 3 and hits["/never"] == 3
    assert never["failures"] == [
        {"assertion": "jsonpath $.state equals", "expected": '"done"', "actual": '"pending"'}
    ]


XML = b"""<?xml version="1.0"?>
<roster version="2"><worker id="W-1">Ada</worker><worker id="W-2">Bruno</worker></roster>"""


def test_xpath_assertions_and_capture_on_an_xml_reply(tmp_path: Path) -> None:
    def app(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.path == "/roster":
            return 200, {"Content-Type": "application/xml"}, XML
        return _echo(seen)

    with serve(app) as (url, _):
        smoke = f"""
[[chains]]
name = "xml"
target = "{url}"
[[chains.checks]]
name = "roster"
path = "/roster"
assert = [
  {{ xpath = "/roster/@version", equals = "2" }},
  {{ xpath = "//worker", count = 2 }},
  {{ xpath = "//worker[@id='W-2']", equals = "Bruno" }},
  {{ xpath = "count(//worker)", equals = 2 }},
  {{ xpath = "//worker/@id", contains = "W-1" }},
  {{ xpath = "//manager", exists = false }},
  {{ header = "content-type", equals = "application/xml" }},
]
capture = [{{ name = "first", xpath = "//worker/@id" }}]
[[chains.checks]]
name = "use"
path = "/w/{{{{first}}}}"
expect.json."$.path" = "/w/W-1"
[[chains.checks]]
name = "wrong"
path = "/roster"
assert = [{{ xpath = "//worker[1]", equals = "Grace" }}]
"""
        result = run_smoke(load_config(write_project(tmp_path, smoke)), {})
    checks = _by_name(result.json_data["checks"])
    assert checks["xml/roster"]["status"] == "pass", checks["xml/roster"]["failures"]
    assert checks["xml/use"]["status"] == "pass"
    assert checks["xml/wrong"]["failures"] == [
        {"assertion": "xpath //worker[1] equals", "expected": '"Grace"', "actual": '"Ada"'}
    ]
    assert "<roster" in checks["xml/wrong"]["body_snippet"]


def test_failure_shows_body_snippet_and_the_service_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "svc.log"
    log.write_text("".join(f"line {i}\n" for i in range(100)), encoding="utf-8")
    config = '[services.svc]\ncommand = ["true"]\nport = 0\n'
    smoke = """
[[chains]]
name = "c"
[[chains.checks]]
name = "status"
target = "svc"
path = "/x"
expect.status = [200, 201]
"""
    with serve(lambda seen: json_reply(b'{"error": "boom"}', status=500)) as (url, _):
        loaded = load_config(write_project(tmp_path, smoke, config=config))
        result = run_smoke(loaded, {"svc": Endpoint("svc", url, log)})
    (check,) = result.json_data["checks"]
    assert check["failures"] == [{"assertion": "status", "expected": "one of 200, 201", "actual": "500"}]
    assert check["body_snippet"] == '{"error": "boom"}'
    assert check["log_tail"] == [f"line {i}" for i in range(80, 100)]
    assert check["url"] == f"{url}/x"
    assert result.status is PhaseStatus.FAILED


def test_unreachable_target_is_an_error_not_a_crash(tmp_path: Path, free_port: int) -> None:
    smoke = f"""
[[chains]]
name = "c"
[[chains.checks]]
name = "down"
target = "http://127.0.0.1:{free_port}"
timeout = 2
expect.status = 200
"""
    result = run_smoke(load_config(write_project(tmp_path, smoke)), {})
    (check,) = result.json_data["checks"]
    assert check["status"] == "error"
    assert check["error"].startswith("cannot connect")
    assert result.summary.startswith("0/1 PASS, 1 ERROR")
    # nothing listens there: the environment failed (exit 3 as the README says), not a check
    assert result.status is PhaseStatus.ERROR
    assert [(f.kind.value, f.evidence) for f in result.findings][-1] == (
        "unreachable",
        f"http://127.0.0.1:{free_port}",
    )


async def test_network_is_injectable(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"ok": True, "items": [1, 2, 3]})

    smoke = """
[[chains]]
name = "c"
target = "http://service.invalid"
[[chains.checks]]
name = "post"
method = "post"
path = "/items"
json = { n = 1 }
expect.status = 201
assert = [{ jsonpath = "$.items[*]", count = 3 }, { jsonpath = "$.items[*]", contains = 2 }]
"""
    plan = load_smoke(load_config(write_project(tmp_path, smoke)))
    result = await run_plan_async(plan, {}, transport=httpx.MockTransport(handler))
    assert result.status is PhaseStatus.PASSED
    assert seen[0].method == "POST"
    assert seen[0].headers["content-type"] == "application/json"
    assert json.loads(seen[0].content) == {"n": 1}


def test_missing_endpoint_for_a_service_target_is_a_stack_error(tmp_path: Path) -> None:
    config = '[services.svc]\ncommand = ["true"]\nport = 0\n'
    smoke = '[[chains]]\nname = "c"\ntarget = "svc"\n[[chains.checks]]\nname = "x"\n'
    plan = load_smoke(load_config(write_project(tmp_path, smoke, config=config)))
    with pytest.raises(StackError, match="'svc' is not running"):
        run_plan(plan, {})


def test_no_smoke_section_is_a_skipped_phase(tmp_path: Path) -> None:
    config = tmp_path / "paritygate.toml"
    config.write_text('name = "x"\n', encoding="utf-8")
    result = run_smoke(load_config(config), {})
    assert result.status is PhaseStatus.SKIPPED
    assert result.json_data["total"] == 0 and result.findings == []


def test_var_option_overrides_declared_vars_and_env_vars_are_read(tmp_path: Path) -> None:
    with serve(_echo) as (url, seen):
        smoke = f"""
[vars]
who = "declared"
[[chains]]
name = "c"
[[chains.checks]]
name = "x"
target = "{url}"
path = "/{{{{who}}}}/{{{{env.SMOKE_TEST_WHERE}}}}"
expect.status = 200
"""
        config = write_project(tmp_path, smoke)
        result = run_cli(
            "smoke", "--config", str(config), "--var", "who=given", env={"SMOKE_TEST_WHERE": "here"}
        )
    assert result.exit_code == 0, result.output
    assert [s.path for s in seen] == ["/given/here"]
    assert result.stdout.splitlines()[-1].startswith("1/1 PASS in ")


def test_repeated_body_renders_declared_and_environment_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMOKE_TEST_PIECE", "ab")
    with serve(lambda seen: json_reply(b"{}")) as (url, seen):
        smoke = f"""
[vars]
sep = "-"
[[chains]]
name = "c"
[[chains.checks]]
name = "big"
target = "{url}"
method = "POST"
body_repeat = {{ text = "{{{{env.SMOKE_TEST_PIECE}}}}{{{{sep}}}}", times = 3 }}
expect.status = 200
"""
        result = run_smoke(load_config(write_project(tmp_path, smoke)), {})
    assert result.status is PhaseStatus.PASSED, result.json_data["checks"]
    assert [s.body for s in seen] == [b"ab-ab-ab-"]
