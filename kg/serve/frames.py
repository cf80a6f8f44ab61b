"""The frames between the server and its worker processes: a kind byte (``J``: a JSON object,
``D``: a chunk of response body), a 4-byte length, the payload. No pickle: the server never
unpickles what a worker sends."""

from __future__ import annotations

import json
import struct

HEAD = struct.Struct(">cI")
CHUNK = 1 << 16
MAX_FRAME = 4 << 20  # worker -> server; larger means a garbled stream


def write_frame(stream, kind: bytes, payload: bytes) -> None:
    stream.write(HEAD.pack(kind, len(payload)))
    stream.write(payload)


def write_json(stream, obj: dict) -> None:
    write_frame(stream, b"J", json.dumps(obj).encode("utf-8"))
    stream.flush()


def read_exact(stream, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = stream.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def read_job(stream) -> dict | None:
    """The next job frame on the worker's stdin (blocking), or None at EOF."""
    head = read_exact(stream, HEAD.size)
    if head is None:
        return None
    data = read_exact(stream, HEAD.unpack(head)[1])
    return None if data is None else json.loads(data)
