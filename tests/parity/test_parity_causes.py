"""One cause, one class — on real processes and on recorded answers of real servers.

Each test pins a situation where classes used to follow paths and shapes instead of
causes (issue #11): a field rename spread over endpoints, a new case creating a new
class, several causes merged into one class, RPC operations all shown as ``POST /``,
and keys that changed when noise learning removed a path.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from paritygate.config import load_config
from paritygate.core.models import Endpoint
from paritygate.core.parity_doc import ParityDocument
from paritygate.phases.parity import run_parity
from paritygate.reports.parity_report import parity_markdown

USERS = Path(__file__).with_name("users_impls.py")
KINESIS = Path(__file__).parent / "data" / "kinesis_recorded.json"
S3 = Path(__file__).parent / "data" / "s3_recorded.json"
RENAME = "mapping·rename·email~mail"
SPELLING = "value·number-spelling·*.N"
CASE_ONLY = "value·case-only·*.state"
TRACKER = "| key | area | divergence | status | decision | evidence |\n|---|---|---|---|---|---|\n"


def _read_ports(proc: subprocess.Popen[str]) -> dict[str, int]:
    """The one JSON line the stand-ins print once they listen (no deadline of our own: a
    loaded machine may be slow, and a crash ends the line with EOF)."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"users_impls.py did not start (exit {proc.wait()})")
    return {k: int(v) for k, v in json.loads(line).items()}


