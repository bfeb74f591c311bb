"""Config of the phases: ``[parity]``, ``[assess]`` and ``[run]``.

``[smoke]`` lives in :mod:`paritygate.config.smoke`, ``[review]`` in :mod:`paritygate.config.review`.
"""

from __future__ import annotations

import re
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from paritygate.config.base import StrictModel
from paritygate.core.paths import PathSyntaxError, parse_path

__all__ = [
    "AUTH_FIELDS",
    "DEFAULT_OPERATION_QUERY",
    "ArrayRule",
    "AssessConfig",
    "AuthConfig",
    "FuzzConfig",
    "IgnoreRule",
    "MatchRule",
    "OperationRule",
    "ParityAuthConfig",
    "ParityConfig",
    "PhaseName",
    "RunSettings",
]

# The body limit's default (4 MiB): bodies up to it are parsed and diffed path by path.
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024


def _valid_path(text: str) -> str:
    """A body path in the one path grammar (core.paths), as the compare rules will read it."""
    if not text.strip():
        raise ValueError(f"expected a path such as '$.elapsed_ms', got {text!r}")
    try:
        parse_path(text)
    except PathSyntaxError as exc:
        raise ValueError(str(exc)) from None
    return text


def valid_regex(text: str) -> str:
    """A Python regular expression; ValueError quoting re's complaint."""
    try:
        re.compile(text)
    except (re.error, RecursionError, OverflowError) as exc:
        raise ValueError(f"invalid regular expression {text!r}: {exc}") from None
    return text


PhaseName = Literal["stack", "smoke", "parity", "fuzz", "review"]


def _all_phases() -> list[PhaseName]:
    # fuzz is off by default: a run includes it when [run] phases (or --only) names it
    return ["stack", "smoke", "parity", "review"]


