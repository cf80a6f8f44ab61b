"""A worker process seen from the server: how it is started (isolated) and how its frames are read.

A worker is ``python -I -c BOOT PATHS --worker ...``: no current directory and no ``PYTHON*``
variables on its import path; kg and its dependencies are found through the server's own
``sys.path`` (without the current directory), appended after the worker's standard library and
site-packages, so a ``queue.py`` where kg was started is never imported. Workers run with
``cwd=/``, in their own session, with glibc's arenas capped (``MALLOC_ARENA_MAX=2``: each arena
reserves 64 MB of the address space the memory limit counts).
"""

from __future__ import annotations

import json
import math
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

from .errors import QueryTimeout, WorkerError, WorkerGone, out_of_memory_message
from .frames import HEAD, MAX_FRAME, write_frame

# The worker's command: isolated mode (no cwd, no PYTHON* variables on its path), then the
# server's own import path appended (behind the standard library and site-packages).
_BOOT = ("import json, sys\n"
         "sys.path.extend(p for p in json.loads(sys.argv[1]) if p not in sys.path)\n"
         "from kg.serve.worker import main\n"
         "sys.exit(main(sys.argv[2:]))\n")


def worker_paths() -> list[str]:
    """Where a worker finds kg and its dependencies: this process's ``sys.path`` without ``''``,
    relative entries and the current directory, plus the directory holding the ``kg`` package
    (a source checkout, an editable install)."""
    cwd = os.path.realpath(os.getcwd())
    root = str(Path(__file__).resolve().parent.parent.parent)
    out = []
    for p in sys.path:
        if not p or not os.path.isabs(p) or p in out:
            continue
        if os.path.realpath(p) == cwd and cwd != os.path.realpath(root):
            continue
        out.append(p)
    if root not in out:
        out.append(root)
    return out


def worker_command(store_dir: Path, mode: str, sandbox: bool, memory_limit: int | None) -> list[str]:
    cmd = [sys.executable, "-I", "-c", _BOOT, json.dumps(worker_paths()), "--worker", str(store_dir), mode,
           f"--parent={os.getpid()}"]
    if not sandbox:
        cmd.append("--no-sandbox")
    if memory_limit:
        cmd.append(f"--memory-limit={int(memory_limit)}")
    return cmd


def _worker_env() -> dict:
    env = dict(os.environ)
    env.setdefault("MALLOC_ARENA_MAX", "2")  # glibc reserves 64 MB of address space per arena
    env["RUST_BACKTRACE"] = "0"  # an abort prints one line, not a backtrace into the log
    return env


