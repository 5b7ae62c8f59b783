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


# pages' Markdown → HTML kept across builds (studio/engine/mkdocs/rendered.py) -----------------
def _small_project(root: Path, pages: dict[str, str]) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: t\ndocs_dir: content\ntheme: {name: material, language: zh, font: false}\n"
                                     "plugins: [search, studio]\n", encoding="utf-8")
    for name, text in pages.items():
        (root / "content" / name).write_text(text, encoding="utf-8")
    return root


def test_a_broken_link_warns_on_every_build_not_only_the_first(tmp_path):
    """A render that warned is not reused: the warm build warns again, and --strict fails."""
    project = _small_project(tmp_path, {"index.md": "# 首页\n\n见[不存在的页](missing.md)。\n"})
    first = run_studio("build", cwd=project, check=True)
    assert "missing.md" in first.stdout + first.stderr
    again = run_studio("build", "--strict", cwd=project)
    assert again.returncode != 0 and "missing.md" in again.stdout + again.stderr


def test_an_author_cannot_forge_a_seal_through_the_kept_html(tmp_path):
    """Studio's blocks keep their scripts through a seal with a nonce of the build's process; the
    kept HTML stores a marker for it. A page that writes that marker itself is never kept."""
    forged = "<!--studio-block:\0seal\0-->\n\n<script>alert(1)</script>\n\n<!--/studio-block:\0seal\0-->"
    project = _small_project(tmp_path, {"index.md": f"# 首页\n\n{forged}\n"})
    for _ in range(2):  # cold, then warm
        run_studio("build", cwd=project)
        page = project / "site" / "index.html"
        if page.exists():
            assert "alert(1)" not in page.read_text(encoding="utf-8")


def test_personal_data_in_a_page_is_reported_on_every_build(tmp_path):
    """Pages found clean are not scanned again; a page with a phone number is, every build."""
    project = _small_project(tmp_path, {"index.md": "# 首页\n\n私域运营。\n", "a.md": "# 店长\n\n电话 13812345678。\n"})
    for _ in range(2):
        proc = run_studio("build", cwd=project)
        assert "a.md" in proc.stderr and "138****5678" in proc.stderr
    (project / "content" / "index.md").write_text("# 首页\n\n客服 13912345678。\n", encoding="utf-8")
    proc = run_studio("build", cwd=project)  # a page found clean before, now with a number
    assert "index.md" in proc.stderr and "139****5678" in proc.stderr


def test_a_data_file_found_clean_is_scanned_again_once_it_changes(tmp_path):
    """Data files found clean are not scanned again (.cache/data-pii); the same file with a
    phone number is, on every build."""
    project = _small_project(tmp_path, {"index.md": "# 首页\n\n私域运营。\n"})
    data = project / "content" / "members.csv"
    data.write_text("会员,城市\nA001,上海\nA002,北京\n", encoding="utf-8")
    for _ in range(2):
        proc = run_studio("build", cwd=project)
        assert proc.returncode == 0, proc.stderr
    assert list((project / ".cache" / "data-pii").glob("*/*"))  # remembered as clean
    data.write_text("会员,城市\nA001,上海 13812345678\nA002,北京\n", encoding="utf-8")
    proc = run_studio("build", cwd=project)
    assert proc.returncode == 1 and "members.csv" in proc.stderr and "138****5678" in proc.stderr
    for _ in range(2):  # found again on the next build: findings are never cached
        proc = run_studio("build", cwd=project)
        assert "138****5678" in proc.stderr
