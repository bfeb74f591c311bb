"""A secret never appears in any output, even when the server echoes it back."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, quote_plus

from smoke_helpers import Seen, json_reply, run_cli, serve

from paritygate.config import load_config
from paritygate.core.masking import Masker
from paritygate.core.models import Endpoint
from paritygate.phases.smoke import run_smoke

ENV_SECRET = "env-tok-7f3a9c"
CLI_SECRET = "s3cr3t/+&=tok en"  # changes under URL and JSON encoding


def _echo_everything(seen: Seen) -> tuple[int, dict[str, str], bytes]:
    doc = {"auth": seen.headers.get("authorization"), "path": seen.path, "body": seen.body.decode()}
    return json_reply(json.dumps(doc).encode(), **{"X-Echo": seen.headers.get("authorization", "")})


def _forms(secret: str) -> list[str]:
    return [secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]]


def test_secrets_are_masked_in_terminal_json_and_junit(tmp_path: Path) -> None:
    with serve(_echo_everything) as (url, seen):
        (tmp_path / "smoke.toml").write_text(
            f"""
[[chains]]
name = "auth"
target = "{url}"

[[chains.checks]]
name = "echo"
method = "POST"
path = "/login"
query = {{ t = "{{{{cli_token}}}}" }}
headers = {{ Authorization = "Bearer {{{{api_token}}}}" }}
json = {{ password = "{{{{cli_token}}}}" }}
expect.status = 200
expect.json."$.auth" = "Bearer {{{{api_token}}}}"
capture = [{{ name = "echoed", jsonpath = "$.auth" }}]

[[chains.checks]]
name = "shown-in-failure"
path = "/again"
headers = {{ Authorization = "{{{{echoed}}}} {{{{cli_token}}}}" }}
expect.status = 201
expect.json."$.auth" = "something else"
assert = [{{ header = "x-echo", equals = "nope" }}]
""",
            encoding="utf-8",
        )
        config = tmp_path / "paritygate.toml"
        config.write_text(
            '[smoke]\nfile = "smoke.toml"\n[smoke.secrets]\napi_token = "${SMOKE_TEST_API_TOKEN}"\n'
        )
        json_out, junit_out, out_dir = tmp_path / "r.json", tmp_path / "r.xml", tmp_path / "out"
        result = run_cli(
            "smoke",
            "--config",
            str(config),
            "--secret-var",
            f"cli_token={CLI_SECRET}",
            "--json",
            str(json_out),
            "--junit",
            str(junit_out),
            "--out",
            str(out_dir),
            env={"SMOKE_TEST_API_TOKEN": ENV_SECRET},
        )
    # The secrets really went over the wire and came back...
    assert seen[0].headers["authorization"] == f"Bearer {ENV_SECRET}"
    assert json.loads(seen[0].body) == {"password": CLI_SECRET}
    assert seen[1].headers["authorization"] == f"Bearer {ENV_SECRET} {CLI_SECRET}"
    # ...yet no output holds them in any form.
    assert result.exit_code == 1, result.output
    outputs = {
        "terminal": result.stdout + result.stderr,
        "json": json_out.read_text(),
        "junit": junit_out.read_text(),
        "out-json": (out_dir / "smoke.json").read_text(),
        "out-junit": (out_dir / "smoke-junit.xml").read_text(),
    }
    for where, text in outputs.items():
        for secret in (ENV_SECRET, CLI_SECRET):
            for form in _forms(secret):
                assert form not in text, f"{form!r} leaked into {where}"
        assert "***" in text, where
    doc = json.loads(json_out.read_text())
    failed = doc["data"]["checks"][1]
    assert failed["failures"][1] == {
        "assertion": "jsonpath $.auth equals",
        "expected": '"something else"',
        "actual": '"Bearer *** ***"',
    }
    assert failed["failures"][2]["actual"] == '"Bearer *** ***"'
    assert "Bearer *** ***" in failed["body_snippet"]
    assert doc["data"]["checks"][0]["captured"] == {"echoed": "Bearer ***"}
    assert doc["data"]["checks"][0]["url"].endswith("/login?t=***")


def test_secret_in_a_service_log_tail_is_masked(tmp_path: Path) -> None:
    log = tmp_path / "svc.log"
    log.write_text(f"starting\nauth header was Bearer {ENV_SECRET}\n", encoding="utf-8")
    (tmp_path / "paritygate.toml").write_text(
        f'[services.svc]\ncommand = ["true"]\nport = 0\n[smoke.secrets]\ntoken = "{ENV_SECRET}"\n'
        '[[smoke.chains]]\nname = "c"\n[[smoke.chains.checks]]\nname = "x"\ntarget = "svc"\n'
        'headers = { Authorization = "Bearer {{token}}" }\nexpect.status = 204\n'
    )
    with serve(_echo_everything) as (url, _):
        result = run_smoke(load_config(tmp_path / "paritygate.toml"), {"svc": Endpoint("svc", url, log)})
    text = json.dumps(result.to_dict())
    assert ENV_SECRET not in text
    assert result.json_data["checks"][0]["log_tail"] == ["starting", "auth header was Bearer ***"]


def test_masker_masks_longest_first_and_leaves_other_text() -> None:
    masker = Masker(["abc", "abcdef", ""])
    assert masker.text("x abcdef y abc z") == "x *** y *** z"
    assert masker.tree({"abc": ["abcdef", 1, None]}) == {"***": ["***", 1, None]}
    assert not Masker([])
    assert Masker([]).text("abc") == "abc"
