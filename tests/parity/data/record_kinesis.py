"""Record the answers of two independent Kinesis implementations to one request sequence.

Not a test: it regenerates ``kinesis_recorded.json``, the recorded-answer corpus the
cause-classification tests replay (moto's server vs kinesalite, neither written here)::

    python -m venv /tmp/rec && /tmp/rec/bin/pip install 'moto[server]'
    npm install --prefix /tmp/rec kinesalite
    /tmp/rec/bin/python tests/parity/data/record_kinesis.py /tmp/rec/venv/bin/moto_server \\
        /tmp/rec/node_modules/.bin/kinesalite

Both servers listen on 127.0.0.1 only and are stopped at the end. Each step is sent to
both implementations one after the other (the sequence is stateful); a step waits for
the stream to be ACTIVE on each implementation first when it says so.
"""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

TARGET = "Kinesis_20131202."
AUTH = {
    "authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kinesis/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0000",
    "x-amz-date": "20260101T000000Z",
}
DATA = base64.b64encode(b'{"order": 1, "total": "1.50"}').decode()
# (case name, operation, body); the cases the tests replay, in the order they are sent
STEPS: list[tuple[str, str, dict[str, Any]]] = [
    ("create_stream", "CreateStream", {"StreamName": "orders", "ShardCount": 1}),
    ("create_again", "CreateStream", {"StreamName": "orders", "ShardCount": 1}),
    ("create_bad_name", "CreateStream", {"StreamName": "bad name!", "ShardCount": 1}),
    ("create_zero_shards", "CreateStream", {"StreamName": "zero", "ShardCount": 0}),
    ("list_streams", "ListStreams", {}),
    ("describe_stream", "DescribeStream", {"StreamName": "orders"}),
    ("describe_summary", "DescribeStreamSummary", {"StreamName": "orders"}),
    ("describe_missing", "DescribeStream", {"StreamName": "nope"}),
    ("list_shards", "ListShards", {"StreamName": "orders"}),
    ("put_record", "PutRecord", {"StreamName": "orders", "Data": DATA, "PartitionKey": "p1"}),
    (
        "put_records",
        "PutRecords",
        {"StreamName": "orders", "Records": [{"Data": DATA, "PartitionKey": "p2"}]},
    ),
    ("put_missing_stream", "PutRecord", {"StreamName": "nope", "Data": DATA, "PartitionKey": "p1"}),
    ("put_no_key", "PutRecord", {"StreamName": "orders", "Data": DATA}),
    ("add_tags", "AddTagsToStream", {"StreamName": "orders", "Tags": {"team": "a"}}),
    ("list_tags", "ListTagsForStream", {"StreamName": "orders"}),
    ("retention_up", "IncreaseStreamRetentionPeriod", {"StreamName": "orders", "RetentionPeriodHours": 48}),
    (
        "retention_too_low",
        "DecreaseStreamRetentionPeriod",
        {"StreamName": "orders", "RetentionPeriodHours": 1},
    ),
    (
        "iterator_bad_type",
        "GetShardIterator",
        {"StreamName": "orders", "ShardId": "shardId-000000000000", "ShardIteratorType": "SIDEWAYS"},
    ),
    (
        "iterator_missing_shard",
        "GetShardIterator",
        {"StreamName": "orders", "ShardId": "shardId-000000000009", "ShardIteratorType": "TRIM_HORIZON"},
    ),
    ("delete_stream", "DeleteStream", {"StreamName": "orders"}),
    ("delete_missing", "DeleteStream", {"StreamName": "nope"}),
    ("unknown_operation", "FlyToTheMoon", {}),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_listening(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def send(client: httpx.Client, url: str, op: str, body: dict[str, Any]) -> httpx.Response:
    headers = {"x-amz-target": TARGET + op, "content-type": "application/x-amz-json-1.1", **AUTH}
    return client.post(url + "/", content=json.dumps(body).encode(), headers=headers)


def wait_active(client: httpx.Client, url: str) -> None:
    for _ in range(100):
        answer = send(client, url, "DescribeStream", {"StreamName": "orders"})
        if answer.status_code == 200 and answer.json()["StreamDescription"]["StreamStatus"] == "ACTIVE":
            return
        time.sleep(0.1)


def main(moto: str, kinesalite: str) -> None:
    ports = {"moto": free_port(), "kinesalite": free_port()}
    procs = [
        subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(ports["moto"])], stderr=subprocess.DEVNULL),
        subprocess.Popen(
            [
                kinesalite,
                "--host",
                "127.0.0.1",
                "--port",
                str(ports["kinesalite"]),
                "--createStreamMs",
                "50",
                "--deleteStreamMs",
                "50",
            ],
            stdout=subprocess.DEVNULL,
        ),
    ]
    try:
        for port in ports.values():
            wait_listening(port)
        answers: dict[str, list[dict[str, Any]]] = {name: [] for name in ports}
        with httpx.Client(timeout=30, trust_env=False) as client:
            for name, op, body in STEPS:
                for target, port in ports.items():
                    url = f"http://127.0.0.1:{port}"
                    if name == "describe_stream":
                        wait_active(client, url)
                    answer = send(client, url, op, body)
                    answers[target].append(
                        {
                            "case": name,
                            "status": answer.status_code,
                            "headers": [[k, v] for k, v in answer.headers.items()],
                            "body_base64": base64.b64encode(answer.content).decode(),
                        }
                    )
        cases = [
            {
                "name": name,
                "method": "POST",
                "path": "/",
                "headers": {"x-amz-target": TARGET + op, "content-type": "application/x-amz-json-1.1"},
                "json": body,
            }
            for name, op, body in STEPS
        ]
        out = Path(__file__).with_name("kinesis_recorded.json")
        out.write_text(json.dumps({"cases": cases, "answers": answers}, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
