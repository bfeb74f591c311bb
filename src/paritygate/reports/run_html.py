"""``report.html``: one self-contained page (inline CSS, no script, no external fetch).

Rendered with jinja2 with autoescape on, so a body or a reviewer's text that contains
markup is shown as text. The page's Content-Security-Policy forbids scripts outright,
as a second line of defence.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from paritygate.core.fs import atomic_write_text
from paritygate.core.run_doc import RunDocument
from paritygate.reports.parity_view import class_views, fixed_view, tally_items, tally_line
from paritygate.reports.review_files import REVIEW_FILES
from paritygate.reports.review_md import finding_where
from paritygate.reports.run_view import case_views, json_or_text, run_header

__all__ = ["render_html", "write_html"]


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("paritygate.reports", "templates"),
        autoescape=True,  # every template here is HTML; never trust data
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,  # a renamed or missing key is an error, never a blank
    )
    env.filters["json_text"] = json_or_text  # a plain str, not Markup: autoescape shows `<` as text
    env.filters["where"] = finding_where
    return env


def render_html(doc: RunDocument) -> str:
    parity = doc.parity
    fuzz = doc.fuzz
    template = _environment().get_template("run_report.html.j2")
    return template.render(
        run=run_header(doc),
        smoke=doc.smoke,
        parity=parity,
        views=case_views(parity) if parity is not None else [],
        names=parity.target_names if parity is not None else [],
        tally=tally_items(parity.tally) if parity is not None else [],
        tally_text=tally_line(parity.tally) if parity is not None else "",
        classes=class_views(parity) if parity is not None else [],
        fixed=fixed_view(parity),
        fuzz=fuzz,
        fuzz_classes=class_views(fuzz.parity) if fuzz is not None else [],
        fuzz_views=case_views(fuzz.parity) if fuzz is not None else [],
        review=doc.review,
        review_names=REVIEW_FILES,
    )


def write_html(path: Path, doc: RunDocument) -> None:
    atomic_write_text(path, render_html(doc))
