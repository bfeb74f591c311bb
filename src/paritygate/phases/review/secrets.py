"""Secrets stay home: scan each file's diff text with detect-secrets and redact what it finds.

Every line that would leave the machine (added, context and deleted) is written to a
private temporary file named like the original (so detect-secrets picks the right
keyword rules and transformers for ``.ini``, ``.yaml``, ``.py``...), scanned with the
default plugins, and each secret value is replaced by ``[REDACTED:<type>]``. When
detect-secrets reports a value that is not literally on the line (a transformer
rebuilt it), the whole line is redacted: better unreadable than leaked.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.core.scan import scan_file
from detect_secrets.settings import transient_settings

from paritygate.config.review import SecretsConfig
from paritygate.errors import ConfigError
from paritygate.phases.review.diff import DiffLine, FileDiff

__all__ = ["Redaction", "plugin_names", "redact_files"]


@dataclass(slots=True, frozen=True)
class Redaction:
    path: str
    line: int  # new-file line, or old-file line for a deleted line (side "old")
    side: str  # "new" | "old"
    types: tuple[str, ...]  # detect-secrets' secret types found there, e.g. ("AWS Access Key",)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "side": self.side, "types": list(self.types)}


def plugin_names() -> list[str]:
    classes: list[type] = list(get_mapping_from_secret_type_to_class().values())
    return sorted(cls.__name__ for cls in classes)


def _settings(cfg: SecretsConfig, config_file: Path | None) -> dict[str, Any]:
    known = plugin_names()
    for i, name in enumerate(cfg.disable_plugins):
        if name not in known:
            raise ConfigError(
                f"unknown detect-secrets plugin {name!r} (known: {', '.join(known)})",
                file=config_file,
                key=f"review.secrets.disable_plugins[{i}]",
            )
    plugins: list[dict[str, Any]] = []
    for name in known:
        if name in cfg.disable_plugins:
            continue
        entry: dict[str, Any] = {"name": name}
        if name == "Base64HighEntropyString":
            entry["limit"] = cfg.base64_limit
        elif name == "HexHighEntropyString":
            entry["limit"] = cfg.hex_limit
        plugins.append(entry)
    return {"plugins_used": plugins}


def _redact_line(line: DiffLine, found: list[tuple[str, str | None]]) -> None:
    text = line.text
    # Longest values first (a value containing another is replaced whole); named types
    # (AWS Access Key) before the generic entropy ones for the same value.
    for secret_type, value in sorted(found, key=lambda f: (-len(f[1] or ""), "High Entropy" in f[0])):
        if value and value in text:
            text = text.replace(value, f"[REDACTED:{secret_type}]")
        elif not value or value not in line.text:
            text = f"[REDACTED:{secret_type}]"
            break
    line.text = text


def _targets(lines: list[DiffLine], number: int, value: str | None) -> list[int]:
    """Indexes of the lines holding a reported secret (its own line, else wherever the value occurs)."""
    if 1 <= number <= len(lines) and (not value or value in lines[number - 1].text):
        return [number - 1]
    found = [i for i, line in enumerate(lines) if value and value in line.text]
    if found:
        return found
    return [number - 1] if 1 <= number <= len(lines) else []


def redact_files(
    files: list[FileDiff], cfg: SecretsConfig, *, config_file: Path | None = None
) -> list[Redaction]:
    """Redact secrets in place in every hunk line of ``files``; return where (never what),
    one entry per redacted line."""
    redactions: list[Redaction] = []
    scannable = [f for f in files if f.hunks]
    if not scannable:
        return redactions
    with (
        tempfile.TemporaryDirectory(prefix="paritygate-secrets-") as tmp,
        transient_settings(_settings(cfg, config_file)),
    ):
        for index, fd in enumerate(scannable):
            lines = [line for hunk in fd.hunks for line in hunk.lines if line.kind != "\\"]
            if not lines:
                continue
            # Keep the suffix (it selects detect-secrets' rules), drop the name (its
            # filters skip some names, e.g. lock files, and we want everything scanned).
            scratch = Path(tmp) / f"f{index:05d}{PurePosixPath(fd.path).suffix}"
            scratch.write_text(
                "".join(f"{line.text}\n" for line in lines), encoding="utf-8", errors="replace"
            )
            hits: dict[int, list[tuple[str, str | None]]] = {}
            for secret in scan_file(str(scratch)):
                value = secret.secret_value
                for i in _targets(lines, int(secret.line_number), value):
                    hits.setdefault(i, []).append((str(secret.type), value))
            for i, found in sorted(hits.items()):
                line = lines[i]
                _redact_line(line, found)
                side, at = ("old", line.old_no) if line.kind == "-" else ("new", line.new_no)
                redactions.append(Redaction(fd.path, at or 0, side, tuple(sorted({t for t, _ in found}))))
    return redactions
