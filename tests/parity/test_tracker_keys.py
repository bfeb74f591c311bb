"""Tracker rows keyed in the old format: one clear message each, and `tracker migrate`."""

from __future__ import annotations

import hashlib
from pathlib import Path

from click.testing import CliRunner
from parity_helpers import make_project, pick

from paritygate.cli.main import cli
from paritygate.core.models import Endpoint, FindingKind
from paritygate.phases.parity import run_parity
from paritygate.phases.parity.tracker_keys import likely_keys, parse_old_key

TAGGED_OLD = "POST /v1/validate·shape·tagged-enum~flat-kind·5d06913e"
STATUS_OLD = "GET /users/7·status·status·" + hashlib.sha256(b"404~200").hexdigest()[:8]
UNMAPPED_OLD = "GET /users/7·value·unmapped·0badc0de"
HEADER = "| key | area | divergence | status | decision | evidence |\r\n|---|---|---|---|---|---|\r\n"


def invoke(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "200"}).invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_old_keys_are_recognised_and_their_new_keys_named() -> None:
    old = parse_old_key(TAGGED_OLD)
    assert old is not None and old.slug == "tagged-enum~flat-kind" and old.endpoint == "POST /v1/validate"
    assert likely_keys(old) == ["mapping·tagged-enum~flat-kind"]
    status = parse_old_key(STATUS_OLD)
    assert status is not None and status.operation == "GET /users/{id}"
    assert likely_keys(status) == ["status·200~404"]  # the old hash covered the two codes
    unmapped = parse_old_key(UNMAPPED_OLD)
    assert unmapped is not None and likely_keys(unmapped) == []
    classes = [
        {"key": "value·case-only·*.state", "kind": "value", "relation": "case-only",
         "operations": [{"name": "GET /users/{id}", "cases": 2}]},
        {"key": "value·different·*.x", "kind": "value", "relation": "different",
         "operations": [{"name": "GET /other", "cases": 1}]},
    ]  # fmt: skip
    assert likely_keys(unmapped, classes) == ["value·case-only·*.state"]
    assert parse_old_key("mapping·tagged-enum~flat-kind") is None
    assert parse_old_key("status·200~404") is None


def test_a_run_names_each_old_row_once_and_never_calls_it_fixed(
    tmp_path: Path, impls: dict[str, Endpoint]
) -> None:
    tracker = (
        HEADER.replace("\r\n", "\n")
        + f"| `{TAGGED_OLD}` | POST /v1/validate | shape | _open_ | fix it | seed |\n"
    )
    loaded = make_project(tmp_path, tracker=tracker)
    result = run_parity(loaded, pick(impls, "tagged", "flat"))
    doc = result.parity
    assert doc is not None
    assert [c.key for c in doc.classes] == ["mapping·tagged-enum~flat-kind"]
    assert doc.fixed == []
    assert [(o.line, o.key, o.likely) for o in doc.outdated_rows] == [
        (3, TAGGED_OLD, ["mapping·tagged-enum~flat-kind"])
    ]
    notes = [f for f in result.findings if f.kind is FindingKind.NOTE]
    assert len(notes) == 1 and "likely new key is `mapping·tagged-enum~flat-kind`" in notes[0].message
    assert "paritygate tracker migrate" in notes[0].message
    assert not any(f.kind is FindingKind.FIXED_DIVERGENCE for f in result.findings)


def test_migrate_rewrites_old_keys_and_nothing_else(tmp_path: Path, impls: dict[str, Endpoint]) -> None:
    loaded = make_project(tmp_path, tracker=None)
    before = (
        "# Decisions\r\n\r\nProse with `POST /v1/validate·shape·tagged-enum~flat-kind·5d06913e` quoted.\r\n\r\n"
        + HEADER
        + f"| `{TAGGED_OLD}` | POST /v1/validate | error body shape \\| tagged | _open_ | ~50 LOC fix | seed run |\r\n"
        + f"| `{STATUS_OLD}` | GET /users/7 | not found | accepted | fine | run 3 |\r\n"
        + f"| `{UNMAPPED_OLD}` | GET /users/7 | a value | _open_ | look | run 4 |\r\n"
        + "| `value·different·*.x` | GET /x | new style | _open_ | keep | run 5 |\r\n"
        + "\r\nAfter the table.\r\n"
    ).encode()
    tracker = tmp_path / "TRACKER.md"
    tracker.write_bytes(before)
    config = str(loaded.path)
    code, out, _ = invoke(["tracker", "migrate", "--config", config, "--dry-run"])
    assert code == 1 and "would rewrite" in out and tracker.read_bytes() == before
    code, out, _ = invoke(["tracker", "migrate", "--config", config])
    assert code == 1, out  # one row could not be decided
    lines = out.splitlines()
    assert f"TRACKER.md:7: rewrote `{TAGGED_OLD}` → `mapping·tagged-enum~flat-kind`" in out
    assert f"TRACKER.md:8: rewrote `{STATUS_OLD}` → `status·200~404`" in out
    assert any("TRACKER.md:9:" in line and "edit the key by hand" in line for line in lines)
    after = tracker.read_bytes()
    expected = before.replace(
        f"| `{TAGGED_OLD}` |".encode(), b"| `mapping\xc2\xb7tagged-enum~flat-kind` |"
    ).replace(f"`{STATUS_OLD}`".encode(), "`status·200~404`".encode())
    assert after == expected  # CRLF, prose (even the quoted old key), escapes and other rows untouched
    # a second migrate rewrites nothing: only the undecided row is left
    code, out, _ = invoke(["tracker", "migrate", "--config", config])
    assert code == 1 and "rewrote" not in out


def test_migrate_with_a_run_and_without_a_tracker(tmp_path: Path, impls: dict[str, Endpoint]) -> None:
    loaded = make_project(tmp_path, tracker=HEADER.replace("\r\n", "\n"))
    out_dir = tmp_path / "run"
    out_dir.mkdir()
    run_parity(loaded, pick(impls, "tagged", "flat"), out_dir=out_dir)
    code, out, _ = invoke(["tracker", "migrate", "--config", str(loaded.path), "--run", str(out_dir)])
    assert code == 0 and "no key in the old format" in out
    code, _, err = invoke(
        ["tracker", "migrate", "--config", str(loaded.path), "--tracker", str(tmp_path / "nope.md")]
    )
    assert code == 2 and "nope.md" in err
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    code, _, err = invoke(
        ["tracker", "migrate", "--config", str(loaded.path), "--run", str(tmp_path / "bad.json")]
    )
    assert code == 2 and "bad.json" in err and "Traceback" not in err
