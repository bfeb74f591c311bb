"""detect-secrets over many lines, fast, with the findings its own line loop would give.

detect-secrets scans line by line: each plugin looks at one (right-stripped) line, and
the filters that can veto a finding look at the line, the value, the file name (its
suffix selects the keyword rules) and, through the code snippet, the line before (only
the allowlist filter reads it, for ``pragma: allowlist nextline secret``; every allowlist
regex needs the literal word "pragma"). So the findings on a line are a function of
(suffix, line, previous line if it holds "pragma"): a :data:`LineKey`. Diffs repeat
lines a lot (blank lines, imports, ``return``, closing brackets), so each distinct key is
scanned once, and a large batch is spread over worker processes.

Most lines hold nothing any plugin reports, and detect-secrets spends ~20 µs per plugin
per line just dispatching (argument injection, filters, result objects). So each key
first goes through :class:`Prefilter`: every configured plugin's own matching code
(its regexes, its entropy limit, its file-type keyword table) asked directly whether it
yields anything on the line. Filters only ever veto findings, so a line no plugin yields
anything on has no findings: exact, not a heuristic. Only the other lines go through
detect-secrets' full line loop. A plugin whose matching this module does not know is
asked through the full loop for every line.

:func:`previous_line_is_enough` checks that assumption against the filters actually
configured. Should a future detect-secrets read more context, the keys carry the whole
snippet (5 lines either side): still exact, just less shared.

The worker entry point is :func:`scan_keys`; it takes the detect-secrets settings as an
argument and applies them itself, so a spawned worker scans exactly as this process does.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, cast

from detect_secrets.core.scan import _process_line_based_plugins, get_filters_with_parameter
from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
from detect_secrets.plugins.keyword import (
    DENYLIST as KEYWORD_DENYLIST,
)
from detect_secrets.plugins.keyword import (
    QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
    REGEX_BY_FILETYPE,
    KeywordDetector,
)
from detect_secrets.settings import get_plugins, get_settings, transient_settings
from detect_secrets.transformers import get_transformed_file
from detect_secrets.types import NamedIO
from detect_secrets.util.filetype import determine_file_type

__all__ = [
    "POOL_MIN_KEYS",
    "Hit",
    "LineKey",
    "Prefilter",
    "ScanSettings",
    "line_keys",
    "previous_line_is_enough",
    "scan_keys",
    "scan_many",
    "transformed_lines",
]

LineKey = tuple[str, tuple[str, ...], str, tuple[str, ...]]  # suffix, lines before, line, lines after
Hit = tuple[str, str | None]  # (detect-secrets secret type, the value it reported)
# detect-secrets' settings: its baseline's JSON object ({"plugins_used": [...]}), handed to
# transient_settings as is -- a JSON boundary of that library, not ours to type.
ScanSettings = dict[str, Any]

# Below this many distinct lines (~150 µs each), starting a worker process (~0.4 s) does not pay.
POOL_MIN_KEYS = 5000
_CHUNK_KEYS = 400
_ALLOWLIST_FILTER = "detect_secrets.filters.allowlist.is_line_allowlisted"
_VERIFY_FILTER = "detect_secrets.filters.common.is_ignored_due_to_verification_policies"
_SNIPPET_LINES = 5  # detect-secrets' get_code_snippet context either side


def previous_line_is_enough() -> bool:
    """True when, under the active settings, no filter but the allowlist reads a line's
    context and no plugin verifies secrets (verification reads context, and calls out)."""
    readers = {f.path for f in get_filters_with_parameter("context")}
    return readers <= {_ALLOWLIST_FILTER} and _VERIFY_FILTER not in get_settings().filters


def line_keys(suffix: str, lines: list[str], *, narrow: bool) -> list[LineKey]:
    """The cache key of each line of one file (``narrow``: see :func:`previous_line_is_enough`)."""
    keys: list[LineKey] = []
    for i, line in enumerate(lines):
        if narrow:
            previous = lines[i - 1] if i else ""
            keys.append((suffix, (previous,) if "pragma" in previous else (), line.rstrip(), ()))
        else:
            before = tuple(lines[max(0, i - _SNIPPET_LINES) : i])
            keys.append((suffix, before, line, tuple(lines[i + 1 : i + 1 + _SNIPPET_LINES])))
    return keys


class _NamedText(io.StringIO):
    """The file-like object detect-secrets' transformers read (they look at ``name``)."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.name = name


def transformed_lines(suffix: str, lines: list[str], *, eager: bool) -> list[str] | None:
    """detect-secrets' reading of ``lines`` as a config file (INI or YAML; ``eager``: INI
    without a section header, for extension-less files), line numbers kept; None when
    no transformer applies or the text does not parse."""
    text = _NamedText("".join(f"{line}\n" for line in lines), f"scan{suffix}")
    try:
        transformed = get_transformed_file(cast(NamedIO, text), use_eager_transformers=eager)
    except Exception:  # a parser crash on odd input: the raw lines are scanned regardless
        return None
    return transformed or None


