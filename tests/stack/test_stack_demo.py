"""The bundled demo stack (session fixture ``demo_stack``): both implementations come up and answer."""

from __future__ import annotations

import httpx

from paritygate.config import LoadedConfig
from paritygate.core.models import Endpoint


def test_both_demo_daemons_answer_health(demo_stack: tuple[LoadedConfig, dict[str, Endpoint]]) -> None:
    loaded, endpoints = demo_stack
    assert sorted(endpoints) == ["flat", "tagged"] == sorted(loaded.model.services)
    with httpx.Client(trust_env=False, timeout=5) as client:
        for endpoint in endpoints.values():
            answer = client.get(f"{endpoint.base_url}/health")
            assert answer.status_code == 200
            assert answer.json() == {"status": "ok"}
            assert endpoint.log_path is not None and endpoint.log_path.is_file()
