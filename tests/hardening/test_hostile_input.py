"""Hostile input: every former traceback is one precise error with its exit code, misleading
messages say what happened, and service-controlled text is escaped in every output kind."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import httpx
import orjson
import pytest
from markdown_it import MarkdownIt
from rich.console import Console

from paritygate.config import load_config
from paritygate.core.models import Endpoint, FindingKind
from paritygate.errors import ConfigError
from paritygate.phases.parity import run_parity
from paritygate.phases.smoke.plan import load_smoke
from paritygate.probe import load_cases
from paritygate.probe.extract import Reply, ReplyFormatError
from paritygate.probe.sender import describe_transport_error
from paritygate.reports.parity_report import parity_markdown
from paritygate.reports.parity_terminal import print_parity

TRACKER = (
    "# Decisions\n\n| key | area | divergence | status | decision | evidence |\n|---|---|---|---|---|---|\n"
)


def _cases(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "cases.toml"
    path.write_text(body, encoding="utf-8")
    return path


def _config_error(call: object) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.exit_code == 2
    return caught.value


# -- former tracebacks (Why 8) ----------------------------------------------------------------


def test_an_integer_beyond_64_bits_in_a_case_body_is_one_config_error(tmp_path: Path) -> None:
    path = _cases(
        tmp_path,
        '[[cases]]\nname = "big"\nmethod = "POST"\npath = "/"\njson = { n = 18446744073709551616 }\n',
    )
    error = _config_error(lambda: load_cases(path))
    assert "outside the 64-bit range" in str(error) and "cases[0].json" in str(error)


def test_an_integer_beyond_64_bits_in_a_smoke_body_is_one_config_error(tmp_path: Path) -> None:
    (tmp_path / "paritygate.toml").write_text(
        '[services.a]\ncommand = ["x"]\nport = 0\n\n[[smoke.chains]]\nname = "c"\ntarget = "a"\n'
        '[[smoke.chains.checks]]\nname = "k"\npath = "/"\njson = [1, -9223372036854775809]\n',
        encoding="utf-8",
    )
    error = _config_error(lambda: load_config(tmp_path / "paritygate.toml"))
    assert "outside the 64-bit range" in str(error)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('{ x-name = "caf\u00e9 \u2603" }', "is not Latin-1"),
        ('{ x-name = "a\\nInjected: 1" }', "cannot contain '\\n'"),
        ('{ "bad name" = "v" }', "not a valid HTTP field name"),
    ],
)
def test_a_header_the_wire_cannot_carry_is_one_config_error(
    tmp_path: Path, header: str, expected: str
) -> None:
    path = _cases(tmp_path, f'[[cases]]\nname = "h"\nmethod = "GET"\npath = "/"\nheaders = {header}\n')
    error = _config_error(lambda: load_cases(path))
    assert expected in str(error) and "cases[0].headers" in str(error)


def test_a_newline_in_a_case_header_is_exit_2_not_unreachable(tmp_path: Path) -> None:
    _cases(tmp_path, '[[cases]]\nname = "h"\nmethod = "GET"\npath = "/"\nheaders = { x = "a\\nb" }\n')
    (tmp_path / "paritygate.toml").write_text('[parity]\ncases = "cases.toml"\n', encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "paritygate",
            "parity",
            "--target",
            "a=http://127.0.0.1:9",
            "--target",
            "b=http://127.0.0.1:9",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "UNREACHABLE" not in proc.stdout and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("path", "expected"), [("/a\\u0000b", "control character"), ("/" + "a" * 100_000, "too long")]
)
def test_a_case_path_with_nul_or_100k_characters_is_one_config_error(
    tmp_path: Path, path: str, expected: str
) -> None:
    cases = _cases(tmp_path, f'[[cases]]\nname = "p"\nmethod = "GET"\npath = "{path}"\n')
    assert expected in str(_config_error(lambda: load_cases(cases)))


def test_a_smoke_url_with_a_broken_ipv6_host_is_one_config_error(tmp_path: Path) -> None:
    (tmp_path / "paritygate.toml").write_text(
        '[[smoke.chains]]\nname = "c"\n[[smoke.chains.checks]]\nname = "k"\ntarget = "http://[::1"\npath = "/"\n',
        encoding="utf-8",
    )
    loaded = load_config(tmp_path / "paritygate.toml")
    error = _config_error(lambda: load_smoke(loaded))
    assert "is not a valid URL" in str(error)


@pytest.mark.parametrize("where", ["config", "cases"])
def test_5000_levels_of_toml_nesting_is_one_config_error(tmp_path: Path, where: str) -> None:
    deep = "[" * 5000 + "]" * 5000
    if where == "config":
        (tmp_path / "paritygate.toml").write_text(f"name = {deep}\n", encoding="utf-8")
        error = _config_error(lambda: load_config(tmp_path / "paritygate.toml"))
    else:
        cases = _cases(
            tmp_path, f'[[cases]]\nname = "d"\nmethod = "POST"\npath = "/"\njson = {{ a = {deep} }}\n'
        )
        error = _config_error(lambda: load_cases(cases))
    assert "nested deeper than 64 levels" in str(error)


# -- misleading messages and gaps (Why 10) ----------------------------------------------------


def _project(tmp_path: Path, cases: str, extra: str = "") -> Path:
    _cases(tmp_path, cases)
    (tmp_path / "TRACKER.md").write_text(TRACKER, encoding="utf-8")
    path = tmp_path / "paritygate.toml"
    path.write_text(
        f'[parity]\ncases = "cases.toml"\ntracker = "TRACKER.md"\ntimeout = 5.0\n{extra}', encoding="utf-8"
    )
    return path


ENDPOINTS = {"a": Endpoint("a", "http://a.test"), "b": Endpoint("b", "http://b.test")}


def test_a_case_no_target_answered_is_not_called_a_status_difference(tmp_path: Path) -> None:
    config = _project(
        tmp_path,
        '[[cases]]\nname = "ok"\nmethod = "GET"\npath = "/ok"\n\n[[cases]]\nname = "slow"\nmethod = "GET"\npath = "/slow"\n',
    )

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/slow":
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(200, json={"ok": True})

    result = run_parity(load_config(config), ENDPOINTS, transport=httpx.MockTransport(answer))
    about_slow = [f for f in result.findings if f.evidence == "slow"]
    assert [f.kind for f in about_slow] == [FindingKind.UNREACHABLE]
    assert about_slow[0].message.startswith("no target answered case slow: a no answer (timeout")
    assert not any(f.kind is FindingKind.STATUS_MISMATCH for f in result.findings)


def test_a_dropped_connection_says_it_was_dropped() -> None:
    request = httpx.Request("GET", "http://a.test/")
    text = describe_transport_error(httpx.ReadError("", request=request), 5.0)
    assert text.startswith("reset: the connection was dropped while reading the answer (ReadError:")
    assert "ReadError: ReadError" not in text


def test_a_refused_entity_bomb_says_why_it_was_refused() -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE z [<!ENTITY l0 "lol">{entities}]><z>&l9;</z>'.encode()
    with pytest.raises(ReplyFormatError) as caught:
        Reply(200, httpx.Headers(), bomb, 1.0).xml()
    assert "amplification" in str(caught.value)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('[[parity.ignore]]\npath = "$.a[?"\n', "parity.ignore[0].path"),
        ('[[parity.ignore]]\npath = "$.a"\nwhen = "(unclosed"\n', "invalid regular expression"),
        ('[[parity.ignore]]\nreason = "neither"\n', "set exactly one of `path` or `header`"),
        ('[[parity.arrays]]\npath = "$.items"\nmode = "by_key"\n', "needs `key`"),
        ('[services.a]\ncommand = ["x"]\nready = { log = "[" }\n', "invalid regular expression"),
        ('[review]\nprompt_template = "missing.j2"\n', "not found"),
        ('[services."../../escaped"]\ncommand = ["x"]\n', "service name '../../escaped'"),
    ],
)
def test_check_rejects_every_bad_rule_regex_template_and_name(
    tmp_path: Path, extra: str, expected: str
) -> None:
    config = _project(tmp_path, '[[cases]]\nname = "x"\nmethod = "GET"\npath = "/"\n', extra)
    proc = subprocess.run(
        [sys.executable, "-m", "paritygate", "check", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert expected in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2  # one error (and at most its hint)


def test_a_closed_stdout_ends_the_run_cleanly_with_its_report_written(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line (`paritygate run | head -0`)
    proc = subprocess.run(
        [sys.executable, "-m", "paritygate", "run", "--only", "parity"],
        cwd=tmp_path,
        stdout=write_end,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=180,
        check=False,
    )
    os.close(write_end)
    stderr = proc.stderr.decode()
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
    run_dir = next((tmp_path / ".paritygate" / "runs").iterdir())
    report = orjson.loads((run_dir / "report.json").read_bytes())
    assert proc.returncode in (0, 1, 3)  # the verdict's code, not a crash
    assert report["verdict"]


# -- escaping (Why 6) -------------------------------------------------------------------------

HOSTILE_KEYS = ["\x1b[2J", "\x1b]0;pwned\x07", "x\n# Injected heading", "<img src=x onerror=alert(1)>"]


def test_control_characters_and_markup_in_json_keys_are_escaped_everywhere(tmp_path: Path) -> None:
    config = _project(tmp_path, '[[cases]]\nname = "k"\nmethod = "GET"\npath = "/k"\n')

    def answer(request: httpx.Request) -> httpx.Response:
        keys = HOSTILE_KEYS if request.url.host == "a.test" else []
        return httpx.Response(200, json={"base": 1, **{k: 1 for k in keys}})

    result = run_parity(
        load_config(config), ENDPOINTS, transport=httpx.MockTransport(answer), record_decisions=True
    )
    doc = result.data
    markdown = parity_markdown(doc)
    tracker = (tmp_path / "TRACKER.md").read_text(encoding="utf-8")
    buffer = io.StringIO()
    console = Console(file=buffer, width=400, color_system=None)
    print_parity(doc, [], console, console)
    terminal = buffer.getvalue()
    for name, text in (("parity.md", markdown), ("tracker", tracker), ("terminal", terminal)):
        assert "\x1b" not in text and "\x07" not in text, name
        assert not any(line.startswith("# Injected") for line in text.splitlines()), name
    # Markdown as a renderer reads it: no raw HTML tag and no injected heading (code is literal)
    for name, text in (("parity.md", markdown), ("tracker", tracker)):
        html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
        assert "<img" not in html, name
        assert "Injected heading</h1>" not in html, name
    assert "\\x1b[2J" in markdown + terminal  # shown, as an escape
    # header, delimiter and exactly one recorded row per class (one per hostile key: each is a cause)
    assert tracker.count("\n|") == 2 + len(doc.classes) and len(doc.classes) >= 1


def test_a_har_header_a_cases_file_cannot_hold_is_dropped_not_written(tmp_path: Path) -> None:
    """Found by the fuzzer: an empty header name (or CR/LF, non-Latin-1) in a HAR became a
    cases file that `parity` then refused to read."""
    from paritygate.probe import dump_cases_toml, import_har, parse_cases

    har = {
        "log": {
            "entries": [
                {
                    "request": {
                        "method": "GET",
                        "url": "http://h/p",
                        "headers": [
                            {"name": "", "value": "v"},
                            {"name": "x-ok", "value": "1"},
                            {"name": "x-bad", "value": "a\nb"},
                        ],
                    }
                },
                {"request": {"method": "GET", "url": "http://h/a%00b\x00c"}},
            ]
        }
    }
    path = tmp_path / "capture.har"
    path.write_text(orjson.dumps(har).decode(), encoding="utf-8")
    imported = import_har(path)
    [case] = imported.cases
    assert case.headers == {"x-ok": "1"}
    assert imported.dropped_headers == {"": 1, "x-bad": 1}
    assert imported.skipped == ["log.entries[1]: a path cannot contain the control character '\\x00'"]
    again = parse_cases(dump_cases_toml(imported.cases), tmp_path / "cases.toml")
    assert [c.to_dict() for c in again] == [case.to_dict()]


def test_a_failed_smoke_check_shows_service_text_with_its_control_characters_escaped() -> None:
    from paritygate.core.smoke_doc import SmokeCheck
    from paritygate.reports.smoke_report import failure_lines

    check = {
        "status": "fail",
        "chain": "c",
        "name": "k",
        "target": "a",
        "method": "GET",
        "url": "http://127.0.0.1:1/",
        "duration_ms": 1.0,
        "attempts": [{"n": 1, "status_code": 200, "duration_ms": 1.0, "passed": False, "error": None}],
        "failures": [{"assertion": "json $.x", "expected": "1", "actual": "\x1b]0;pwned\x07\x1b[2J"}],
        "body_snippet": '{"\x1b[2J": 1}',
        "log_tail": ["boot\r\x1b[31mred"],
    }
    text = "\n".join(failure_lines(SmokeCheck.from_json(check)))
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert "actual \\x1b]0;pwned\\x07\\x1b[2J" in text