@pytest.fixture(scope="module")
def users() -> Iterator[dict[str, Endpoint]]:
    proc = subprocess.Popen(
        [sys.executable, str(USERS), "v1", "v2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        ports = _read_ports(proc)
        yield {name: Endpoint(name, f"http://127.0.0.1:{port}") for name, port in ports.items()}
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def _case(name: str, method: str, path: str, body: dict[str, str] | None = None) -> str:
    text = f'[[cases]]\nname = "{name}"\nmethod = "{method}"\npath = "{path}"\n'
    if body is not None:
        text += "json = { " + ", ".join(f'{k} = "{v}"' for k, v in body.items()) + " }\n"
    return text


CREATE = {"name": "dee", "address": "dee@example.org", "price": "3.10"}
BASE_CASES = [
    _case("get_1", "GET", "/users/1"),
    _case("get_2", "GET", "/users/2"),
    _case("list", "GET", "/users"),
    _case("create", "POST", "/users", CREATE),
]


def _project(tmp_path: Path, cases: list[str], tracker: str = TRACKER, extra: str = "") -> Path:
    (tmp_path / "cases.toml").write_text("\n".join(cases), encoding="utf-8")
    (tmp_path / "TRACKER.md").write_text(tracker, encoding="utf-8")
    config = (
        'name = "users"\n\n[parity]\ncases = "cases.toml"\ntracker = "TRACKER.md"\ntimeout = 30.0\n'
        '\n[[parity.ignore]]\npath = "$.request_id"\n' + extra
    )
    (tmp_path / "paritygate.toml").write_text(config, encoding="utf-8")
    return tmp_path / "paritygate.toml"


def _run(config: Path, endpoints: dict[str, Endpoint], **kw: Any) -> ParityDocument:
    result = run_parity(load_config(config), endpoints, **kw)
    assert result.parity is not None
    return result.parity


def _ops(doc: ParityDocument, key: str) -> dict[str, int]:
    cls = doc.class_of(key)
    assert cls is not None, [c.key for c in doc.classes]
    return {o.name: o.cases for o in cls.operations}


def test_a_rename_on_four_endpoints_is_one_class_and_a_new_case_joins_it(
    tmp_path: Path, users: dict[str, Endpoint]
) -> None:
    doc = _run(_project(tmp_path, BASE_CASES), users)
    assert {c.key for c in doc.classes} == {RENAME, SPELLING, CASE_ONLY}
    assert _ops(doc, RENAME) == {"GET /users/{id}": 2, "GET /users": 1, "POST /users": 1}
    rename = doc.class_of(RENAME)
    assert rename is not None and rename.title == "field renamed: `email` (v1) vs `mail` (v2)"
    assert rename.summary.endswith("— 4 cases on 3 operations")
    # a case for /users/3 adds a case to the class, never a new class
    more = _run(_project(tmp_path, [*BASE_CASES, _case("get_3", "GET", "/users/3")]), users)
    assert {c.key for c in more.classes} == {c.key for c in doc.classes}
    assert _ops(more, RENAME)["GET /users/{id}"] == 3


def test_one_cause_over_paths_and_operations_is_one_class_and_accepting_one_leaves_the_others(
    tmp_path: Path, users: dict[str, Endpoint]
) -> None:
    doc = _run(_project(tmp_path, BASE_CASES), users)
    spelling = doc.class_of(SPELLING)
    assert spelling is not None and len(spelling.operations) == 3 and len(spelling.cases) == 4
    paths = {d.path for c in doc.cases for _, d in c.differences if d.path.endswith(".N")}
    assert len({p.replace("[0]", "[*]").replace("[1]", "[*]").replace("[2]", "[*]") for p in paths}) == 2
    case = next(c for c in doc.cases if c.name == "get_1")
    assert case.class_keys == sorted([RENAME, SPELLING, CASE_ONLY])  # three causes, three classes
    accepted = TRACKER + f"| `{SPELLING}` | users | numbers | accepted | fine | test |\n"
    again = _run(_project(tmp_path, BASE_CASES, tracker=accepted), users)
    status = {c.key: c.status for c in again.classes}
    assert status == {SPELLING: "known", RENAME: "new", CASE_ONLY: "new"}
    assert next(c for c in again.cases if c.name == "get_1").known is False


def test_keys_are_the_same_with_and_without_noise_runs_and_in_ten_runs(
    tmp_path: Path, users: dict[str, Endpoint]
) -> None:
    config = _project(tmp_path, BASE_CASES)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('[[parity.ignore]]\npath = "$.request_id"\n', ""), encoding="utf-8")
    plain = _run(config, users)
    plain_keys = {c.key for c in plain.classes}
    # without the ignore rule the volatile request_id is one more cause; learned as noise it goes
    assert plain_keys == {RENAME, SPELLING, CASE_ONLY, "value·different·*.request_id"}
    for _ in range(10):
        noisy = _run(config, users, noise_runs=2)
        # repeats re-send only the safe GETs: request_id is learned for them, while the POST
        # (never repeated) keeps its request_id cause, under the same key, on that operation only
        assert {c.key for c in noisy.classes} == plain_keys
        rid = next(c for c in noisy.classes if c.key == "value·different·*.request_id")
        assert [o.name for o in rid.operations] == ["POST /users"]
        assert {n.path for n in noisy.noise} == {"$.request_id"}
        assert {n.operation for n in noisy.noise} == {"GET /users/{id}", "GET /users"}


def test_group_by_operation_splits_a_cause_per_operation(tmp_path: Path, users: dict[str, Endpoint]) -> None:
    config = _project(tmp_path, BASE_CASES)
    doc = _run(config, users)
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("timeout = 30.0\n", 'timeout = 30.0\ngroup_by = "operation"\n'), encoding="utf-8"
    )
    split = _run(config, users)
    assert len(split.classes) > len(doc.classes)
    assert "GET /users/{id}·" + RENAME in {c.key for c in split.classes}
    assert all(len(c.operations) == 1 for c in split.classes)


def test_an_explicit_route_names_the_operation(tmp_path: Path, users: dict[str, Endpoint]) -> None:
    routed = _case("get_1", "GET", "/users/1") + 'route = "/users/{user}"\n'
    doc = _run(_project(tmp_path, [routed]), users)
    assert doc.cases[0].operation == "GET /users/{user}"
    assert _ops(doc, RENAME) == {"GET /users/{user}": 1}


# --- recorded answers: moto's server vs kinesalite (tests/parity/data/record_kinesis.py) ----------


