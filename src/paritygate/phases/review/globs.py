"""Path globs for ``[review.components]`` and ``[review] exclude``.

A glob is matched against the repo-relative POSIX path, one ``/``-separated segment
at a time with :func:`fnmatch.fnmatchcase` (``*``, ``?``, ``[...]`` stay inside one
segment); a ``**`` segment matches any number of directories, including none. A glob
without ``/`` matches the file name in any directory (``*.lock`` = ``**/*.lock``).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import lru_cache

__all__ = ["component_of", "glob_match", "matching_glob"]


@lru_cache(maxsize=1024)
def _segments(pattern: str) -> tuple[str, ...]:
    pattern = pattern.strip().removeprefix("./").strip("/")
    if "/" not in pattern:
        pattern = f"**/{pattern}"
    return tuple(pattern.split("/"))


def _match(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_match(rest, parts[i:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatchcase(parts[0], head) and _match(rest, parts[1:])


def glob_match(pattern: str, path: str) -> bool:
    return _match(_segments(pattern), tuple(path.split("/")))


def matching_glob(patterns: list[str], path: str) -> str | None:
    """The first pattern that matches ``path``, or None."""
    return next((p for p in patterns if glob_match(p, path)), None)


def component_of(components: dict[str, list[str]], path: str, default: str) -> str:
    """The first component (in config order) one of whose globs matches ``path``."""
    return next((name for name, globs in components.items() if matching_glob(globs, path)), default)
