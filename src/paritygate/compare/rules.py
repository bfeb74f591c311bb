"""What to compare and what to leave out: header allow-list, ignore rules, array rules.

:meth:`CompareRules.build` takes the ``[parity]`` config entries (or these dataclasses) and
compiles paths and regexes once; a bad entry raises :class:`RuleError` (a ValueError) whose
``key`` names the entry, e.g. ``ignore[2].when``, so the caller can raise a ConfigError.

An ignore rule with ``path`` drops the matching path and its whole subtree; with ``header``
it drops that header. With ``when`` the rule applies only when the value on every side that
has it matches the regex (``re.search``; anchor with ``^...$``). The value is matched as
text: strings as-is, containers and true/false/null as compact JSON, numbers as ``str()``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from paritygate.compare.values import value_text
from paritygate.core.paths import PathPart, PathPattern, PathSyntaxError, parse_path

__all__ = ["ArrayRule", "CompareRules", "IgnoreRule", "RuleError"]


class RuleError(ValueError):
    """A rule is malformed; ``key`` names it relative to ``[parity]`` (e.g. ``arrays[0].key``)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.detail = message


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    path: str | None = None
    header: str | None = None
    when: str | None = None  # regex on the value


@dataclass(frozen=True, slots=True)
class ArrayRule:
    path: str
    mode: Literal["unordered", "by_key"] = "unordered"
    key: str | None = None  # the field that identifies an element (mode "by_key")


class _IgnoreLike(Protocol):
    @property
    def path(self) -> str | None: ...
    @property
    def header(self) -> str | None: ...
    @property
    def when(self) -> str | None: ...


