"""The one capture implementation (shared by smoke and parity): status and namespaced XPath."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from paritygate.config.capture import CaptureConfig
from paritygate.probe.extract import CaptureSpecError, Reply, compile_capture, extract_capture

S3 = "http://s3.amazonaws.com/doc/2006-03-01/"
UPLOAD = (
    f'<?xml version="1.0"?><InitiateMultipartUploadResult xmlns="{S3}">'
    "<Bucket>b</Bucket><Key>k</Key><UploadId>up-42</UploadId></InitiateMultipartUploadResult>"
).encode()


def _reply(body: bytes, status: int = 200) -> Reply:
    return Reply(status, httpx.Headers({"x-id": "h-1"}), body, 1.0)


def test_status_capture_takes_the_code_as_a_number() -> None:
    capture = compile_capture(CaptureConfig(name="code", status=True))
    assert extract_capture(capture, _reply(b"", status=201)) == (201, None)


def test_xpath_capture_with_declared_namespace() -> None:
    spec = CaptureConfig(name="upload", xpath="//s3:UploadId", namespaces={"s3": S3})
    assert extract_capture(compile_capture(spec), _reply(UPLOAD)) == ("up-42", None)


def test_xpath_without_namespace_finds_nothing_in_a_namespaced_document() -> None:
    value, failure = extract_capture(
        compile_capture(CaptureConfig(name="u", xpath="//UploadId")), _reply(UPLOAD)
    )
    assert value is None and failure is not None
    assert failure.message == "capture u from xpath //UploadId: expected a value, got (nothing selected)"


def test_undeclared_prefix_is_a_capture_failure_not_a_crash() -> None:
    value, failure = extract_capture(
        compile_capture(CaptureConfig(name="u", xpath="//s3:UploadId")), _reply(UPLOAD)
    )
    assert value is None and failure is not None and "XPath error" in failure.actual


def test_bad_selectors_name_their_key() -> None:
    with pytest.raises(CaptureSpecError) as bad_path:
        compile_capture(CaptureConfig(name="x", jsonpath="$.a["))
    assert bad_path.value.key == "jsonpath"
    with pytest.raises(CaptureSpecError) as bad_regex:
        compile_capture(CaptureConfig(name="x", regex="(unclosed"))
    assert bad_regex.value.key == "regex"


def test_exactly_one_source_and_namespaces_only_for_xpath() -> None:
    with pytest.raises(ValidationError, match="exactly one of"):
        CaptureConfig(name="x", jsonpath="$.a", status=True)
    with pytest.raises(ValidationError, match="namespaces apply to an xpath capture only"):
        CaptureConfig(name="x", jsonpath="$.a", namespaces={"a": "urn:a"})
