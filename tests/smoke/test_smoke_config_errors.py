"""Validation first: every wrong check is exit 2 before any request, naming file, chain/check and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from smoke_helpers import json_reply, run_cli, serve, write_project

from paritygate.config import load_config
from paritygate.errors import ConfigError
from paritygate.phases.smoke import load_smoke

SERVICES = """
[services.tagged]
command = ["true"]
port = 0
"""

FIRST = """
[[chains]]
name = "c"
target = "tagged"

[[chains.checks]]
name = "first"
path = "/health"
expect.status = 200
"""


def _check(body: str, name: str = "second") -> str:
    return f'\n[[chains.checks]]\nname = "{name}"\n{body}\n'


CASES = [
    pytest.param(
        _check('path = "/"\n[[chains.checks.assert]]\njsonpath = "$.a"\ngreater_than = 3'),
        ["chains[0].checks[1].assert[0].greater_than", "'c/second'", "unknown assertion kind 'greater_than'"],
        id="unknown-assertion-kind",
    ),
    pytest.param(
        _check('methd = "POST"'),
        ["chains[0].checks[1].methd", "'c/second'", "did you mean 'method'"],
        id="unknown-key",
    ),
    pytest.param(
        _check("expect.stauts = 200"),
        ["chains[0].checks[1].expect.stauts", "'c/second'", "unknown expectation 'stauts'", "'status'"],
        id="unknown-expectation",
    ),
    pytest.param(
        _check('[[chains.checks.assert]]\njsonpath = "$.a"\nheader = "x"\nequals = 1'),
        ["chains[0].checks[1].assert[0]", "'c/second'", "exactly one of jsonpath, xpath, header, body"],
        id="two-subjects",
    ),
    pytest.param(
        _check('path = "/items/{{item_id}}"'),
        ["chains[0].checks[1].path", "'c/second'", "undefined variable {{item_id}}"],
        id="undefined-variable",
    ),
    pytest.param(
        _check('method = "POST"\npath = "/"\nbody_repeat = { text = "{{nope}}", times = 2 }'),
        ["chains[0].checks[1].body_repeat.text", "'c/second'", "undefined variable {{nope}}"],
        id="undefined-variable-in-repeated-body",
    ),
    pytest.param(
        _check('path = "/items/{{ item-id }}"'),
        ["chains[0].checks[1].path", "'c/second'", "bad variable reference"],
        id="malformed-reference",
    ),
    pytest.param(
        _check('headers = { X-Token = "{{tok}}" }')
        + _check(
            'path = "/login"\n[[chains.checks.capture]]\nname = "tok"\njsonpath = "$.token"', name="third"
        ),
        [
            "chains[0].checks[1].headers.X-Token",
            "'c/second'",
            "undefined variable {{tok}}",
            "captured by 'c/third'",
        ],
        id="capture-used-before-defined",
    ),
    pytest.param(
        _check('path = "/login"\n[[chains.checks.capture]]\nname = "tok"\njsonpath = "$.token"')
        + '\n[[chains]]\nname = "other"\ntarget = "tagged"\n'
        + _check('json = { token = "{{tok}}" }', name="uses-it"),
        ["chains[1].checks[0].json.token", "'other/uses-it'", "undefined variable {{tok}}", "same chain"],
        id="capture-from-another-chain",
    ),
    pytest.param(
        _check('expect.json."$.a[" = 1'),
        ["chains[0].checks[1].expect.json.'$.a['", "'c/second'", "bad JSONPath"],
        id="bad-jsonpath",
    ),
    pytest.param(
        _check('[[chains.checks.capture]]\nname = "v"\njsonpath = "Schema.field"'),
        ["chains[0].checks[1].capture[0].jsonpath", "'c/second'", "bad JSONPath", "starts with '$'"],
        id="bad-capture-jsonpath",
    ),
    pytest.param(
        _check('[[chains.checks.capture]]\nname = "v"\njsonpointer = "items/0"'),
        ["chains[0].checks[1].capture[0].jsonpointer", "'c/second'", "bad JSON pointer", "must start with /"],
        id="bad-capture-jsonpointer",
    ),
    pytest.param(
        _check('[[chains.checks.assert]]\nxpath = "//item[@id="\nexists = true'),
        ["chains[0].checks[1].assert[0].xpath", "'c/second'", "bad XPath"],
        id="bad-xpath",
    ),
    pytest.param(
        _check('[[chains.checks.assert]]\nbody = true\nmatches = "(unclosed"'),
        ["chains[0].checks[1].assert[0].matches", "'c/second'", "bad regular expression"],
        id="bad-regex",
    ),
    pytest.param(
        _check('target = "taged"'),
        ["chains[0].checks[1].target", "'c/second'", "unknown target 'taged'", "did you mean 'tagged'"],
        id="unknown-target",
    ),
    pytest.param(
        _check('headers = { Authorization = "Bearer {{env.PARITYGATE_TEST_SURELY_UNSET}}" }'),
        [
            "chains[0].checks[1].headers.Authorization",
            "'c/second'",
            "PARITYGATE_TEST_SURELY_UNSET is not set",
        ],
        id="unset-environment-variable",
    ),
    pytest.param(
        _check('[[chains.checks.assert]]\nheader = "content-type"\nequals = 5'),
        ["chains[0].checks[1].assert[0].equals", "'c/second'", "expected a string"],
        id="header-compared-to-number",
    ),
]


@pytest.mark.parametrize(("extra", "fragments"), CASES)
def test_config_error_is_exit_2_naming_file_check_and_key(
    tmp_path: Path, extra: str, fragments: list[str]
) -> None:
    config = write_project(tmp_path, FIRST + extra, config=SERVICES)
    result = run_cli("smoke", "--config", str(config))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "smoke.toml" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_validation_happens_before_any_request(tmp_path: Path) -> None:
    with serve(lambda seen: json_reply(b"{}")) as (url, seen):
        smoke = f"""
