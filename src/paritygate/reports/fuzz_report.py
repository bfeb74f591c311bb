"""fuzz.md and fuzz.json, from the ``paritygate.fuzz/1`` document.

fuzz.md is the shrunk cases' parity report (parity.md's layout, so a fuzz class reads
like a parity class) under a header saying what was generated, how fast, and where the
shrunk cases were saved as regular cases.
"""

from __future__ import annotations

import orjson

from paritygate.core.fuzz_doc import FuzzClassDoc, FuzzDocument
from paritygate.reports.markdown import code_span, text_cell
from paritygate.reports.parity_report import parity_markdown

__all__ = ["fuzz_json_bytes", "fuzz_markdown"]


def fuzz_json_bytes(doc: FuzzDocument) -> bytes:
    return orjson.dumps(doc.to_json(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def _shown(found: FuzzClassDoc) -> str:
    """The shrunk case by name; a shrunk sequence as its scenario and its calls in order."""
    if isinstance(found.steps, list):
        calls = " → ".join(code_span(f"{s.get('method', '')} {s.get('path', '')}") for s in found.steps)
        return f"scenario {code_span(str(found.scenario))} ({len(found.steps)} steps: {calls})"
    return f"case {code_span(str(found.case.get('name', '')))}"


def fuzz_markdown(doc: FuzzDocument) -> str:
    out = [f"# Fuzz: {text_cell(doc.line)}", ""]
    if doc.saved_cases:
        out += [
            f"Each class's shrunk request is a regular case (a shrunk sequence a scenario) in [{doc.saved_cases}]({doc.saved_cases}):"
            " add it to the cases file and parity checks it on every run.",
            "",
        ]
    if doc.classes:
        out += [f"- {code_span(c.key)}: {_shown(c)}" for c in doc.classes]
    else:
        out.append("No divergence class found within the budget.")
    return "\n".join(out) + "\n\n" + parity_markdown(doc.parity)
