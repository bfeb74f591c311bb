"""A loopback HTTP/1.1 server that records every request's bytes and answers from a script.

``async with RawServer(answer) as server:`` listens on a free port of 127.0.0.1;
``server.requests`` holds each request exactly as received (head and body), and
``answer(raw_request)`` returns the raw bytes to write back (``b""``: close the
connection without answering; ``None``: never answer).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType

Answer = Callable[[bytes], bytes | None]


def reply(status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers or []]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class RawServer:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._closing = asyncio.Event()
        self.url = ""

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        host, port = self._server.sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        self._closing.set()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                raw = head + (await reader.readexactly(length) if length else b"")
                self.requests.append(raw)
                out = self.answer(raw)
                if out is None:
                    await self._closing.wait()  # hold the connection, never answer
                    return
                if not out:
                    return
                writer.write(out)
                await writer.drain()
        finally:
            writer.close()
            self._writers.discard(writer)
