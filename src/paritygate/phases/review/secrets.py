"""Secrets stay home: scan everything a bundle would send with detect-secrets, redact what it finds.

Scanned, per file: every hunk line (added, context and deleted) as it stands; each hunk's
section heading (git copies it from the file: it may be a ``KEY = "..."`` line that is
nowhere in the diff); and, as detect-secrets would read a config file, the old side
(context + deleted) and the new side (context + added) through its INI/YAML transformers,
which catch values the raw lines hide (unquoted INI values, YAML block scalars). A file's
findings are the union of these passes; the line rules (keyword patterns, the allowlist
comment style) follow the file's suffix, and no file name or extension is skipped.

Each secret value is replaced by ``[REDACTED:<type>]``; when the reported value is not
literally on the line (a transformer rebuilt it), the whole line is redacted: better
unreadable than leaked. The scanning itself is in :mod:`secret_scan`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.settings import transient_settings

from paritygate.config.review import SecretsConfig
from paritygate.core.jsondoc import JsonObject
from paritygate.core.review_doc import RedactionDoc
from paritygate.errors import ConfigError
from paritygate.phases.review.diff import DiffLine, FileDiff, Hunk
from paritygate.phases.review.secret_scan import (
    POOL_MIN_KEYS,
    Hit,
    LineKey,
    ScanSettings,
    line_keys,
    previous_line_is_enough,
    scan_many,
    transformed_lines,
)

__all__ = ["SECTION_SIDE", "Redaction", "plugin_names", "redact_files", "scan_settings"]

SECTION_SIDE = "hunk-header"


@dataclass(slots=True, frozen=True)
class Redaction:
    path: str
    line: int  # new-file line; old-file line for a deleted line; the hunk's first new line for its heading
    side: str  # "new" | "old" | "hunk-header"
    types: tuple[str, ...]  # detect-secrets' secret types found there, e.g. ("AWS Access Key",)

    def to_doc(self) -> RedactionDoc:
        return RedactionDoc(path=self.path, line=self.line, side=self.side, types=list(self.types))


def plugin_names() -> list[str]:
    classes: list[type] = list(get_mapping_from_secret_type_to_class().values())
    return sorted(cls.__name__ for cls in classes)


def scan_settings(cfg: SecretsConfig, config_file: Path | None = None) -> ScanSettings:
    """detect-secrets settings (its baseline format): every default plugin minus the disabled ones."""
    known = plugin_names()
    for i, name in enumerate(cfg.disable_plugins):
        if name not in known:
            raise ConfigError(
                f"unknown detect-secrets plugin {name!r} (known: {', '.join(known)})",
                file=config_file,
                key=f"review.secrets.disable_plugins[{i}]",
            )
    plugins: list[JsonObject] = []
    for name in known:
        if name in cfg.disable_plugins:
            continue
        entry: JsonObject = {"name": name}
        if name == "Base64HighEntropyString":
            entry["limit"] = cfg.base64_limit
        elif name == "HexHighEntropyString":
            entry["limit"] = cfg.hex_limit
        plugins.append(entry)
    return {"plugins_used": plugins}


@dataclass(slots=True)
class _Pass:
    """One run of lines of one file as detect-secrets reads them, and the diff lines they stand for."""

    texts: list[str]
    lines: list[DiffLine]  # lines[i] is what texts[i] came from (same length, or shorter for transforms)
    keys: list[LineKey] = field(default_factory=list)


@dataclass(slots=True)
class _FilePlan:
    fd: FileDiff
    passes: list[_Pass]
    sections: list[tuple[Hunk, LineKey]]


def _plan(fd: FileDiff, narrow: bool) -> _FilePlan:
    suffix = PurePosixPath(fd.path).suffix
    shown = [line for hunk in fd.hunks for line in hunk.lines if line.kind != "\\"]
    passes = [_Pass([line.text for line in shown], shown)]
    for side in (" -", " +"):
        lines = [line for line in shown if line.kind in side]
        for eager in (False, True):
            texts = transformed_lines(suffix, [line.text for line in lines], eager=eager) if lines else None
            if texts:
                passes.append(_Pass(texts, lines))
    for scan in passes:
        scan.keys = line_keys(suffix, scan.texts, narrow=narrow)
    # git writes "@@ -a,b +c,d @@ heading": Hunk.section holds " heading".
    headings = [(h, h.section.removeprefix(" ")) for h in fd.hunks if h.section.strip()]
    sections = [(h, line_keys(suffix, [text], narrow=narrow)[0]) for h, text in headings]
    return _FilePlan(fd, passes, sections)


def _replace(text: str, found: list[Hit]) -> str:
    """``text`` with each reported value replaced; the whole text when a value is not on it."""
    out = text
    replaced: list[str] = []
    # Longest values first (a value containing another is replaced whole); named types
    # (AWS Access Key) before the generic entropy ones for the same value.
    for secret_type, value in sorted(found, key=lambda f: (-len(f[1] or ""), "High Entropy" in f[0])):
        if value and value in out:
            out = out.replace(value, f"[REDACTED:{secret_type}]")
            replaced.append(value)
        elif not value or not any(value in longer for longer in replaced):
            # Not on the line (rebuilt by a transformer), or overlapping a value already
            # replaced (a piece of it would stay): the whole line goes.
            return f"[REDACTED:{secret_type}]"
    return out


def _targets(scan: _Pass, shown: list[DiffLine], index: int, value: str | None) -> list[DiffLine]:
    """The diff lines holding a secret reported on ``scan.texts[index]``: its own line when the
    value is on it, else every line of the file holding the value, else its own line (whole)."""
    own = scan.lines[index] if index < len(scan.lines) else None
    if own is not None and (not value or value in own.text):
        return [own]
    holding = [line for line in shown if value and value in line.text]
    return holding or ([own] if own is not None else [])


def redact_files(
    files: list[FileDiff],
    cfg: SecretsConfig,
    *,
    config_file: Path | None = None,
    pool_min: int = POOL_MIN_KEYS,
    prefilter: bool = True,
) -> list[Redaction]:
    """Redact secrets in place in ``files`` (hunk lines and headings); return where (never
    what), one entry per redacted line. ``pool_min``: distinct lines from which the scan
    runs in worker processes; ``prefilter=False``: every line through detect-secrets' full
    loop (same findings, slower; for measurements and cross-checks)."""
    settings = scan_settings(cfg, config_file)
    scannable = [fd for fd in files if fd.hunks]
    if not scannable:
        return []
    with transient_settings(settings):
        narrow = previous_line_is_enough()
    plans = [_plan(fd, narrow) for fd in scannable]
    every_key = [key for p in plans for scan in p.passes for key in scan.keys]
    every_key += [key for p in plans for _, key in p.sections]
    results = scan_many(settings, every_key, workers=cfg.workers, pool_min=pool_min, prefilter=prefilter)

    redactions: list[Redaction] = []
    for plan in plans:
        shown = plan.passes[0].lines
        position = {id(line): i for i, line in enumerate(shown)}
        hits: dict[int, set[Hit]] = {}
        for scan in plan.passes:
            for index, key in enumerate(scan.keys):
                for hit in results[key]:
                    for line in _targets(scan, shown, index, hit[1]):
                        hits.setdefault(position[id(line)], set()).add(hit)
        for at_index, found_set in sorted(hits.items()):
            line, found = shown[at_index], sorted(found_set, key=lambda h: (h[0], h[1] or ""))
            line.text = _replace(line.text, found)
            side, at = ("old", line.old_no) if line.kind == "-" else ("new", line.new_no)
            types = tuple(sorted({t for t, _ in found}))
            redactions.append(Redaction(plan.fd.path, at or 0, side, types))
        for hunk, key in plan.sections:
            if results[key]:
                hunk.section = " " + _replace(hunk.section.removeprefix(" "), results[key])
                types = tuple(sorted({t for t, _ in results[key]}))
                redactions.append(Redaction(plan.fd.path, hunk.new_start, SECTION_SIDE, types))
    return redactions
