"""`paritygate parity` and `parity import-har` exit codes and files, in-process."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from parity_helpers import make_project

from paritygate.cli.main import cli, main
from paritygate.core.models import Endpoint
from paritygate.probe import load_cases


def invoke(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "120"}).invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def targets(*endpoints: Endpoint) -> list[str]:
    return [arg for e in endpoints for arg in ("--target", f"{e.name}={e.base_url}")]


def test_an_unreachable_target_exits_3_and_still_writes_the_report(
    tmp_path: Path, impls: dict[str, Endpoint], refused: Endpoint
) -> None:
    make_project(tmp_path)
    out = tmp_path / "out"
    code, stdout, _ = invoke(
        [
            "parity",
            "--config",
            str(tmp_path / "paritygate.toml"),
            *targets(impls["tagged"], refused),
            "--out",
            str(out),
        ]
    )
    assert code == 3
    assert "UNREACHABLE: refused never answered" in stdout
    markdown = (out / "parity.md").read_text(encoding="utf-8")
    assert "**refused never answered**" in markdown and "| happy | 200 | no answer | ✗ | ✗ |" in markdown
    assert orjson.loads((out / "parity.json").read_bytes())["unreachable"] == ["refused"]
    assert b'<error message="no answer: refused: ' in (out / "junit.xml").read_bytes()


def test_three_targets_on_the_command_line_with_reference(tmp_path: Path, impls: dict[str, Endpoint]) -> None:
    make_project(tmp_path)
    args = ["parity", "--config", str(tmp_path / "paritygate.toml"), "--out", str(tmp_path / "o")]
    args += [*targets(impls["tagged"], impls["flat"], impls["tagged-2"]), "--reference", "tagged", "--json"]
    code, stdout, _ = invoke(args)
    doc = orjson.loads(stdout)
    assert code == 1  # new classes
    assert doc["reference"] == "tagged"
    assert doc["cases"][1]["odd_one_out_text"] == "flat disagrees with tagged and tagged-2"
    assert "flat disagrees with tagged and tagged-2" in (tmp_path / "o" / "parity.md").read_text(
        encoding="utf-8"
    )


def test_usage_and_input_errors_exit_2(tmp_path: Path, impls: dict[str, Endpoint]) -> None:
    make_project(tmp_path)
    config = ["--config", str(tmp_path / "paritygate.toml")]
    one = targets(impls["tagged"])
    two = targets(impls["tagged"], impls["flat"])
    assert invoke(["parity", *config, *one])[0] == 2
    code, _, err = invoke(["parity", *config, "--target", "no-url"])
    assert code == 2 and "NAME=URL" in err
    code, _, err = invoke(["parity", *config, *two, "--reference", "nobody"])
    assert code == 2 and "reference 'nobody'" in err
    (tmp_path / "bad.toml").write_text(
        '[[cases]]\nname = "x"\nmethod = "GET"\npath = "/"\nbdy = "y"\n', encoding="utf-8"
    )
    code, _, err = invoke(["parity", *config, *two, "--cases", str(tmp_path / "bad.toml")])
    assert code == 2 and "bad.toml:5: cases[0].bdy: unknown key (did you mean 'body'?)" in err
    (tmp_path / "TRACKER.md").write_text(
        "| key | area | divergence | status | decision | evidence |\n|---|---|---|---|---|---|\n| a | b |\n",
        encoding="utf-8",
    )
    code, _, err = invoke(["parity", *config, *two])
    assert code == 2 and "TRACKER.md:3" in err


def test_main_returns_through_click_exit_codes(tmp_path: Path, impls: dict[str, Endpoint]) -> None:
    make_project(tmp_path)
    args = ["parity", "--config", str(tmp_path / "paritygate.toml"), "--out", str(tmp_path / "o")]
    with pytest.raises(SystemExit) as info:
        main([*args, *targets(impls["tagged"], impls["tagged-2"])])
    assert info.value.code == 0


HAR = {
    "log": {
        "version": "1.2",
        "entries": [
            {
                "request": {
                    "method": "POST",
                    "url": "http://127.0.0.1:3100/v1/validate?x=1",
                    "headers": [
                        {"name": "Authorization", "value": "Bearer s3cr3t"},
                        {"name": "Host", "value": "127.0.0.1:3100"},
                        {"name": "Content-Type", "value": "application/json"},
                    ],
                    "postData": {"mimeType": "application/json", "text": '{"kind": "fill"}'},
                }
            }
        ],
    }
}


def test_import_har_writes_a_cases_file(tmp_path: Path) -> None:
    har = tmp_path / "capture.har"
    har.write_bytes(orjson.dumps(HAR))
    out = tmp_path / "cases.toml"
    code, _, err = invoke(["parity", "import-har", str(har), "-o", str(out)])
    assert code == 0 and "wrote 1 case(s)" in err and "authorization ×1" in err
    (case,) = load_cases(out)
    assert case.name == "post_v1_validate" and case.query == {"x": ["1"]} and case.json == {"kind": "fill"}
    assert case.headers == {"content-type": "application/json"}
    assert out.read_text(encoding="utf-8").startswith("# Imported from capture.har")
    assert invoke(["parity", "import-har", str(har), "-o", str(out)])[0] == 2  # exists, no --force
    code, stdout, _ = invoke(["parity", "import-har", str(har), "--keep-auth"])
    assert code == 0 and 'authorization = "Bearer s3cr3t"' in stdout
    jsonl = tmp_path / "cases.jsonl"
    assert invoke(["parity", "import-har", str(har), "-o", str(jsonl)])[0] == 0
    assert load_cases(jsonl)[0].to_dict() == case.to_dict()


def test_import_har_rejects_a_malformed_capture(tmp_path: Path) -> None:
    har = tmp_path / "capture.har"
    har.write_bytes(orjson.dumps({"log": {"entries": [{"request": {"method": "GET"}}]}}))
    code, _, err = invoke(["parity", "import-har", str(har)])
    assert code == 2
    assert "capture.har: log.entries[0].request.url: required key is missing" in err
