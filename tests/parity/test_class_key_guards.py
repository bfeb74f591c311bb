"""The guards around divergence classes, as the parity document shows them: a match or a
case without an answer has no class; one cause on several cases is one class listing them;
the key does not depend on which target is on the left."""

from __future__ import annotations

from pathlib import Path

import httpx
from parity_helpers import make_project

from paritygate.core.models import Endpoint, FindingKind
from paritygate.core.parity_doc import ParityDocument
from paritygate.phases.parity import run_parity_async

CASES = """\
[[cases]]
name = "same"
method = "GET"
path = "/same"

[[cases]]
name = "shape-1"
method = "GET"
path = "/shape"

[[cases]]
name = "shape-2"
method = "GET"
path = "/shape"
tags = ["again"]

[[cases]]
name = "silent"
method = "GET"
path = "/silent"

[[cases]]
name = "status"
method = "GET"
path = "/status"
"""


def handler(request: httpx.Request) -> httpx.Response:
    host, path = request.url.host, request.url.path
    if path == "/silent" and host == "flat":
        raise httpx.ConnectError("refused", request=request)
    if path == "/shape":
        flat = {"Kind": "schema", "Field": "x", "Reason": "y"}
        return httpx.Response(422, json=flat if host == "flat" else {"Schema": {"field": "x", "reason": "y"}})
    if path == "/status":
        return httpx.Response(500 if host == "flat" else 200, json={"ok": True})
    return httpx.Response(200, json={"ok": True})


async def _run(tmp_path: Path, order: tuple[str, str]) -> ParityDocument:
    tmp_path.mkdir(parents=True, exist_ok=True)
    loaded = make_project(tmp_path, cases=CASES)
    endpoints = {n: Endpoint(n, f"http://{n}") for n in order}
    result = await run_parity_async(loaded, endpoints, transport=httpx.MockTransport(handler))
    assert result.parity is not None
    return result.parity


async def test_matches_and_unanswered_cases_have_no_class(tmp_path: Path) -> None:
    doc = await _run(tmp_path, ("tagged", "flat"))
    cases = {c.name: c for c in doc.cases}
    assert (
        cases["same"].outcome == "match" and cases["same"].class_key is None and cases["same"].known is None
    )
    assert cases["silent"].outcome == "error" and cases["silent"].class_key is None
    assert all(p.class_key is None for p in cases["silent"].pairs + cases["same"].pairs)
    classed = {name for cls in doc.classes for name in cls.cases}
    assert classed == {"shape-1", "shape-2", "status"}


async def test_one_cause_on_two_cases_is_one_class_listing_both(tmp_path: Path) -> None:
    doc = await _run(tmp_path, ("tagged", "flat"))
    shape = [c for c in doc.classes if "shape-1" in c.cases]
    assert len(shape) == 1 and shape[0].cases == ["shape-1", "shape-2"]
    assert len({c.key for c in doc.classes}) == len(doc.classes) == 2
    cases = {c.name: c for c in doc.cases}
    assert cases["shape-1"].class_key == cases["shape-2"].class_key == shape[0].key
    # one finding per class, not per case
    assert [c.outcome for c in doc.classes] == ["shape", "status"]


async def test_class_keys_do_not_depend_on_which_target_is_left(tmp_path: Path) -> None:
    one = await _run(tmp_path / "a", ("tagged", "flat"))
    other = await _run(tmp_path / "b", ("flat", "tagged"))
    assert sorted(c.key for c in one.classes) == sorted(c.key for c in other.classes)
    assert {c.name: c.class_key for c in one.cases} == {c.name: c.class_key for c in other.cases}


async def test_each_class_is_weighed_once_by_its_key_never_per_case(tmp_path: Path) -> None:
    loaded = make_project(tmp_path, cases=CASES)
    endpoints = {n: Endpoint(n, f"http://{n}") for n in ("tagged", "flat")}
    result = await run_parity_async(loaded, endpoints, transport=httpx.MockTransport(handler))
    keys = doc_keys(result.parity)
    by_class = [f for f in result.findings if f.evidence in keys]
    assert sorted(f.evidence for f in by_class) == sorted(keys)  # one finding per class
    shape = next(k for k in keys if "shape-1" in next(c.cases for c in result.parity.classes if c.key == k))  # type: ignore[union-attr]
    assert [f.kind for f in by_class if f.evidence == shape] == [FindingKind.NEW_DIVERGENCE]
    evidences = {f.evidence for f in result.findings}
    assert not evidences & {
        "same",
        "shape-1",
        "shape-2",
        "status",
    }  # classed or matching cases: never per case


def doc_keys(doc: ParityDocument | None) -> list[str]:
    assert doc is not None
    return [c.key for c in doc.classes]


def test_a_matching_pair_has_no_cause_even_when_asked_directly() -> None:
    from paritygate.compare.classify import decompose
    from paritygate.compare.model import Comparison, Outcome, Response

    same = Response(200, [("content-type", "application/json")], b'{"ok": true}')
    assert decompose(Comparison(Outcome.MATCH, []), same, same) == []
    refused = Response(None, error="refused: connection refused")
    (cause,) = decompose(Comparison(Outcome.ERROR, []), same, refused)
    assert cause.kind == "no-answer" and "connection" not in cause.key  # the label, never the detail
