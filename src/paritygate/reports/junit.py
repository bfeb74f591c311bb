"""JUnit XML: one writer for every phase (smoke checks, parity cases, the whole run)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from paritygate.core.fs import atomic_write_bytes

__all__ = ["JUnitCase", "JUnitSuite", "junit_bytes", "write_junit"]


@dataclass(slots=True)
class JUnitCase:
    name: str
    classname: str
    time_s: float = 0.0
    failure: str | None = None  # message: the check ran and failed
    failure_text: str = ""  # details (expected vs actual, body snippet, log tail)
    error: str | None = None  # could not run (unreachable, crashed)
    skipped: str | None = None
    system_out: str = ""


@dataclass(slots=True)
class JUnitSuite:
    name: str
    cases: list[JUnitCase] = field(default_factory=list)


def _clean(text: str) -> str:
    # XML 1.0 cannot carry most control characters; service output may contain them.
    return "".join(ch if ch in "\t\n\r" or ord(ch) >= 0x20 else f"\\x{ord(ch):02x}" for ch in text)


def junit_bytes(suites: list[JUnitSuite]) -> bytes:
    root = etree.Element("testsuites")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for suite in suites:
        s_el = etree.SubElement(root, "testsuite", name=_clean(suite.name))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        s_time = 0.0
        for case in suite.cases:
            c_el = etree.SubElement(
                s_el,
                "testcase",
                name=_clean(case.name),
                classname=_clean(case.classname),
                time=f"{case.time_s:.4f}",
            )
            counts["tests"] += 1
            s_time += case.time_s
            if case.failure is not None:
                counts["failures"] += 1
                f_el = etree.SubElement(c_el, "failure", message=_clean(case.failure))
                f_el.text = _clean(case.failure_text)
            if case.error is not None:
                counts["errors"] += 1
                etree.SubElement(c_el, "error", message=_clean(case.error))
            if case.skipped is not None:
                counts["skipped"] += 1
                etree.SubElement(c_el, "skipped", message=_clean(case.skipped))
            if case.system_out:
                out = etree.SubElement(c_el, "system-out")
                out.text = _clean(case.system_out)
        for key, value in counts.items():
            s_el.set(key, str(value))
            totals[key] += value
        s_el.set("time", f"{s_time:.4f}")
        total_time += s_time
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{total_time:.4f}")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def write_junit(path: Path, suites: list[JUnitSuite]) -> None:
    atomic_write_bytes(path, junit_bytes(suites))
