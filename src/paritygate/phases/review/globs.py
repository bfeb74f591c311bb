"""Which component a changed file belongs to, and whether ``[review] exclude`` leaves it out.

Patterns use gitignore syntax, compiled by ``pathspec`` (see
:func:`paritygate.config.review.compile_globs`): ``*.lock`` matches in any directory,
``src/app/`` or ``src/app/**`` everything under ``src/app``, ``!pattern`` re-includes,
and the last matching pattern of a list decides, as in a ``.gitignore`` file.
"""

from __future__ import annotations

from paritygate.config.review import compile_globs

__all__ = ["component_of", "glob_match", "matching_glob"]


def matching_glob(patterns: list[str], path: str) -> str | None:
    """The pattern that selects ``path`` (the last one matching it), or None when no
    pattern matches or the last match is a ``!`` re-include."""
    if not patterns:
        return None
    result = compile_globs(tuple(patterns)).check_file(path)
    return patterns[result.index] if result.include and result.index is not None else None


def glob_match(pattern: str, path: str) -> bool:
    return matching_glob([pattern], path) is not None


def component_of(components: dict[str, list[str]], path: str, default: str) -> str:
    """The first component (in config order) whose patterns select ``path``."""
    return next((name for name, globs in components.items() if matching_glob(globs, path)), default)
