"""Where a build may write, and how it replaces the old site atomically.

A build goes into a fresh temporary folder beside the site folder and is swapped in
only when it succeeded: a failed or interrupted build leaves the previous site as it was.
Studio marks the folders it creates, and never replaces a folder it did not create.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from studio.config import StudioConfig
from studio.errors import StudioError

MARKER = ".studio-site"


def check_site_dir(site: Path, config: StudioConfig) -> None:
    """Refuse site folders whose replacement would destroy the user's files."""
    site = site.resolve()
    root = config.root.resolve()
    hint = "choose a build folder such as 'site/' (--site-dir site)"
    if site.exists() and not site.is_dir():
        raise StudioError(f"refusing to build into '{site}': it is a file, not a folder", hint=hint)
    if site == root or site in root.parents:
        raise StudioError(f"refusing to build into '{site}': it holds the project", hint=hint)
    for name, base in (("content", config.content_path), ("case studies", config.case_studies_path)):
        base = base.resolve()
        if site == base or base in site.parents:
            raise StudioError(f"refusing to build into '{site}': it lies inside the {name} folder", hint=hint)
    if (site / ".git").exists():
        raise StudioError(f"refusing to build into '{site}': it holds a .git repository", hint=hint)
    if site.is_dir() and any(site.iterdir()) and not (site / MARKER).exists():
        raise StudioError(
            f"refusing to replace '{site}': Studio did not create it (no {MARKER} marker)",
            hint="move its files away or pick another --site-dir; Studio never deletes files it did not write",
        )


@contextmanager
def staged(site: Path) -> Iterator[Path]:
    """Yield a temporary folder to build into; on success swap it in for ``site``."""
    site = site.resolve()
    site.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{site.name}-new-", dir=site.parent))
    try:
        # Marked at once, so that leftovers of a killed build are known to be Studio's.
        (tmp / MARKER).write_text(f"built by studio; safe to delete\npid {os.getpid()}\n", encoding="utf-8")
        yield tmp
        readable(tmp)
        swap(tmp, site)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def readable(folder: Path) -> None:
    """Folders 0755 and files 0644 (less the umask): what a static web server's user can read.

    The temporary folder is created private (0700); a site is meant to be served.
    """
    mask = os.umask(0)
    os.umask(mask)
    dirs, files = 0o777 & ~mask, 0o666 & ~mask
    os.chmod(folder, dirs)
    for base, names, filenames in os.walk(folder):
        for name in names:
            os.chmod(os.path.join(base, name), dirs)
        for name in filenames:
            path = os.path.join(base, name)
            if not os.path.islink(path):
                os.chmod(path, files)


def inside_project(site: Path, config: StudioConfig) -> None:
    """Refuse a site folder the author names outside the project (``--site-dir``, ``site_dir:``)."""
    if not site.resolve().is_relative_to(config.root.resolve()):
        raise StudioError(f"refusing to build into '{site}': it lies outside the project",
                          hint="build into a folder of the project (e.g. site/) and copy it where it is served")


def swap(new: Path, site: Path) -> None:
    """Replace ``site`` by ``new`` with two renames; the old copy is removed last."""
    from studio.guard.interrupt import deferred

    old = None
    with deferred():  # Ctrl-C / kill wait until both renames are done
        if site.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{site.name}-old-", dir=site.parent))
            old.rmdir()
            os.replace(site, old)
        os.replace(new, site)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def tidy(site: Path) -> None:
    """Clear what a killed build (SIGKILL, power loss) left beside ``site``; call under the lock.

    Only folders with Studio's name pattern *and* its marker are touched. A site moved
    aside but never replaced is put back.
    """
    site = site.resolve()
    if not site.parent.is_dir():
        return
    leftovers = [p for p in site.parent.glob(f".{site.name}-*-*")
                 if p.is_dir() and p.name.split("-")[-2] in ("new", "old") and (p / MARKER).is_file()
                 and not _running(p / MARKER)]
    if not site.exists():
        old = sorted((p for p in leftovers if p.name.split("-")[-2] == "old"), key=lambda p: p.stat().st_mtime)
        if old:
            os.replace(old[-1], site)
            leftovers.remove(old[-1])
    for p in leftovers:
        shutil.rmtree(p, ignore_errors=True)


def _running(marker: Path) -> bool:
    """Whether the build that wrote ``marker`` still runs (another project may share the folder)."""
    try:
        words = marker.read_text(encoding="utf-8").split()
        pid = int(words[words.index("pid") + 1])
    except (OSError, ValueError, IndexError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
