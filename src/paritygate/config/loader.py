"""Find, read and validate ``paritygate.toml``; everything wrong is a :class:`ConfigError` (exit 2)."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from pydantic import ValidationError

from paritygate.config.base import MAX_NESTING, nesting_depth
from paritygate.config.diagnostics import first_problem, read_user_text
from paritygate.config.model import ProjectConfig
from paritygate.core.masking import mark_public, register_env_value, register_secrets
from paritygate.errors import ConfigError

__all__ = [
    "CONFIG_NAME",
    "LoadedConfig",
    "demo_config_path",
    "dependency_order",
    "find_config",
    "format_validation_error",
    "load_config",
    "parse_toml",
    "read_toml",
    "substitute_env",
]

CONFIG_NAME = "paritygate.toml"
_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Placeholders the stack runner fills in when it starts a service.
PLACEHOLDER = re.compile(
    r"\{(port|host|python|config_dir|instance|services\.([A-Za-z0-9_\-]+)\.(port|url|host))\}"
)
_ANY_SERVICE_REF = re.compile(r"\{services\.([^}]*)\}")
# What reads as a placeholder: {word} or {word.word...}. JSON, shell braces ({a,b}) and
# anything else in braces is not one and is passed on as written.
_PLACEHOLDER_LIKE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\}")
_SIMPLE_PLACEHOLDERS = ("port", "host", "python", "config_dir", "instance")


@dataclass(slots=True)
class LoadedConfig:
    path: Path  # the config file
    config_dir: Path  # relative paths in the file resolve against this
    project_dir: Path  # where .paritygate/ state and runs go
    is_demo: bool
    model: ProjectConfig
    order: list[str]  # services in dependency order (dependencies first)

    def resolve(self, relative: str) -> Path:
        """A path from the config file, resolved against the config's directory."""
        p = Path(relative).expanduser()
        return p if p.is_absolute() else (self.config_dir / p)

    @property
    def state_dir(self) -> Path:
        p = Path(self.model.stack.state_dir).expanduser()
        return p if p.is_absolute() else (self.project_dir / p)

    def project_path(self, relative: str) -> Path:
        p = Path(relative).expanduser()
        return p if p.is_absolute() else (self.project_dir / p)


def demo_config_path() -> Path:
    return Path(str(resources.files("paritygate.demo").joinpath("data", CONFIG_NAME)))


def find_config(start: Path | None = None) -> Path | None:
    """Walk up from ``start`` (default: the current directory) to the first ``paritygate.toml``."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def parse_toml(text: str, file: Path) -> dict[str, Any]:
    """Parse TOML text read from ``file``; malformed TOML is one ConfigError naming the line."""
    try:
        doc = tomllib.loads(text)
    except RecursionError:  # tomllib recurses per nesting level
        raise ConfigError(f"invalid TOML: nested deeper than {MAX_NESTING} levels", file=file) from None
    except tomllib.TOMLDecodeError as exc:
        # Python < 3.14 only puts the position in the message: "... (at line 3, column 5)".
        message = str(exc)
        pos = _TOML_POS.search(message)
        line = int(pos.group(1)) if pos else None
        msg = _TOML_POS.sub("", message).strip()
        where = f" (column {pos.group(2)})" if pos else ""
        raise ConfigError(f"invalid TOML: {msg}{where}", file=file, line=line) from None
    if nesting_depth(doc) > MAX_NESTING:
        raise ConfigError(f"invalid TOML: nested deeper than {MAX_NESTING} levels", file=file)
    return doc


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file; an unreadable or malformed file is one precise ConfigError."""
    return parse_toml(read_user_text(path, "file"), path)


