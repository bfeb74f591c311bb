"""What to compare and what to leave out: header allow-list, ignore rules, array rules,
typed matchers, and learned noise.

:meth:`CompareRules.build` takes the ``[parity]`` config entries (or these dataclasses) and
compiles paths and regexes once; a bad entry raises :class:`RuleError` (a ValueError) whose
``key`` names the entry, e.g. ``ignore[2].when``, so the caller can raise a ConfigError.

An ignore rule with ``path`` drops the matching path and its whole subtree; with ``header``
it drops that header. With ``when`` the rule applies only when the value on every side that
has it matches the regex (``re.search``; anchor with ``^...$``). The value is matched as
text: strings as-is, containers and true/false/null as compact JSON, numbers as ``str()``.

A typed matcher (``[[parity.match]]``, :class:`MatchRule`) and learned noise never remove
a place: they may only excuse a *value* difference at a place both sides have, with the
same JSON type (see :mod:`paritygate.compare.matchers`). Every rule may be scoped to one
operation (``operation = "GET /things"``); :meth:`CompareRules.for_operation` keeps the
rules of one case. A rule on ``$.sha256`` or ``$.length`` is refused: those are the names
of an opaque (bytes) body's digest, where no path rule applies (``$['length']`` is how to
name a JSON field called length).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from paritygate.compare.matchers import MATCH_KINDS, kind_accepts, same_json_type
from paritygate.compare.pathrules import PathRules, RuleState, when_matches
from paritygate.core.paths import PathPart, PathPattern, PathSyntaxError, parse_path

__all__ = [
    "ArrayRule",
    "CompareRules",
    "IgnoreRule",
    "MatchRule",
    "RuleError",
    "is_json_type",
    "value_excuse_at",
]

# How a bytes body's digest is reported; never a body path (see the module docstring).
OPAQUE_PSEUDO_PATHS = ("$.sha256", "$.length")


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
    operation: str | None = None  # only for cases of this operation ("GET /things")


@dataclass(frozen=True, slots=True)
class MatchRule:
    """``[[parity.match]]``: the values at ``path`` (or of ``header``) may differ, if of ``kind``."""

    path: str | None = None
    header: str | None = None
    kind: str | None = None  # one of matchers.MATCH_KINDS; "number" when only tolerance is set
    tolerance: float | None = None
    pattern: str | None = None  # kind "regex"
    operation: str | None = None

    @property
    def label(self) -> str:
        """How reports name the matcher: ``match:$.path`` or ``match:header:name``."""
        return f"match:{self.path}" if self.path is not None else f"match:header:{self.header}"


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


def _check_body_path(key: str, text: str) -> None:
    if text.strip() in OPAQUE_PSEUDO_PATHS:
        raise RuleError(
            key,
            f"{text.strip()!r} names the digest of an opaque (bytes) body, not a body path: "
            "no rule applies inside a body compared as bytes (for a JSON field of that name "
            f"write \"$['{text.strip()[2:]}']\")",
        )


def _scoped(operation: str | None, wanted: str | None) -> bool:
    return operation is None or operation == wanted


_Matcher = tuple[PathPattern, MatchRule, re.Pattern[str] | None]


def _compile_matcher(n: int, rule: MatchRule) -> _Matcher | tuple[str, MatchRule, re.Pattern[str] | None]:
    key = f"match[{n}]"
    if (rule.path is None) == (rule.header is None):
        raise RuleError(key, "set exactly one of `path` or `header`")
    kind = rule.kind if rule.kind is not None else ("number" if rule.tolerance is not None else None)
    if kind is None:
        raise RuleError(f"{key}.kind", f"expected one of {', '.join(MATCH_KINDS)} (or a numeric `tolerance`)")
    if kind not in MATCH_KINDS:
        raise RuleError(f"{key}.kind", f"expected one of {', '.join(MATCH_KINDS)}, got {kind!r}")
    if rule.tolerance is not None:
        if kind != "number":
            raise RuleError(f"{key}.tolerance", "`tolerance` is only used with kind = 'number'")
        if (
            isinstance(rule.tolerance, bool)
            or not isinstance(rule.tolerance, int | float)
            or rule.tolerance < 0
        ):
            raise RuleError(f"{key}.tolerance", f"expected a number >= 0, got {rule.tolerance!r}")
    if (kind == "regex") != (rule.pattern is not None):
        raise RuleError(f"{key}.pattern", "kind = 'regex' needs `pattern`, and only it uses one")
    pattern = _compile_regex(f"{key}.pattern", rule.pattern)
    typed = MatchRule(rule.path, rule.header, kind, rule.tolerance, rule.pattern, rule.operation)
    if rule.header is not None:
        name = str(rule.header).strip().lower()
        if not name:
            raise RuleError(f"{key}.header", "expected a header name, got ''")
        return name, typed, pattern
    assert rule.path is not None
    _check_body_path(f"{key}.path", rule.path)
    return _compile_path(f"{key}.path", rule.path), typed, pattern


@dataclass(slots=True)
class CompareRules:
    headers: tuple[str, ...] = ("content-type",)  # allow-list of compared headers (lower-case)
    ignore: tuple[IgnoreRule, ...] = ()
    arrays: tuple[ArrayRule, ...] = ()
    # extra media types compared as JSON (besides */json, */*+json, x-amz-json-*, ndjson)
    json_types: tuple[str, ...] = ()
    match: tuple[MatchRule, ...] = ()
    noise: tuple[str, ...] = ()  # learned noise: paths or header:<name>, value differences only
    _body_ignores: tuple[tuple[PathPattern, re.Pattern[str] | None], ...] = field(
        init=False, repr=False, compare=False, default=()
    )
    _header_ignores: dict[str, tuple[re.Pattern[str] | None, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _arrays: tuple[tuple[PathPattern, ArrayRule], ...] = field(
        init=False, repr=False, compare=False, default=()
    )
    _body_matchers: tuple[_Matcher, ...] = field(init=False, repr=False, compare=False, default=())
    _header_matchers: dict[str, tuple[MatchRule, re.Pattern[str] | None]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _body_noise: tuple[tuple[PathPattern, str], ...] = field(
        init=False, repr=False, compare=False, default=()
    )
    _header_noise: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())
    _scoped_cache: dict[str | None, CompareRules] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _noise_cache: dict[tuple[str, ...], CompareRules] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _paths: PathRules = field(init=False, repr=False, compare=False)
    _scoped: bool = field(init=False, repr=False, compare=False, default=False)  # any rule per operation?

    def __post_init__(self) -> None:
        self.headers = tuple(h.strip().lower() for h in self.headers)
        self.ignore, self.arrays = tuple(self.ignore), tuple(self.arrays)
        self.json_types = tuple(_compile_media(f"json_types[{n}]", t) for n, t in enumerate(self.json_types))
        self.match, self.noise = tuple(self.match), tuple(self.noise)
        body: list[tuple[PathPattern, re.Pattern[str] | None]] = []
        headers: dict[str, list[re.Pattern[str] | None]] = {}
        for n, rule in enumerate(self.ignore):
            key = f"ignore[{n}]"
            if (rule.path is None) == (rule.header is None):
                raise RuleError(key, "set exactly one of `path` or `header`")
            when = _compile_regex(f"{key}.when", rule.when)
            if rule.path is not None:
                _check_body_path(f"{key}.path", rule.path)
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
        body_matchers: list[_Matcher] = []
        header_matchers: dict[str, tuple[MatchRule, re.Pattern[str] | None]] = {}
        for n, mrule in enumerate(self.match):
            where, typed, regex = _compile_matcher(n, mrule)
            if isinstance(where, str):
                header_matchers.setdefault(where, (typed, regex))
            else:
                body_matchers.append((where, typed, regex))
        body_noise: list[tuple[PathPattern, str]] = []
        header_noise: set[str] = set()
        for text in self.noise:
            if text.startswith("header:"):
                header_noise.add(text.removeprefix("header:").strip().lower())
            else:
                body_noise.append((_compile_path("noise", text), f"noise:{text}"))
        self._body_ignores = tuple(body)
        self._header_ignores = {name: tuple(whens) for name, whens in headers.items()}
        self._arrays = tuple(arrays)
        self._body_matchers = tuple(body_matchers)
        self._header_matchers = header_matchers
        self._body_noise = tuple(body_noise)
        self._header_noise = frozenset(header_noise)
        self._scoped = any(r.operation is not None for r in self.ignore) or any(
            r.operation is not None for r in self.match
        )
        # every body-path rule in one automaton, in the order each kind is consulted
        self._paths = PathRules(
            [(p, "ignore", when) for p, when in self._body_ignores]
            + [(p, "match", (rule, regex)) for p, rule, regex in self._body_matchers]
            + [(p, "noise", label) for p, label in self._body_noise]
            + [(p, "array", rule) for p, rule in self._arrays]
        )

    @classmethod
    def build(
        cls,
        headers: Iterable[str] = ("content-type",),
        ignore: Iterable[IgnoreRule | _IgnoreLike | Mapping[str, Any]] = (),
        arrays: Iterable[ArrayRule | _ArrayLike | Mapping[str, Any]] = (),
        json_types: Iterable[str] = (),
        match: Iterable[MatchRule | object | Mapping[str, Any]] = (),
    ) -> CompareRules:
        """Compile config entries (pydantic models, mappings or these dataclasses)."""
        header_names: list[str] = []
        for n, name in enumerate(headers):
            if not isinstance(name, str) or not name.strip():
                raise RuleError(f"headers[{n}]", f"expected a header name, got {name!r}")
            header_names.append(name)
        ignores = tuple(
            IgnoreRule(_field(e, "path"), _field(e, "header"), _field(e, "when"), _field(e, "operation"))
            for e in ignore
        )
        array_rules = tuple(
            ArrayRule(_field(e, "path"), _field(e, "mode") or "unordered", _field(e, "key")) for e in arrays
        )
        matchers = tuple(
            MatchRule(
                _field(e, "path"),
                _field(e, "header"),
                _field(e, "kind"),
                _field(e, "tolerance"),
                _field(e, "pattern"),
                _field(e, "operation"),
            )
            for e in match
        )
        return cls(tuple(header_names), ignores, array_rules, tuple(json_types), matchers)

    def for_operation(self, operation: str | None) -> CompareRules:
        """The rules that apply to cases of ``operation`` (unscoped rules plus its own)."""
        if not self._scoped:
            return self
        cached = self._scoped_cache.get(operation)
        if cached is None:
            cached = CompareRules(
                self.headers,
                tuple(r for r in self.ignore if _scoped(r.operation, operation)),
                self.arrays,
                self.json_types,
                tuple(r for r in self.match if _scoped(r.operation, operation)),
                self.noise,
            )
            self._scoped_cache[operation] = cached
        return cached

    def with_noise(self, noise: Iterable[str]) -> CompareRules:
        """These rules plus learned noise (``header:<name>`` or a path): each may excuse a value
        difference at a place both sides have, never a missing or extra one."""
        if not noise:  # the usual case, asked for every pair
            return self
        extra = tuple(dict.fromkeys(t for t in noise if t not in self.noise))
        if not extra:
            return self
        cached = self._noise_cache.get(extra)  # compiled once per run, not once per pair
        if cached is None:
            try:
                cached = CompareRules(
                    self.headers, self.ignore, self.arrays, self.json_types, self.match, self.noise + extra
                )
            except RuleError as exc:
                raise RuleError("noise", exc.detail) from None
            self._noise_cache[extra] = cached
        return cached

    # ---- queries used while diffing -------------------------------------------------
    @property
    def has_body_ignores(self) -> bool:
        return bool(self._body_ignores)

    @property
    def has_array_rules(self) -> bool:
        return bool(self._arrays)

    @property
    def has_value_excuses(self) -> bool:
        """Are there matchers or learned noise for body paths?"""
        return bool(self._body_matchers or self._body_noise)

    @property
    def paths(self) -> PathRules:
        """Every body-path rule compiled into one automaton (see :mod:`compare.pathrules`)."""
        return self._paths

    def body_ignored(self, parts: Sequence[PathPart], values: Sequence[Any]) -> bool:
        """Is the concrete path ignored, given the values the sides that have it hold there?"""
        return self._paths.at(parts).ignored(values)

    def header_ignored(self, name: str, values: Sequence[str]) -> bool:
        whens = self._header_ignores.get(name)
        return whens is not None and any(when_matches(w, values) for w in whens)

    def value_excuse(self, parts: Sequence[PathPart], a: Any, b: Any) -> str | None:
        """The label of the matcher or learned noise that lets ``a`` and ``b`` differ at this
        place (both sides have it), or None."""
        return value_excuse_at(self._paths.at(parts), a, b)

    def order_excuse(self, parts: Sequence[PathPart]) -> str | None:
        """Learned noise at an array whose order alone changed between twins or repeats."""
        return self._paths.at(parts).noise

    def header_excuse(self, name: str, a: str, b: str) -> str | None:
        """As :meth:`value_excuse`, for a header both answers carry."""
        matcher = self._header_matchers.get(name)
        if matcher is not None:
            rule, regex = matcher
            assert rule.kind is not None
            ok = kind_accepts(rule.kind, a, b, tolerance=rule.tolerance, pattern=regex)
            if rule.kind == "number":
                ok = _numeric_headers(a, b, rule.tolerance)
            return rule.label if ok else None
        return f"noise:header:{name}" if name in self._header_noise else None

    def array_rule(self, parts: Sequence[PathPart]) -> ArrayRule | None:
        found: ArrayRule | None = self._paths.at(parts).array
        return found


def is_json_type(media: str, json_types: Sequence[str]) -> bool:
    """Is ``media`` (lower-case, no parameters) one of ``json_types`` (``*`` patterns)?"""
    return any(fnmatch.fnmatchcase(media, pattern) for pattern in json_types)


def value_excuse_at(state: RuleState, a: Any, b: Any) -> str | None:
    """:meth:`CompareRules.value_excuse` at a place whose rule state a walk holds. A matcher
    that applies decides alone; noise only excuses two scalars of one JSON type."""
    if state.matcher is not None:
        rule, regex = state.matcher
        ok = kind_accepts(rule.kind, a, b, tolerance=rule.tolerance, pattern=regex)
        return str(rule.label) if ok else None
    if state.noise is None or type(a) in (dict, list) or type(b) in (dict, list):
        return None
    return state.noise if same_json_type(a, b) else None


def _numeric_headers(a: str, b: str, tolerance: float | None) -> bool:
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return tolerance is None or abs(x - y) <= tolerance
