"""Cases files: the requests the parity probe sends to every target, and in which order.

TOML or JSON Lines. A case (every key but name, method and path is optional)::

    [[cases]]
    name = "playbook_happy"          # unique
    method = "POST"
    path = "/v1/validate"            # no query string here: use `query`
    route = "/v1/{kind}"             # optional: the route template naming the operation
    query = { page = 1, tag = ["a", "b"] }
    headers = { accept = "application/json" }
    json = { kind = "playbook" }     # or: body = "raw text" | body_base64 = "..." | body_file = "x.bin"
    tags = ["playbook"]

The ``[[cases]]`` of a file form one ordered sequence. ``[[scenarios]]`` hold further,
independent sequences of ``[[scenarios.steps]]`` (cases, plus ``setup`` / ``teardown``,
``[[...capture]]`` and ``compare_captured``); in JSON Lines a ``scenario`` field groups
consecutive lines. A step may use ``{{name}}`` captured by an earlier step of its own
sequence in its path, query, headers and body. Top-level ``order`` and
``unsafe_parallel`` override ``[parity]`` for the file.

Everything wrong is one :class:`ConfigError` naming the file, the line, the case and the key.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
import tomli_w
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, field_validator

from paritygate.config.base import MAX_NESTING, HeaderMap, HttpMethod, JsonBody, UrlPath, nesting_depth
from paritygate.config.capture import CaptureConfig
from paritygate.config.diagnostics import describe_type, first_problem, key_path, read_user_text
from paritygate.config.loader import parse_toml
from paritygate.errors import ConfigError
from paritygate.probe.extract import Capture, CaptureSpecError, compile_capture
from paritygate.probe.templates import references, render_text, render_value

__all__ = [
    "SAFE_METHODS",
    "Case",
    "CasesFile",
    "Order",
    "RequestSpec",
    "Scenario",
    "StepRole",
    "dump_cases_jsonl",
    "dump_cases_toml",
    "load_cases",
    "load_cases_file",
    "parse_cases",
    "parse_cases_file",
    "route_problem",
]

_TEMPLATE_SEGMENT = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def route_problem(route: str, path: str) -> str | None:
    """Why ``route`` is not a template of ``path`` (None when it is): the same segments,
    where ``{name}`` stands for any one segment."""
    if not route.startswith("/") or "?" in route:
        return f"route: expected a template such as '/users/{{id}}', got {route!r}"
    rsegs, psegs = route.split("/"), path.split("/")
    if len(rsegs) != len(psegs) or any(
        r != p and not _TEMPLATE_SEGMENT.fullmatch(r) for r, p in zip(rsegs, psegs, strict=True)
    ):
        return f"route {route!r} does not fit the path {path!r} (each {{name}} stands for one segment)"
    return None


Order = Literal["lockstep", "parallel"]
StepRole = Literal["step", "setup", "teardown"]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_TABLE_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z_.\s]+?)\s*\]\]")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
_TOP_KEYS = ("cases", "scenarios", "order", "unsafe_parallel")
_BODY_KEYS = ("json", "body", "body_base64", "body_file")


@dataclass(slots=True, frozen=True)
class RequestSpec:
    """One request as it goes to one target: every ``{{name}}`` already replaced."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    content: bytes | None