def substitute_env(value: Any, key_path: str, file: Path) -> Any:
    """Replace ``${VAR}`` in every string; an unset variable names the key that needs it.

    Every substituted value becomes a secret (``core.masking``) unless ``[run] public_env``
    names the variable: it is masked in every file, history row and terminal line."""
    if isinstance(value, str):

        def repl(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in os.environ:
                raise ConfigError(
                    f"environment variable ${{{name}}} is not set",
                    file=file,
                    key=key_path,
                    hint=f"export {name}=... before running paritygate",
                )
            register_env_value(name, os.environ[name])
            return os.environ[name]

        return _ENV_REF.sub(repl, value)
    if isinstance(value, dict):
        return {k: substitute_env(v, f"{key_path}.{k}" if key_path else k, file) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_env(v, f"{key_path}[{i}]", file) for i, v in enumerate(value)]
    return value


def format_validation_error(exc: ValidationError, file: Path) -> ConfigError:
    """Turn pydantic's most telling error into one line: file, key path, what was expected."""
    problem = first_problem(exc, ProjectConfig)
    message = problem.message
    if problem.more:
        message += f" [+{problem.more} more problem(s) in this file]"
    return ConfigError(message, file=file, key=problem.key or None)


def dependency_order(services: dict[str, Any], file: Path) -> list[str]:
    """Services ordered dependencies-first; undefined references and cycles are ConfigErrors."""
    for name, svc in services.items():
        for dep in svc.depends_on:
            if dep not in services:
                raise ConfigError(
                    f"depends on undefined service {dep!r} (defined: {', '.join(sorted(services))})",
                    file=file,
                    key=f"services.{name}.depends_on",
                )
            if dep == name:
                raise ConfigError(
                    "a service cannot depend on itself", file=file, key=f"services.{name}.depends_on"
                )
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = visiting, 2 = done

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = [*trail[trail.index(name) :], name]
            raise ConfigError(
                f"dependency cycle: {' -> '.join(cycle)}", file=file, key=f"services.{name}.depends_on"
            )
        state[name] = 1
        for dep in services[name].depends_on:
            visit(dep, [*trail, name])
        state[name] = 2
        order.append(name)

    for name in services:
        visit(name, [])
    return order


def _check_placeholders(model: ProjectConfig, file: Path) -> None:
    for name, svc in model.services.items():
        fields: list[tuple[str, str]] = [(f"command[{i}]", a) for i, a in enumerate(svc.command)]
        fields += [(f"env.{k}", v) for k, v in svc.env.items()]
        if svc.cwd:
            fields.append(("cwd", svc.cwd))
        for key, text in fields:
            for m in _PLACEHOLDER_LIKE.finditer(text):
                word = m.group(1)
                if word in _SIMPLE_PLACEHOLDERS or word.startswith("services."):
                    continue
                close = difflib.get_close_matches(word, _SIMPLE_PLACEHOLDERS, n=1)
                hint = f"did you mean {{{close[0]}}}?" if close else None
                raise ConfigError(
                    f"unknown placeholder {m.group(0)} (known: {{port}}, {{host}}, {{python}}, "
                    "{config_dir}, {services.NAME.port|url|host})",
                    file=file,
                    key=f"services.{name}.{key}",
                    hint=hint,
                )
            for m in _ANY_SERVICE_REF.finditer(text):
                full = PLACEHOLDER.fullmatch(m.group(0))
                if full is None:
                    raise ConfigError(
                        f"bad placeholder {m.group(0)!r} (expected {{services.NAME.port}}, .url or .host)",
                        file=file,
                        key=f"services.{name}.{key}",
                    )
                ref = full.group(2)
                if ref not in model.services:
                    raise ConfigError(
                        f"placeholder {m.group(0)} names undefined service {ref!r}",
                        file=file,
                        key=f"services.{name}.{key}",
                    )
                if model.services[ref].port is None:
                    raise ConfigError(
                        f"placeholder {m.group(0)} needs service {ref!r} to declare a port",
                        file=file,
                        key=f"services.{name}.{key}",
                    )
                if ref not in svc.depends_on:
                    raise ConfigError(
                        f"placeholder {m.group(0)} refers to {ref!r}, which is not in depends_on",
                        file=file,
                        key=f"services.{name}.{key}",
                    )
            if "{port}" in text and svc.port is None:
                raise ConfigError(
                    "{port} used but the service declares no port", file=file, key=f"services.{name}.{key}"
                )
    if model.parity is not None:
        for i, target in enumerate(model.parity.targets):
            if target not in model.services:
                raise ConfigError(
                    f"target {target!r} is not a defined service (defined: {', '.join(sorted(model.services)) or 'none'})",
                    file=file,
                    key=f"parity.targets[{i}]",
                )
        ref = model.parity.reference
        if ref is not None and model.parity.targets and ref not in model.parity.targets:
            raise ConfigError(
                f"reference {ref!r} is not one of the targets", file=file, key="parity.reference"
            )


def _public_env(raw: dict[str, Any]) -> list[str]:
    # Read before substitution: the names are what decides whether a value is a secret.
    run = raw.get("run")
    names = run.get("public_env") if isinstance(run, dict) else None
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _register_reviewer_keys(model: ProjectConfig) -> None:
    """Reviewer API keys are secrets wherever they reappear (e.g. echoed in a reply's ``model``)."""
    if model.review is None:
        return
    keys = [os.environ.get(r.api_key_env, "") for r in model.review.reviewers if r.api_key_env]
    register_secrets(k for k in keys if k)


def _check_prompt_template(model: ProjectConfig, file: Path) -> None:
    """``[review] prompt_template`` names a readable jinja2 file (``check`` sees what ``review`` will)."""
    if model.review is None or not model.review.prompt_template:
        return
    path = Path(model.review.prompt_template).expanduser()
    path = path if path.is_absolute() else file.parent / path
    if not path.is_file():
        raise ConfigError(f"prompt template {str(path)!r} not found", file=file, key="review.prompt_template")
    try:
        jinja2.Environment().parse(read_user_text(path, "prompt template"))
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(f"template syntax error: {exc.message}", file=path, line=exc.lineno) from None


def parse_config(raw: dict[str, Any], file: Path) -> tuple[ProjectConfig, list[str]]:
    mark_public(_public_env(raw))
    raw = substitute_env(raw, "", file)
    try:
        model = ProjectConfig.model_validate(raw)
    except ValidationError as exc:
        raise format_validation_error(exc, file) from None
    _register_reviewer_keys(model)
    order = dependency_order(model.services, file)
    _check_placeholders(model, file)
    _check_prompt_template(model, file)
    return model, order


def load_config(path: Path | str | None = None, *, start: Path | None = None) -> LoadedConfig:
    """Load ``path``, or the nearest ``paritygate.toml`` upward, or the bundled demo."""
    is_demo = False
    if path is None:
        found = find_config(start)
        if found is None:
            found, is_demo = demo_config_path(), True
    else:
        found = Path(path)
        if not found.is_file():
            raise ConfigError("config file not found", file=found, hint="check --config PATH")
    found = found.resolve()
    model, order = parse_config(read_toml(found), found)
    project_dir = (start or Path.cwd()).resolve() if is_demo else found.parent
    return LoadedConfig(found, found.parent, project_dir, is_demo, model, order)