class Prefilter:
    """Whether any plugin active under the current settings can report something on a line.

    Built once per scan: each plugin becomes a check that runs its own matching code
    directly (for the common regex detectors, their compiled regexes' ``search``).
    """

    def __init__(self) -> None:
        self._plugins: list[Any] = list(get_plugins())
        self._checks: dict[str, list[Callable[[str], object]] | None] = {}

    @staticmethod
    def _check(plugin: Any, suffix: str) -> Callable[[str], object] | list[Callable[[str], object]] | None:
        cls = type(plugin)
        if cls.analyze_line is BasePlugin.analyze_line:  # one finding per value analyze_string yields
            if cls.analyze_string is RegexBasedDetector.analyze_string:
                return [regex.search for regex in plugin.denylist]
            return lambda line: next(iter(plugin.analyze_string(line)), None) is not None
        if cls.analyze_line is HighEntropyStringsPlugin.analyze_line:  # values above the entropy limit
            limit, entropy = plugin.entropy_limit, plugin.calculate_shannon_entropy
            return lambda line: any(entropy(value) > limit for value in plugin.analyze_string(line))
        if cls.analyze_line is KeywordDetector.analyze_line:  # the file type's keyword regexes
            table = REGEX_BY_FILETYPE.get(
                determine_file_type(f"scan{suffix}"), QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP
            )
            gate = _keyword_gate(table)  # its regexes are slow; all need a denylisted word
            return lambda line: (
                (gate is None or gate.search(line) is not None)
                and (next(iter(plugin.analyze_string(line, table)), None) is not None)
            )
        return None  # matching this module does not know: always the full loop

    def _checks_for(self, suffix: str) -> list[Callable[[str], object]] | None:
        if suffix not in self._checks:
            checks: list[Callable[[str], object]] | None = []
            for plugin in self._plugins:
                check = self._check(plugin, suffix)
                if check is None or checks is None:
                    checks = None
                elif isinstance(check, list):
                    checks.extend(check)
                else:
                    checks.append(check)
            self._checks[suffix] = checks
        return self._checks[suffix]

    def may_hit(self, suffix: str, line: str) -> bool:
        """False only when no plugin yields a value on ``line`` (in a file with ``suffix``)."""
        checks = self._checks_for(suffix)
        if checks is None:
            return True
        line = line.rstrip()  # detect-secrets strips each line before its plugins see it
        return any(check(line) for check in checks)


def _keyword_gate(table: dict[re.Pattern[str], int]) -> re.Pattern[str] | None:
    """A regex every line the keyword table matches also matches: the denylisted words,
    ignoring case, when each of the table's regexes requires them as a plain group."""
    words = "(" + "|".join(KEYWORD_DENYLIST) + ")"
    for regex in table:
        if words not in regex.pattern or f"(?!{words}" in regex.pattern or f"(?<!{words}" in regex.pattern:
            return None
    return re.compile(words, re.IGNORECASE)


def _scan_key(key: LineKey) -> list[Hit]:
    suffix, before, line, after = key
    target = len(before) + 1
    numbered = list(enumerate([*before, line, *after], 1))
    found = {
        (str(secret.type), secret.secret_value)
        for secret in _process_line_based_plugins(lines=numbered, filename=f"scan{suffix}")
        if secret.line_number == target
    }
    return sorted(found, key=lambda hit: (hit[0], hit[1] or ""))


def scan_keys(settings: ScanSettings, keys: list[LineKey]) -> list[list[Hit]]:
    """Scan each key under ``settings`` (the worker entry point; also used in-process)."""
    with transient_settings(settings):
        return [_scan_key(key) for key in keys]


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def scan_many(
    settings: ScanSettings,
    keys: Iterable[LineKey],
    *,
    workers: int = 0,
    pool_min: int = POOL_MIN_KEYS,
    prefilter: bool = True,
) -> dict[LineKey, list[Hit]]:
    """Findings per distinct key.

    With at least ``pool_min`` distinct keys and ``workers`` (0: one per CPU) above 1, the
    keys are cut into chunks; ``workers - 1`` spawned processes (not forked: the caller may
    run threads) take chunks from the front while this process takes them from the back,
    so its own CPU works during the workers' start-up instead of waiting. Every process
    applies ``settings`` itself through :func:`scan_keys`, the same path as in-process.
    ``prefilter=False`` sends every key through the full loop (for measurements and
    cross-checks: the findings are the same).
    """
    unique = list(dict.fromkeys(keys))
    distinct = unique
    if prefilter:
        with transient_settings(settings):
            gate = Prefilter()
            distinct = [key for key in unique if gate.may_hit(key[0], key[2])]
    nothing: dict[LineKey, list[Hit]] = {key: [] for key in unique}
    processes = workers or _cpus()
    if len(distinct) < pool_min or processes < 2:
        return nothing | dict(zip(distinct, scan_keys(settings, distinct), strict=True))
    chunks = [distinct[i : i + _CHUNK_KEYS] for i in range(0, len(distinct), _CHUNK_KEYS)]
    found: dict[int, list[list[Hit]]] = {}
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=processes - 1, mp_context=context) as pool:
            futures = [pool.submit(scan_keys, settings, chunk) for chunk in chunks]
            for n in reversed(range(len(chunks))):
                if futures[n].cancel():  # no worker has taken it yet: do it here
                    found[n] = scan_keys(settings, chunks[n])
            for n, future in enumerate(futures):
                if n not in found:
                    with contextlib.suppress(BrokenProcessPool):  # a worker died: redone below
                        found[n] = future.result()
    except OSError:  # no process can be started here: everything missing is scanned below
        pass
    for n, chunk in enumerate(chunks):
        if n not in found:
            found[n] = scan_keys(settings, chunk)
    return nothing | {
        key: hits for n, chunk in enumerate(chunks) for key, hits in zip(chunk, found[n], strict=True)
    }
