"""Config of the review phase: ``[review]``, ``[review.components]``, ``[review.secrets]``
and ``[[review.reviewers]]`` (owned by the review phase).

Example::

    [review]
    warn_kb = 60
    max_kb = 100
    exclude = ["**/*.lock", "**/package-lock.json"]

    [review.components]            # gitignore-style patterns (pathspec)
    validatord = ["src/validatord/", "tests/validatord/**", "!src/validatord/vendor/"]
    replay = ["src/replay/**"]

    [[review.reviewers]]
    name = "kimi"
    lineage = ["moonshot"]
    provider = "openai"            # any OpenAI-compatible endpoint
    model = "kimi-k2"
    base_url = "https://api.moonshot.ai/v1"
    api_key_env = "MOONSHOT_API_KEY"
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal, Self

from pathspec import GitIgnoreSpec
from pydantic import Field, field_validator, model_validator

from paritygate.config.base import StrictModel

__all__ = ["OTHER_COMPONENT", "ReviewConfig", "ReviewerConfig", "SecretsConfig", "compile_globs"]

# Changed files outside every component go to a bundle of this name.
OTHER_COMPONENT = "other"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Request fields paritygate sets itself; ``extra`` may not override them.
_RESERVED_EXTRA = frozenset(
    {
        "model",
        "messages",
        "max_tokens",
        "temperature",
        "seed",
        "system",
        "stream",
        "n",
        "max_completion_tokens",
    }
)


@lru_cache(maxsize=256)
def compile_globs(patterns: tuple[str, ...]) -> GitIgnoreSpec:
    """Compile path patterns with gitignore semantics (``*``, ``?``, ``[...]``, ``**``,
    ``!`` re-includes, a trailing ``/`` for a directory), matched against repo-relative
    paths. A leading ``./`` is dropped: people write it, and in gitignore it never matches.

    :raises ValueError: a pattern gitignore cannot compile (``[z-a]``, a lone backslash).
    """
    try:
        return GitIgnoreSpec.from_lines([p.removeprefix("./") for p in patterns])
    except (ValueError, re.error) as exc:  # pathspec's GitIgnorePatternError is a ValueError
        raise ValueError(str(exc)) from None


def _check_globs(patterns: list[str], owner: str = "") -> None:
    """Each pattern compiles and can match something (``owner`` prefixes the message)."""
    for pattern in patterns:
        # gitignore skips blank lines and '#' comments: in a config list they would silently match nothing.
        if not pattern.strip():
            raise ValueError(f"{owner}pattern {pattern!r} is blank and matches nothing")
        try:
            compiled = compile_globs((pattern,)).patterns
        except ValueError as exc:
            raise ValueError(f"{owner}{pattern!r} is not a valid gitignore-style pattern ({exc})") from None
        if all(p.include is None for p in compiled):
            raise ValueError(
                f"{owner}pattern {pattern!r} is a comment in gitignore syntax and matches nothing "
                "(a backslash before the '#' matches a name starting with '#')"
            )


class ReviewerConfig(StrictModel):
    """One LLM reviewer. ``lineage`` is the model's family/lab, stated by the user, never guessed."""

    name: str
    lineage: list[str] = Field(min_length=1)
    provider: Literal["openai", "anthropic"]
    model: str = Field(min_length=1)
    base_url: str | None = None  # None: the SDK's default endpoint
    api_key_env: str | None = None  # None: no key (a local vLLM / Ollama)
    max_tokens: int = Field(default=4096, ge=1, le=10_000_000)
    timeout: float = Field(default=300.0, gt=0, le=86_400)  # one call, from when it is sent
    # The model's context window in tokens: the rendered prompt must fit in it minus max_tokens.
    context_tokens: int | None = Field(default=None, ge=1, le=100_000_000)
    # Calls in flight at once to this reviewer's endpoint (a local server's slots); default [review].
    concurrency: int | None = Field(default=None, ge=1, le=1024)
    # A timed-out generation is usually still running on the server: re-sending only queues
    # the heavy prompt behind it. Off by default; 429, 5xx and connection errors are retried.
    retry_timeouts: bool = False
    temperature: float | None = Field(default=None, ge=0, le=2)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    system: str | None = None  # a system prompt sent before the review prompt
    # Passed through to the SDK as extra request-body fields (e.g. Ollama's options.num_ctx).
    extra: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fits(self) -> Self:
        if self.context_tokens is not None and self.max_tokens >= self.context_tokens:
            raise ValueError(
                f"max_tokens ({self.max_tokens}) must be smaller than context_tokens ({self.context_tokens}): "
                "the prompt needs room in the context window"
            )
        if self.provider == "anthropic" and self.seed is not None:
            raise ValueError("seed is not supported by the Anthropic API; remove it for this reviewer")
        reserved = sorted(set(self.extra) & _RESERVED_EXTRA)
        if reserved:
            raise ValueError(
                f"extra must not set {', '.join(reserved)}: use the reviewer's own keys for them"
            )
        return self

    @field_validator("name")
    @classmethod
    def _simple_name(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError(f"reviewer name {value!r} must be letters, digits, '_', '-' or '.'")
        return value

    @field_validator("lineage")
    @classmethod
    def _clean_lineage(cls, value: list[str]) -> list[str]:
        cleaned = [label.strip().lower() for label in value]
        if any(not label for label in cleaned):
            raise ValueError("lineage labels must not be empty")
        return cleaned

    @field_validator("api_key_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        # The *name* of a variable, never the key itself.
        if value is not None and not _ENV_NAME.fullmatch(value):
            raise ValueError("api_key_env is the name of an environment variable, e.g. MOONSHOT_API_KEY")
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {value!r}")
        return value


class SecretsConfig(StrictModel):
    """detect-secrets settings for the scan that runs before a bundle leaves the machine."""

    base64_limit: float = Field(default=4.5, ge=0, le=8)  # entropy above which a base64 string is a secret
    hex_limit: float = Field(default=3.0, ge=0, le=8)
    disable_plugins: list[str] = Field(default_factory=list)  # detect-secrets plugin class names
    # Processes for a large scan: 0 = one per CPU, 1 = never start worker processes.
    workers: int = Field(default=0, ge=0)


class ReviewConfig(StrictModel):
    components: dict[str, list[str]] = Field(default_factory=dict)  # name -> gitignore-style path patterns
    exclude: list[str] = Field(
        default_factory=lambda: [
            "**/*.lock",
            "**/package-lock.json",
            "**/pnpm-lock.yaml",
            "**/go.sum",
        ]
    )
    shrink_deletions: bool = True  # deletion-only hunks become a one-line note
    warn_kb: float = Field(default=60.0, gt=0)
    max_kb: float = Field(default=100.0, gt=0)
    match_window: int = Field(default=3, ge=0, le=1000)  # lines either side for matching findings
    # A finding spanning more lines than this is too vague to converge with another by place.
    max_span_lines: int = Field(default=20, ge=1, le=100_000)
    # rapidfuzz similarity (0-100) of two findings' claims (what + why) for them to converge.
    claim_similarity: float = Field(default=50.0, ge=0, le=100)
    concurrency: int = Field(default=4, ge=1, le=1024)  # calls in flight at once per endpoint
    retries: int = Field(default=3, ge=0, le=100)  # on 429, 5xx, connection errors (timeouts: retry_timeouts)
    backoff: float = Field(default=1.0, ge=0, le=3600)  # seconds; doubles per retry unless Retry-After says
    max_backoff: float = Field(default=30.0, ge=0, le=3600)
    deadline: float | None = Field(default=None, gt=0, le=7 * 86_400)  # seconds for the whole review
    repair: bool = True  # one short corrective retry for an answer that ignored the format
    sarif: Literal["all", "converged"] = "all"  # which findings review.sarif holds
    prompt_template: str | None = None  # jinja2 file, relative to the config file
    secrets: SecretsConfig = Field(default_factory=SecretsConfig)
    reviewers: list[ReviewerConfig] = Field(default_factory=list)

    @field_validator("components")
    @classmethod
    def _components(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, globs in value.items():
            if name == OTHER_COMPONENT:
                raise ValueError(
                    f"component name {OTHER_COMPONENT!r} is reserved for files outside every component"
                )
            if not _NAME.fullmatch(name):
                raise ValueError(f"component name {name!r} must be letters, digits, '_', '-' or '.'")
            if not globs:
                raise ValueError(f"component {name!r} needs at least one path pattern")
            _check_globs(globs, f"component {name!r}: ")
        return value

    @field_validator("exclude")
    @classmethod
    def _exclude(cls, value: list[str]) -> list[str]:
        _check_globs(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.warn_kb > self.max_kb:
            raise ValueError(f"warn_kb ({self.warn_kb:g}) must not exceed max_kb ({self.max_kb:g})")
        names = [r.name for r in self.reviewers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"reviewer names must be unique; repeated: {', '.join(duplicates)}")
        return self
