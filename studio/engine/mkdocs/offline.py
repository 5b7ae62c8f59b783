"""``studio build --offline``: the site as a zip that works opened from ``file://``.

Trainees get a copy that needs no intranet. Material's ``offline`` plugin does the work
(plain ``page.html`` links, search index inlined into a script); its one outside request,
the iframe-worker shim from unpkg.com that runs search without a web worker, is replaced
by the copy vendored in ``studio/assets``. The normal site folder is left untouched.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig

from studio.core.pipeline import ASSET_PREFIX
from studio.errors import StudioError
from studio.engine.sitedir import MARKER

SHIM = ASSET_PREFIX + "iframe-worker-shim.js"  # the name must hold 'iframe-worker': Material checks it
DEFAULT_ZIP = Path("dist/site-offline.zip")


def make_offline(config: MkDocsConfig) -> None:
    """Turn a loaded configuration into the offline variant (Material's offline plugin, local shim)."""
    from material.plugins.offline.plugin import OfflinePlugin

    polyfills = [p for p in (config.extra.get("polyfills") or []) if "iframe-worker" not in str(p)]
    config.extra["polyfills"] = [*polyfills, SHIM]  # set first, so the plugin adds no unpkg.com URL
    config.use_directory_urls = False
    if not any(isinstance(p, OfflinePlugin) for p in config.plugins.values()):
        plugin = OfflinePlugin()
        errors, warnings = plugin.load_config({}, config.config_file_path)
        if errors:  # pragma: no cover - no options are given
            raise StudioError(f"offline plugin: {errors}", file=config.config_file_path)
        config.plugins["material/offline"] = plugin


def build_offline(config_file: Path, zip_file: Path | None = None, strict: bool = False) -> Path:
    """Build the offline variant in a temporary folder and zip it; return the zip path."""
    from studio.engine import build as engine

    root = Path(config_file).resolve().parent
    target = Path(zip_file) if zip_file is not None else root / DEFAULT_ZIP
    if target.suffix.lower() != ".zip":
        raise StudioError(f"'{target}' is not a .zip file name", hint="e.g. --zip dist/site-offline.zip")
    with tempfile.TemporaryDirectory(prefix="studio-offline-") as tmp:
        site = engine.build(config_file, site_dir=Path(tmp) / "site", strict=strict, configure=make_offline,
                            contained=False)
        return write_zip(site, target, folder=target.stem)


def entry_name(rel: str) -> str:
    """A zip entry name that unpacks inside its folder on every system (no '..', '\\', 'C:')."""
    parts = rel.split("/")
    if any(p in ("", ".", "..") or "\\" in p or ":" in p or any(ord(c) < 32 for c in p) for p in parts):
        raise StudioError(f"'{rel}' cannot be put in a zip safely (its name holds '..', '\\', ':' or a control "
                          "character)", hint="rename the file")
    return rel


def write_zip(site: Path, target: Path, folder: str) -> Path:
    """Zip ``site`` under one top folder (unzipping gives ``folder/index.html``); written atomically."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            root = site.resolve()
            for path in sorted(site.rglob("*")):
                if not path.is_file() or path.name == MARKER:
                    continue
                if not path.resolve().is_relative_to(root):
                    raise StudioError(f"'{path.relative_to(site)}' links outside the site; it is not zipped",
                                      hint="copy the file into the project instead of linking to it")
                zf.write(path, f"{folder}/{entry_name(path.relative_to(site).as_posix())}")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target
