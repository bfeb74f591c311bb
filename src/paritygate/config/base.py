"""The strict base model every config section derives from."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

__all__ = ["HttpMethod", "StrictModel"]

_METHOD = re.compile(r"[A-Za-z]+")


def _http_method(value: str) -> str:
    if not _METHOD.fullmatch(value):
        raise ValueError(f"expected an HTTP method such as GET or POST, got {value!r}")
    return value.upper()


# A method as written in a smoke check or a parity case: letters only, upper-cased.
HttpMethod = Annotated[str, AfterValidator(_http_method)]


class StrictModel(BaseModel):
    """Unknown keys and wrong types are errors; no silent coercion ("5" is not 5); no inf or nan."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=False, allow_inf_nan=False)