@dataclass(slots=True)
class Case:
    name: str  # unique in the file; a scenario step's is "scenario/step"
    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    json: JsonValue = None
    has_json: bool = False
    body: str | None = None
    tags: list[str] = field(default_factory=list)
    source: str = ""  # "file:line" where the case is defined
    route: str | None = None  # the route template ("/users/{id}"); None: templated automatically
    body_bytes: bytes | None = None  # body_base64 / body_file: sent byte for byte
    body_file: str | None = None  # as written (relative to the cases file), for to_dict
    scenario: str | None = None  # None for the [[cases]] sequence
    step: str = ""  # the step's own name ("" = same as name)
    role: StepRole = "step"
    captures: list[Capture] = field(default_factory=list)
    capture_specs: list[dict[str, Any]] = field(default_factory=list)  # as written, for to_dict
    compare_captured: bool = False
    uses: frozenset[str] = frozenset()  # capture names referenced by {{name}}
    declared_safe: bool = False  # `safe = true`: no side effects although the method is unsafe

    @property
    def endpoint(self) -> str:
        """``POST /v1/validate``: what divergence classes are grouped by."""
        return f"{self.method} {self.path}"

    @property
    def compared(self) -> bool:
        """Setup and teardown steps run on every target but are not compared."""
        return self.role == "step"

    @property
    def safe(self) -> bool:
        """May noise repeats re-send it: a safe method, or a case marked ``safe = true``."""
        return self.method in SAFE_METHODS or self.declared_safe

    def content(self) -> bytes | None:
        if self.body_bytes is not None:
            return self.body_bytes
        if self.has_json:
            return orjson.dumps(self.json)
        if self.body is not None:
            return self.body.encode("utf-8")
        return None

    def request_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.has_json and not any(k.lower() == "content-type" for k in headers):
            headers["content-type"] = "application/json"
        return headers

    def render(self, variables: dict[str, Any]) -> RequestSpec:
        """The request for one target, with the values that target issued (MissingVariable if one is absent)."""
        if not self.uses:
            return RequestSpec(self.method, self.path, self.query, self.request_headers(), self.content())
        content: bytes | None
        if self.body_bytes is not None:
            content = self.body_bytes  # binary bodies are never templated
        elif self.has_json:
            content = orjson.dumps(render_value(self.json, variables))
        elif self.body is not None:
            content = render_text(self.body, variables).encode("utf-8")
        else:
            content = None
        return RequestSpec(
            self.method,
            render_text(self.path, variables),
            {k: [render_text(v, variables) for v in vs] for k, vs in self.query.items()},
            {k: render_text(v, variables) for k, v in self.request_headers().items()},
            content,
        )

    def to_dict(self) -> dict[str, Any]:
        """The case as it is written to a cases file (defaults left out)."""
        out: dict[str, Any] = {"name": self.step or self.name, "method": self.method, "path": self.path}
        if self.query:
            out["query"] = {k: v[0] if len(v) == 1 else list(v) for k, v in self.query.items()}
        if self.headers:
            out["headers"] = dict(self.headers)
        if self.has_json:
            out["json"] = self.json
        elif self.body is not None:
            out["body"] = self.body
        elif self.body_file is not None:
            out["body_file"] = self.body_file
        elif self.body_bytes is not None:
            out["body_base64"] = base64.b64encode(self.body_bytes).decode("ascii")
        if self.tags:
            out["tags"] = list(self.tags)
        if self.route is not None:
            out["route"] = self.route
        if self.role != "step":
            out[self.role] = True
        if self.capture_specs:
            out["capture"] = [dict(c) for c in self.capture_specs]
        if self.compare_captured:
            out["compare_captured"] = True
        if self.declared_safe:
            out["safe"] = True
        return out


@dataclass(slots=True)
class Scenario:
    name: str | None  # None: the file's [[cases]], one ordered sequence
    steps: list[Case]


@dataclass(slots=True)
class CasesFile:
    path: Path
    scenarios: list[Scenario]
    order: Order | None = None  # the file's own `order`, else [parity] order applies
    unsafe_parallel: bool | None = None

    @property
    def cases(self) -> list[Case]:
        return [step for scenario in self.scenarios for step in scenario.steps]


