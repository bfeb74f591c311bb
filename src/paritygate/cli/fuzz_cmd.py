"""``paritygate fuzz``: generated requests to every implementation, each divergence class shrunk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import orjson
from rich.progress import Progress, TextColumn, TimeElapsedColumn

from paritygate.cli.common import (
    config_option,
    console,
    err_console,
    json_option,
    load_for_command,
    out_option,
    phase_exit_code,
    target_options,
    tracker_option,
)
from paritygate.cli.parity_cmd import _endpoints, _parse_targets
from paritygate.core.fs import atomic_write_bytes
from paritygate.errors import UsageError

__all__ = ["fuzz"]


@click.command()
@config_option
@target_options("fuzz")
@click.option(
    "--cases",
    "cases_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Cases file to mutate (default: [parity] cases).",
)
@click.option(
    "--openapi",
    metavar="FILE_OR_URL",
    default=None,
    help="Generate requests from this OpenAPI document (default: [fuzz] openapi; else mutate the cases).",
)
@click.option(
    "--invalid/--valid-only",
    "invalid",
    default=None,
    help="With --openapi: also send mutated (invalid) inputs (default: [fuzz] invalid).",
)
@tracker_option
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=None,
    help="Generated requests (default: [fuzz] max_examples, 100); the shrinker's replays come on top.",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Stop sending new requests after this many seconds.",
)
@click.option(
    "--seed", type=int, default=None, help="Same seed, same targets: same run (default: [fuzz] seed, 0)."
)
@click.option(
    "--save-cases",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Append each class's shrunk case to this cases file (existing cases are kept).",
)
@out_option
@json_option
def fuzz(
    config_path: Path | None,
    bring_up: bool,
    target_specs: tuple[str, ...],
    reference: str | None,
    cases_path: Path | None,
    openapi: str | None,
    invalid: bool | None,
    tracker_path: Path | None,
    max_examples: int | None,
    deadline: float | None,
    seed: int | None,
    save_cases: Path | None,
    out_dir: Path | None,
    as_json: bool,
) -> int:
    """Generate requests from an OpenAPI document, or vary the cases (types kept; boundaries,
    unicode, nulls, missing and extra fields), send each to every implementation at once and
    shrink every divergence class found to the smallest request that still shows it.

    Exit 0 when no new class is found, 1 on a new class or a status mismatch, 3 when a target
    never answered (the report is still written).
    """
    from paritygate.cli.parity_cmd import _default_out
    from paritygate.core.aio import blocking
    from paritygate.gauntlet.fuzz_step import fuzz_budget, plan_fuzz, run_fuzz_async
    from paritygate.gauntlet.fuzz_step import save_cases as append_cases
    from paritygate.reports.parity_report import write_parity_reports
    from paritygate.reports.parity_terminal import print_parity

    targets = _parse_targets(target_specs)
    if targets and bring_up:
        raise UsageError(
            "--target and --up exclude each other: --target fuzzes URLs that are already running"
        )
    if len(targets) == 1:
        raise UsageError("give --target at least twice (fuzz compares two or more targets)")
    loaded = load_for_command(config_path, quiet=as_json)
    if openapi is not None and not openapi.startswith(("http://", "https://")):
        openapi = str(Path(openapi).resolve())
    plan = plan_fuzz(
        loaded, openapi=openapi, cases_path=cases_path, tracker_path=tracker_path, invalid=invalid
    )
    budget = fuzz_budget(loaded, max_examples=max_examples, deadline=deadline, seed=seed)
    if save_cases is not None and save_cases.exists() and save_cases.stat().st_size > 0:
        from paritygate.probe import load_cases

        load_cases(save_cases)  # a file we would append to must be a valid cases file first
    if bring_up and not targets:
        from paritygate.stack.plan import check_executables

        check_executables(loaded)
    out = out_dir or _default_out(loaded, "fuzz")
    with _endpoints(loaded, targets, bring_up, {}, False) as endpoints, _progress(as_json) as progress:
        outcome = blocking(run_fuzz_async)(
            loaded,
            endpoints,
            budget=budget,
            plan=plan,
            targets=list(targets) or None,
            reference=reference,
            out_dir=out,
            progress=progress,
        )
    fuzz_doc = outcome.document
    doc = fuzz_doc.parity
    found = outcome.search
    # fuzz.json: the whole fuzz document (its parity document inside); parity.* from that one
    atomic_write_bytes(out / "fuzz.json", orjson.dumps(fuzz_doc.to_json(), option=orjson.OPT_INDENT_2))
    paths = write_parity_reports(out, doc)
    if save_cases is not None:
        added = append_cases(save_cases, outcome.cases)
        err_console.print(f"appended {len(added)} new case(s) to {save_cases}", markup=False)
    if as_json:
        click.echo(orjson.dumps(fuzz_doc.to_json()).decode())
    else:
        err_console.print(
            f"fuzz: {found.sent} request(s) sent in {found.duration_s:.1f}s ({found.rate:.0f} req/s), "
            f"{len(found.found)} class(es) shrunk, seed {budget.seed}"
            + (" (deadline hit)" if found.deadline_hit else ""),
            markup=False,
        )
        print_parity(doc, paths, console, err_console)
    return phase_exit_code(outcome.result)


@contextmanager
def _progress(as_json: bool) -> Iterator[Callable[..., None] | None]:
    """Examples sent, classes found and rate on a terminal; nothing otherwise."""
    if as_json or not console.is_terminal:
        yield None
        return
    bar = Progress(
        TextColumn("fuzz {task.description}"), TimeElapsedColumn(), console=console, transient=True
    )
    task = bar.add_task("starting")
    with bar:

        def update(p: object) -> None:
            from paritygate.phases.fuzz import SearchProgress

            assert isinstance(p, SearchProgress)
            bar.update(task, description=f"{p.sent} sent · {p.classes} class(es) · {p.rate:.0f} req/s")

        yield update
