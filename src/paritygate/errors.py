"""The one exception tree of paritygate.

Every error carries the exit code the CLI uses for it, so the CLI never has to
guess (click's pattern)::

    ParitygateError                 exit 3 unless a subclass says otherwise
    ├── UsageError                  exit 2  bad command-line arguments
    ├── ConfigError                 exit 2  a config, cases, tracker, HAR or smoke file is wrong
    ├── CheckFailed                 exit 1  the check ran and found a failure
    └── RuntimeProblem              exit 3  the environment failed us
        ├── StackError              exit 3  a service did not come up / port busy / crashed
        └── TargetUnreachable       exit 3  a target never answered (refused, timed out)

"The target did not answer" (TargetUnreachable) is a different kind from "the
target answered 500": the latter is a result, never an exception.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "EXIT_CHECK_FAILED",
    "EXIT_OK",
    "EXIT_RUNTIME",
    "EXIT_USAGE",
    "CheckFailed",
    "ConfigError",
    "ParitygateError",
    "RuntimeProblem",
    "StackError",
    "TargetUnreachable",
    "UsageError",
]

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_RUNTIME = 3


class ParitygateError(Exception):
    """Base of every error paritygate raises on purpose."""

    exit_code: int = EXIT_RUNTIME

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class UsageError(ParitygateError):
    exit_code = EXIT_USAGE


class ConfigError(ParitygateError):
    """A user-supplied file is wrong. The message names file, key or line, and what was expected."""

    exit_code = EXIT_USAGE

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        key: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = ""
        if file is not None:
            where = str(file)
            if line is not None:
                where += f":{line}"
        if key:
            where = f"{where}: {key}" if where else key
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.file = str(file) if file is not None else None
        self.key = key
        self.line = line


class CheckFailed(ParitygateError):
    exit_code = EXIT_CHECK_FAILED


class RuntimeProblem(ParitygateError):
    exit_code = EXIT_RUNTIME


class StackError(RuntimeProblem):
    pass


class TargetUnreachable(RuntimeProblem):
    pass