class Worker:
    """One worker subprocess, its pipes, and a thread that passes its stderr to the log."""

    def __init__(self, store_dir: Path, mode: str = "read", sandbox: bool = True, memory_limit: int | None = None,
                 log=None):
        self.memory_limit = memory_limit
        self.proc = subprocess.Popen(worker_command(Path(store_dir).resolve(), mode, sandbox, memory_limit),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=_worker_env(), cwd="/", start_new_session=True)
        self.ready: dict = {}
        self.slow = False  # running in the slow lane (re-niced; retired after its query)
        self.peak_rss: int | None = None  # bytes, known once reaped
        self._buf = bytearray()
        self._poll = select.poll()
        self._poll.register(self.proc.stdout.fileno(), select.POLLIN)
        self._log = log
        self.stderr_tail: deque[str] = deque(maxlen=20)
        self._stderr_thread = threading.Thread(target=self._pump_stderr, name=f"kg-serve-stderr-{self.pid}",
                                               daemon=True)
        self._stderr_thread.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _pump_stderr(self) -> None:
        for raw in iter(lambda: self.proc.stderr.readline(8192), b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.stderr_tail.append(line)
            if self._log and line.strip():
                self._log(f"kg serve: worker {self.pid}: {line}")

    def wait_ready(self, timeout: float) -> dict:
        try:
            frame = self.recv_frame(time.monotonic() + timeout)
        except WorkerGone:
            frame = None
        if frame is None or frame[0] != b"J":
            if frame is None and self.alive():
                self.kill()
                raise WorkerError(f"worker {self.pid} did not start within {timeout:g} s")
            reason = self.failure()[2]
            last = next((line.strip() for line in reversed(self.stderr_tail) if line.strip()), "")
            raise WorkerError(f"worker {self.pid} did not start: {reason}{': ' + last if last else ''}")
        self.ready = json.loads(frame[1])
        return self.ready

    def send(self, job: dict) -> None:
        write_frame(self.proc.stdin, b"J", json.dumps(job).encode("utf-8"))
        self.proc.stdin.flush()

    def recv_frame(self, until: float) -> tuple[bytes, bytes] | None:
        """The next frame (kind, payload), or None when ``until`` passes first. :class:`WorkerGone`
        when the worker's stdout closes or carries something that is not a frame."""
        fd = self.proc.stdout.fileno()
        while True:
            if len(self._buf) >= HEAD.size:
                kind, n = HEAD.unpack_from(self._buf)
                if kind not in (b"J", b"D") or n > MAX_FRAME:
                    raise WorkerGone("garbled output")
                if len(self._buf) >= HEAD.size + n:
                    payload = bytes(self._buf[HEAD.size:HEAD.size + n])
                    del self._buf[:HEAD.size + n]
                    return kind, payload
            left = until - time.monotonic()
            if left <= 0:
                return None
            if not self._poll.poll(math.ceil(left * 1000)):
                continue
            chunk = os.read(fd, 1 << 18)
            if not chunk:
                raise WorkerGone("exited")
            self._buf += chunk

    def recv_answer(self, deadline: float, sink) -> dict:
        """Body frames to ``sink``, then the answer's JSON; :class:`QueryTimeout` at ``deadline``."""
        while True:
            frame = self.recv_frame(deadline)
            if frame is None:
                raise QueryTimeout("")
            if frame[0] == b"D":
                sink(frame[1])
            else:
                return json.loads(frame[1])

    def reap(self, timeout: float = 5.0) -> int | None:
        """Wait for the process to exit (kill it past ``timeout``); its exit status, and its peak
        RSS in :attr:`peak_rss` (from the kernel's rusage)."""
        if self.proc.returncode is not None:
            return self.proc.returncode
        end = time.monotonic() + timeout
        while True:
            try:
                pid, status, usage = os.wait4(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere
                return self.proc.wait()
            if pid:
                self.proc.returncode = os.waitstatus_to_exitcode(status)
                self.peak_rss = usage.ru_maxrss * 1024
                return self.proc.returncode
            if time.monotonic() > end:
                self._signal(signal.SIGKILL)
                end = time.monotonic() + 5
            time.sleep(0.01)

    def failure(self) -> tuple[int, str, str]:
        """(HTTP status, message for the client, reason for the log) for a worker that stopped
        answering: out of memory (Oxigraph's allocator aborts with "memory allocation of N bytes
        failed"), a crash (the signal), or an exit status."""
        rc = self.reap()
        self._stderr_thread.join(timeout=1)
        tail = "\n".join(self.stderr_tail)
        if "memory allocation of" in tail or "MemoryError" in tail:
            return 503, out_of_memory_message(self.memory_limit), "ran out of memory"
        if rc is not None and rc < 0:
            try:
                name = signal.Signals(-rc).name
            except ValueError:
                name = f"signal {-rc}"
            return 500, f"query failed: the query worker crashed ({name}); it has been replaced", f"crashed ({name})"
        last = next((line for line in reversed(self.stderr_tail) if line.strip()), "")
        return (500, f"query failed: the query worker exited (status {rc}){': ' + last if last else ''}",
                f"exited (status {rc})")

    def alive(self) -> bool:
        return self.proc.returncode is None and self.proc.poll() is None

    def _signal(self, sig) -> None:
        if self.proc.returncode is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self._signal(signal.SIGKILL)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.reap()

    def close(self) -> None:
        """Ask politely (EOF on stdin), then kill."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        self.kill()
