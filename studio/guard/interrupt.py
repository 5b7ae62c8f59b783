"""Interruption safety: Ctrl-C and ``kill`` in the middle of a build leave the old site.

Python turns SIGINT into ``KeyboardInterrupt``, so ``finally`` blocks remove the half-built
folder and release the lock; SIGTERM (CI cancelling a job) and SIGHUP (a closed terminal)
would kill the process without running them, so :func:`interruptible` turns them into
:class:`Terminated`. :func:`deferred` holds all three for the few lines that swap the new
site in, so that an interrupt never falls between the two renames.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None),
                            getattr(signal, "SIGHUP", None)) if s is not None)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so that clean-up code runs."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def interruptible() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Terminated` (SIGINT already raises)."""
    if not _main_thread():
        yield
        return
    def _raise(signum, frame):
        raise Terminated(signum)

    previous = {}
    for sig in SIGNALS:
        if sig != signal.SIGINT:
            previous[sig] = signal.signal(sig, _raise)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold interrupting signals until the block is done; they are delivered right after."""
    if not _main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
