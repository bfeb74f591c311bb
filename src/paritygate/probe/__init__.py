"""Sending identical requests to N targets (aiohttp, async), cases files and HAR import.

The probe sends and collects; it never compares (that is :mod:`paritygate.compare`).
"""

from paritygate.probe.cases import Case, dump_cases_jsonl, dump_cases_toml, load_cases, parse_cases
from paritygate.probe.har import HarImport, import_har
from paritygate.probe.sender import Prober, describe_transport_error

__all__ = [
    "Case",
    "HarImport",
    "Prober",
    "describe_transport_error",
    "dump_cases_jsonl",
    "dump_cases_toml",
    "import_har",
    "load_cases",
    "parse_cases",
]
