"""``studio serve`` for engines without a live server of their own that runs Studio.

Builds the site into a private folder, serves it on 127.0.0.1 and rebuilds it when a file
of the project changes (checked once a second); a failed rebuild prints its problems and
keeps the last good site on the server.
"""

from __future__ import annotations

import functools
import http.server
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

import click

from studio.errors import BuildFailed, StudioError


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # requests are not news
        pass


def _address(dev_addr: str | None) -> tuple[str, int]:
    text = dev_addr or "127.0.0.1:8000"
    host, _, port = text.rpartition(":")
    try:
        return host or "127.0.0.1", int(port)
    except ValueError:
        raise StudioError(f"invalid address '{text}'", hint="write IP:PORT, e.g. -a 127.0.0.1:8001") from None


def _snapshot(root: Path) -> dict[str, int]:
    out = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root).parts
        if rel and rel[0] in ("site", ".cache", ".git", ".venv") or any(p.startswith(".") for p in rel):
            continue
        try:
            out[str(path)] = path.stat().st_mtime_ns
        except OSError:
            continue
    return out


def serve_rebuilding(config_file: Path, dev_addr: str | None, build: Callable[[Path], Path]) -> None:
    host, port = _address(dev_addr)
    root = Path(config_file).resolve().parent
    site = Path(tempfile.mkdtemp(prefix="studio-serve-")) / "site"
    handler = functools.partial(_Quiet, directory=str(site))
    try:  # the port first: a port in use is one line, before a whole build is spent
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise StudioError(f"cannot serve on {host}:{port}: {exc.strerror}",
                          hint=f"another program uses the port; try -a {host}:{port + 1}") from None
    _rebuild(build, site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    click.echo(f"studio: serving on http://{host}:{port}/ (Ctrl-C to stop)")
    seen = _snapshot(root)
    try:
        while True:
            time.sleep(1)
            now = _snapshot(root)
            if now != seen:
                seen = now
                started = time.monotonic()
                if _rebuild(build, site):
                    click.echo(f"studio: rebuilt in {time.monotonic() - started:.1f} s")
    finally:
        server.shutdown()


def _rebuild(build: Callable[[Path], Path], site: Path) -> bool:
    try:
        build(site)
        return True
    except BuildFailed as exc:
        for p in exc.problems:
            click.echo(p.format(), err=True)
    except StudioError as exc:
        click.echo(exc.format(), err=True)
    click.echo("studio: the build failed; still serving the last good site", err=True)
    return False
