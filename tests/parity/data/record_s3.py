"""Record the answers of two independent S3 implementations to one request sequence.

Not a test: it regenerates ``s3_recorded.json``, the recorded-answer corpus the
cause-classification tests replay (moto's server vs s3rver, neither written here)::

    python -m venv /tmp/rec && /tmp/rec/bin/pip install 'moto[server]' httpx
    npm install --prefix /tmp/rec s3rver
    /tmp/rec/bin/python tests/parity/data/record_s3.py /tmp/rec/bin/moto_server \\
        /tmp/rec/node_modules/.bin/s3rver

Both servers listen on 127.0.0.1 only and are stopped at the end; requests are unsigned
(both accept anonymous requests), path-style, one at a time in order.
"""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

# (case name, method, path, query, body); the cases the tests replay, in the order sent
STEPS: list[tuple[str, str, str, dict[str, str], str | None]] = [
    ("create_bucket", "PUT", "/photos", {}, None),
    ("put_object", "PUT", "/photos/cat.txt", {}, "meow\n"),
    ("put_object_2", "PUT", "/photos/dog.txt", {}, "woof\n"),
    ("get_object", "GET", "/photos/cat.txt", {}, None),
    ("head_object", "HEAD", "/photos/cat.txt", {}, None),
    ("get_missing", "GET", "/photos/nope.txt", {}, None),
    ("list_objects", "GET", "/photos", {}, None),
    ("list_objects_v2", "GET", "/photos", {"list-type": "2"}, None),
    ("list_v2_prefix", "GET", "/photos", {"list-type": "2", "prefix": "c"}, None),
    ("bucket_location", "GET", "/photos", {"location": ""}, None),
    ("bucket_versioning", "GET", "/photos", {"versioning": ""}, None),
    ("bucket_acl", "GET", "/photos", {"acl": ""}, None),
    ("bucket_tagging", "GET", "/photos", {"tagging": ""}, None),
    ("bucket_cors", "GET", "/photos", {"cors": ""}, None),
    ("list_uploads", "GET", "/photos", {"uploads": ""}, None),
    ("start_upload", "POST", "/photos/big.bin", {"uploads": ""}, None),
    ("missing_bucket", "GET", "/nobucket", {}, None),
    ("delete_object", "DELETE", "/photos/dog.txt", {}, None),
    ("delete_missing_object", "DELETE", "/photos/never.txt", {}, None),
    ("list_buckets", "GET", "/", {}, None),
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


def main(moto: str, s3rver: str) -> None:
    ports = {"moto": free_port(), "s3rver": free_port()}
    data = tempfile.mkdtemp()
    procs = [
        subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(ports["moto"])], stderr=subprocess.DEVNULL),
        subprocess.Popen(
            [
                s3rver,
                "--address",
                "127.0.0.1",
                "--port",
                str(ports["s3rver"]),
                "--directory",
                data,
                "--silent",
            ],
            stdout=subprocess.DEVNULL,
        ),
    ]
    try:
        for port in ports.values():
            wait_listening(port)
        answers: dict[str, list[dict[str, Any]]] = {name: [] for name in ports}
        with httpx.Client(timeout=30, trust_env=False) as client:
            for name, method, path, query, body in STEPS:
                for target, port in ports.items():
                    answer = client.request(
                        method,
                        f"http://127.0.0.1:{port}{path}",
                        params=query or None,
                        content=body.encode() if body is not None else None,
                    )
                    answers[target].append(
                        {
                            "case": name,
                            "status": answer.status_code,
                            "headers": [[k, v] for k, v in answer.headers.items()],
                            "body_base64": base64.b64encode(answer.content).decode(),
                        }
                    )
        cases = []
        for name, method, path, query, body in STEPS:
            case: dict[str, Any] = {"name": name, "method": method, "path": path}
            if query:
                case["query"] = query
            if body is not None:
                case["body"] = body
            cases.append(case)
        out = Path(__file__).with_name("s3_recorded.json")
        out.write_text(json.dumps({"cases": cases, "answers": answers}, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
