"""One build of a project at a time: an advisory lock on ``.studio.lock`` in the project root.

Two builds at once (a CI job and a colleague, or two terminals) would both swap a site in
and clean up after each other. The second one stops with a clear message instead. The lock
is an OS file lock (``flock``), so a build that is killed releases it with its process. The
file is removed while the lock is still held, and a build that locked a file which is no
longer the one at the path (removed under it) starts over, so removing it never lets two
builds in; a killed build's file is reused by the next build and removed by it.
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from studio.errors import StudioError

LOCK_NAME = ".studio.lock"
_TAG = "studio lock"

try:  # POSIX
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


@contextmanager
def project_lock(root: Path, command: str = "build") -> Iterator[Path]:
    """Hold the project's lock for the block; raise StudioError when another build holds it."""
    path = Path(root) / LOCK_NAME
    for _ in range(50):  # another build may remove the file between our open and our lock
        fd = _open(path)
        try:
            existing = os.read(fd, 512).decode("utf-8", "replace")
            if existing.strip() and not existing.startswith(_TAG):
                raise StudioError(f"{LOCK_NAME} exists and was not written by Studio; it is left untouched",
                                  file=path, hint=f"rename or remove your file named {LOCK_NAME}")
            if not _try_lock(fd):
                holder = existing.strip().splitlines()[0] if existing.strip() else _TAG
                raise StudioError(
                    f"another Studio build of this project is running ({holder.removeprefix(_TAG + ': ')})",
                    file=path,
                    hint="wait for it to finish and run again; the lock is released when that build ends "
                         "(同一项目一次只能运行一个构建)",
                )
            if not _same_file(fd, path):
                _unlock(fd)
                continue  # we locked a file another build had just removed: take the new one
            started = dt.datetime.now().isoformat(timespec="seconds")
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{_TAG}: {command}, pid {os.getpid()}, started {started}\n".encode(), 0)
            try:
                yield path
            finally:
                try:
                    path.unlink()  # while still locked: nobody else can be using it
                except OSError:
                    pass
                _unlock(fd)
            return
        finally:
            os.close(fd)
    raise StudioError("could not take the build lock", file=path, hint="run the build again")


def _open(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StudioError(f"cannot create the build lock: {exc.strerror}", file=path,
                          hint="check that the project folder is writable") from None


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False
