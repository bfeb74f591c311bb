"""Strict config loading: every malformed file is one precise line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from paritygate.cli.main import cli
from paritygate.config import find_config, load_config
from paritygate.config.loader import demo_config_path
from paritygate.errors import ConfigError

GOOD = """
[services.db]
command = ["{python}", "-c", "pass"]
port = 0
ready = { tcp = true }

[services.api]
command = ["{python}", "-m", "http.server", "{port}"]
port = 0
depends_on = ["db"]
env = { DB_URL = "{services.db.url}" }
ready = { http = "/", status = 200 }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "paritygate.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value


def test_good_config_resolves_dependency_order(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path, GOOD))
    assert loaded.order == ["db", "api"]
    assert loaded.model.services["api"].ready is not None
    assert not loaded.is_demo
    assert loaded.project_dir == tmp_path.resolve()


def test_demo_config_is_valid() -> None:
    loaded = load_config(demo_config_path())
    assert set(loaded.model.services) == {"tagged", "flat"}
    assert loaded.model.parity is not None and loaded.model.parity.targets == ["tagged", "flat"]


def test_found_by_walking_up(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / "paritygate.toml"
    assert load_config(start=deep).path == (tmp_path / "paritygate.toml").resolve()


def test_no_config_falls_back_to_demo(tmp_path: Path) -> None:
    loaded = load_config(start=tmp_path)
    assert loaded.is_demo
    assert loaded.project_dir == tmp_path.resolve()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("[services.a\ncommand = []", "invalid TOML", id="bad-toml"),
        pytest.param(
            '[services.a]\ncomand = ["x"]',
            "services.a.comand: unknown key (did you mean 'command'?)",
            id="unknown-key",
        ),
        pytest.param(
            "[services.a]\nport = 1", "services.a.command: required key is missing", id="missing-command"
        ),
        pytest.param(
            '[services.a]\ncommand = ["x"]\nport = "80"',
            "services.a.port: expected integer, got string",
            id="wrong-type",
        ),
        pytest.param(
            '[services.a]\ncommand = ["x"]\ndepends_on = ["b"]\n[services.b]\ncommand = ["x"]\ndepends_on = ["a"]',
            "dependency cycle: a -> b -> a",
            id="cycle",
        ),
        pytest.param(
            '[services.a]\ncommand = ["x"]\ndepends_on = ["zz"]', "undefined service 'zz'", id="undefined-dep"
        ),
        pytest.param(
            '[services.a]\ncommand = ["x"]\nready = { http = "/h", tcp = true }\nport = 0',
            "exactly one of http, tcp, log",
            id="two-ready",
        ),
        pytest.param(
            '[services.a]\ncommand = ["x"]\nstop_signal = "SIGNOPE"', "unknown signal", id="bad-signal"
        ),
        pytest.param(
            '[services.a]\ncommand = ["{services.b.url}"]',
            "undefined service 'b'",
            id="undefined-placeholder",
        ),
        pytest.param(
            '[parity]\ntargets = ["ghost"]',
            "parity.targets[0]: target 'ghost' is not a defined service",
            id="undefined-target",
        ),
        pytest.param('nmae = "x"', "unknown key (did you mean 'name'?)", id="top-level-typo"),
    ],
)
def test_malformed_config_is_one_precise_error(tmp_path: Path, text: str, expected: str) -> None:
    err = error_of(write(tmp_path, text))
    assert expected in err.message
    assert str(tmp_path / "paritygate.toml") in err.message
    assert err.exit_code == 2


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, 'name = "x"\n[services.a\n'))
    assert f"{tmp_path / 'paritygate.toml'}:2" in err.message


def test_env_substitution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PG_TEST_TOKEN", "s3cret")
    loaded = load_config(
        write(tmp_path, '[services.a]\ncommand = ["x"]\nenv = { TOKEN = "${PG_TEST_TOKEN}" }')
    )
    assert loaded.model.services["a"].env["TOKEN"] == "s3cret"


def test_unset_env_names_key_and_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PG_TEST_UNSET", raising=False)
    err = error_of(write(tmp_path, '[services.a]\ncommand = ["x"]\nenv = { TOKEN = "${PG_TEST_UNSET}" }'))
    assert "services.a.env.TOKEN" in err.message
    assert "${PG_TEST_UNSET} is not set" in err.message


def test_cli_check_reports_order_and_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    good = write(tmp_path, GOOD)
    result = runner.invoke(cli, ["check", "--config", str(good), "--json"])
    assert result.exit_code == 0, result.output
    assert '"order"' in result.output and '"db"' in result.output

    bad = tmp_path / "bad" / "paritygate.toml"
    bad.parent.mkdir()
    bad.write_text('[services.a]\ncomand = ["x"]\n', encoding="utf-8")
    result = runner.invoke(cli, ["check", "--config", str(bad)])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "services.a.comand" in lines[0]


def test_cli_missing_config_file_is_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--config", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "config file not found" in result.stderr
