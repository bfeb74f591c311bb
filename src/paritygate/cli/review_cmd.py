"""``paritygate review``: per-component multi-reviewer LLM review of a range of commits."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
import orjson

from paritygate.cli.common import (
    config_option,
    console,
    err_console,
    json_option,
    load_for_command,
    out_option,
    phase_exit_code,
)
from paritygate.core.models import PhaseResult, PhaseStatus
from paritygate.core.review_doc import ReviewDocument

__all__ = ["review"]


_MAX_PLACES = 8  # redacted places listed on the terminal; review.md lists every one


def _disclosures(data: ReviewDocument) -> list[str]:
    """What the bundle lines do not say, each told once (not once per part of a split bundle)."""
    bundles = data.bundles
    lines = [f"warning: {w}" for w in dict.fromkeys(w for b in bundles for w in b.warnings)]
    lines += [f"clipped ({b.id}): {note}" for b in bundles for note in b.clipped]
    failed: dict[str, list[str]] = {}
    for b in bundles:
        for name in b.failed:
            failed.setdefault(name, []).append(b.id)
    lines += [f"failed (left out of convergence): {r} on {', '.join(ids)}" for r, ids in failed.items()]
    places = list(dict.fromkeys(f"{r.path}:{r.line}" for b in bundles for r in b.redactions))
    if places:
        shown = ", ".join(places[:_MAX_PLACES])
        more = f" and {len(places) - _MAX_PLACES} more (see review.md)" if len(places) > _MAX_PLACES else ""
        lines.append(f"redacted before sending: {len(places)} line(s) with secrets: {shown}{more}")
    lines += [f"warning: {w}" for w in [*data.lineage_warnings, *data.budget_warnings]]
    for reviewer in data.reviewers:
        if reviewer.unusable:
            lines.append(
                f"{reviewer.name}: {reviewer.unusable} unusable answer(s) ({reviewer.unusable_kinds}); not counted"
            )
        if reviewer.rejected_locations:
            lines.append(
                f"{reviewer.name}: {reviewer.rejected_locations} location(s) rejected (not in the diff)"
            )
    return lines


def _print_result(result: PhaseResult, files: list[Path]) -> None:
    """One line per bundle (part), its reviewers' tokens under it, then the disclosures once."""
    data = result.review
    for bundle in data.bundles if data is not None else []:
        console.print(bundle.tally_line, markup=False)
        if bundle.tokens_line:
            console.print(f"  tokens: {bundle.tokens_line}", markup=False)
    for line in _disclosures(data) if data is not None else []:
        console.print(line, markup=False)
    for finding in result.findings:
        if finding.kind.value in ("review_block", "review_warning", "review_unreviewed"):
            console.print(f"{finding.kind.value.upper()} {finding.evidence}: {finding.message}", markup=False)
    if files:
        console.print(f"reports: {', '.join(str(p) for p in files)}", markup=False)
    ok = result.status in (PhaseStatus.PASSED, PhaseStatus.SKIPPED)
    console.print(result.summary, style="bold green" if ok else "bold red", markup=False)


@click.command()
@config_option
@click.option(
    "--range", "rev_range", metavar="A..B", default=None, help="Commits to review (A alone = A..HEAD)."
)
@click.option("--since", metavar="WHEN", default=None, help="Commits since WHEN (git --since syntax).")
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The git repository (default: the current directory).",
)
@click.option("--dry-run", is_flag=True, help="Build bundles and prompts and write them; call no reviewer.")
@click.option("--split", is_flag=True, help="Cut an oversize bundle into parts on file and hunk boundaries.")
@click.option(
    "--force-oversize",
    is_flag=True,
    help="Send bundles over max_kb whole (also PARITYGATE_FORCE_OVERSIZE=1).",
)
@out_option
@json_option
def review(
    config_path: Path | None,
    rev_range: str | None,
    since: str | None,
    repo: Path | None,
    dry_run: bool,
    split: bool,
    force_oversize: bool,
    out_dir: Path | None,
    as_json: bool,
) -> int:
    """Review a change per component with several LLM reviewers (format: docs/review.md).

    Default range: today's commits on the current branch. Exit 0 when no block
    converged across lineages, 1 when one did (or a bundle is unreviewed and
    [assess] block_on_unreviewed is set), 2 on a usage/config error (e.g. an
    oversize bundle), 3 when every reviewer call failed.
    """
    from paritygate.phases.review import run_review
    from paritygate.reports.review_files import write_review_reports

    loaded = load_for_command(config_path, quiet=as_json)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = out_dir or loaded.project_path(loaded.model.run.out_dir) / f"review-{stamp}"
    live = console.is_terminal and not as_json

    def progress(message: str) -> None:
        if not as_json:
            err_console.print(message, markup=False)

    status_ctx = err_console.status("reviewing…") if live else None
    if status_ctx is not None:
        status_ctx.start()
    try:
        result = run_review(
            loaded,
            repo=(repo or Path.cwd()).resolve(),
            rev_range=rev_range,
            since=since,
            dry_run=True if dry_run else None,
            out_dir=target,
            split=split,
            force_oversize=force_oversize,
            progress=progress,
        )
    finally:
        if status_ctx is not None:
            status_ctx.stop()
    doc = result.review
    files = (
        write_review_reports(target, doc)
        if doc is not None and result.status is not PhaseStatus.SKIPPED
        else []
    )
    if as_json:
        sys.stdout.write(orjson.dumps(result.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        _print_result(result, files)
    return phase_exit_code(result)