class IgnoreRule(StrictModel):
    """Ignore a body path (``path``) or a header (``header``), optionally only when the value matches ``when``."""

    path: str | None = None
    header: str | None = None
    when: str | None = None  # regex on the value (str() of non-strings)
    operation: str | None = None  # only for the cases of this operation, e.g. "GET /things"
    reason: str | None = None

    @field_validator("path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        return None if value is None else _valid_path(value)

    @field_validator("when")
    @classmethod
    def _when(cls, value: str | None) -> str | None:
        return None if value is None else valid_regex(value)

    @field_validator("header")
    @classmethod
    def _header(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("expected a header name, got ''")
        return value

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.path is None) == (self.header is None):
            raise ValueError("set exactly one of `path` or `header`")
        return self


class MatchRule(StrictModel):
    """A typed matcher: the values at ``path`` (or of ``header``) may differ if both are of ``kind``."""

    path: str | None = None
    header: str | None = None
    kind: Literal["timestamp", "uuid", "number", "regex", "present"] | None = None
    tolerance: float | None = Field(default=None, ge=0)  # numbers: at most this far apart
    pattern: str | None = None  # kind = "regex"
    operation: str | None = None
    reason: str | None = None

    @field_validator("path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        return None if value is None else _valid_path(value)

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        return None if value is None else valid_regex(value)


class ArrayRule(StrictModel):
    """How to compare the arrays a path selects: ``unordered`` or matched by a key field."""

    path: str
    mode: Literal["unordered", "by_key"] = "unordered"
    key: str | None = None

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        return _valid_path(value)

    @model_validator(mode="after")
    def _key_with_by_key(self) -> Self:
        if self.mode == "by_key" and not self.key:
            raise ValueError("mode 'by_key' needs `key`, the field naming an element")
        if self.mode == "unordered" and self.key is not None:
            raise ValueError("`key` is only used with mode = 'by_key'")
        return self


# Query keys that name an operation rather than parametrise it: S3's subresources
# (``GET /bucket?location`` is GetBucketLocation, ``?uploads`` ListMultipartUploads,
# ``?list-type=2`` ListObjectsV2) and the AWS query protocol's ``Action``.
DEFAULT_OPERATION_QUERY = (
    "Action",
    "accelerate",
    "acl",
    "analytics",
    "attributes",
    "cors",
    "delete",
    "encryption",
    "intelligent-tiering",
    "inventory",
    "legal-hold",
    "lifecycle",
    "list-type",
    "location",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "ownershipControls",
    "policy",
    "policyStatus",
    "publicAccessBlock",
    "replication",
    "requestPayment",
    "restore",
    "retention",
    "select",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versioning",
    "versions",
    "website",
)


class OperationRule(StrictModel):
    """How a case's operation is named: ``METHOD /route?subresource``, or for RPC-style APIs
    a name taken from a request header or a JSON body field."""

    header: str | None = None  # e.g. "x-amz-target"
    json_path: str | None = Field(default=None, alias="json")  # e.g. "$.method", "$.operationName"
    query: list[str] = Field(default_factory=lambda: list(DEFAULT_OPERATION_QUERY))

    @field_validator("json_path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_path(value)
            except PathSyntaxError as exc:
                raise ValueError(f"not a valid path: {exc}") from None
        return value

    @model_validator(mode="after")
    def _one_source(self) -> OperationRule:
        if self.header is not None and self.json_path is not None:
            raise ValueError("give either `header` or `json`, not both")
        return self


AuthType = Literal["none", "bearer", "basic", "header", "aws_sigv4"]
# the keys each auth type needs (besides `type`); optional ones in AUTH_OPTIONAL
AUTH_FIELDS: dict[str, tuple[str, ...]] = {
    "none": (),
    "bearer": ("token",),
    "basic": ("username", "password"),
    "header": ("name", "value"),
    "aws_sigv4": ("service", "region", "access_key_id", "secret_access_key"),
}
AUTH_OPTIONAL: dict[str, tuple[str, ...]] = {"aws_sigv4": ("session_token",)}
_AUTH_KEYS = (
    "token",
    "username",
    "password",
    "name",
    "value",
    "service",
    "region",
    "access_key_id",
    "secret_access_key",
    "session_token",
)


class AuthConfig(StrictModel):
    """How every request to a target is authenticated; secrets come from ``${ENV}``."""

    type: AuthType
    token: str | None = None
    username: str | None = None
    password: str | None = None
    name: str | None = None  # header name
    value: str | None = None  # header value
    service: str | None = None  # aws_sigv4: signing name, e.g. "kinesis", "s3", "dynamodb"
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None

    @model_validator(mode="after")
    def _keys_of_type(self) -> Self:
        needed = AUTH_FIELDS[self.type]
        allowed = set(needed) | set(AUTH_OPTIONAL.get(self.type, ()))
        missing = [k for k in needed if getattr(self, k) is None]
        if missing:
            raise ValueError(f"auth type {self.type!r} needs {', '.join(missing)}")
        extra = [k for k in _AUTH_KEYS if getattr(self, k) is not None and k not in allowed]
        if extra:
            raise ValueError(f"auth type {self.type!r} takes no {', '.join(extra)}")
        return self

    def secrets(self) -> list[str]:
        """The values masked in every output."""
        keys = ("token", "password", "value", "access_key_id", "secret_access_key", "session_token")
        return [v for k in keys if (v := getattr(self, k))]


class ParityAuthConfig(AuthConfig):
    """``[parity.auth]``: for every target, unless ``[parity.auth.targets.NAME]`` says otherwise."""

    type: AuthType = "none"
    targets: dict[str, AuthConfig] = Field(default_factory=dict)


class ParityConfig(StrictModel):
    cases: str | None = None  # TOML or JSON Lines file, relative to the config file
    targets: list[str] = Field(default_factory=list)  # service names; empty = every service with a port
    reference: str | None = None
    tracker: str = "docs/ARCHITECTURE_COMPARISON.md"
    headers: list[str] = Field(default_factory=lambda: ["content-type"])  # compared headers
    json_types: list[str] = Field(default_factory=list)  # more media types compared as JSON
    ignore: list[IgnoreRule] = Field(default_factory=list)
    arrays: list[ArrayRule] = Field(default_factory=list)
    match: list[MatchRule] = Field(default_factory=list)
    concurrency: int = Field(default=16, ge=1, le=1024)
    timeout: float = Field(default=10.0, gt=0, le=86400)
    retries: int = Field(default=0, ge=0, le=100)
    noise_runs: int = Field(default=0, ge=0, le=1000)  # repeats of each safe case
    noise: Literal["repeats", "twin"] = "repeats"  # "twin": A/A calibration against a second instance
    noise_min_count: int = Field(default=1, ge=1)  # observations where a path differed, at least
    noise_min_ratio: float = Field(default=0.5, gt=0, le=1)  # of the observations that had it
    # Past this a body is compared by length and SHA-256 and kept as a file (probe.bodies).
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=1024, le=1024 * 1024 * 1024)
    operation: OperationRule = Field(default_factory=OperationRule)
    group_by: Literal["cause", "operation"] = "cause"  # one class per cause, or per operation and cause
    # lockstep: the cases of a file go one at a time, each to every target at once;
    # parallel: up to `concurrency` cases at once, refused for unsafe methods unless unsafe_parallel
    order: Literal["lockstep", "parallel"] = "lockstep"
    unsafe_parallel: bool = False
    auth: ParityAuthConfig = Field(default_factory=ParityAuthConfig)


class FuzzConfig(StrictModel):
    """``[fuzz]``: generated requests (``paritygate fuzz``; a phase of ``run`` when listed in
    ``[run] phases`` or ``--only``, off by default). Compare rules, tracker and auth are
    ``[parity]``'s; in a run, so are the targets and the noise parity calibrated."""

    openapi: str | None = None  # file (relative to the config) or http(s) URL; None: mutate cases
    cases: str | None = None  # cases file to mutate (default: [parity] cases)
    invalid: bool = False  # also requests whose valid inputs are mutated (OpenAPI mode)
    max_examples: int = Field(default=100, ge=1, le=1_000_000)
    deadline: float | None = Field(default=None, gt=0, le=86400)  # seconds for the whole search
    seed: int = 0


class AssessConfig(StrictModel):
    block_on_smoke_failure: bool = True
    block_on_status_mismatch: bool = True
    block_on_new_divergence: bool = True
    block_on_unreachable: bool = True
    block_on_phase_error: bool = True
    block_on_fixed_divergence: bool = False  # a `fixed?` row is reported loudly but does not block
    block_on_flaky: bool = False  # a case whose status changed between twins or repeats
    review_block_lineages: int = Field(default=2, ge=1)
    # A review bundle answered usably by fewer lineages than review_block_lineages is unreviewed.
    block_on_unreviewed: bool = False


class RunSettings(StrictModel):
    out_dir: str = ".paritygate/runs"
    history: str = ".paritygate/history.sqlite"
    phases: list[PhaseName] = Field(default_factory=_all_phases)
    # Environment variables whose ${VAR} values are not secrets (every other one is masked).
    public_env: list[str] = Field(default_factory=list)
