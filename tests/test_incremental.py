"""A rebuild after a one-page edit yields the same site as a cold build of the same content.

CI keeps ``.cache/`` between runs (README, section 'Build speed and page weight'); whatever
the cache held, the site must be the one a build from nothing would write.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from conftest import copy_project, run_studio

# Files whose bytes carry the build's date and time by design (the sitemap's <lastmod>, Studio's marker).
TIMESTAMPED = {"sitemap.xml", "sitemap.xml.gz", ".studio-site"}  # .studio-site: when and by whom


def snapshot(site: Path) -> dict[str, str]:
    out = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.is_file() and rel not in TIMESTAMPED and not rel.endswith(".gz") and not rel.endswith(".br"):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.mark.parametrize("index_pages", [None, 10])  # 10: the search index in parts, one re-indexed
def test_one_page_rebuild_equals_a_cold_build(tmp_path, index_pages):
    project = copy_project(tmp_path / "p")
    if index_pages:
        config = project / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("  - studio:\n", f"  - studio:\n      search: {{index_pages: {index_pages}}}\n", 1),
                          encoding="utf-8")
    run_studio("build", cwd=project, check=True)  # fills .cache/
    page = project / "content" / "playbook" / "funnel.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\n补充一句：复购靠的是持续触达。\n", encoding="utf-8")
    run_studio("build", cwd=project, check=True)  # warm: one page changed
    warm = snapshot(project / "site")
    shutil.rmtree(project / ".cache")
    shutil.rmtree(project / "site")
    run_studio("build", cwd=project, check=True)  # cold: nothing reused
    cold = snapshot(project / "site")
    if index_pages:
        assert any(k.startswith("search/pagefind/part") for k in cold)
    assert warm.keys() == cold.keys()
    differ = sorted(k for k in cold if warm[k] != cold[k])
    assert differ == [], differ[:20]
    assert any("补充一句" in p.read_text(encoding="utf-8") for p in (project / "site" / "playbook").rglob("*.html"))
