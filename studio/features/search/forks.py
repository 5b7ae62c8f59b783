"""Forked processes for the search build: they inherit what they need (a loaded dictionary,
the pages) instead of receiving it pickled, and send results back over a pipe.

Plain ``os.fork`` rather than ``multiprocessing.Process``: the background indexer
(:mod:`~studio.features.search.background`) itself forks helpers for the pages left at the
end, which multiprocessing forbids to a daemonic process, and a forked child must never run
the build's exit handlers (``os._exit``). A child whose parent is gone sees its pipe close
and ends; a child that dies is an error, not a hang.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import traceback
from typing import Callable

PARALLEL_MIN = 64  # fewer pages than this: not worth starting processes


class Child:
    """A forked process running ``target()``; the build's signal handlers stay with the parent."""

    def __init__(self, target: Callable[[], None]):
        self.pid = os.fork()
        if self.pid == 0:  # the child
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                target()
                code = 0
            finally:
                os._exit(code)
        self.exitcode: int | None = None

    def wait(self) -> int:
        if self.exitcode is None:
            _, status = os.waitpid(self.pid, 0)
            self.exitcode = os.waitstatus_to_exitcode(status)
        return self.exitcode

    def stop(self) -> None:
        """End it now (a failed or interrupted build)."""
        if self.exitcode is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            self.wait()


def can_fork() -> bool:
    """Fork only from a single-threaded process (`studio build`), never from `serve`'s server."""
    return threading.active_count() == 1 and hasattr(os, "fork")


PIPE_BYTES = 1 << 20  # Linux's default ceiling for a pipe (/proc/sys/fs/pipe-max-size)


def pipe():
    """(reader, sender) connections that carry pickled messages, in as large a pipe as the
    system allows: while the indexing process loads jieba's dictionary (half a second,
    holding its interpreter lock) it reads slowly, and with the default 64 KB the build
    waited that long on its first hundred pages."""
    reader, sender = multiprocessing.Pipe(duplex=False)
    try:
        import fcntl

        fcntl.fcntl(sender.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):  # not Linux, or a lower ceiling: the default
        pass
    return reader, sender


def in_processes(work: Callable[[int], object], indexes: list[int], workers: int,
                 done: Callable[[int, object], None]) -> None:
    """``work(i)`` for each index on ``workers`` forked processes; ``done(i, result)`` here."""
    from multiprocessing.connection import wait

    chunks = [indexes[k::workers] for k in range(workers)]
    children = []
    for chunk in chunks:
        reader, sender = pipe()

        def run(chunk=chunk, sender=sender, reader=reader) -> None:  # in the child
            reader.close()
            try:
                for i in chunk:
                    sender.send((i, work(i)))
            except BaseException:
                sender.send(("crash", traceback.format_exc()))
                raise
            sender.send(None)
            sender.close()

        child = Child(run)
        sender.close()
        children.append((child, reader))
    finished = False
    try:
        open_readers = {reader: child for child, reader in children}
        while open_readers:
            for reader in wait(list(open_readers)):
                try:
                    message = reader.recv()
                except EOFError:
                    raise RuntimeError("a search indexing process ended early") from None
                if message is None:
                    del open_readers[reader]
                elif message[0] == "crash":
                    raise RuntimeError(f"search indexing failed:\n{message[1]}")
                else:
                    done(*message)
        finished = True
    finally:
        for child, reader in children:
            reader.close()
            if finished:
                child.wait()  # done: it exits by itself
            else:
                child.stop()


def workers_for(n: int) -> int:
    """How many processes are worth starting for ``n`` pages: one per core, 16+ pages each."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, n // 16 or 1))


def each(work: Callable[[int], object], n: int, done: Callable[[int, object], None]) -> None:
    """``work(i)`` for ``i`` in ``range(n)``, on every core when there are many."""
    indexes = list(range(n))
    workers = workers_for(n)
    if n >= PARALLEL_MIN and workers > 1 and can_fork():
        in_processes(work, indexes, workers, done)
    else:
        for i in indexes:
            done(i, work(i))
