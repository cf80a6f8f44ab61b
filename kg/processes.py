"""What kg's worker processes share: dying with the process that started them."""

from __future__ import annotations

import os
import signal
import sys


def die_with_parent(parent_pid: int | None) -> None:
    """Linux: have the kernel SIGKILL this process when its parent dies (PR_SET_PDEATHSIG), so
    that a worker never outlives a writer or a server killed with SIGKILL - even in the middle of
    a runaway query, which never reads its closed stdin. Exits at once if the parent (pid
    ``parent_pid``, when given) died before this call.

    The signal fires when the *thread* that started this process ends: start workers from a
    long-lived thread."""
    import ctypes

    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if parent_pid and os.getppid() != parent_pid:  # the parent died before prctl
        os._exit(1)
