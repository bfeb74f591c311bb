"""Config of the smoke chain: ``[smoke]`` in ``paritygate.toml`` and the smoke file it names.

The format is documented in docs/smoke.md. These models check the *structure*
(keys, types, exactly one subject and one operator per assertion); the smoke
phase (``phases.smoke.plan``) checks the *meaning*: variables, targets, JSONPath,
XPath and regex syntax. Structural errors name the chain and check by name,
not only by index, because that is how people find them in the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from paritygate.config.base import HeaderMap, HttpMethod, JsonBody, StrictModel, UrlPath
from paritygate.config.capture import CaptureConfig
from paritygate.config.diagnostics import first_problem
from paritygate.errors import ConfigError

__all__ = [
    "ASSERT_OPERATORS",
    "ASSERT_SUBJECTS",
    "AssertConfig",
    "BodyRepeat",
    "CaptureConfig",
    "ChainConfig",
    "CheckConfig",
    "ExpectConfig",
    "SmokeConfig",
    "SmokeFile",
    "describe_smoke_error",
    "load_smoke_file",
]

ASSERT_SUBJECTS = ("jsonpath", "xpath", "header", "body")
ASSERT_OPERATORS = ("equals", "not_equals", "contains", "matches", "exists", "count")
_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Scalar = str | int | float | bool
MAX_REPEAT_BYTES = 32 * 1024 * 1024  # a generated body is held in memory, and copied once per attempt


def _no_slash(what: str, value: str) -> str:
    if "/" in value:
        raise ValueError(f"a {what} name cannot contain '/' (reports use chain/check), got {value!r}")
    return value


class BodyRepeat(StrictModel):
    """A generated body: ``text`` repeated ``times`` times (e.g. a body just over a size limit)."""

    text: str = Field(min_length=1)
    times: int = Field(ge=1, le=MAX_REPEAT_BYTES)

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        size = len(self.text.encode("utf-8", "surrogatepass")) * self.times
        if size > MAX_REPEAT_BYTES:
            raise ValueError(
                f"the body would be {size} bytes; at most {MAX_REPEAT_BYTES} (32 MiB) can be generated"
            )
        return self


class ExpectConfig(StrictModel):
    """The short forms: ``expect.status``, ``expect.headers``, ``expect.json``, ``expect.duration_ms_below``."""

    status: int | list[int] | None = None
    headers: dict[str, str] = Field(default_factory=dict)  # header name -> exact value
    json_paths: dict[str, Any] = Field(default_factory=dict, alias="json")  # JSONPath -> equal value
    duration_ms_below: float | int | None = Field(default=None, gt=0)

    @field_validator("status")
    @classmethod
    def _valid_codes(cls, value: int | list[int] | None) -> int | list[int] | None:
        codes = [value] if isinstance(value, int) else (value or [])
        if isinstance(value, list) and not value:
            raise ValueError("expected at least one status code")
        for code in codes:
            if not 100 <= code <= 599:
                raise ValueError(f"expected an HTTP status code 100-599, got {code}")
        return value


class AssertConfig(StrictModel):
    """One assertion: exactly one subject (what to look at) and one operator (what must hold)."""

    jsonpath: str | None = None
    xpath: str | None = None
    header: str | None = None
    body: bool | None = None  # `body = true`: the raw body text
    equals: Any = None
    not_equals: Any = None
    contains: Any = None
    matches: str | None = None
    exists: bool | None = None
    count: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_subject_one_operator(self) -> Self:
        subjects = [k for k in ASSERT_SUBJECTS if getattr(self, k) is not None]
        if len(subjects) != 1 or self.body is False:
            raise ValueError(
                f"an assertion needs exactly one of {', '.join(ASSERT_SUBJECTS)} "
                f"(got {', '.join(subjects) or 'none'})"
            )
        operators = self.operators()
        if len(operators) != 1:
            raise ValueError(
                f"an assertion needs exactly one of {', '.join(ASSERT_OPERATORS)} "
                f"(got {', '.join(operators) or 'none'})"
            )
        if operators[0] == "count" and subjects[0] == "body":
            raise ValueError("count applies to jsonpath, xpath or header, not body")
        return self

    def operators(self) -> list[str]:
        return [k for k in ASSERT_OPERATORS if k in self.model_fields_set and getattr(self, k) is not None]

    @property
    def subject(self) -> str:
        return next(k for k in ASSERT_SUBJECTS if getattr(self, k) is not None)

    @property
    def operator(self) -> str:
        return self.operators()[0]


class CheckConfig(StrictModel):
    name: str = Field(min_length=1)
    target: str | None = None  # a service of the stack or an http(s) URL; default: the chain's target
    method: HttpMethod = "GET"
    path: UrlPath = ""
    query: dict[str, Scalar] = Field(default_factory=dict)
    headers: HeaderMap = Field(default_factory=dict)
    json_body: Annotated[Any, JsonBody] = Field(default=None, alias="json")
    body: str | None = None
    body_repeat: BodyRepeat | None = None
    timeout: float | int | None = Field(default=None, gt=0, le=86400)
    retry: int = Field(default=0, ge=0, le=1000)  # extra attempts after the first
    interval: float | int = Field(default=0.2, ge=0, le=3600)  # seconds between attempts
    expect: ExpectConfig = Field(default_factory=ExpectConfig)
    asserts: list[AssertConfig] = Field(default_factory=list, alias="assert")
    capture: list[CaptureConfig] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        return _no_slash("check", value)

    @model_validator(mode="after")
    def _one_body(self) -> Self:
        given = [k for k in ("json", "body", "body_repeat") if k in self._set_aliases()]
        if len(given) > 1:
            raise ValueError(f"give at most one of json, body, body_repeat (got {', '.join(given)})")
        names = [c.name for c in self.capture]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"capture {dupes[0]!r} is defined twice")
        return self

    def _set_aliases(self) -> set[str]:
        aliases = {"json_body": "json", "asserts": "assert"}
        return {aliases.get(k, k) for k in self.model_fields_set}


class ChainConfig(StrictModel):
    name: str = Field(min_length=1)
    target: str | None = None  # default target of its checks
    checks: list[CheckConfig] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _chain_name(cls, value: str) -> str:
        return _no_slash("chain", value)

    @model_validator(mode="after")
    def _unique_checks(self) -> Self:
        seen: set[str] = set()
        for check in self.checks:
            if check.name in seen:
                raise ValueError(f"check {check.name!r} appears twice in chain {self.name!r}")
            seen.add(check.name)
        return self


class SmokeFile(StrictModel):
    """The file ``[smoke] file = ...`` names: ``[vars]``, ``[secrets]`` and ``[[chains]]``."""

    vars: dict[str, str] = Field(default_factory=dict)
    secrets: dict[str, str] = Field(default_factory=dict)
    chains: list[ChainConfig] = Field(default_factory=list)

    @field_validator("vars", "secrets")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _VAR_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a variable name (letters, digits, _)")
        return value


class SmokeConfig(SmokeFile):
    file: str | None = None  # a TOML file with [[chains]], relative to the config file
    timeout: float | int = Field(default=10.0, gt=0, le=86400)  # per request
    log_lines: int = Field(default=20, ge=0)  # service log lines shown per failed check

    @model_validator(mode="wrap")
    @classmethod
    def _name_the_check(cls, data: Any, handler: Any) -> Any:
        # Re-raise structural errors with the chain/check names in the message.
        try:
            return handler(data)
        except ValidationError as exc:
            key, message = describe_smoke_error(exc, data, cls)
            raise ValueError(f"{key}: {message}" if key else message) from None


def _names_in(raw: Any, loc: tuple[Any, ...]) -> str:
    """``check 'chain/check'`` (or ``chain 'chain'``) for a location inside chains[i].checks[j]."""
    names: list[str] = []
    node = raw
    for previous, part in zip((None, *loc), loc, strict=False):
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict):
            node = node.get(part)
        else:
            break
        if previous in ("chains", "checks") and isinstance(node, dict) and isinstance(node.get("name"), str):
            names.append(node["name"])
    if len(names) >= 2:
        return f"check '{names[0]}/{names[1]}'"
    return f"chain {names[0]!r}" if names else ""


def describe_smoke_error(exc: ValidationError, raw: Any, root: type[BaseModel]) -> tuple[str, str]:
    """The first pydantic error as (key path, message naming the chain/check and what was expected)."""
    problem = first_problem(exc, root)
    message = problem.message
    if message.startswith("unknown key"):
        nouns: dict[type[BaseModel] | None, str] = {
            AssertConfig: "assertion kind",
            ExpectConfig: "expectation",
        }
        what = nouns.get(problem.holder, "key")
        message = f"unknown {what} {problem.loc[-1]!r}" + message.removeprefix("unknown key")
    names = _names_in(raw, problem.loc)
    hint = f" [{problem.more} more problem(s); fix this one first]" if problem.more else ""
    return problem.key, (f"{names}: {message}" if names else message) + hint


def load_smoke_file(path: Path) -> SmokeFile:
    """Read and structurally validate a smoke file; ``${ENV}`` is substituted as in paritygate.toml."""
    # Imported here: config.loader imports config.model, which imports this module.
    from paritygate.config.loader import read_toml, substitute_env

    raw = substitute_env(read_toml(path), "", path)
    try:
        return SmokeFile.model_validate(raw)
    except ValidationError as exc:
        key, message = describe_smoke_error(exc, raw, SmokeFile)
        raise ConfigError(message, file=path, key=key or None) from None
