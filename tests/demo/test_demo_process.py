"""The daemons as processes: start-up announcement, roster errors, signals, body streaming."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from validatord_procs import ANNOUNCEMENT, IMPLEMENTATIONS, Daemon, daemon_command, start_daemon, stop

ROSTER_PROBLEMS = [
    pytest.param(None, "does not exist", id="missing-file"),
    pytest.param('{"workers": [', "JSON", id="malformed-json"),
    pytest.param('[{"id": "W-1"}]', "workers", id="no-workers-object"),
    pytest.param('{"staff": []}', "workers", id="no-workers-array"),
    pytest.param('{"workers": []}', "empty", id="empty-roster"),
    pytest.param('{"workers": [{"id": "W-1"}, {"name": "Ada"}]}', "workers[1]", id="worker-without-id"),
    pytest.param('{"workers": [{"id": 1001}]}', "workers[0]", id="worker-with-numeric-id"),
]


@pytest.mark.parametrize("name", IMPLEMENTATIONS)
@pytest.mark.parametrize(("content", "hint"), ROSTER_PROBLEMS)
def test_bad_roster_stops_the_daemon_before_serving(
    tmp_path: Path, name: str, content: str | None, hint: str
) -> None:
    roster = tmp_path / "roster.json"
    if content is not None:
        roster.write_text(content, encoding="utf-8")

    finished = subprocess.run(
        daemon_command(name, roster), capture_output=True, text=True, timeout=30, check=False
    )

    assert finished.returncode == 2
    assert finished.stdout == ""  # never announced, never served
    message = finished.stderr.strip()
    assert len(message.splitlines()) == 1, message  # one clear line, no traceback
    assert str(roster) in message
    assert hint.lower() in message.lower()


@pytest.mark.parametrize("name", IMPLEMENTATIONS)
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_ends_the_daemon_cleanly(name: str, signum: signal.Signals) -> None:
    with tempfile.TemporaryFile("w+") as stderr_log:
        process, _, line = start_daemon(name, stderr_log)
        try:
            announced = ANNOUNCEMENT.match(line)
            assert announced is not None
            assert (announced["name"], announced["workers"]) == (name, "8")
            process.send_signal(signum)
            assert process.wait(timeout=10) == 0
            stderr_log.seek(0)
            assert stderr_log.read() == ""
        finally:
            stop(process)


def read_response(connection: socket.socket) -> tuple[bytes, bytes]:
    """(status line and headers, body) of one HTTP/1.1 response framed by Content-Length."""

    def more() -> bytes:
        chunk = connection.recv(65536)
        assert chunk, "connection closed before the whole response arrived"
        return chunk

    received = b""
    while b"\r\n\r\n" not in received:
        received += more()
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += more()
    return head, body


@pytest.mark.parametrize("name", IMPLEMENTATIONS)
def test_oversized_body_is_refused_without_waiting_for_the_rest(
    daemons: dict[str, Daemon], name: str
) -> None:
    """Content-Length announces 8 MiB but only 1 MiB + 1 byte arrives: the daemon must answer
    413 from what it has read instead of buffering until the declared end."""
    host, port = daemons[name].base_url.removeprefix("http://").split(":")
    request_head = (
        "POST /v1/validate HTTP/1.1\r\n"
        f"Host: {host}\r\nContent-Length: {8 * 1_048_576}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request_head.encode() + b" " * (1_048_576 + 1))
        response_head, body_bytes = read_response(connection)
    assert response_head.startswith(b"HTTP/1.1 413 ")
    body = json.loads(body_bytes)
    reason = body["Schema"]["reason"] if name == "tagged" else body["Reason"]
    assert reason == "request body exceeds 1048576 bytes"
