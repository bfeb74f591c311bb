"""``paritygate smoke``: run the declarative smoke checks against a running stack (or bring one up)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import click

from paritygate.cli.common import (
    config_option,
    console,
    err_console,
    load_for_command,
    out_option,
    stack_for_command,
)
from paritygate.core.models import Endpoint, PhaseResult, PhaseStatus
from paritygate.errors import ConfigError, UsageError
from paritygate.phases.smoke import SmokePlan, load_smoke, run_plan
from paritygate.reports.smoke_progress import LiveProgress
from paritygate.reports.smoke_report import failure_lines, write_smoke_json, write_smoke_junit

__all__ = ["smoke"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not _NAME.fullmatch(name):
            raise UsageError(
                f"{option} expects NAME=VALUE with NAME a variable name, got {item.split('=')[0]!r}=..."
            )
        out[name] = value
    return out


def _run_with_progress(plan: SmokePlan, endpoints: dict[str, Endpoint], jobs: int | None) -> PhaseResult:
    """Run the checks with the live display (a bar on a terminal, plain lines otherwise)."""
    if plan.total == 0:
        return run_plan(plan, endpoints, jobs=jobs)
    with LiveProgress(plan.total, console) as progress:
        return run_plan(plan, endpoints, jobs=jobs, on_check=progress.check_done)


@click.command()
@config_option
@click.option("--up", "bring_up", is_flag=True, help="Bring the stack up, run the checks, take it down.")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None, help="Chains run in parallel (default: CPUs)."
)
@click.option("--var", "var_pairs", multiple=True, metavar="NAME=VALUE", help="Set {{NAME}} (repeatable).")
@click.option(
    "--secret-var",
    "secret_pairs",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set {{NAME}} to a secret, shown as *** in every output (repeatable).",
)
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the result as JSON."
)
@click.option(
    "--junit", "junit_path", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML."
)
@out_option
def smoke(
    config_path: Path | None,
    bring_up: bool,
    jobs: int | None,
    var_pairs: tuple[str, ...],
    secret_pairs: tuple[str, ...],
    json_path: Path | None,
    junit_path: Path | None,
    out_dir: Path | None,
) -> int:
    """Run the smoke chains of [smoke] (format: docs/smoke.md).

    Without --up the checks run against the stack started by
    `paritygate stack up --detach`. Exit 0 when every check passes, 1 when one fails.
    """
    loaded = load_for_command(config_path)
    variables = _pairs(var_pairs, "--var")
    secrets = _pairs(secret_pairs, "--secret-var")
    # Validation first: a wrong check is exit 2 before anything starts or any request is sent.
    plan = load_smoke(loaded, variables=variables, secrets=secrets)
    if plan.total == 0:
        raise ConfigError(
            "no smoke checks configured",
            file=loaded.path,
            key="smoke",
            hint='add [[smoke.chains]] or [smoke] file = "smoke.toml" (see docs/smoke.md)',
        )
    if bring_up:
        started = time.perf_counter()
        with stack_for_command(loaded) as endpoints:
            err_console.print(
                f"stack up: {', '.join(endpoints)} ready in {time.perf_counter() - started:.2f}s",
                markup=False,
            )
            result = _run_with_progress(plan, endpoints, jobs)
    else:
        from paritygate.stack import load_running

        endpoints = load_running(loaded) if plan.services else {}
        result = _run_with_progress(plan, endpoints, jobs)

    doc = result.to_dict()
    json_files, junit_files = [json_path], [junit_path]
    if out_dir is not None:
        json_files.append(out_dir / "smoke.json")
        junit_files.append(out_dir / "smoke-junit.xml")
    for path in filter(None, json_files):
        write_smoke_json(path, doc)
    smoke = result.smoke
    assert smoke is not None  # the smoke phase always returns its document
    for path in filter(None, junit_files):
        write_smoke_junit(path, smoke)
    for check in smoke.checks:
        if check.status != "pass":
            console.print("")
            console.print("\n".join(failure_lines(check)), markup=False)
    ok = result.status is PhaseStatus.PASSED
    if not ok:
        console.print("")
    console.print(result.summary, style="bold green" if ok else "bold red", markup=False)
    return 0 if ok else 1
