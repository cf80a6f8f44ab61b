"""Signals during ``kg build``: the first SIGINT/SIGTERM asks the build to stop after writing
what is already parsed; the second raises KeyboardInterrupt at once."""

from __future__ import annotations

import logging
import signal
import sys
import threading

log = logging.getLogger("kg.build")


class Interrupts:
    """While building (main thread only): the first SIGINT/SIGTERM asks the build to stop
    after writing what is already parsed; the second raises KeyboardInterrupt at once.

    A KeyboardInterrupt raised where Python cannot propagate it (a weakref callback of the
    import machinery while spaCy loads, a destructor) is dropped without its traceback: the
    first signal has already asked the build to stop after the article at hand."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, object] = {}
        self._unraisable = None

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for s in self.SIGNALS:
                try:
                    self._previous[s] = signal.signal(s, self._handle)
                except (ValueError, OSError):  # pragma: no cover - embedded interpreters
                    pass
            self._unraisable = sys.unraisablehook
            sys.unraisablehook = self._on_unraisable
        return self

    def _on_unraisable(self, info) -> None:
        if isinstance(info.exc_value, KeyboardInterrupt) and self.signum is not None:
            log.info("second signal arrived where it cannot stop the build; stopping after this article")
            return
        (self._unraisable or sys.__unraisablehook__)(info)

    def _handle(self, signum, frame) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt
        self.signum = signum
        try:
            sys.stderr.write(f"\nkg: {signal.Signals(signum).name}: stopping after writing the articles already "
                             "parsed (again to stop at once; committed articles are kept either way)\n")
            sys.stderr.flush()
        except (OSError, ValueError):  # pragma: no cover
            pass

    def __exit__(self, *exc) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        if self._unraisable is not None:
            sys.unraisablehook = self._unraisable

    def requested(self) -> bool:
        """Whether a signal asked the build to stop (the build's ``stop``)."""
        return self.signum is not None

    def exit_code(self) -> int:
        """128 + the signal that interrupted the build (130 for SIGINT, 143 for SIGTERM)."""
        return 128 + (self.signum or signal.SIGINT)