def _replay(corpus: dict[str, Any]) -> httpx.MockTransport:
    """Answer each request with what that implementation answered to it: cases are sent one
    at a time in file order, so two identical requests (CreateStream twice) get their own
    answers in turn."""
    ports = {1: "moto", 2: "kinesalite"}
    signature = {
        c["name"]: (c["headers"]["x-amz-target"], json.dumps(c["json"], sort_keys=True))
        for c in corpus["cases"]
    }
    queues: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for target in ports.values():
        for answer in corpus["answers"][target]:
            queues.setdefault((target, *signature[answer["case"]]), []).append(answer)

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.port is not None
        body = json.dumps(json.loads(request.content), sort_keys=True)
        answer = queues[(ports[request.url.port], request.headers["x-amz-target"], body)].pop(0)
        headers = [(k, v) for k, v in answer["headers"] if k.lower() not in ("content-length", "connection")]
        return httpx.Response(
            answer["status"], headers=headers, content=base64.b64decode(answer["body_base64"])
        )

    return httpx.MockTransport(handler)


@pytest.fixture(scope="module")
def kinesis() -> dict[str, Any]:
    corpus: dict[str, Any] = json.loads(KINESIS.read_text(encoding="utf-8"))
    return corpus


def _kinesis_doc(tmp_path: Path, corpus: dict[str, Any], extra: str = "") -> ParityDocument:
    (tmp_path / "cases.jsonl").write_text(
        "".join(json.dumps(c) + "\n" for c in corpus["cases"]), encoding="utf-8"
    )
    (tmp_path / "TRACKER.md").write_text(TRACKER, encoding="utf-8")
    (tmp_path / "paritygate.toml").write_text(
        'name = "kinesis"\n\n[parity]\ncases = "cases.jsonl"\ntracker = "TRACKER.md"\nconcurrency = 1\n'
        + extra,
        encoding="utf-8",
    )
    endpoints = {
        "moto": Endpoint("moto", "http://127.0.0.1:1"),
        "kinesalite": Endpoint("kinesalite", "http://127.0.0.1:2"),
    }
    return _run(tmp_path / "paritygate.toml", endpoints, transport=_replay(corpus))


def test_rpc_operations_come_from_the_target_header(tmp_path: Path, kinesis: dict[str, Any]) -> None:
    doc = _kinesis_doc(tmp_path, kinesis, 'operation = { header = "x-amz-target" }\n')
    operations = {o.name for c in doc.classes for o in c.operations}
    assert "POST /" not in operations
    assert {"Kinesis_20131202.DescribeStream", "Kinesis_20131202.PutRecord"} <= operations
    assert all(c.operation.startswith("Kinesis_20131202.") for c in doc.cases)
    markdown = parity_markdown(doc)
    assert "operation `Kinesis_20131202.CreateStream`" in markdown
    assert "x-amz-target: Kinesis_20131202.CreateStream" in markdown  # the request, with its naming header
    # without the rule every call is POST /: that is what the rule is for
    (tmp_path / "plain").mkdir()
    plain = _kinesis_doc(tmp_path / "plain", kinesis)
    assert {o.name for c in plain.classes for o in c.operations} == {"POST /"}


def test_recorded_kinesis_pair_gives_one_class_per_cause(tmp_path: Path, kinesis: dict[str, Any]) -> None:
    doc = _kinesis_doc(tmp_path, kinesis, 'operation = { header = "x-amz-target" }\n')
    keys = {c.key for c in doc.classes}
    # the stream ARN differs by its account id on every operation that returns it: one class
    arn = doc.class_of("value·same-prefix-and-suffix·*.StreamARN")
    assert arn is not None and len(arn.operations) == 2
    # "Stream nope under account X not found" on four operations: one class
    message = doc.class_of("value·same-prefix-and-suffix·*.message")
    assert message is not None and len(message.operations) == 4
    # a case with several causes is in one class per cause (the old keys put all of
    # them, header and body, into one class per case shape)
    by_case = {c.name: c.class_keys for c in doc.cases}
    assert by_case["create_again"] == ["header·content-type", "value·different·*.message"]
    assert by_case["put_no_key"] == [
        "header·content-type",
        "value·different·*.__type",
        "value·different·*.message",
    ]
    assert by_case["describe_stream"] == [
        "value·different·*.StartingSequenceNumber",
        "value·different·*.StreamCreationTimestamp",
        "value·same-prefix-and-suffix·*.StreamARN",
    ]
    content_type = doc.class_of("header·content-type")
    assert content_type is not None and len(content_type.cases) == 8 and len(content_type.operations) == 6
    assert "header·content-type" in keys
    # how many classes for how many cases: fewer classes than diverging cases
    diverging = [c for c in doc.cases if c.outcome != "match"]
    assert len(doc.classes) < len(diverging)


