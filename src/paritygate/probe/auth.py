"""Per-target request authentication: bearer, basic, a fixed header, AWS Signature V4.

Auth is applied to the final request (:class:`~paritygate.probe.request.OutgoingRequest`:
URL, headers and body exactly as they go on the wire), once per request and per target: each target has its own host, and a
SigV4 signature is bound to host, time and body, so it cannot be computed once and
shared. SigV4 is botocore's own signer (the optional extra ``paritygate[aws]``),
never a hand-written one.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, Protocol

from paritygate.config.phases import AuthConfig, ParityAuthConfig
from paritygate.errors import RuntimeProblem
from paritygate.probe.request import OutgoingRequest

__all__ = ["AWS_EXTRA_HINT", "RequestAuth", "auth_for_targets", "build_auth", "require_botocore"]

AWS_EXTRA_HINT = "pip install 'paritygate[aws]'"
# What the SigV4 signer writes; anything of these already on a request is replaced.
_SIGV4_HEADERS = ("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256")


class RequestAuth(Protocol):
    def apply(self, request: OutgoingRequest) -> None: ...


class _Header:
    def __init__(self, name: str, value: str) -> None:
        self.name, self.value = name, value

    def apply(self, request: OutgoingRequest) -> None:
        request.set(self.name, self.value)


def require_botocore(key: str = "parity.auth.type") -> Any:
    """botocore's signing modules, or one error naming the extra that installs them."""
    try:
        from botocore import auth, awsrequest, credentials
    except ImportError:
        raise RuntimeProblem(
            f'{key} = "aws_sigv4" signs with botocore, which is not installed',
            hint=f"install the AWS extra: {AWS_EXTRA_HINT}",
        ) from None
    return auth, awsrequest, credentials


class _SigV4:
    """botocore's SigV4 (S3's variant for service "s3": it also signs the payload hash)."""

    def __init__(self, cfg: AuthConfig, key: str) -> None:
        auth, awsrequest, credentials = require_botocore(key)
        assert cfg.service and cfg.region and cfg.access_key_id and cfg.secret_access_key  # the model checked
        creds = credentials.Credentials(cfg.access_key_id, cfg.secret_access_key, cfg.session_token)
        signer_class = auth.S3SigV4Auth if cfg.service == "s3" else auth.SigV4Auth
        self._signer = signer_class(creds, cfg.service, cfg.region)
        self._request_class = awsrequest.AWSRequest

    def apply(self, request: OutgoingRequest) -> None:
        for name in _SIGV4_HEADERS:
            request.pop(name)
        aws = self._request_class(
            method=request.method, url=request.url, data=request.content, headers=request.merged()
        )
        self._signer.add_auth(aws)
        for name in _SIGV4_HEADERS:
            if name in aws.headers:
                request.set(name, aws.headers[name])


def build_auth(cfg: AuthConfig, key: str = "parity.auth") -> RequestAuth | None:
    """The auth of one target (None for ``type = "none"``)."""
    if cfg.type == "bearer":
        return _Header("Authorization", f"Bearer {cfg.token}")
    if cfg.type == "basic":
        pair = f"{cfg.username}:{cfg.password}".encode()
        return _Header("Authorization", "Basic " + base64.b64encode(pair).decode("ascii"))
    if cfg.type == "header":
        assert cfg.name is not None and cfg.value is not None
        return _Header(cfg.name, cfg.value)
    if cfg.type == "aws_sigv4":
        return _SigV4(cfg, f"{key}.type")
    return None


def auth_for_targets(cfg: ParityAuthConfig, targets: Mapping[str, str]) -> dict[str, RequestAuth]:
    """The auth of each target: its own ``[parity.auth.targets.NAME]``, else ``[parity.auth]``;
    a noise twin (``NAME~twin``) signs as its primary NAME does."""
    out: dict[str, RequestAuth] = {}
    for name in targets:
        own = cfg.targets.get(name.removesuffix("~twin"))
        found = build_auth(own, f"parity.auth.targets.{name}") if own is not None else build_auth(cfg)
        if found is not None:
            out[name] = found
    return out
