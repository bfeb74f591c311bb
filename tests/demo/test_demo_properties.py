"""Properties over generated input: no 5xx, exact wire shapes, and the two daemons agree.

Inputs are arbitrary JSON values, requests shaped like the contract's (each field either
plausible or arbitrary, each key sometimes absent, so every rule gets reached), and
arbitrary bytes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from validatord_procs import IMPLEMENTATIONS, Daemon
from validatord_wire import VALIDATE_STATUSES, Rejected, read_rejection, read_success

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def shaped_like(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
    """An object with the given keys, each usually plausible, sometimes arbitrary or absent."""
    shaped: dict[str, Any] = {}
    for key, plausible in fields.items():
        choice = draw(st.integers(min_value=0, max_value=11))  # 0 absent, 1 arbitrary
        if choice:
            shaped[key] = draw(json_values if choice == 1 else plausible)
    return shaped


roster_ids = st.sampled_from([f"W-100{number}" for number in range(1, 9)])
worker_ids = roster_ids | roster_ids | st.sampled_from(["W-PHANTOM", "", "w-1001"])
playbook_artifacts = shaped_like(
    {
        "fingerprint": st.sampled_from(["sha256:9f2c", "fp-7", "x", ""]),
        "operation": st.sampled_from(["fill: dock 4", "fill: ", "fill: x", "fill:", "sms: hi"]),
        "endorsed_names": st.lists(worker_ids, max_size=5)
        | st.lists(roster_ids, min_size=1, max_size=3)
        | st.lists(worker_ids | json_scalars, max_size=3),
        "target_count": st.sampled_from([1, 2, 3, 1, 2, 0, -1, 2.0, True]),
    }
)
fill_entries = shaped_like({"candidate_id": worker_ids, "shift_id": st.text(max_size=3)})
fill_artifacts = shaped_like(
    {"fills": st.lists(fill_entries, max_size=4) | st.lists(fill_entries | json_scalars, max_size=3)}
)


@st.composite
def contract_requests(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["playbook", "fill"]))
    artifacts = playbook_artifacts if kind == "playbook" else fill_artifacts
    return draw(shaped_like({"kind": st.just(kind), "artifact": artifacts}))


@st.composite
def json_bodies(draw: st.DrawFn) -> bytes:
    document = draw(json_values | contract_requests() | contract_requests())
    return json.dumps(document, ensure_ascii=draw(st.booleans())).encode("utf-8")


any_bodies = json_bodies() | st.binary(max_size=300)


def answer(daemon: Daemon, body: bytes) -> tuple[int, Rejected | str]:
    """Post a body and read the answer, checking the implementation's exact wire shape."""
    response = daemon.client.post("/v1/validate", content=body)
    assert response.status_code in VALIDATE_STATUSES, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/json"
    decoded = response.json()
    if response.status_code == 200:
        return 200, read_success(decoded)
    return response.status_code, read_rejection(daemon.name, response.status_code, decoded)


@pytest.mark.parametrize("name", IMPLEMENTATIONS)
@PROPERTY_SETTINGS
@given(body=json_bodies())
def test_any_json_gets_a_contract_answer(daemons: dict[str, Daemon], name: str, body: bytes) -> None:
    answer(daemons[name], body)


@pytest.mark.parametrize("name", IMPLEMENTATIONS)
@PROPERTY_SETTINGS
@given(body=st.binary(max_size=300))
def test_any_bytes_get_a_contract_answer(daemons: dict[str, Daemon], name: str, body: bytes) -> None:
    status, _ = answer(daemons[name], body)
    try:
        json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        assert status == 400


@PROPERTY_SETTINGS
@given(body=any_bodies)
def test_both_implementations_agree(daemons: dict[str, Daemon], body: bytes) -> None:
    # Same status and reason; only the shape (already checked inside answer) may differ.
    assert answer(daemons["tagged"], body) == answer(daemons["flat"], body)
