"""``paritygate parity``: probe the implementations against each other; ``parity import-har``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from paritygate.cli.common import (
    case_selection_options,
    config_option,
    console,
    err_console,
    json_option,
    load_for_command,
    out_option,
    phase_exit_code,
    stack_for_command,
    target_options,
    tracker_option,
)
from paritygate.config import LoadedConfig
from paritygate.core.models import Endpoint
from paritygate.errors import EXIT_OK, UsageError

__all__ = ["parity"]

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


def _parse_targets(specs: tuple[str, ...], option: str = "--target") -> dict[str, Endpoint]:
    out: dict[str, Endpoint] = {}
    for spec in specs:
        name, sep, url = spec.partition("=")
        if not sep or not _NAME.fullmatch(name) or not re.match(r"https?://[^/]", url):
            raise UsageError(f"{option} expects NAME=URL such as tagged=http://127.0.0.1:3100, got {spec!r}")
        if name in out:
            raise UsageError(f"{option} {name!r} is given twice")
        out[name] = Endpoint(name, url.rstrip("/"))
    return out


def _with_twins(endpoints: dict[str, Endpoint], twins: dict[str, Endpoint]) -> dict[str, Endpoint]:
    """``--twin NAME=URL``: the twin of target NAME, as the endpoint ``NAME~twin``."""
    from paritygate.stack.plan import twin_name

    unknown = [n for n in twins if n not in endpoints]
    if unknown:
        raise UsageError(
            f"--twin {unknown[0]!r} is not a target (targets: {', '.join(sorted(endpoints)) or 'none'})"
        )
    out = dict(endpoints)
    out.update({twin_name(n): Endpoint(twin_name(n), e.base_url) for n, e in twins.items()})
    return out


def _default_out(loaded: LoadedConfig, command: str = "parity") -> Path:
    """A new, timestamped directory under ``.paritygate/<command>/``."""
    base = loaded.project_dir / ".paritygate" / command
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate, n = base / stamp, 1
    while candidate.exists():
        n += 1
        candidate = base / f"{stamp}-{n}"
    return candidate


@contextmanager
def _endpoints(
    loaded: LoadedConfig,
    targets: dict[str, Endpoint],
    bring_up: bool,
    twins: dict[str, Endpoint],
    start_twins: bool,
) -> Iterator[dict[str, Endpoint]]:
    if targets:
        yield _with_twins(targets, twins)
        return
    if bring_up:
        from paritygate.phases.parity.targets import twin_candidates

        started = [n for n in twin_candidates(loaded) if n not in twins] if start_twins else []
        with stack_for_command(loaded, twins=started) as endpoints:
            err_console.print(
                "stack up: " + ", ".join(f"{e.name} {e.base_url}" for e in endpoints.values()),
                markup=False,
            )
            yield _with_twins(endpoints, twins)
        return
    from paritygate.stack import load_running

    yield _with_twins(load_running(loaded), twins)


@click.group(invoke_without_command=True)
@config_option
@target_options("probe")
@click.option(
    "--noise-runs",
    type=click.IntRange(min=0),
    default=None,
    help="Send each case K extra times to learn noise.",
)
@click.option(
    "--noise",
    "noise_mode",
    type=click.Choice(["repeats", "twin"]),
    default=None,
    help="How noise is calibrated: safe repeats (--noise-runs), or a twin of each target (A/A).",
)
@click.option(
    "--twin",
    "twin_specs",
    multiple=True,
    metavar="NAME=URL",
    help="The twin of target NAME (a second instance of it) for --noise twin.",
)
@click.option(
    "--record-decisions", is_flag=True, help="Append an _open_ tracker row for each new divergence class."
)
@click.option(
    "--cases",
    "cases_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Cases file (.toml/.jsonl).",
)
@tracker_option
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=None,
    help="Scenarios (or, under --order parallel, cases) in flight at once; steps of one never overlap.",
)
@click.option(
    "--order",
    type=click.Choice(["lockstep", "parallel"]),
    default=None,
    help="lockstep: file order, one step at a time (default); parallel: independent cases at once.",
)
@click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), default=None, help="Per-request timeout (s)."
)
@case_selection_options
@out_option
@json_option
@click.pass_context
def parity(
    ctx: click.Context,
    config_path: Path | None,
    bring_up: bool,
    target_specs: tuple[str, ...],
    reference: str | None,
    noise_runs: int | None,
    noise_mode: str | None,
    twin_specs: tuple[str, ...],
    record_decisions: bool,
    cases_path: Path | None,
    tracker_path: Path | None,
    concurrency: int | None,
    order: str | None,
    timeout: float | None,
    tags: tuple[str, ...],
    case_names: tuple[str, ...],
    out_dir: Path | None,
    as_json: bool,
) -> int | None:
    """Send every case to every implementation at the same time and compare the answers.

    Without --up or --target, probes the stack started by `paritygate stack up --detach`.
    Unsafe methods (POST, PUT, PATCH, DELETE) are sent because the cases say so.
    Exit 0 when nothing new diverges, 1 on a new divergence or a status mismatch,
    3 when a target never answered (the report is still written).
    """
    if ctx.invoked_subcommand is not None:
        return None
    from paritygate.phases.parity import load_inputs, run_parity, select_cases
    from paritygate.reports.parity_report import parity_json_bytes, write_parity_reports
    from paritygate.reports.parity_terminal import print_parity

    targets = _parse_targets(target_specs)
    if targets and bring_up:
        raise UsageError(
            "--target and --up exclude each other: --target probes URLs that are already running"
        )
    if len(targets) == 1:
        raise UsageError("give --target at least twice (parity compares two or more targets)")
    twins = _parse_targets(twin_specs, "--twin")
    loaded = load_for_command(config_path, quiet=as_json)
    cfg = loaded.model.parity
    mode = noise_mode or (cfg.noise if cfg is not None else "repeats")
    if twins and mode != "twin":
        raise UsageError('--twin is used with --noise twin (or [parity] noise = "twin")')
    # every input is checked before a service is started or a request sent
    inputs = select_cases(
        load_inputs(
            loaded, cases_path=cases_path, tracker_path=tracker_path, record_decisions=record_decisions
        ),
        tags,
        case_names,
    )
    if bring_up and not targets:
        from paritygate.stack.plan import check_executables

        check_executables(loaded)
    out = out_dir or _default_out(loaded)
    with (
        _endpoints(loaded, targets, bring_up, twins, mode == "twin") as endpoints,
        _progress(as_json) as progress,
    ):
        result = run_parity(
            loaded,
            endpoints,
            targets=list(targets) or None,
            reference=reference,
            noise_runs=noise_runs,
            noise="twin" if mode == "twin" else "repeats",
            record_decisions=record_decisions,
            cases_path=cases_path,
            tracker_path=tracker_path,
            concurrency=concurrency,
            order="parallel" if order == "parallel" else "lockstep" if order else None,
            timeout=timeout,
            progress=progress,
            bodies_dir=out / "bodies",
            inputs=inputs,
        )
    doc = result.parity
    assert doc is not None  # run_parity raises rather than return without a document
    paths = write_parity_reports(out, doc)
    if as_json:
        click.echo(parity_json_bytes(doc).decode(), nl=False)
    else:
        print_parity(doc, paths, console, err_console)
    return phase_exit_code(result)


@contextmanager
def _progress(as_json: bool) -> Iterator[Any]:
    """A live bar on a terminal; nothing otherwise (the table follows at the end)."""
    if as_json or not console.is_terminal:
        yield None
        return
    bar = Progress(TextColumn("parity"), BarColumn(), MofNCompleteColumn(), console=console, transient=True)
    task = bar.add_task("cases", total=None)
    with bar:
        yield lambda run: bar.advance(task)


@parity.command("import-har")
@click.argument("har_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Cases file to write (.toml, or .jsonl); default: print TOML to stdout.",
)
@click.option("--keep-auth", is_flag=True, help="Keep authorization, cookie, API-key... headers.")
@click.option("--keep-hop-by-hop", is_flag=True, help="Keep connection, host, content-length... headers.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def import_har_cmd(
    har_file: Path, output: Path | None, keep_auth: bool, keep_hop_by_hop: bool, force: bool
) -> int:
    """Convert a HAR capture into a parity cases file."""
    from paritygate.core.fs import atomic_write_text
    from paritygate.probe import dump_cases_jsonl, dump_cases_toml, import_har

    if output is not None and output.exists() and not force:
        raise UsageError(f"{output} exists", hint="pass --force to overwrite it")
    result = import_har(har_file, keep_auth=keep_auth, keep_hop_by_hop=keep_hop_by_hop)
    jsonl = output is not None and output.suffix.lower() in (".jsonl", ".ndjson")
    kept = [w for w, on in (("auth", keep_auth), ("hop-by-hop", keep_hop_by_hop)) if on]
    comment = f"Imported from {har_file.name} by `paritygate parity import-har`" + (
        f" (kept {' and '.join(kept)} headers)" if kept else ""
    )
    text = dump_cases_jsonl(result.cases) if jsonl else dump_cases_toml(result.cases, comment=comment)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)
        err_console.print(f"wrote {len(result.cases)} case(s) to {output}", markup=False)
    if result.dropped_headers:
        dropped = ", ".join(f"{name} ×{n}" for name, n in sorted(result.dropped_headers.items()))
        err_console.print(f"dropped headers: {dropped}", markup=False)
    for line in result.skipped:
        err_console.print(f"skipped {line}", markup=False)
    return EXIT_OK