# --- recorded answers: moto's server vs s3rver (tests/parity/data/record_s3.py) ---------------


def _replay_s3(corpus: dict[str, Any]) -> httpx.MockTransport:
    ports = {1: "moto", 2: "s3rver"}
    cases = {c["name"]: c for c in corpus["cases"]}

    def signature(method: str, path: str, query: dict[str, str]) -> tuple[str, str, str]:
        return method, path, json.dumps(sorted(query.items()))

    queues: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for target in ports.values():
        for answer in corpus["answers"][target]:
            c = cases[answer["case"]]
            queues.setdefault((target, *signature(c["method"], c["path"], c.get("query", {}))), []).append(
                answer
            )

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.port is not None
        key = (
            ports[request.url.port],
            *signature(request.method, request.url.path, dict(request.url.params)),
        )
        answer = queues[key].pop(0)
        skip = ("content-length", "connection", "transfer-encoding")
        headers = [(k, v) for k, v in answer["headers"] if k.lower() not in skip]
        return httpx.Response(
            answer["status"], headers=headers, content=base64.b64decode(answer["body_base64"])
        )

    return httpx.MockTransport(handler)


def test_recorded_s3_pair_names_operations_by_subresource_and_counts_a_cause_once(tmp_path: Path) -> None:
    corpus: dict[str, Any] = json.loads(S3.read_text(encoding="utf-8"))
    (tmp_path / "cases.jsonl").write_text(
        "".join(json.dumps(c) + "\n" for c in corpus["cases"]), encoding="utf-8"
    )
    (tmp_path / "TRACKER.md").write_text(TRACKER, encoding="utf-8")
    (tmp_path / "paritygate.toml").write_text(
        'name = "s3"\n\n[parity]\ncases = "cases.jsonl"\ntracker = "TRACKER.md"\nconcurrency = 1\n',
        encoding="utf-8",
    )
    endpoints = {
        "moto": Endpoint("moto", "http://127.0.0.1:1"),
        "s3rver": Endpoint("s3rver", "http://127.0.0.1:2"),
    }
    doc = _run(tmp_path / "paritygate.toml", endpoints, transport=_replay_s3(corpus))
    operations = {c.name: c.operation for c in doc.cases}
    bucket_ops = [operations[n] for n in ("list_objects", "list_objects_v2", "bucket_location", "bucket_versioning",
                                          "bucket_acl", "bucket_tagging", "bucket_cors", "list_uploads")]  # fmt: skip
    assert bucket_ops == [
        "GET /photos", "GET /photos?list-type=2", "GET /photos?location", "GET /photos?versioning",
        "GET /photos?acl", "GET /photos?tagging", "GET /photos?cors", "GET /photos?uploads",
    ]  # fmt: skip
    assert operations["start_upload"] == "POST /photos/big.bin?uploads"
    # one namespace URI for another is one cause, whatever element carries it
    namespace = doc.class_of(
        "shape·namespace·http://doc.s3.amazonaws.com/2006-03-01/~http://s3.amazonaws.com/doc/2006-03-01/"
    )
    assert namespace is not None and len(namespace.cases) == 5 and len(namespace.operations) == 4
    # the content type of empty answers: one class over four operations, not one per path
    content_type = doc.class_of("header·content-type")
    assert content_type is not None and len(content_type.operations) == 4
    assert not any(c.key.startswith(("GET ", "PUT ", "POST ", "DELETE ", "HEAD ")) for c in doc.classes)
    assert sum(1 for c in doc.classes if len(c.cases) > 1) >= 8