class _ArrayLike(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def mode(self) -> str: ...
    @property
    def key(self) -> str | None: ...


def _field(entry: object, name: str) -> Any:
    if isinstance(entry, Mapping):
        return entry.get(name)
    return getattr(entry, name, None)


def _compile_path(key: str, text: object) -> PathPattern:
    if not isinstance(text, str) or not text.strip():
        raise RuleError(key, f"expected a path such as '$.elapsed_ms', got {text!r}")
    try:
        return parse_path(text)
    except PathSyntaxError as exc:
        raise RuleError(key, str(exc)) from None


def _compile_regex(key: str, text: object) -> re.Pattern[str] | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise RuleError(key, f"expected a regular expression string, got {text!r}")
    try:
        return re.compile(text)
    except re.error as exc:
        raise RuleError(key, f"invalid regular expression {text!r}: {exc}") from None


_MEDIA_PATTERN = re.compile(r"[a-z0-9*][a-z0-9!#$&^_.+*-]*/[a-z0-9*][a-z0-9!#$&^_.+*-]*")


def _compile_media(key: str, text: object) -> str:
    if not isinstance(text, str) or not _MEDIA_PATTERN.fullmatch(text.strip().lower()):
        raise RuleError(
            key,
            f"expected a media type such as 'application/vnd.api+v2' (`*` matches any part), got {text!r}",
        )
    return text.strip().lower()


def _matches(regex: re.Pattern[str] | None, values: Sequence[Any]) -> bool:
    return regex is None or all(regex.search(value_text(v)) is not None for v in values)


@dataclass(slots=True)
class CompareRules:
    headers: tuple[str, ...] = ("content-type",)  # allow-list of compared headers (lower-case)
    ignore: tuple[IgnoreRule, ...] = ()
    arrays: tuple[ArrayRule, ...] = ()
    # extra media types compared as JSON (besides */json, */*+json, x-amz-json-*, ndjson)
    json_types: tuple[str, ...] = ()
    _body_ignores: tuple[tuple[PathPattern, re.Pattern[str] | None], ...] = field(
        init=False, repr=False, compare=False, default=()
    )
    _header_ignores: dict[str, tuple[re.Pattern[str] | None, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _arrays: tuple[tuple[PathPattern, ArrayRule], ...] = field(
        init=False, repr=False, compare=False, default=()
    )

    def __post_init__(self) -> None:
        self.headers = tuple(h.strip().lower() for h in self.headers)
        self.ignore, self.arrays = tuple(self.ignore), tuple(self.arrays)
        self.json_types = tuple(_compile_media(f"json_types[{n}]", t) for n, t in enumerate(self.json_types))
        body: list[tuple[PathPattern, re.Pattern[str] | None]] = []
        headers: dict[str, list[re.Pattern[str] | None]] = {}
        for n, rule in enumerate(self.ignore):
            key = f"ignore[{n}]"
            if (rule.path is None) == (rule.header is None):
                raise RuleError(key, "set exactly one of `path` or `header`")
            when = _compile_regex(f"{key}.when", rule.when)
            if rule.path is not None:
                body.append((_compile_path(f"{key}.path", rule.path), when))
            else:
                name = str(rule.header).strip().lower()
                if not name:
                    raise RuleError(f"{key}.header", "expected a header name, got ''")
                headers.setdefault(name, []).append(when)
        arrays: list[tuple[PathPattern, ArrayRule]] = []
        for n, arule in enumerate(self.arrays):
            key = f"arrays[{n}]"
            pattern = _compile_path(f"{key}.path", arule.path)
            if arule.mode not in ("unordered", "by_key"):
                raise RuleError(f"{key}.mode", f"expected 'unordered' or 'by_key', got {arule.mode!r}")
            if arule.mode == "by_key" and not arule.key:
                raise RuleError(f"{key}.key", "mode 'by_key' needs `key`, the field naming an element")
            if arule.mode == "unordered" and arule.key is not None:
                raise RuleError(f"{key}.key", "`key` is only used with mode = 'by_key'")
            arrays.append((pattern, arule))
        self._body_ignores = tuple(body)
        self._header_ignores = {name: tuple(whens) for name, whens in headers.items()}
        self._arrays = tuple(arrays)

    @classmethod
    def build(
        cls,
        headers: Iterable[str] = ("content-type",),
        ignore: Iterable[IgnoreRule | _IgnoreLike | Mapping[str, Any]] = (),
        arrays: Iterable[ArrayRule | _ArrayLike | Mapping[str, Any]] = (),
        json_types: Iterable[str] = (),
    ) -> CompareRules:
        """Compile config entries (pydantic models, mappings or these dataclasses)."""
        header_names: list[str] = []
        for n, name in enumerate(headers):
            if not isinstance(name, str) or not name.strip():
                raise RuleError(f"headers[{n}]", f"expected a header name, got {name!r}")
            header_names.append(name)
        ignores = tuple(IgnoreRule(_field(e, "path"), _field(e, "header"), _field(e, "when")) for e in ignore)
        array_rules = tuple(
            ArrayRule(_field(e, "path"), _field(e, "mode") or "unordered", _field(e, "key")) for e in arrays
        )
        return cls(tuple(header_names), ignores, array_rules, tuple(json_types))

    def with_noise(self, noise: Iterable[str]) -> CompareRules:
        """These rules plus an ignore rule per learned noise path (``header:<name>`` or a path)."""
        extra: list[IgnoreRule] = []
        for text in noise:
            if text.startswith("header:"):
                extra.append(IgnoreRule(header=text.removeprefix("header:")))
            else:
                extra.append(IgnoreRule(path=text))
        if not extra:
            return self
        try:
            return CompareRules(self.headers, self.ignore + tuple(extra), self.arrays, self.json_types)
        except RuleError as exc:
            raise RuleError("noise", exc.detail) from None

    # ---- queries used while diffing -------------------------------------------------
    @property
    def has_body_ignores(self) -> bool:
        return bool(self._body_ignores)

    @property
    def has_array_rules(self) -> bool:
        return bool(self._arrays)

    def is_json_type(self, media: str) -> bool:
        """Is ``media`` (lower-case, no parameters) one of the configured ``json_types``?"""
        return any(fnmatch.fnmatchcase(media, pattern) for pattern in self.json_types)

    def body_ignored(self, parts: Sequence[PathPart], values: Sequence[Any]) -> bool:
        """Is the concrete path ignored, given the values the sides that have it hold there?"""
        return any(p.matches(parts) and _matches(w, values) for p, w in self._body_ignores)

    def header_ignored(self, name: str, values: Sequence[str]) -> bool:
        whens = self._header_ignores.get(name)
        return whens is not None and any(_matches(w, values) for w in whens)

    def array_rule(self, parts: Sequence[PathPart]) -> ArrayRule | None:
        for pattern, rule in self._arrays:
            if pattern.matches(parts):
                return rule
        return None
