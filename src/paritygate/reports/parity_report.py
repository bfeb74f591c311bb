"""parity.md, parity.json and the parity junit.xml, from the ``paritygate.parity/2`` document.

The Markdown follows the seed's probe report: title, date, targets, one table row per
case, a tally line, then every divergence with both bodies and the differing paths;
then divergence classes, ``fixed?`` rows, learned noise and errors.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import orjson

from paritygate.core.fs import atomic_write_bytes, atomic_write_text
from paritygate.core.jsondoc import Absent, JsonValue
from paritygate.core.parity_doc import CaseDoc, ClassDoc, ParityDocument, StepDoc
from paritygate.reports.junit import write_junit
from paritygate.reports.markdown import code_span, fenced, text_cell
from paritygate.reports.parity_junit import parity_junit_suites
from paritygate.reports.parity_view import class_views, fixed_view, tally_line
from paritygate.reports.run_view import oversized_line

__all__ = [
    "order_line",
    "parity_json_bytes",
    "parity_markdown",
    "steps_lines",
    "tally_line",
    "write_parity_reports",
]

_MAX_VALUE = 160


def parity_json_bytes(doc: ParityDocument) -> bytes:
    return orjson.dumps(doc.to_json(), option=orjson.OPT_INDENT_2) + b"\n"


def _short(value: JsonValue) -> str:
    text = orjson.dumps(value, default=str).decode()
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _side(value: JsonValue | Absent) -> str:
    # a `missing`/`extra` difference has no value on one side: say so rather than print null
    return "(absent)" if isinstance(value, Absent) else code_span(_short(value))


def _port_label(name: str, url: str) -> str:
    port = urlsplit(url).port
    return f"{name} :{port}" if port else name


def _pretty_body(body: JsonValue) -> tuple[str, str]:
    if isinstance(body, str):
        return "text", body
    return "json", orjson.dumps(body, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS, default=str).decode()


def order_line(doc: ParityDocument) -> str:
    """How the steps went out, e.g. "Order: lockstep (...) · 2 scenario(s), up to 16 in flight"."""
    order = doc.order
    note = order.in_flight_note  # why fewer were in flight than asked for (probe.gate)
    if order.mode == "parallel":
        held = f"; {note}" if note else ""
        text = f"Order: parallel (up to {order.concurrency} independent cases at once{held})"
    else:
        text = "Order: lockstep (file order, one step at a time, each step to every target at once)"
    if order.scenarios:
        text += f" · {order.scenarios} scenario(s), up to {order.concurrency} in flight"
        text += f" ({note})" if note and order.mode != "parallel" else ""
    return text


def _step_label(step: StepDoc) -> str:
    if step.state == "skipped":
        return f"skipped ({step.reason})"
    return f"{step.role}, run and not compared"


def steps_lines(doc: ParityDocument) -> list[str]:
    """One line per step that was not compared: setup, teardown, skipped."""
    out = []
    for step in doc.steps:
        answers = " · ".join(
            f"{n} " + ("not sent" if t is None else str(t.status) if t.error is None else "no answer")
            for n, t in step.targets.items()
        )
        line = f"{step.name}: {_step_label(step)} — {answers}"
        for target, problem in step.capture_errors.items():
            line += f" · capture failed on {target}: {problem}"
        out.append(line)
    return out


def _steps(doc: ParityDocument, out: list[str]) -> None:
    lines = steps_lines(doc)
    if not lines:
        return
    out.append("## Steps not compared")
    out.append("")
    out.extend(f"- {text_cell(line)}" for line in lines)
    out.append("")


def _capture_errors(case: CaseDoc, out: list[str]) -> None:
    for target, problem in case.capture_errors.items():
        out.append(f"**error on {target}**: {problem}")
        out.append("")


def _header(doc: ParityDocument, out: list[str]) -> None:
    targets = doc.targets
    project = doc.project or "Parity"
    title = " vs ".join(_port_label(t.name, t.url) for t in targets)
    out.append(f"# {project} parity probe — {title}")
    out.append("")
    out.append(f"Date: {doc.date}  ")
    out.append(" · ".join(f"{t.name}: {t.url}" for t in targets) + "  ")
    endpoints = sorted({f"{c.method} {c.path}" for c in doc.cases})
    ignored = doc.ignored
    modulo = f" (modulo {', '.join(code_span(i) for i in ignored)})" if ignored else ""
    reference = f" Reference: {doc.reference}." if doc.reference else ""
    out.append(
        f"Identical {', '.join(endpoints)} requests → every target at once. Match = identical HTTP status"
        f" + identical body{modulo}.{reference}"
    )
    out.append("")
    out.append(order_line(doc))
    out.append("")


def _table(doc: ParityDocument, out: list[str]) -> None:
    names = doc.target_names
    many = len(names) > 2
    head = ["Case", *(f"{text_cell(n)} status" for n in names), "Status match", "Body match"]
    if many:
        head.append("Agreement")
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for case in doc.cases:
        cells = [text_cell(case.name)]
        for n in names:
            t = case.targets[n]
            cells.append(str(t.status) if t.error is None else "no answer")
        cells.append("✓" if case.status_match else "✗")
        cells.append("✓" if case.body_match else "✗")
        if many:
            agreement = case.odd_one_out_text or " / ".join("+".join(g) for g in case.groups)
            cells.append(text_cell(agreement))
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    out.append(tally_line(doc.tally))
    out.append("")


def _divergences(doc: ParityDocument, out: list[str]) -> None:
    diverging = [c for c in doc.cases if c.outcome != "match"]
    if not diverging:
        return
    out.append("## Divergences")
    out.append("")
    for case in diverging:
        label = "ERROR" if case.outcome == "error" else "DIFF"
        out.append(f"### {label} — {code_span(case.name)}")
        out.append("")
        facts = [f"operation {code_span(case.operation or f'{case.method} {case.path}')}"]
        facts.append(f"outcome: **{case.outcome}**")
        for key in case.class_keys or ([case.class_key] if case.class_key else []):
            cls = doc.class_of(key)
            if cls is not None:
                facts.append(f"class {code_span(cls.key)} ({cls.status})")
        out.append(" · ".join(facts))
        out.append("")
        if case.request:
            out.extend(["Request:", "", *fenced(_request_text(case.request), "http"), ""])
        if case.odd_one_out_text:
            out.extend([f"**{case.odd_one_out_text}**", ""])
        _capture_errors(case, out)
        for name, t in case.targets.items():
            if t.error is not None or isinstance(t.body, Absent):
                out.append(f"{name}: no answer — {text_cell(t.error)}")
                out.append("")
                continue
            out.append(f"{name} (HTTP {t.status}):")
            out.append("")
            if t.namespaces:
                out.append(f"XML namespaces (paths use local names): {_legend(t.namespaces)}")
                out.append("")
            if t.oversized:  # over max_body_bytes: an excerpt here, the whole body as a file
                out.append(oversized_line(t))
                out.append("")
                out.extend([*fenced(str(t.body), "text"), ""])
                continue
            lang, text = _pretty_body(t.body)
            out.extend([*fenced(text, lang), ""])
        for pair in case.pairs:
            if not pair.differences:
                continue
            out.append(f"Differing paths, {pair.left} vs {pair.right} ({pair.outcome}):")
            out.append("")
            for d in pair.differences:
                where = code_span(d.path) + (f" → {code_span(d.right_path)}" if d.right_path else "")
                kind = d.kind_text
                detail = f" — {text_cell(d.detail_text)}" if d.detail_text else ""
                out.append(
                    f"- {where} ({kind}): {pair.left} {_side(d.left)} · {pair.right} {_side(d.right)}{detail}"
                )
            for note in pair.notes:
                out.append(f"- note: {text_cell(note)}")
            out.append("")


def _request_text(request: dict[str, JsonValue]) -> str:
    """``POST /?a=1``, then the header naming the operation and the body."""
    query = request.get("query")
    pairs = []
    if isinstance(query, dict):
        pairs = [
            f"{k}={v}" if v else k for k, vs in query.items() for v in (vs if isinstance(vs, list) else [vs])
        ]
    lines = [f"{request.get('method')} {request.get('path')}" + ("?" + "&".join(pairs) if pairs else "")]
    headers = request.get("headers")
    if isinstance(headers, dict):
        lines += [f"{k}: {v}" for k, v in headers.items()]
    if "json" in request:
        lines += ["", orjson.dumps(request["json"], option=orjson.OPT_INDENT_2).decode()]
    elif request.get("body") is not None:
        lines += ["", str(request["body"])]
    return "\n".join(lines)


def _operations_line(cls: ClassDoc) -> str:
    shown = ", ".join(f"{code_span(o.name)} ({o.cases})" for o in cls.operations[:8])
    more = f" and {len(cls.operations) - 8} more" if len(cls.operations) > 8 else ""
    return f"- operations: {shown}{more}"


def _legend(namespaces: dict[str, str]) -> str:
    return " · ".join(
        code_span(f'xmlns{":" + prefix if prefix else ""}="{uri}"') for prefix, uri in namespaces.items()
    )


def _one_sided_headers(doc: ParityDocument, out: list[str]) -> None:
    """One line per operation: the headers only some targets send (information, not judged)."""
    if not doc.one_sided_headers:
        return
    by_operation: dict[str, list[str]] = {}
    for h in doc.one_sided_headers:
        sent = ", ".join(h.sent_by)
        count = f"{len(h.cases)} case{'s' if len(h.cases) != 1 else ''}"
        by_operation.setdefault(h.operation, []).append(
            f"{code_span(h.header)} only from {text_cell(sent)} ({count}, e.g. {code_span(h.example)})"
        )
    compared = ", ".join(code_span(h) for h in doc.compared_headers) or "none"
    out.append("## Headers on one side only")
    out.append("")
    out.append(
        f"Information, not divergences: only the compared headers ({compared}) are judged;"
        " add one to `[parity] headers` to compare it."
    )
    out.append("")
    for operation, notes in by_operation.items():
        out.append(f"- {code_span(operation)}: " + " · ".join(notes))
    out.append("")


def _classes(doc: ParityDocument, out: list[str]) -> None:
    if not doc.classes:
        return
    out.append("## Divergence classes")
    out.append("")
    for view in class_views(doc):
        cls = view.cls
        mapping = cls.mapping
        out.append(f"### {text_cell(view.heading)} — {view.status_text}")
        out.append("")
        out.append(f"- key: {code_span(cls.key)}")
        if cls.summary:
            out.append(f"- {text_cell(cls.summary)} ({cls.outcome})")
        if cls.operations:
            out.append(_operations_line(cls))
        out.append(f"- {len(cls.cases)} case(s): " + ", ".join(code_span(c) for c in cls.cases))
        for ex in cls.examples:
            out.append(
                f"- e.g. {code_span(ex.case)} at {code_span(ex.path)}: "
                f"{ex.left.target} {code_span(ex.left.value)} · {ex.right.target} {code_span(ex.right.value)}"
            )
        if mapping:
            out.append(f"- mapping: **{mapping.name}** — {mapping.description}")
            out.append(f"- fix: {mapping.fix}")
        out.append(f"- tracker: {view.tracker}")
        out.append("")


def _outdated(doc: ParityDocument, out: list[str]) -> None:
    if doc.outdated_rows:
        out.extend(["## Tracker keys in the old format", ""])
        out.extend(f"- {row.message}" for row in doc.outdated_rows)
        out.append("")


def _fixed_and_noise(doc: ParityDocument, out: list[str]) -> None:
    fixed = fixed_view(doc)
    if not fixed.empty:
        out.append("## Fixed?")
        out.append("")
        out.append(fixed.intro)
        out.append("")
        for row in fixed.rows:
            out.append(
                f"- **FIXED?** {code_span(row.key)} (line {row.line}, {row.status}): "
                f"{text_cell(row.divergence)} — {text_cell(row.area)}"
            )
        out.append("")
    _noise(doc, out)
    _flaky(doc, out)


def _noise(doc: ParityDocument, out: list[str]) -> None:
    calibration = doc.calibration
    out += ["## Noise", "", f"Calibration: {calibration.text}.", ""]
    if doc.noise:
        out.append(
            f"{len(doc.noise)} path(s) learned as noise. Noise only EXCUSES a value difference at a"
            " place both answers have (never a missing or extra field), in this run only: paste a"
            " suggested rule into [parity] to make it permanent."
        )
        out.append("")
        for entry in doc.noise:
            examples = ", ".join(code_span(_short(e)) for e in entry.examples)
            basis = f"differed in {entry.differed} of {entry.observations} observation(s)"
            if entry.clock:
                basis += ", a clock reading in every one"
            out.append(
                f"- {entry.target} · {code_span(entry.operation)} · {code_span(entry.path)} ({entry.source}):"
                f" {basis}; excused {entry.excused} difference(s); e.g. {examples}"
            )
        out.append("")
    elif calibration.mode != "none":
        out += ["No path was learned as noise.", ""]
    if doc.suggestions:
        out += ["Suggested rules (scoped to the operations where the noise was seen):", ""]
        for sg in doc.suggestions:
            where = "every operation" if sg.operation is None else code_span(sg.operation)
            out.append(
                f"- {code_span(sg.path)} on {where} ({', '.join(sg.targets)};"
                f" {sg.differed} of {sg.observations} observation(s) differed)"
            )
            out.extend(["", *fenced(sg.rule, "toml"), ""])
    if doc.matchers_excused:
        counts = ", ".join(f"{code_span(k)} ×{v}" for k, v in doc.matchers_excused.items())
        out += [f"Configured matchers excused: {counts}.", ""]


def _flaky(doc: ParityDocument, out: list[str]) -> None:
    if not doc.flaky:
        return
    out += ["## Flaky cases", ""]
    out.append(
        "One implementation answered the same request differently (between twins or repeats)."
        " These cases are compared on their first answers and reported here, never dropped."
    )
    out.append("")
    for f in doc.flaky:
        out.append(f"- **FLAKY** {code_span(f.case)}: {f.detail}: {f.series}")
    out.append("")


def _errors(doc: ParityDocument, out: list[str]) -> None:
    failed = [c for c in doc.cases if any(t.error for t in c.targets.values())]
    if not failed and not doc.unreachable:
        return
    out.append("## Errors")
    out.append("")
    for name in doc.unreachable:
        out.append(f"- **{name} never answered** (no answer to any case): the target is unreachable.")
    for case in failed:
        for name, t in case.targets.items():
            if t.error:
                out.append(f"- {code_span(case.name)}: {name} — {text_cell(t.error)}")
    out.append("")


def parity_markdown(doc: ParityDocument) -> str:
    out: list[str] = []
    _header(doc, out)
    _table(doc, out)
    _steps(doc, out)
    _divergences(doc, out)
    _classes(doc, out)
    _outdated(doc, out)
    _one_sided_headers(doc, out)
    _fixed_and_noise(doc, out)
    _errors(doc, out)
    return "\n".join(out).rstrip("\n") + "\n"


def write_parity_reports(
    out_dir: Path, doc: ParityDocument, *, junit_name: str | None = "junit.xml"
) -> list[Path]:
    """Write parity.md, parity.json and (unless ``junit_name`` is None) the JUnit file into
    ``out_dir``; returns their paths. A run directory holding other phases may pass e.g.
    ``junit_name="parity-junit.xml"``."""
    md, js = out_dir / "parity.md", out_dir / "parity.json"
    atomic_write_bytes(js, parity_json_bytes(doc))
    atomic_write_text(md, parity_markdown(doc))
    if junit_name is None:
        return [md, js]
    write_junit(out_dir / junit_name, parity_junit_suites(doc))
    return [md, js, out_dir / junit_name]
