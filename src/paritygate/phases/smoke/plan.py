"""Validation first: turning ``[smoke]`` (and the file it names) into a plan, sending nothing.

Everything that can be wrong in the checks is found here, before any request:
unknown targets, undefined ``{{variables}}`` (a capture counts only from the
check after the one that captures it, and only in its own chain), bad JSONPath,
XPath and regular expressions. Each problem is one ConfigError naming the file,
the key and the chain/check.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lxml import etree

from paritygate.config import LoadedConfig
from paritygate.config.base import check_http_url
from paritygate.config.smoke import ChainConfig, CheckConfig, SmokeConfig, load_smoke_file
from paritygate.core.paths import PathPattern, PathSyntaxError, parse_path
from paritygate.errors import ConfigError
from paritygate.phases.smoke.assertions import Assertion
from paritygate.probe.extract import (
    Capture,
    CaptureSpecError,
    compile_capture,
    compile_regex,
    compile_xpath,
)
from paritygate.probe.templates import references, render_text

__all__ = ["PlannedChain", "PlannedCheck", "SmokePlan", "load_smoke"]

_URL = re.compile(r"https?://", re.IGNORECASE)


@dataclass(slots=True)
class PlannedCheck:
    chain: str
    name: str
    service: str | None  # the stack service it targets, or None for a URL target
    url: str | None  # the base URL of a URL target
    method: str
    path: str
    query: dict[str, Any]
    headers: dict[str, str]
    body_kind: str  # "none" | "json" | "text" | "repeat"
    body: Any  # the JSON value, the text, or (text, times) for "repeat"
    assertions: list[Assertion]
    captures: list[Capture]
    retry: int
    interval: float
    timeout: float


@dataclass(slots=True)
class PlannedChain:
    name: str
    checks: list[PlannedCheck]


@dataclass(slots=True)
class SmokePlan:
    chains: list[PlannedChain] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)  # static: vars, secrets, --var, env.NAME
    secrets: list[str] = field(default_factory=list)  # values to mask
    log_lines: int = 20

    @property
    def total(self) -> int:
        return sum(len(chain.checks) for chain in self.chains)

    @property
    def services(self) -> set[str]:
        return {c.service for chain in self.chains for c in chain.checks if c.service is not None}


@dataclass(slots=True)
class _Scope:
    """Where a check is written and what it may refer to, for precise error messages."""

    file: Path
    key: str  # e.g. "chains[2].checks[0]"
    label: str  # "chain/check"
    defined: set[str]  # static names plus captures of earlier checks in the chain
    captured_elsewhere: dict[str, str]  # capture name -> "chain/check" that captures it

    def error(self, key: str, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(
            f"check {self.label!r}: {message}", file=self.file, key=f"{self.key}{key}", hint=hint
        )


def _close(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_refs(scope: _Scope, key: str, value: Any, env: dict[str, str]) -> None:
    try:
        refs = list(references(value))
    except ValueError as exc:
        raise scope.error(key, str(exc)) from None
    for sub, name in refs:
        if name.startswith("env."):
            if name[4:] not in os.environ:
                raise scope.error(
                    key + sub, f"environment variable {name[4:]} is not set (used as {{{{{name}}}}})"
                )
            env[name] = os.environ[name[4:]]
        elif name not in scope.defined:
            hint = None
            if name in scope.captured_elsewhere:
                hint = f"{{{{{name}}}}} is captured by {scope.captured_elsewhere[name]!r}; a capture is usable only by later checks of the same chain"
            raise scope.error(
                key + sub, f"undefined variable {{{{{name}}}}}{_close(name, scope.defined)}", hint
            )


def _path(scope: _Scope, key: str, text: str) -> PathPattern:
    try:
        return parse_path(text)
    except PathSyntaxError as exc:
        raise scope.error(key, f"bad JSONPath: {exc}") from None


def _xpath(scope: _Scope, key: str, text: str) -> etree.XPath:
    try:
        return compile_xpath(text)
    except CaptureSpecError as exc:
        raise scope.error(key, exc.message) from None


def _regex(scope: _Scope, key: str, text: str) -> re.Pattern[str]:
    try:
        return compile_regex(text)
    except CaptureSpecError as exc:
        raise scope.error(key, exc.message) from None


def _assertions(scope: _Scope, check: CheckConfig, env: dict[str, str]) -> list[Assertion]:
    out: list[Assertion] = []
    expect = check.expect
    if expect.status is not None:
        out.append(Assertion("status", "", "one_of", expect.status))
    for name, value in expect.headers.items():
        _check_refs(scope, f".expect.headers.{name}", value, env)
        out.append(Assertion("header", name, "equals", value))
    for text, value in expect.json_paths.items():
        _check_refs(scope, f".expect.json.{text!r}", value, env)
        out.append(
            Assertion("jsonpath", text, "equals", value, path=_path(scope, f".expect.json.{text!r}", text))
        )
    if expect.duration_ms_below is not None:
        out.append(Assertion("duration", "", "below", float(expect.duration_ms_below)))
    for i, spec in enumerate(check.asserts):
        key, subject, op = f".assert[{i}]", spec.subject, spec.operator
        expected = getattr(spec, op)
        _check_refs(scope, f"{key}.{op}", expected, env)
        selector = "" if subject == "body" else str(getattr(spec, subject))
        if op == "matches":
            _regex(scope, f"{key}.matches", str(expected))
        if (
            subject in ("header", "body")
            and op in ("equals", "not_equals", "contains")
            and not isinstance(expected, str)
        ):
            raise scope.error(f"{key}.{op}", f"a {subject} is text; expected a string, got {expected!r}")
        out.append(
            Assertion(
                subject,
                selector,
                op,
                expected,
                path=_path(scope, f"{key}.jsonpath", selector) if subject == "jsonpath" else None,
                xpath=_xpath(scope, f"{key}.xpath", selector) if subject == "xpath" else None,
            )
        )
    return out


def _captures(scope: _Scope, check: CheckConfig, reserved: set[str]) -> list[Capture]:
    out: list[Capture] = []
    for i, spec in enumerate(check.capture):
        key = f".capture[{i}]"
        if spec.name in reserved:
            raise scope.error(
                f"{key}.name", f"capture {spec.name!r} would shadow the variable of the same name"
            )
        try:
            out.append(compile_capture(spec))
        except CaptureSpecError as exc:
            raise scope.error(f"{key}.{exc.key}", exc.message) from None
    return out


def _target(
    scope: _Scope,
    chain: ChainConfig,
    check: CheckConfig,
    services: set[str],
    static: dict[str, Any],
    env: dict[str, str],
) -> tuple[str | None, str | None]:
    """(service, None) for a service target, (None, base URL) for a URL target."""
    if check.target is not None:
        raw, key = check.target, f"{scope.key}.target"
    elif chain.target is not None:
        raw, key = chain.target, f"{scope.key.rsplit('.checks', 1)[0]}.target"  # the chain's own key
    else:
        raise scope.error(".target", "no target: set target on the check or its chain (a service or a URL)")
    # A target is fixed before anything runs: declared variables only, never captures.
    scope = replace(scope, key=key, defined=set(static))
    _check_refs(scope, "", raw, env)
    target = render_text(raw, {**static, **env})
    if _URL.match(target):
        try:
            check_http_url(target)
        except ValueError as exc:
            raise scope.error("", str(exc)) from None
        return None, target.rstrip("/")
    if target not in services:
        known = ", ".join(sorted(services)) or "none"
        raise scope.error(
            "", f"unknown target {target!r}{_close(target, services)} (services: {known}; or an http:// URL)"
        )
    return target, None


def _body(scope: _Scope, check: CheckConfig, env: dict[str, str]) -> tuple[str, Any]:
    """(kind, body) of a check, its ``{{references}}`` checked (a repeated text's too)."""
    if check.body_repeat is not None:
        _check_refs(scope, ".body_repeat.text", check.body_repeat.text, env)
        return "repeat", (check.body_repeat.text, check.body_repeat.times)
    if check.body is not None:
        _check_refs(scope, ".body", check.body, env)
        return "text", check.body
    if "json_body" in check.model_fields_set:
        _check_refs(scope, ".json", check.json_body, env)
        return "json", check.json_body
    return "none", None


def _sources(
    loaded: LoadedConfig, cfg: SmokeConfig
) -> tuple[list[tuple[Path, str, list[ChainConfig]]], dict[str, str], dict[str, str]]:
    sources = [(loaded.path, "smoke.chains", cfg.chains)] if cfg.chains else []
    variables, secrets = dict(cfg.vars), dict(cfg.secrets)
    if cfg.file is not None:
        path = loaded.resolve(cfg.file)
        if not path.is_file():
            raise ConfigError(f"smoke file {str(path)!r} not found", file=loaded.path, key="smoke.file")
        smoke_file = load_smoke_file(path)
        for kind, table, into in (
            ("vars", smoke_file.vars, variables),
            ("secrets", smoke_file.secrets, secrets),
        ):
            for name, value in table.items():
                if name in variables or name in secrets:
                    raise ConfigError(
                        f"{name!r} is also defined in {loaded.path.name} [smoke]",
                        file=path,
                        key=f"{kind}.{name}",
                    )
                into[name] = value
        sources.append((path, "chains", smoke_file.chains))
    both = sorted(set(variables) & set(secrets))
    if both:
        raise ConfigError(
            f"{both[0]!r} is both a var and a secret", file=loaded.path, key=f"smoke.secrets.{both[0]}"
        )
    return sources, variables, secrets


def load_smoke(
    loaded: LoadedConfig, *, variables: dict[str, str] | None = None, secrets: dict[str, str] | None = None
) -> SmokePlan:
    """Validate ``[smoke]`` and its file into a :class:`SmokePlan`; sends nothing. ConfigError when wrong."""
    cfg = loaded.model.smoke
    if cfg is None:
        return SmokePlan()
    sources, declared_vars, declared_secrets = _sources(loaded, cfg)
    static: dict[str, Any] = {**declared_vars, **declared_secrets, **(variables or {}), **(secrets or {})}
    secret_names = set(declared_secrets) | set(secrets or {})
    env: dict[str, str] = {}
    services = set(loaded.model.services)
    plan = SmokePlan(log_lines=cfg.log_lines)
    seen_chains: dict[str, str] = {}
    for file, prefix, chains in sources:
        captured_in = {
            cap.name: f"{chain.name}/{check.name}"
            for chain in chains
            for check in chain.checks
            for cap in check.capture
        }
        for ci, chain in enumerate(chains):
            if chain.name in seen_chains:
                raise ConfigError(
                    f"chain {chain.name!r} is already defined in {seen_chains[chain.name]}",
                    file=file,
                    key=f"{prefix}[{ci}].name",
                )
            seen_chains[chain.name] = file.name
            defined = set(static)
            planned: list[PlannedCheck] = []
            for ki, check in enumerate(chain.checks):
                scope = _Scope(
                    file, f"{prefix}[{ci}].checks[{ki}]", f"{chain.name}/{check.name}", defined, captured_in
                )
                service, url = _target(scope, chain, check, services, static, env)
                if service is not None and check.path and not check.path.startswith("/"):
                    raise scope.error(".path", f"a path starts with '/', got {check.path!r}")
                for key, value in (("path", check.path), ("query", check.query), ("headers", check.headers)):
                    _check_refs(scope, f".{key}", value, env)
                body_kind, body = _body(scope, check, env)
                planned.append(
                    PlannedCheck(
                        chain=chain.name,
                        name=check.name,
                        service=service,
                        url=url,
                        method=check.method,
                        path=check.path,
                        query=dict(check.query),
                        headers=dict(check.headers),
                        body_kind=body_kind,
                        body=body,
                        assertions=_assertions(scope, check, env),
                        captures=_captures(scope, check, set(static)),
                        retry=check.retry,
                        interval=float(check.interval),
                        timeout=float(check.timeout if check.timeout is not None else cfg.timeout),
                    )
                )
                defined = defined | {cap.name for cap in check.capture}
            plan.chains.append(PlannedChain(chain.name, planned))
    plan.variables = {**static, **env}
    plan.secrets = [static[name] for name in sorted(secret_names)]
    return plan
