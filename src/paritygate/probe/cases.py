"""Cases files: the requests the parity probe sends to every target.

TOML (``[[cases]]``) or JSON Lines (one case object per line). A case::

    [[cases]]
    name = "playbook_happy"          # unique
    method = "POST"
    path = "/v1/validate"            # no query string here: use `query`
    route = "/v1/{kind}"             # optional: the route template naming the operation
    query = { page = 1, tag = ["a", "b"] }
    headers = { accept = "application/json" }
    json = { kind = "playbook" }     # or: body = "raw text"   (not both)
    tags = ["playbook"]

Everything wrong is one :class:`ConfigError` naming the file, the line, the case and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import orjson
import tomli_w
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, field_validator

from paritygate.config.base import MAX_NESTING, HeaderMap, HttpMethod, JsonBody, UrlPath, nesting_depth
from paritygate.config.diagnostics import describe_type, first_problem, key_path, read_user_text
from paritygate.config.loader import parse_toml
from paritygate.errors import ConfigError

__all__ = ["Case", "dump_cases_jsonl", "dump_cases_toml", "load_cases", "parse_cases", "route_problem"]

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


_CASES_HEADER = re.compile(r"^\s*\[\[\s*cases\s*\]\]")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(slots=True)
class Case:
    name: str
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

    @property
    def endpoint(self) -> str:
        """``POST /v1/validate``: what divergence classes are grouped by."""
        return f"{self.method} {self.path}"

    def content(self) -> bytes | None:
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

    def to_dict(self) -> dict[str, Any]:
        """The case as it is written to a cases file (defaults left out)."""
        out: dict[str, Any] = {"name": self.name, "method": self.method, "path": self.path}
        if self.query:
            out["query"] = {k: v[0] if len(v) == 1 else list(v) for k, v in self.query.items()}
        if self.headers:
            out["headers"] = dict(self.headers)
        if self.has_json:
            out["json"] = self.json
        elif self.body is not None:
            out["body"] = self.body
        if self.tags:
            out["tags"] = list(self.tags)
        if self.route is not None:
            out["route"] = self.route
        return out


class _CaseModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1)
    method: HttpMethod
    path: UrlPath
    query: dict[str, str | int | list[str | int]] = Field(default_factory=dict)
    headers: HeaderMap = Field(default_factory=dict)
    json_body: Annotated[JsonValue, JsonBody] = Field(default=None, alias="json")
    body: str | None = None
    tags: list[str] = Field(default_factory=list)
    route: str | None = None

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


def _key_line(lines: list[str], start: int | None, key: str) -> int | None:
    """The line of ``key = ...`` inside the case that starts at line ``start`` (1-based)."""
    if start is None:
        return None
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for offset, line in enumerate(lines[start:], start + 1):
        if _CASES_HEADER.match(line):
            break
        if pattern.match(line):
            return offset
    return start


def _to_case(raw: Any, index: int, file: Path, line: int | None, lines: list[str]) -> Case:
    label = f"cases[{index}]"
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
    if "json_body" in model.model_fields_set and model.body is not None:
        raise ConfigError(
            f"give either `json` or `body`, not both, in case {model.name!r}",
            file=file,
            line=_key_line(lines, line, "body"),
            key=f"{label}.body",
        )
    if model.route is not None and (unfit := route_problem(model.route, model.path)) is not None:
        raise ConfigError(
            f"{unfit} in case {model.name!r}",
            file=file,
            line=_key_line(lines, line, "route"),
            key=f"{label}.route",
        )
    query = {k: [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in model.query.items()}
    return Case(
        name=model.name,
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
    )


def _parse_toml(text: str, file: Path) -> list[tuple[Any, int | None]]:
    doc = parse_toml(text, file)
    unknown = sorted(set(doc) - {"cases"})
    if unknown:
        raise ConfigError(
            "unknown top-level key (a cases file holds only [[cases]])", file=file, key=unknown[0]
        )
    raw = doc.get("cases")
    if not isinstance(raw, list):
        raise ConfigError(
            "expected an array of tables [[cases]]" if raw is not None else "no [[cases]] found",
            file=file,
            key="cases",
        )
    headers = [n for n, line in enumerate(text.splitlines(), 1) if _CASES_HEADER.match(line)]
    lines: list[int | None] = list(headers) if len(headers) == len(raw) else [None] * len(raw)
    return list(zip(raw, lines, strict=True))


def _parse_jsonl(text: str, file: Path) -> list[tuple[Any, int | None]]:
    out: list[tuple[Any, int | None]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append((orjson.loads(line), number))
        except orjson.JSONDecodeError as exc:
            raise ConfigError(f"invalid JSON: {exc}", file=file, line=number) from None
    return out


def parse_cases(text: str, file: Path) -> list[Case]:
    """Parse the text of a cases file; the format follows the file's suffix."""
    is_jsonl = file.suffix.lower() in _JSONL_SUFFIXES
    entries = _parse_jsonl(text, file) if is_jsonl else _parse_toml(text, file)
    if not entries:
        raise ConfigError("the cases file holds no case", file=file)
    lines = text.splitlines()
    cases: list[Case] = []
    seen: dict[str, int | None] = {}
    for index, (raw, line) in enumerate(entries):
        case = _to_case(raw, index, file, line, [] if is_jsonl else lines)
        if case.name in seen:
            first = seen[case.name]
            where = f" (first defined at line {first})" if first else ""
            raise ConfigError(
                f"duplicate case name {case.name!r}{where}", file=file, line=line, key=f"cases[{index}].name"
            )
        seen[case.name] = line
        cases.append(case)
    return cases


def load_cases(path: Path) -> list[Case]:
    """Read a ``.toml`` or ``.jsonl`` cases file."""
    suffix = path.suffix.lower()
    if suffix != ".toml" and suffix not in _JSONL_SUFFIXES:
        raise ConfigError(
            f"unknown cases file type {suffix or '(none)'!r} (expected .toml or .jsonl)", file=path
        )
    return parse_cases(read_user_text(path, "cases file"), path)


def _has_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return any(_has_null(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_null(v) for v in value)
    return False


def dump_cases_toml(cases: list[Case], *, comment: str = "") -> str:
    """Cases as TOML. TOML has no null: a JSON body holding null is written as its raw text."""
    entries: list[dict[str, Any]] = []
    for case in cases:
        entry = case.to_dict()
        if case.has_json and _has_null(case.json):
            del entry["json"]
            entry["body"] = orjson.dumps(case.json).decode()
            headers = entry.setdefault("headers", {})
            if not any(k.lower() == "content-type" for k in headers):
                headers["content-type"] = "application/json"
        entries.append(entry)
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    return head + ("\n" if head else "") + tomli_w.dumps({"cases": entries})


def dump_cases_jsonl(cases: list[Case]) -> str:
    return "".join(orjson.dumps(case.to_dict()).decode() + "\n" for case in cases)
