"""The prober's sender on real loopback sockets: the exact bytes that go out and come back."""

from __future__ import annotations

import datetime as dt
import gzip
import zlib

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from raw_server import RawServer, reply

from paritygate.config.phases import ParityAuthConfig
from paritygate.probe import Case, Prober
from paritygate.probe.auth import auth_for_targets

CASES = [
    Case(
        "json",
        "POST",
        "/v1/validate",
        headers={"content-type": "application/json"},
        json={"kind": "fill", "note": "héllo"},
        has_json=True,
    ),
    Case("query", "GET", "/a b/ü/x%2Fy/./z", query={"q": ["1 2", "é&="], "tag": ["a", "b"]}),
    Case("query_in_path", "GET", "/search?x=1&y=%20"),
    Case("query_replaces_path_query", "GET", "/search?x=1", query={"y": ["2"]}),
    Case("empty_post", "POST", "/things"),
    Case("empty_put_with_own_length", "PUT", "/things", headers={"Content-Length": "0"}),
    Case("overrides", "GET", "/o", headers={"accept": "text/xml", "USER-AGENT": "me/1", "X-Trace": "t"}),
    Case("binary", "PUT", "/blob", body_bytes=bytes(range(256))),
    Case("delete_with_body", "DELETE", "/things/1", body="why"),
]


async def _httpx_sent(base: str, case: Case) -> None:
    """What the httpx sender sent (its settings and build_request call, as it was)."""
    spec = case.render({})
    async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as client:
        request = client.build_request(
            spec.method,
            base + spec.path,
            params=spec.query or None,
            headers=spec.headers,
            content=spec.content,
        )
        await client.send(request)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_requests_go_out_byte_for_byte_as_the_httpx_sender_sent_them(case: Case) -> None:
    async with RawServer(lambda raw: reply(200, b"{}")) as server:
        await _httpx_sent(server.url, case)
        async with Prober({"t": server.url}) as prober:
            answer = (await prober.send(case))["t"]
    assert answer.status == 200 and answer.error is None
    before, after = server.requests
    assert after == before


async def test_bodies_are_read_as_received_and_decoded_as_advertised() -> None:
    text = b'{"items": [1, 2, 3]}'
    answers = {
        b"/plain": reply(200, text, [("Content-Type", "application/json")]),
        b"/gzip": reply(200, gzip.compress(text), [("Content-Encoding", "gzip")]),
        b"/deflate": reply(200, zlib.compress(text), [("Content-Encoding", "deflate")]),
        b"/broken": reply(200, b"not gzip at all", [("Content-Encoding", "gzip")]),
        b"/binary": reply(200, bytes(range(256)) * 300, [("Content-Type", "application/octet-stream")]),
        b"/moved": reply(302, b"", [("Location", "/plain")]),
        b"/long-header": reply(200, b"", [("X-Long", "v" * 20000)]),
    }
    async with RawServer(lambda raw: answers[raw.split(b" ")[1]]) as server, Prober({"t": server.url}) as p:
        got = {path.decode(): (await p.send(Case("c", "GET", path.decode())))["t"] for path in answers}
    assert got["/plain"].body == text and ("content-type", "application/json") in got["/plain"].headers
    assert got["/gzip"].body == text and ("content-encoding", "gzip") in got["/gzip"].headers
    assert got["/deflate"].body == text
    assert got["/broken"].status is None and str(got["/broken"].error).startswith("undecodable: ")
    assert got["/binary"].body == bytes(range(256)) * 300
    assert got["/moved"].status == 302 and ("location", "/plain") in got["/moved"].headers
    assert ("x-long", "v" * 20000) in got["/long-header"].headers
    assert len(server.requests) == len(answers)  # the redirect was not followed


async def test_failures_to_answer_are_error_answers_and_retried_only_when_asked(free_port: int) -> None:
    async with Prober({"t": f"http://127.0.0.1:{free_port}"}) as prober:
        refused = (await prober.send(Case("c", "GET", "/")))["t"]
    assert refused.status is None and str(refused.error).startswith("refused: ")

    async with RawServer(lambda raw: b"") as server, Prober({"t": server.url}) as prober:
        dropped = (await prober.send(Case("c", "GET", "/")))["t"]
    assert dropped.status is None and str(dropped.error).startswith("reset: ")
    assert len(server.requests) == 1

    def drop_first(raw: bytes) -> bytes:
        return b"" if len(server.requests) == 1 else reply(200, b"ok")

    async with RawServer(drop_first) as server, Prober({"t": server.url}, retries=1) as prober:
        answer = (await prober.send(Case("c", "POST", "/once", body="x")))["t"]
    assert answer.status == 200 and answer.body == b"ok" and len(server.requests) == 2

    # a server that never answers: whatever the load, the timeout is what ends the wait
    async with RawServer(lambda raw: None) as server, Prober({"t": server.url}, timeout=0.2) as prober:
        silent = (await prober.send(Case("c", "GET", "/")))["t"]
    assert silent.status is None and str(silent.error).startswith("timeout: no answer within 0.2s")


async def test_cookies_stay_with_the_target_that_set_them() -> None:
    def sets(raw: bytes) -> bytes:
        return reply(
            200,
            b"",
            [("Set-Cookie", 'sid="a b"; Path=/'), ("Set-Cookie", "k=v=1; Path=/")]
            if b"/login" in raw
            else [],
        )

    async with (
        RawServer(sets) as a,
        RawServer(lambda raw: reply(200)) as b,
        Prober({"a": a.url, "b": b.url}) as p,
    ):
        await p.send(Case("login", "POST", "/login"))
        await p.send(Case("me", "GET", "/me"))
    assert b'\r\nCookie: sid="a b"; k=v=1\r\n' in a.requests[1]
    assert all(b"cookie" not in raw.lower() for raw in b.requests)  # same host, another target


async def test_proxy_settings_from_the_environment_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with RawServer(lambda raw: reply(204)) as server, Prober({"t": server.url}) as prober:
        assert (await prober.send(Case("c", "GET", "/")))["t"].status == 204


async def test_a_sigv4_signature_covers_the_bytes_the_target_received(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fixed = dt.datetime(2026, 5, 2, 8, 59, 17)
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: fixed)
    cfg = ParityAuthConfig.model_validate(
        {
            "type": "aws_sigv4",
            "service": "kinesis",
            "region": "us-east-1",
            "access_key_id": "AKID",
            "secret_access_key": "secret",
        }
    )
    case = Case(
        "put", "POST", "/", headers={"X-Amz-Target": "Kinesis_20131202.PutRecord"}, body='{"Data": "eA=="}'
    )
    async with RawServer(lambda raw: reply(200)) as server:
        auth = auth_for_targets(cfg, {"t": server.url})
        async with Prober({"t": server.url}, auth=auth) as prober:
            await prober.send(case)
    (raw,) = server.requests
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    received = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:]]
    unsigned = {k: v for k, v in received if k.lower() not in ("authorization", "x-amz-date")}
    expected = AWSRequest(method="POST", url=server.url + lines[0].split(" ")[1], data=body, headers=unsigned)
    SigV4Auth(Credentials("AKID", "secret"), "kinesis", "us-east-1").add_auth(expected)
    assert dict(received)["Authorization"] == expected.headers["Authorization"]
