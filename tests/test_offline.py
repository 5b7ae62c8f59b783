"""`studio build --offline`: a zip whose pages work from file://, search included, nothing from outside."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from conftest import copy_project, run_studio

TOP = "site-offline"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> tuple[Path, Path]:
    """The sample project's offline zip, and where it was unpacked."""
    root = tmp_path_factory.mktemp("offline")
    proj = copy_project(root / "project")
    target = root / "out" / f"{TOP}.zip"
    proc = run_studio("build", "--offline", "--zip", str(target), cwd=proj)
    assert proc.returncode == 0, proc.stderr
    assert not (proj / "site").exists()  # the normal site folder is not touched
    with zipfile.ZipFile(target) as zf:
        zf.extractall(root / "unpacked")
    return target, root / "unpacked" / TOP


def test_zip_holds_the_site_with_plain_html_links_and_a_local_shim(bundle):
    target, site = bundle
    names = zipfile.ZipFile(target).namelist()
    assert all(n.startswith(f"{TOP}/") for n in names)
    for rel in ("index.html", "search/search_index.js", "assets/studio/iframe-worker-shim.js",
                "courses/private-domain-101/index.html", "courses/private-domain-101/02-luckin-store-groups.html"):
        assert (site / rel).is_file(), rel
    html = (site / "courses/private-domain-101/index.html").read_text(encoding="utf-8")
    assert 'href="01-what-is-private-domain.html"' in html
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "unpkg.com" not in text and "<script src=\"http" not in text, page
    assert "MIT" in (site / "assets/studio/iframe-worker-shim.js").read_text(encoding="utf-8")[:2000]


@pytest.mark.browser
@pytest.mark.parametrize("page", ["index.html", "courses/private-domain-101/05-metrics.html",
                                  "case_studies/luckin/index.html"])
def test_pages_open_from_file_and_request_nothing_outside(visit, bundle, page):
    _, site = bundle
    v = visit((site / page).as_uri())
    assert v.page.locator("article h1").count() >= 1
    assert v.outside_requests() == [] and v.console_errors == []


@pytest.mark.browser
@pytest.mark.parametrize("query,expect", [("复购", "复购"), ("入群欢迎语", "引流到复购：瑞幸的门店社群")])
def test_search_works_from_file(visit, bundle, query, expect):
    _, site = bundle
    v = visit((site / "courses/private-domain-101/index.html").as_uri())
    page = v.page
    box = page.locator("input.md-search__input")
    box.click()
    for _ in range(15):  # a query typed before the index has loaded is answered by the next keystroke
        box.fill(query)
        box.press("End")
        try:
            page.wait_for_selector(".md-search-result__item", timeout=1000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError; try again
            continue
    assert page.locator(".md-search-result__item").count() > 0
    # Material separates Chinese words with zero-width spaces in results
    assert expect in page.locator(".md-search-result").inner_text().replace("\u200b", "")
    assert v.outside_requests() == [] and v.console_errors == []
