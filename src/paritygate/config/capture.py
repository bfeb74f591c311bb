"""One capture grammar for the smoke chain and the parity scenarios.

``[[...capture]]`` stores one value of an answer as ``{{name}}`` for the later
checks of a smoke chain, or the later steps of a parity scenario. Exactly one
source: ``jsonpath``, ``jsonpointer`` (RFC 6901, as OpenAPI links write it),
``xpath`` (with ``namespaces`` for prefixed names), ``header``, ``regex`` (on the
body text) or ``status = true``.
"""

from __future__ import annotations

import re
from typing import Self

from pydantic import Field, field_validator, model_validator

from paritygate.config.base import StrictModel

__all__ = ["CAPTURE_SOURCES", "VAR_NAME", "CaptureConfig"]

CAPTURE_SOURCES = ("jsonpath", "jsonpointer", "xpath", "header", "regex", "status")
VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class CaptureConfig(StrictModel):
    name: str
    jsonpath: str | None = None
    jsonpointer: str | None = None  # "/items/0/id"; "" is the whole JSON body
    xpath: str | None = None
    namespaces: dict[str, str] = Field(default_factory=dict)  # prefix -> URI, for xpath
    header: str | None = None
    regex: str | None = None  # on the body text; group 1 if the regex has a group, else the match
    status: bool | None = None  # the HTTP status code, as a number

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not VAR_NAME.fullmatch(value):
            raise ValueError(f"a capture name is a variable name like kind or user_id, got {value!r}")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        sources = [k for k in CAPTURE_SOURCES if getattr(self, k) not in (None, False)]
        if len(sources) != 1:
            raise ValueError(
                f"a capture needs exactly one of {', '.join(CAPTURE_SOURCES)} (got {', '.join(sources) or 'none'})"
            )
        if self.namespaces and sources[0] != "xpath":
            raise ValueError("namespaces apply to an xpath capture only")
        return self

    @property
    def source(self) -> str:
        return next(k for k in CAPTURE_SOURCES if getattr(self, k) not in (None, False))

    @property
    def selector(self) -> str:
        """The path, XPath, header name or regex as written; "" for status."""
        return "" if self.source == "status" else str(getattr(self, self.source))