class _CaseModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1)
    method: HttpMethod
    path: UrlPath
    query: dict[str, str | int | list[str | int]] = Field(default_factory=dict)
    headers: HeaderMap = Field(default_factory=dict)
    json_body: Annotated[JsonValue, JsonBody] = Field(default=None, alias="json")
    body: str | None = None
    body_base64: str | None = None
    body_file: str | None = None
    tags: list[str] = Field(default_factory=list)
    route: str | None = None
    setup: bool = False
    teardown: bool = False
    capture: list[CaptureConfig] = Field(default_factory=list)
    compare_captured: bool = False
    safe: bool = False

    @field_validator("name")
    @classmethod
    def _printable(cls, value: str) -> str:
        if any(ord(ch) < 0x20 for ch in value):
            raise ValueError("a case name cannot contain control characters or newlines")
        return value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"expected a path starting with '/', got {value!r}")
        if "?" in value or "#" in value:
            raise ValueError(f"put the query string in `query = {{...}}`, not in the path ({value!r})")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        if any(not t for t in value):
            raise ValueError("a tag cannot be empty")
        return value


class _ScenarioModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1)
    steps: list[Any] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if "/" in value or any(ord(ch) < 0x20 for ch in value):
            raise ValueError(f"a scenario name cannot contain '/' or control characters, got {value!r}")
        return value


@dataclass(slots=True)
class _Entry:
    raw: Any
    line: int | None
    label: str  # e.g. "cases[2]" or "scenarios[0].steps[3]"
    scenario: str | None


def _key_line(lines: list[str], start: int | None, key: str) -> int | None:
    """The line of ``key = ...`` inside the table that starts at line ``start`` (1-based)."""
    if start is None:
        return None
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for offset, line in enumerate(lines[start:], start + 1):
        if _TABLE_HEADER.match(line):
            break
        if pattern.match(line):
            return offset
    return start


def _check_refs(value: Any, defined: set[str], where: str, sequence: str) -> set[str]:
    """The capture names ``value`` refers to; an undefined one is an error naming ``where``."""
    try:
        refs = list(references(value))
    except ValueError as exc:
        raise _RefError(where, str(exc)) from None
    used: set[str] = set()
    for sub, name in refs:
        if name.startswith("env."):
            raise _RefError(
                where + sub, f"{{{{{name}}}}}: use ${{{name[4:]}}} in the config for the environment"
            )
        if name not in defined:
            known = f" (captured so far: {', '.join(sorted(defined))})" if defined else ""
            raise _RefError(
                where + sub,
                f"undefined variable {{{{{name}}}}}: no earlier step of {sequence} captures it{known}",
            )
        used.add(name)
    return used


