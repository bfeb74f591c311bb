"""One JSON codec for the typed documents that cross layers (phase documents, findings).

A document is a slotted dataclass deriving from :class:`JsonDoc`; its JSON form is made
from its fields and their type hints, so adding a field (with a default) is the whole
change: the writer and the reader follow. Rules:

* a field whose value is :data:`ABSENT` is left out of the JSON, and a key missing from
  the JSON reads back as :data:`ABSENT` when the field's type admits it — so an absent
  value and a JSON ``null`` stay two different things;
* a missing key with a field default takes the default; one without is an error;
* unknown keys are ignored (a newer writer of the same schema may add keys);
* a document nested in another is written and read through its own ``to_json`` /
  ``from_json`` when it overrides them (a versioned phase document checks its schema
  wherever it sits; a phase result dispatches its data on that schema);
* every error names the JSON path of the value (``cases[2].targets.tagged.status``).
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, TypeAlias, TypeVar, Union

__all__ = [
    "ABSENT",
    "Absent",
    "DocumentError",
    "JsonDoc",
    "JsonObject",
    "JsonValue",
    "check_schema",
    "decode",
    "encode",
]

# A JSON value as orjson writes and reads it (bodies, difference values). The type checker
# sees the recursive union; at run time the codec passes such a value through unchanged.
if TYPE_CHECKING:
    JsonValue: TypeAlias = bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None
else:
    JsonValue = Any
JsonObject: TypeAlias = dict[str, JsonValue]


class Absent:
    """The one value of "no value here" (a field a difference has on one side only)."""

    _instance: ClassVar[Absent | None] = None
    __slots__ = ()

    def __new__(cls) -> Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "ABSENT"

    def __reduce__(self) -> str:
        return "ABSENT"


ABSENT = Absent()


class DocumentError(ValueError):
    """A JSON document that does not have the shape its type says; ``where`` is the JSON path."""

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(f"{where or '(top)'}: {detail}")
        self.where = where
        self.detail = detail


def encode(value: object) -> JsonValue:
    """The JSON form of a document, a list or dict of them, or a plain JSON value."""
    if isinstance(value, JsonDoc) and type(value).to_json is not JsonDoc.to_json:
        return value.to_json()  # a document with its own form (e.g. an extra derived key)
    return _encode_plain(value)


def _encode_plain(value: object) -> JsonValue:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: JsonObject = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is not ABSENT:
                out[f.name] = encode(item)
        return out
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # a Path or another scalar that has no JSON form of its own


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _join(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def _kind(tp: Any) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    if tp in names:
        return names[tp]
    return getattr(tp, "__name__", str(tp))


def _admits_absent(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType) and Absent in typing.get_args(tp)


def _decode_object(cls: type, raw: object, where: str) -> Any:
    if not isinstance(raw, dict):
        raise DocumentError(where, f"expected an object ({cls.__name__}), got {type(raw).__name__}")
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in raw:
            values[f.name] = _decode(hints[f.name], raw[f.name], _join(where, f.name))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            if not _admits_absent(hints[f.name]):
                raise DocumentError(_join(where, f.name), "missing")
            values[f.name] = ABSENT
    return cls(**values)


def _decode_union(args: tuple[Any, ...], raw: object, where: str) -> Any:
    if raw is None and type(None) in args:
        return None
    errors = []
    for arg in args:
        if arg in (type(None), Absent):
            continue
        try:
            return _decode(arg, raw, where)
        except DocumentError as exc:
            errors.append(exc.detail)
    raise DocumentError(where, " or ".join(errors) if errors else f"unexpected {raw!r}")


def _decode(tp: Any, raw: object, where: str) -> Any:
    if tp is Any:  # JsonValue: passed through as parsed
        return raw
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        return _decode_union(typing.get_args(tp), raw, where)
    if origin is Literal:
        allowed = typing.get_args(tp)
        if raw not in allowed:
            raise DocumentError(where, f"expected one of {', '.join(map(repr, allowed))}, got {raw!r}")
        return raw
    if origin is list or origin is tuple:
        if not isinstance(raw, list):
            raise DocumentError(where, f"expected an array, got {type(raw).__name__}")
        (item,) = typing.get_args(tp)[:1]
        items = [_decode(item, v, _join(where, i)) for i, v in enumerate(raw)]
        return items if origin is list else tuple(items)
    if origin is dict:
        if not isinstance(raw, dict):
            raise DocumentError(where, f"expected an object, got {type(raw).__name__}")
        value_type = typing.get_args(tp)[1]
        return {str(k): _decode(value_type, v, _join(where, str(k))) for k, v in raw.items()}
    if isinstance(tp, type) and issubclass(tp, JsonDoc) and _reads_itself(tp):
        return tp.from_json(raw, where)  # a document with its own reading (a schema check)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _decode_object(tp, raw, where)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(raw)
        except ValueError:
            values = ", ".join(repr(m.value) for m in tp)
            raise DocumentError(where, f"expected one of {values}, got {raw!r}") from None
    if tp is float and isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if tp is int and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if tp in (str, bool) and isinstance(raw, tp):
        return raw
    raise DocumentError(where, f"expected {_kind(tp)}, got {type(raw).__name__} {raw!r:.60}")


T = TypeVar("T")


def check_schema(raw: object, expected: str, where: str, again: str) -> None:
    """Reject a versioned document of another version before reading any other key (its
    shape may differ in any way); ``again`` says what writes a current one ("run parity")."""
    schema = raw.get("schema") if isinstance(raw, dict) else None
    if schema != expected:
        raise DocumentError(
            _join(where, "schema"),
            f"expected {expected!r}, got {schema!r}"
            + (f" (written by another paritygate version: {again} again)" if schema else ""),
        )


def decode(cls: type[T], raw: object, where: str = "") -> T:
    """Read ``raw`` (parsed JSON) as a ``cls`` document; a DocumentError names the bad value."""
    value: T = _decode(cls, raw, where)
    return value


class JsonDoc:
    """A document with one ``to_json`` / ``from_json`` pair (see the module's rules)."""

    __slots__ = ()

    def to_json(self) -> JsonObject:
        out = _encode_plain(self)
        assert isinstance(out, dict)
        return out

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> Self:
        value: Self = _decode_object(cls, raw, where)
        return value


def _reads_itself(cls: type[JsonDoc]) -> bool:
    return getattr(cls.from_json, "__func__", None) is not getattr(JsonDoc.from_json, "__func__", None)
