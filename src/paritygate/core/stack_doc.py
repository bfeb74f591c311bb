"""The stack phase's document, ``paritygate.stack/2``: the services a run's stack brought up
(or attached to), as report.json holds them and the run's JUnit and the history read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

from paritygate.core.jsondoc import JsonDoc, check_schema

__all__ = ["SCHEMA", "StackDocument", "StackService"]

SCHEMA = "paritygate.stack/2"


@dataclass(slots=True, frozen=True)
class StackService(JsonDoc):
    name: str
    url: str
    log: str | None  # the service's log in the run directory; None: not started by paritygate


@dataclass(slots=True, frozen=True, kw_only=True)
class StackDocument(JsonDoc):
    schema: str = SCHEMA
    services: list[StackService] = field(default_factory=list)

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> Self:
        check_schema(raw, SCHEMA, where, "run the gauntlet")
        return super(StackDocument, cls).from_json(raw, where)
