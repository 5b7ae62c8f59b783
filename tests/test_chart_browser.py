"""Charts in headless Chromium: each draws an SVG, offline, without console errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

CHART_PAGES = ["dashboards/", "dashboards/luckin-orders/", "dashboards/popmart-contacts/",
               "dashboards/luckin-groups/", "dashboards/popmart-moments/", "dashboards/luckin-funnel/",
               "case_studies/luckin/"]


@pytest.mark.parametrize("page", CHART_PAGES)
def test_every_chart_draws_an_svg(visit, site_url, page):
    v = visit(site_url + page)
    charts = v.page.locator("figure.studio-chart")
    assert charts.count() > 0
    for i in range(charts.count()):  # each is drawn as it scrolls into view
        charts.nth(i).scroll_into_view_if_needed()
        charts.nth(i).locator("svg.main-svg").first.wait_for(state="attached", timeout=10_000)
    assert v.console_errors == []
    assert v.outside_requests() == []
    assert any(r.endswith("/assets/studio/plotly.min.js") for r in v.requests)


def test_page_without_charts_does_not_load_plotly(visit, site_url):
    v = visit(site_url + "playbook/")
    assert not any("plotly" in r for r in v.requests)
    assert v.console_errors == []


def test_charts_follow_the_dark_palette(visit, site_url):
    v = visit(site_url + "dashboards/luckin-orders/")
    v.page.locator("figure.studio-chart").first.scroll_into_view_if_needed()  # drawn once on screen
    title = v.page.locator("figure.studio-chart .gtitle").first
    title.wait_for(state="attached", timeout=15_000)
    light = title.evaluate("e => getComputedStyle(e).fill")
    v.page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    v.page.wait_for_function(f"getComputedStyle(document.querySelector('figure.studio-chart .gtitle')).fill !== '{light}'",
                             timeout=5_000)
    assert v.console_errors == []


def test_kpi_tiles_and_data_tables_are_readable_without_script(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "dashboards/luckin-orders/")
        assert page.locator('.studio-kpi[data-metric="gmv"]').count() == 1
        assert page.locator("figure.studio-chart table.studio-chart__table").count() >= 5
    finally:
        context.close()


def test_charts_print(visit, site_url):
    v = visit(site_url + "dashboards/luckin-orders/")
    chart = v.page.locator("figure.studio-chart").first
    chart.scroll_into_view_if_needed()  # drawn once on screen
    chart.locator("svg.main-svg").first.wait_for(state="attached", timeout=15_000)
    v.page.emulate_media(media="print")
    assert chart.locator("svg.main-svg").first.is_visible()
    assert not chart.locator("details.studio-chart__data").is_visible()  # the table is for screens
    assert len(v.page.pdf(format="A4")) > 10_000
