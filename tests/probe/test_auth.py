"""Per-target request auth: SigV4 equals botocore's own signature; secrets never reach a report."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import httpx
import orjson
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from paritygate.config import load_config
from paritygate.config.phases import AuthConfig, ParityAuthConfig
from paritygate.core.models import Endpoint
from paritygate.errors import RuntimeProblem
from paritygate.phases.parity import run_parity
from paritygate.probe import Case, Prober
from paritygate.probe.auth import auth_for_targets, build_auth

KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
FIXED = dt.datetime(2026, 5, 2, 8, 59, 17)
SIGV4 = {
    "type": "aws_sigv4",
    "service": "kinesis",
    "region": "us-east-1",
    "access_key_id": KEY,
    "secret_access_key": SECRET,
}
CASE = Case(
    name="describe",
    method="POST",
    path="/",
    headers={"x-amz-target": "Kinesis_20131202.DescribeStream", "content-type": "application/x-amz-json-1.1"},
    body='{"StreamName": "s1"}',
)


async def _sent(targets: dict[str, str], auth: ParityAuthConfig) -> dict[str, httpx.Request]:
    seen: dict[str, httpx.Request] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen[request.url.host] = request
        return httpx.Response(200, json={})

    async with Prober(
        targets, transport=httpx.MockTransport(handler), auth=auth_for_targets(auth, targets)
    ) as prober:
        await prober.send(CASE)
    return seen


async def test_sigv4_for_a_fixed_clock_equals_botocores_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: FIXED)
    targets = {"moto": "http://127.0.0.1:4567", "kinesalite": "http://localhost:4568"}
    sent = await _sent(targets, ParityAuthConfig.model_validate(SIGV4))
    signatures = set()
    for host, request in sent.items():
        assert request.headers["x-amz-date"] == "20260502T085917Z"
        unsigned = {k: v for k, v in request.headers.items() if k not in ("authorization", "x-amz-date")}
        expected = AWSRequest(method="POST", url=str(request.url), data=request.content, headers=unsigned)
        SigV4Auth(Credentials(KEY, SECRET), "kinesis", "us-east-1").add_auth(expected)
        assert request.headers["authorization"] == expected.headers["Authorization"], host
        assert request.headers["authorization"].startswith(
            f"AWS4-HMAC-SHA256 Credential={KEY}/20260502/us-east-1/kinesis/aws4_request, SignedHeaders="
        )
        assert (
            "host;" in request.headers["authorization"] and "x-amz-target" in request.headers["authorization"]
        )
        signatures.add(request.headers["authorization"])
    assert len(signatures) == 2  # each target has its own host, so its own signature


async def test_sigv4_signs_every_request_at_its_own_time(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([FIXED, FIXED + dt.timedelta(minutes=16)])
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: next(clock))
    targets = {"a": "http://127.0.0.1:4567"}
    auth = auth_for_targets(ParityAuthConfig.model_validate(SIGV4), targets)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    async with Prober(targets, transport=httpx.MockTransport(handler), auth=auth) as prober:
        await prober.send(CASE)
        await prober.send(CASE)
    assert [r.headers["x-amz-date"] for r in seen] == ["20260502T085917Z", "20260502T091517Z"]


async def test_bearer_basic_header_and_per_target_override() -> None:
    auth = ParityAuthConfig.model_validate(
        {
            "type": "bearer",
            "token": "tok-1",
            "targets": {
                "b": {"type": "basic", "username": "u", "password": "p"},
                "c": {"type": "header", "name": "x-api-key", "value": "k-9"},
                "d": {"type": "none"},
            },
        }
    )
    hosts = {"a": "http://a.test", "b": "http://b.test", "c": "http://c.test", "d": "http://d.test"}
    sent = await _sent(hosts, auth)
    assert sent["a.test"].headers["authorization"] == "Bearer tok-1"
    assert sent["b.test"].headers["authorization"] == "Basic dTpw"
    assert sent["c.test"].headers["x-api-key"] == "k-9" and "authorization" not in sent["c.test"].headers
    assert "authorization" not in sent["d.test"].headers


def test_auth_types_check_their_keys() -> None:
    with pytest.raises(ValueError, match="auth type 'aws_sigv4' needs secret_access_key"):
        AuthConfig.model_validate({**SIGV4, "secret_access_key": None})
    with pytest.raises(ValueError, match="auth type 'bearer' takes no region"):
        AuthConfig.model_validate({"type": "bearer", "token": "t", "region": "x"})


def test_missing_botocore_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "botocore", None)
    with pytest.raises(RuntimeProblem) as info:
        build_auth(AuthConfig.model_validate(SIGV4))
    assert "botocore, which is not installed" in str(info.value)
    assert "pip install 'paritygate[aws]'" in str(info.value.hint)
    assert info.value.exit_code == 3


def test_secrets_from_env_are_masked_in_the_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THINGS_TOKEN", "s3cr3t-token-value")
    (tmp_path / "cases.toml").write_text(
        '[[cases]]\nname = "me"\nmethod = "GET"\npath = "/me"\n', encoding="utf-8"
    )
    (tmp_path / "paritygate.toml").write_text(
        '[parity]\ncases = "cases.toml"\n[parity.auth]\ntype = "bearer"\ntoken = "${THINGS_TOKEN}"\n',
        encoding="utf-8",
    )

    def echo(request: httpx.Request) -> httpx.Response:  # a server that echoes the credential back
        return httpx.Response(200, json={"you": request.headers["authorization"], "host": request.url.host})

    endpoints = {n: Endpoint(n, f"http://{n}.test") for n in ("a", "b")}
    result = run_parity(
        load_config(tmp_path / "paritygate.toml"), endpoints, transport=httpx.MockTransport(echo)
    )
    data = result.data.to_json()  # type: ignore[union-attr]
    text = orjson.dumps(data).decode()
    assert "s3cr3t-token-value" not in text
    assert data["cases"][0]["targets"]["a"]["body"]["you"] == "Bearer ***"
