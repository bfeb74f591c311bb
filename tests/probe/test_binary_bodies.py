"""Binary and file bodies: body_base64, body_file and HAR imports go out byte for byte."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import orjson
import pytest

from paritygate.errors import ConfigError
from paritygate.probe import Prober, dump_cases_jsonl, dump_cases_toml, import_har, load_cases

PAYLOAD = bytes(range(256)) + b"\x00\xff\xfe not utf-8 \xc3\x28"


async def _received(case_content: list[object]) -> list[bytes]:
    got: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        got.append(request.content)
        return httpx.Response(200)

    async with Prober({"a": "http://a.test"}, transport=httpx.MockTransport(handler)) as prober:
        for case in case_content:
            await prober.send(case)  # type: ignore[arg-type]
    return got


async def test_body_base64_and_body_file_are_sent_byte_for_byte(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "payload.bin").write_bytes(PAYLOAD)
    encoded = base64.b64encode(PAYLOAD).decode()
    (tmp_path / "cases.toml").write_text(
        f'[[cases]]\nname = "b64"\nmethod = "PUT"\npath = "/o"\nbody_base64 = "{encoded}"\n\n'
        '[[cases]]\nname = "file"\nmethod = "PUT"\npath = "/o"\nbody_file = "data/payload.bin"\n',
        encoding="utf-8",
    )
    cases = load_cases(tmp_path / "cases.toml")
    assert await _received(list(cases)) == [PAYLOAD, PAYLOAD]
    assert cases[1].to_dict()["body_file"] == "data/payload.bin"


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ('body_base64 = "not base64!"', "cases[0].body_base64: not valid base64"),
        ('body_file = "absent.bin"', "cases[0].body_file: cannot read"),
        ('body = "x"\nbody_base64 = "AA=="', "give at most one of json, body, body_base64, body_file"),
    ],
)
def test_bad_binary_bodies_are_one_precise_error(tmp_path: Path, snippet: str, expected: str) -> None:
    (tmp_path / "cases.toml").write_text(
        f'[[cases]]\nname = "c"\nmethod = "PUT"\npath = "/o"\n{snippet}\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"cases\.toml:\d+: ") as info:
        load_cases(tmp_path / "cases.toml")
    assert expected in str(info.value)


async def test_har_binary_body_becomes_body_base64_and_round_trips(tmp_path: Path) -> None:
    har = {
        "log": {
            "entries": [
                {
                    "request": {
                        "method": "PUT",
                        "url": "http://shop.test/upload/photo.png",
                        "headers": [{"name": "Content-Type", "value": "image/png"}],
                        "postData": {
                            "mimeType": "image/png",
                            "text": base64.b64encode(PAYLOAD).decode(),
                            "encoding": "base64",
                        },
                    }
                }
            ]
        }
    }
    (tmp_path / "c.har").write_bytes(orjson.dumps(har))
    (case,) = import_har(tmp_path / "c.har").cases
    assert case.content() == PAYLOAD and case.body is None
    for name, text in (("back.toml", dump_cases_toml([case])), ("back.jsonl", dump_cases_jsonl([case]))):
        (tmp_path / name).write_text(text, encoding="utf-8")
        (again,) = load_cases(tmp_path / name)
        assert again.content() == PAYLOAD
        assert again.request_headers() == {"content-type": "image/png"}
    assert await _received([case]) == [PAYLOAD]


def test_har_unknown_body_encoding_names_the_entry(tmp_path: Path) -> None:
    har = {
        "log": {
            "entries": [
                {
                    "request": {
                        "method": "POST",
                        "url": "http://shop.test/x",
                        "postData": {"mimeType": "application/octet-stream", "text": "AA", "encoding": "hex"},
                    }
                }
            ]
        }
    }
    (tmp_path / "c.har").write_bytes(orjson.dumps(har))
    with pytest.raises(
        ConfigError, match=r"c\.har: log\.entries\[0\]\.request\.postData\.encoding: unknown encoding 'hex'"
    ):
        import_har(tmp_path / "c.har")
