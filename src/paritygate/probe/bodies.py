"""The body limit: past ``[parity] max_body_bytes`` a body is kept on disk, not in memory.

A response body is read in chunks. Up to the limit it stays in memory and is compared as
usual. Past it, what was read and the rest go to a file named by the body's SHA-256 in
the run's ``bodies/`` directory (identical bodies share one file), and the
:class:`~paritygate.compare.model.Response` keeps only the first :data:`EXCERPT_BYTES`,
the length and the digest: such a pair is compared by length and digest, and the
reports show the excerpt and link the file. Memory per response in flight is thus at
most the limit; with ``concurrency`` cases to N targets, at most
``concurrency × N × max_body_bytes`` of bodies are held at once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from paritygate.compare.model import Response
from paritygate.config.phases import DEFAULT_MAX_BODY_BYTES

__all__ = ["DEFAULT_MAX_BODY_BYTES", "EXCERPT_BYTES", "REPORT_BODY_BYTES", "BodySink", "slim"]

EXCERPT_BYTES = 2048  # what a report shows of a body over the limit


class BodySink:
    """Collects one body: ``feed(chunk)`` per chunk, then ``finish(response)`` or ``discard()``."""

    def __init__(self, limit: int, spool_dir: Path | None) -> None:
        self.limit = limit
        self.spool_dir = spool_dir
        self._chunks: list[bytes] = []
        self._held = 0
        self._excerpt = b""
        self._size = 0
        self._hash: hashlib._Hash | None = None  # set once over the limit
        self._file: tempfile._TemporaryFileWrapper[bytes] | None = None

    @property
    def spilled(self) -> bool:
        return self._hash is not None

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self._size += len(chunk)
        if self._hash is None:
            self._chunks.append(chunk)
            self._held += len(chunk)
            if self._held > self.limit:
                self._spill()
            return
        self._hash.update(chunk)
        if len(self._excerpt) < EXCERPT_BYTES:
            self._excerpt += chunk[: EXCERPT_BYTES - len(self._excerpt)]
        if self._file is not None:
            self._file.write(chunk)

    def _spill(self) -> None:
        held = b"".join(self._chunks)
        self._chunks.clear()
        self._held = 0
        self._excerpt = held[:EXCERPT_BYTES]
        self._hash = hashlib.sha256(held)
        if self.spool_dir is not None:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            self._file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in finish()/discard()
                dir=self.spool_dir, prefix=".body-", suffix=".tmp", delete=False
            )
            self._file.write(held)

    def discard(self) -> None:
        """The read failed: drop what was kept (a half body is never reported)."""
        if self._file is not None:
            self._file.close()
            Path(self._file.name).unlink(missing_ok=True)
            self._file = None
        self._chunks.clear()

    def finish(self, response: Response) -> Response:
        """``response`` with its body (in memory), or its excerpt, size, digest and file."""
        if self._hash is None:
            response.body = b"".join(self._chunks)
            self._chunks.clear()
            return response
        digest = self._hash.hexdigest()
        response.body = self._excerpt
        response.body_size = self._size
        response.body_sha256 = digest
        if self._file is not None:
            self._file.close()
            final = Path(self._file.name).with_name(f"{digest}.body")
            os.replace(self._file.name, final)
            self._file = None
            response.body_file = final.name
        return response


# Once a case is compared and classified, a body longer than this is kept (and reported)
# as its first EXCERPT_BYTES, its length and its SHA-256: memory and report size per case
# stay bounded whatever the bodies weigh. The whole body is kept as a file only where
# the case diverges (otherwise it is the same as the other targets' and says nothing).
REPORT_BODY_BYTES = 4096


def slim(response: Response, *, keep_in: Path | None) -> Response:
    """``response`` as kept after its case is compared: itself when its body is small or
    already over the limit; else a copy holding only the excerpt, length and digest, with
    the whole body written to ``keep_in/<sha256>.body`` when ``keep_in`` is given."""
    if response.oversized or response.error is not None or len(response.body) <= REPORT_BODY_BYTES:
        return response
    body = response.body
    digest = hashlib.sha256(body).hexdigest()
    kept: str | None = None
    if keep_in is not None:
        final = keep_in / f"{digest}.body"
        if not final.exists():  # identical bodies share one file
            keep_in.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                dir=keep_in, prefix=".body-", suffix=".tmp", delete=False
            ) as out:
                out.write(body)
            os.replace(out.name, final)
        kept = final.name
    return Response(
        response.status,
        response.headers,
        body[:EXCERPT_BYTES],
        response.elapsed_ms,
        None,
        body_size=len(body),
        body_sha256=digest,
        body_file=kept,
    )
