"""Per-component bundles: which changed files go to which reviewer prompt, and what was left out.

Reviewers engage with focused bundles and give up on huge ones (a 165 KB diff got
62 tokens back; 36-71 KB bundles got real reviews), so every bundle carries its size
and a manifest, and the size guard in :mod:`sizeguard` decides what may be sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from paritygate.config.review import OTHER_COMPONENT, ReviewConfig
from paritygate.core.review_doc import BundleDoc
from paritygate.core.review_doc import LeftOutDoc as LeftOut
from paritygate.phases.review.diff import FileDiff, Hunk
from paritygate.phases.review.globs import component_of, matching_glob
from paritygate.phases.review.secrets import Redaction
from paritygate.phases.review.tokens import ESTIMATE, estimate_tokens

__all__ = ["TOKENS_METHOD", "Bundle", "LeftOut", "assign_bundles", "shrink_deletions"]

# The estimate every manifest states (the diff alone, no tokenizer); the prompt each
# reviewer is sent is counted in its own tokens when the review runs (tokens.py).
TOKENS_METHOD = ESTIMATE


@dataclass(slots=True)
class Bundle:
    id: str  # "c1", or "c1.2" for the second part of a split bundle
    component: str
    files: list[FileDiff] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # whole files deleted: listed, not sent
    left_out: list[LeftOut] = field(default_factory=list)
    part: int = 1
    parts: int = 1
    clipped: list[str] = field(default_factory=list)  # disclosures of cut hunks
    warnings: list[str] = field(default_factory=list)
    oversize: str = "ok"  # "ok" | "warn" | "forced" | "split"
    redactions: list[Redaction] = field(default_factory=list)

    def text(self) -> str:
        """The unified diff this bundle sends (after shrinking and redaction)."""
        return "".join(f.render() for f in self.files)

    def numbered_text(self) -> str:
        return "".join(f.render(numbered=True) for f in self.files)

    @property
    def size(self) -> int:
        """Bytes of :meth:`text`; each read renders the whole diff, so read it once."""
        return len(self.text().encode("utf-8"))

    @property
    def paths(self) -> list[str]:
        return [f.path for f in self.files]

    @property
    def kb_label(self) -> str:
        """``46KB`` as in the tally line; ``<1KB`` rather than a misleading ``0KB``."""
        size = self.size
        return f"{round(size / 1024)}KB" if size >= 1024 else "<1KB"

    def manifest(self) -> BundleDoc:
        """The bundle's document with its manifest filled in (the tally and files come later)."""
        text = self.text()
        return BundleDoc(
            id=self.id,
            component=self.component,
            bytes=len(text.encode("utf-8")),
            tokens_est=estimate_tokens(text),  # TOKENS_METHOD
            tokens_method=TOKENS_METHOD,
            files=self.paths,
            deleted=list(self.deleted),
            left_out=list(self.left_out),
            part=self.part,
            parts=self.parts,
            clipped=list(self.clipped),
            oversize=self.oversize,
            warnings=list(self.warnings),
            redactions=[r.to_doc() for r in self.redactions],
        )


def shrink_deletions(fd: FileDiff) -> list[str]:
    """Replace each deletion-only hunk by a one-line note; return what was shrunk, for the manifest."""
    shrunk: list[str] = []
    for i, hunk in enumerate(fd.hunks):
        if not hunk.deletion_only:
            continue
        removed = [line for line in hunk.lines if line.kind == "-"]
        first, last = removed[0].old_no, removed[-1].old_no
        note = f"{len(removed)} deleted line(s), old {first}-{last}, not shown (deletion-only hunk)"
        fd.hunks[i] = Hunk(hunk.old_start, hunk.old_len, hunk.new_start, hunk.new_len, hunk.section, [], note)
        shrunk.append(f"old lines {first}-{last} ({len(removed)} deleted)")
    return shrunk


def assign_bundles(files: list[FileDiff], cfg: ReviewConfig) -> list[Bundle]:
    """One bundle per component with changes, in config order; ``other`` last.

    Binary files, excluded files and whole-file deletions are recorded, not sent.
    """
    by_component: dict[str, Bundle] = {}
    order = [*cfg.components, OTHER_COMPONENT]
    for fd in files:
        name = component_of(cfg.components, fd.path, OTHER_COMPONENT)
        bundle = by_component.setdefault(name, Bundle(id="", component=name))
        excluded_by = matching_glob(cfg.exclude, fd.path)
        if excluded_by is not None:
            bundle.left_out.append(LeftOut(fd.path, f"excluded by [review] exclude {excluded_by!r}"))
        elif fd.binary:
            bundle.left_out.append(LeftOut(fd.path, "binary file"))
        elif fd.status == "deleted":
            bundle.deleted.append(fd.path)
            bundle.left_out.append(LeftOut(fd.path, "deleted file: listed, content not sent"))
        elif not fd.hunks:
            bundle.left_out.append(LeftOut(fd.path, "no textual change (mode or empty file)"))
        else:
            if cfg.shrink_deletions:
                for what in shrink_deletions(fd):
                    bundle.left_out.append(LeftOut(fd.path, f"deletion-only hunk shrunk to a note: {what}"))
            bundle.files.append(fd)
    bundles = [by_component[name] for name in order if name in by_component]
    for n, bundle in enumerate(bundles, 1):
        bundle.id = f"c{n}"
    return bundles
