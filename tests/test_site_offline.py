"""The built sample site: its pages exist and none requests anything outside 127.0.0.1."""

from __future__ import annotations

import pytest

PAGES = [
    "", "personas/", "personas/store-lucky/", "personas/expert-koc/", "personas/brand-ip/",
    "case_studies/", "case_studies/luckin/", "case_studies/popmart/", "case_studies/quadrant/",
    "playbook/",
]


def test_sample_site_has_the_expected_pages(site):
    for page in PAGES:
        assert (site / page / "index.html").is_file(), page


def test_no_google_fonts_or_cdn_in_html(site):
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text, html
        assert "unpkg.com" not in text and "cdn.jsdelivr" not in text, html


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_pages_request_nothing_outside(visit, site_url, page):
    v = visit(site_url + page)
    assert v.outside_requests() == []
    assert v.console_errors == []