[[chains]]
name = "c"
[[chains.checks]]
name = "fine"
target = "{url}"
expect.status = 200
[[chains.checks]]
name = "broken"
target = "{url}"
expect.json."$..[" = 1
"""
        config = write_project(tmp_path, smoke)
        result = run_cli("smoke", "--config", str(config))
    assert result.exit_code == 2
    assert "'c/broken'" in result.stderr
    assert seen == []


def test_inline_smoke_error_names_config_chain_check_and_key(tmp_path: Path) -> None:
    inline = '[[smoke.chains]]\nname = "inline"\n[[smoke.chains.checks]]\nname = "x"\ntarget = "http://127.0.0.1:9"\nmethd = "GET"\n'
    config = write_project(tmp_path, inline, inline=True)
    result = run_cli("smoke", "--config", str(config))
    assert result.exit_code == 2
    for fragment in ("paritygate.toml", "chains[0].checks[0].methd", "check 'inline/x'", "'method'"):
        assert fragment in result.stderr


def test_missing_smoke_file_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "paritygate.toml"
    config.write_text('[smoke]\nfile = "nowhere.toml"\n', encoding="utf-8")
    result = run_cli("smoke", "--config", str(config))
    assert result.exit_code == 2
    assert "smoke.file" in result.stderr
    assert "nowhere.toml" in result.stderr


def test_unset_dollar_env_in_smoke_file_is_a_config_error(tmp_path: Path) -> None:
    smoke = '[secrets]\ntoken = "${PARITYGATE_TEST_SURELY_UNSET}"\n' + FIRST
    config = write_project(tmp_path, smoke, config=SERVICES)
    with pytest.raises(ConfigError) as info:
        load_smoke(load_config(config))
    assert info.value.key == "secrets.token"
    assert info.value.file is not None and info.value.file.endswith("smoke.toml")


def test_capture_may_not_shadow_a_declared_variable(tmp_path: Path) -> None:
    smoke = (
        '[vars]\nkind = "fill"\n' + FIRST + '[[chains.checks.capture]]\nname = "kind"\njsonpath = "$.kind"\n'
    )
    config = write_project(tmp_path, smoke, config=SERVICES)
    with pytest.raises(ConfigError, match="would shadow") as info:
        load_smoke(load_config(config))
    assert info.value.key == "chains[0].checks[0].capture[0].name"


def test_bad_var_option_is_a_usage_error(tmp_path: Path) -> None:
    config = write_project(tmp_path, FIRST, config=SERVICES)
    result = run_cli("smoke", "--config", str(config), "--var", "no-equals-sign")
    assert result.exit_code == 2
    assert "--var expects NAME=VALUE" in result.stderr


def test_no_checks_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "paritygate.toml"
    config.write_text(SERVICES, encoding="utf-8")
    result = run_cli("smoke", "--config", str(config))
    assert result.exit_code == 2
    assert "no smoke checks configured" in result.stderr


def test_unknown_chain_target_names_the_chain_key(tmp_path: Path) -> None:
    config = write_project(tmp_path, FIRST.replace('target = "tagged"', 'target = "flat"'), config=SERVICES)
    result = run_cli("smoke", "--config", str(config))
    assert result.exit_code == 2
    for fragment in ("smoke.toml: chains[0].target:", "'c/first'", "unknown target 'flat'"):
        assert fragment in result.stderr
