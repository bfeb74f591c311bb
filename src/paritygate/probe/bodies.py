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

__all__ = ["DEFAULT_MAX_BODY_BYTES", "EXCERPT_BYTES", "BodySink"]

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