class _RefError(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def _body_bytes(model: _CaseModel, file: Path, error: Any) -> bytes | None:
    if model.body_base64 is not None:
        try:
            return base64.b64decode(model.body_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise error("body_base64", f"not valid base64 ({exc})") from None
    if model.body_file is not None:
        target = (file.parent / model.body_file).resolve()
        try:
            return target.read_bytes()
        except OSError as exc:
            raise error("body_file", f"cannot read {target}: {exc.strerror or exc}") from None
    return None


def _to_case(entry: _Entry, file: Path, lines: list[str], defined: set[str]) -> Case:
    raw, line, label = entry.raw, entry.line, entry.label
    if not isinstance(raw, dict):
        raise ConfigError(
            f"expected a table (one case), got {describe_type(raw)}", file=file, line=line, key=label
        )
    if nesting_depth(raw) > MAX_NESTING:  # before validation, which recurses
        raise ConfigError(f"nested deeper than {MAX_NESTING} levels", file=file, line=line, key=label)
    try:
        model = _CaseModel.model_validate(raw)
    except ValidationError as exc:
        problem = first_problem(exc, _CaseModel)
        loc, message = problem.loc, problem.message
        name = raw.get("name")
        if isinstance(name, str) and name:
            message += f" in case {name!r}"
        where = _key_line(lines, line, str(loc[0])) if loc else line
        raise ConfigError(message, file=file, line=where, key=key_path(loc, label)) from None

    def error(key: str, message: str) -> ConfigError:
        return ConfigError(
            f"{message} in case {model.name!r}",
            file=file,
            line=_key_line(lines, line, key.split(".")[0].split("[")[0]),
            key=f"{label}.{key}",
        )

    if model.route is not None and (unfit := route_problem(model.route, model.path)) is not None:
        raise ConfigError(
            f"{unfit} in case {model.name!r}",
            file=file,
            line=_key_line(lines, line, "route"),
            key=f"{label}.route",
        )

    aliases = {"json_body": "json"}
    given = [k for k in _BODY_KEYS if k in {aliases.get(f, f) for f in model.model_fields_set}]
    given = [k for k in given if k == "json" or getattr(model, k) is not None]
    if len(given) > 1:
        raise error(given[1], f"give at most one of {', '.join(_BODY_KEYS)} (got {', '.join(given)})")
    if model.setup and model.teardown:
        raise error("teardown", "a step is setup or teardown, not both")
    role: StepRole = "setup" if model.setup else "teardown" if model.teardown else "step"
    sequence = f"scenario {entry.scenario!r}" if entry.scenario is not None else "the [[cases]] sequence"
    try:
        uses: set[str] = set()
        uses |= _check_refs(model.path, defined, "path", sequence)
        uses |= _check_refs(model.query, defined, "query", sequence)
        uses |= _check_refs(model.headers, defined, "headers", sequence)
        if "json_body" in model.model_fields_set:
            uses |= _check_refs(model.json_body, defined, "json", sequence)
        if model.body is not None:
            uses |= _check_refs(model.body, defined, "body", sequence)
    except _RefError as exc:
        raise error(exc.key, exc.message) from None
    captures: list[Capture] = []
    names = [c.name for c in model.capture]
    for i, spec in enumerate(model.capture):
        if names.count(spec.name) > 1:
            raise error(f"capture[{i}].name", f"capture {spec.name!r} is defined twice")
        try:
            captures.append(compile_capture(spec))
        except CaptureSpecError as exc:
            raise error(f"capture[{i}].{exc.key}", exc.message) from None
    if model.compare_captured and not captures:
        raise error("compare_captured", "compare_captured needs a [[...capture]] on the same step")
    query = {k: [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in model.query.items()}
    body_bytes = _body_bytes(model, file, error)
    scenario = entry.scenario
    return Case(
        name=model.name if scenario is None else f"{scenario}/{model.name}",
        method=model.method,
        path=model.path,
        query=query,
        headers=dict(model.headers),
        json=model.json_body,
        has_json="json_body" in model.model_fields_set,
        body=model.body,
        tags=list(model.tags),
        source=f"{file}:{line}" if line else str(file),
        route=model.route,
        body_bytes=body_bytes,
        body_file=model.body_file,
        scenario=scenario,
        step=model.name,
        role=role,
        captures=captures,
        capture_specs=[c.model_dump(exclude_defaults=True) for c in model.capture],
        compare_captured=model.compare_captured,
        uses=frozenset(uses),
        declared_safe=model.safe,
    )


def _header_lines(text: str, table: str) -> list[int]:
    return [
        n
        for n, line in enumerate(text.splitlines(), 1)
        if (m := _TABLE_HEADER.match(line)) and re.sub(r"\s+", "", m.group(1)) == table
    ]


def _parse_toml(text: str, file: Path) -> tuple[list[_Entry], dict[str, Any]]:
    doc = parse_toml(text, file)
    unknown = sorted(set(doc) - set(_TOP_KEYS))
    if unknown:
        raise ConfigError(
            "unknown top-level key (a cases file holds [[cases]], [[scenarios]], order and unsafe_parallel)",
            file=file,
            key=unknown[0],
        )
    raw_cases, raw_scenarios = doc.get("cases"), doc.get("scenarios")
    if raw_cases is None and raw_scenarios is None:
        raise ConfigError("no [[cases]] or [[scenarios]] found", file=file, key="cases")
    entries: list[_Entry] = []
    if raw_cases is not None:
        if not isinstance(raw_cases, list):
            raise ConfigError("expected an array of tables [[cases]]", file=file, key="cases")
        heads = _header_lines(text, "cases")
        lines: list[int | None] = list(heads) if len(heads) == len(raw_cases) else [None] * len(raw_cases)
        entries += [
            _Entry(raw, line, f"cases[{i}]", None)
            for i, (raw, line) in enumerate(zip(raw_cases, lines, strict=True))
        ]
    if raw_scenarios is not None:
        entries += _scenario_entries(raw_scenarios, text, file)
    settings: dict[str, Any] = {k: doc[k] for k in ("order", "unsafe_parallel") if k in doc}
    return entries, settings


def _scenario_entries(raw: Any, text: str, file: Path) -> list[_Entry]:
    if not isinstance(raw, list):
        raise ConfigError("expected an array of tables [[scenarios]]", file=file, key="scenarios")
    scenario_lines = _header_lines(text, "scenarios")
    step_lines = _header_lines(text, "scenarios.steps")
    total_steps = sum(
        len(s.get("steps", [])) for s in raw if isinstance(s, dict) and isinstance(s.get("steps"), list)
    )
    steps_iter = iter(step_lines if len(step_lines) == total_steps else [])
    entries: list[_Entry] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        line = scenario_lines[i] if len(scenario_lines) == len(raw) else None
        label = f"scenarios[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(
                f"expected a table (one scenario), got {describe_type(item)}", file=file, line=line, key=label
            )
        try:
            model = _ScenarioModel.model_validate(item)
        except ValidationError as exc:
            problem = first_problem(exc, _ScenarioModel)
            raise ConfigError(
                problem.message, file=file, line=line, key=key_path(problem.loc, label)
            ) from None
        if model.name in seen:
            raise ConfigError(
                f"duplicate scenario name {model.name!r}", file=file, line=line, key=f"{label}.name"
            )
        seen.add(model.name)
        for j, step in enumerate(model.steps):
            if isinstance(step, dict) and "scenario" in step:
                raise ConfigError(
                    "`scenario` is for JSON Lines; in TOML a step belongs to the [[scenarios]] it is in",
                    file=file,
                    line=line,
                    key=f"{label}.steps[{j}].scenario",
                )
            entries.append(_Entry(step, next(steps_iter, None), f"{label}.steps[{j}]", model.name))
    return entries


def _parse_jsonl(text: str, file: Path) -> list[_Entry]:
    out: list[_Entry] = []
    closed: dict[str, int] = {}  # scenario -> the line where its run of consecutive lines ended
    current: str | None = None
    steps: dict[str, int] = {}
    plain = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise ConfigError(f"invalid JSON: {exc}", file=file, line=number) from None
        scenario = raw.pop("scenario", None) if isinstance(raw, dict) else None
        if scenario is not None and (not isinstance(scenario, str) or not scenario or "/" in scenario):
            raise ConfigError(
                f"expected a scenario name (text without '/'), got {scenario!r}",
                file=file,
                line=number,
                key="scenario",
            )
        if current is not None and scenario != current:
            closed[current] = number
        if scenario is not None and scenario != current and scenario in closed:
            raise ConfigError(
                f"scenario {scenario!r} is split: its steps must be consecutive lines (it was interrupted at line {closed[scenario]})",
                file=file,
                line=number,
                key="scenario",
            )
        current = scenario
        if scenario is None:
            label = f"cases[{plain}]"
            plain += 1
        else:
            label = f"{scenario}.steps[{steps.get(scenario, 0)}]"
            steps[scenario] = steps.get(scenario, 0) + 1
        out.append(_Entry(raw, number, label, scenario))
    return out


def parse_cases_file(text: str, file: Path) -> CasesFile:
    """Parse the text of a cases file; the format follows the file's suffix."""
    is_jsonl = file.suffix.lower() in _JSONL_SUFFIXES
    settings: dict[str, Any] = {}
    if is_jsonl:
        entries = _parse_jsonl(text, file)
    else:
        entries, settings = _parse_toml(text, file)
    if not entries:
        raise ConfigError("the cases file holds no case", file=file)
    order = settings.get("order")
    if order is not None and order not in ("lockstep", "parallel"):
        raise ConfigError(f'expected "lockstep" or "parallel", got {order!r}', file=file, key="order")
    unsafe = settings.get("unsafe_parallel")
    if unsafe is not None and not isinstance(unsafe, bool):
        raise ConfigError(
            f"expected true or false, got {describe_type(unsafe)}", file=file, key="unsafe_parallel"
        )
    lines = [] if is_jsonl else text.splitlines()
    scenarios: dict[str | None, Scenario] = {}
    defined: dict[str | None, set[str]] = {}
    seen: dict[str, int | None] = {}
    for entry in entries:
        scope = defined.setdefault(entry.scenario, set())
        case = _to_case(entry, file, lines, scope)
        if case.name in seen:
            first = seen[case.name]
            where = f" (first defined at line {first})" if first else ""
            raise ConfigError(
                f"duplicate case name {case.name!r}{where}",
                file=file,
                line=entry.line,
                key=f"{entry.label}.name",
            )
        seen[case.name] = entry.line
        scope.update(c.name for c in case.captures)
        scenarios.setdefault(entry.scenario, Scenario(entry.scenario, [])).steps.append(case)
    return CasesFile(file, list(scenarios.values()), order, unsafe)


def parse_cases(text: str, file: Path) -> list[Case]:
    """Every case and step of a cases file, in file order."""
    return parse_cases_file(text, file).cases


def _check_suffix(path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix != ".toml" and suffix not in _JSONL_SUFFIXES:
        raise ConfigError(
            f"unknown cases file type {suffix or '(none)'!r} (expected .toml or .jsonl)", file=path
        )


def load_cases_file(path: Path) -> CasesFile:
    """Read a ``.toml`` or ``.jsonl`` cases file with its scenarios and order settings."""
    _check_suffix(path)
    return parse_cases_file(read_user_text(path, "cases file"), path)


def load_cases(path: Path) -> list[Case]:
    """Every case and step of a ``.toml`` or ``.jsonl`` cases file, in file order."""
    return load_cases_file(path).cases


def _has_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return any(_has_null(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_null(v) for v in value)
    return False


def _toml_entry(case: Case) -> dict[str, Any]:
    entry = case.to_dict()
    if case.has_json and _has_null(case.json):
        del entry["json"]
        entry["body"] = orjson.dumps(case.json).decode()
        headers = entry.setdefault("headers", {})
        if not any(k.lower() == "content-type" for k in headers):
            headers["content-type"] = "application/json"
    return entry


def dump_cases_toml(cases: list[Case], *, comment: str = "") -> str:
    """Cases as TOML (scenario steps under their [[scenarios]]). TOML has no null: a JSON
    body holding null is written as its raw text."""
    doc: dict[str, Any] = {}
    plain = [_toml_entry(c) for c in cases if c.scenario is None]
    if plain:
        doc["cases"] = plain
    scenarios: dict[str, list[dict[str, Any]]] = {}
    for case in cases:
        if case.scenario is not None:
            scenarios.setdefault(case.scenario, []).append(_toml_entry(case))
    if scenarios:
        doc["scenarios"] = [{"name": name, "steps": steps} for name, steps in scenarios.items()]
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    return head + ("\n" if head else "") + tomli_w.dumps(doc)


def dump_cases_jsonl(cases: list[Case]) -> str:
    def line(case: Case) -> dict[str, Any]:
        entry = case.to_dict()
        return {"scenario": case.scenario, **entry} if case.scenario is not None else entry

    return "".join(orjson.dumps(line(case)).decode() + "\n" for case in cases)
