"""The prober on a real socket: what it sends, and that a redirect is an answer."""

from __future__ import annotations

import orjson

from paritygate.core.models import Endpoint
from paritygate.probe import Case, Prober


async def test_the_request_is_sent_as_written_and_redirects_are_answers(impls: dict[str, Endpoint]) -> None:
    sent = Case(
        name="echo",
        method="PATCH",
        path="/echo",
        query={"page": ["2"], "tag": ["a", "b"]},
        headers={"x-trace": "t-1", "accept": "application/json"},
        json={"kind": "fill", "note": "héllo"},
        has_json=True,
    )
    async with Prober({"t": impls["tagged"].base_url + "/"}) as prober:
        echo = orjson.loads((await prober.send(sent))["t"].body)
        redirect = (await prober.send(Case("r", "GET", "/redirect")))["t"]
    assert echo["method"] == "PATCH" and echo["path"] == "/echo"
    assert echo["query"] == [["page", "2"], ["tag", "a"], ["tag", "b"]]
    assert echo["headers"]["x-trace"] == "t-1" and echo["headers"]["content-type"] == "application/json"
    assert orjson.loads(echo["body"]) == {"kind": "fill", "note": "héllo"}
    assert redirect.status == 302
    assert ("location", "/elsewhere") in redirect.headers
