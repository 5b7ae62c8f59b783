"""Audiences (issue 17): a staff build leaves out every page meant for management — its page,
navigation entry, listing entry, search record, sitemap entry, links and assets — on every
engine, and never leaves a broken link.

The sample marks the monthly team report (GMV, store figures) ``audience: [management]``;
``mkdocs.yml`` declares ``audiences: {staff: [staff], management: [management, staff]}``.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from conftest import copy_project, run_studio, serve_dir

LEFT_OUT = "reports/team-monthly"


@pytest.fixture(scope="module", params=["mkdocs", "zensical"])
def staff_build(request, tmp_path_factory) -> tuple[Path, str]:
    proj = copy_project(tmp_path_factory.mktemp("staff") / "project")
    proc = run_studio("build", "--strict", "--audience", "staff", "--engine", request.param, cwd=proj)
    assert proc.returncode == 0, proc.stderr
    return proj / "site", proc.stdout + proc.stderr


def site_text(site: Path) -> dict[str, str]:
    out = {}
    for path in site.rglob("*"):
        if path.suffix in (".html", ".xml", ".json", ".js"):
            out[path.relative_to(site).as_posix()] = path.read_text(encoding="utf-8", errors="replace")
        elif path.suffix == ".pf_fragment":
            out[path.relative_to(site).as_posix()] = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
    return out


def test_the_build_says_how_many_pages_it_left_out(staff_build):
    _, output = staff_build
    assert "building for audience 'staff': 1 page(s) left out" in output


def test_no_page_of_a_management_report_is_built(staff_build):
    site, _ = staff_build
    assert not (site / LEFT_OUT).exists()
    assert (site / "reports/team-weekly/index.html").is_file()  # staff reports stay


def test_nothing_links_to_or_lists_the_left_out_report(staff_build):
    site, _ = staff_build
    for rel, text in site_text(site).items():
        if rel.startswith("assets/"):
            continue
        assert "team-monthly" not in text, rel  # no link, listing, nav entry, sitemap or search record
        assert "私域月报" not in text, rel


def test_no_link_of_the_staff_build_is_broken(staff_build):
    site, _ = staff_build
    for path in site.rglob("*.html"):
        if path.name == "404.html":  # served from any folder: its links are absolute to the server root
            continue
        for href in re.findall(r'href="([^"#?]+)[^"]*"', path.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:|^//", href) or href.startswith(("data:", "mailto:")):
                continue
            target = (path.parent / href).resolve()
            assert target.exists() or (target / "index.html").exists(), f"{path.relative_to(site)} -> {href}"


def test_a_management_build_has_everything(tmp_path):
    proj = copy_project(tmp_path / "p")
    run_studio("build", "--audience", "management", cwd=proj, check=True)
    assert (proj / "site" / LEFT_OUT / "index.html").is_file()


def test_links_and_embeds_of_left_out_pages_become_plain_text(tmp_path):
    proj = copy_project(tmp_path / "p")
    teardown = proj / "case_studies/popmart/index.md"
    teardown.write_text(teardown.read_text(encoding="utf-8").replace("type: teardown", "type: teardown\naudience: [management]", 1),
                        encoding="utf-8")
    page = proj / "content/playbook/links.md"
    page.write_text("# 链接\n\n看[泡泡玛特拆解](../case_studies/popmart/index.md)和[月报](../reports/team-monthly.md)。\n\n"
                    "```teardown\nteardown: popmart\n```\n\n看[瑞幸](../case_studies/luckin/index.md)。\n",
                    encoding="utf-8")
    proc = run_studio("build", "--strict", "--audience", "staff", cwd=proj)
    assert proc.returncode == 0, proc.stderr
    html = (proj / "site/playbook/links/index.html").read_text(encoding="utf-8")
    article = html[html.index("md-content__inner"):]
    assert "泡泡玛特拆解" in article and "popmart" not in article  # text kept, link and fact box gone
    assert "月报" in article and "team-monthly" not in article
    assert re.search(r'href="(\.\./)+case_studies/luckin/"', article)  # other links stay
    assert not (proj / "site/case_studies/popmart").exists()
    assert not (proj / "site/dashboards/popmart-orders").exists()  # its dataset pages go with it


def test_a_course_for_management_leaves_with_its_lessons(tmp_path):
    proj = copy_project(tmp_path / "p")
    course = proj / "content/courses/private-domain-101/course.yml"
    course.write_text(course.read_text(encoding="utf-8") + "audiences: [management]\n", encoding="utf-8")
    proc = run_studio("build", "--strict", "--audience", "staff", cwd=proj)
    assert proc.returncode == 0, proc.stderr
    assert not (proj / "site/courses/private-domain-101").exists()
    assert "private-domain-101" not in (proj / "site/index.html").read_text(encoding="utf-8")


def test_an_unknown_audience_is_a_clear_error(tmp_path):
    proj = copy_project(tmp_path / "p")
    proc = run_studio("build", "--audience", "staf", cwd=proj)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "unknown audience 'staf' (did you mean 'staff'?)" in proc.stderr


def test_a_misspelt_audience_in_front_matter_is_a_warning_with_its_line(tmp_path):
    proj = copy_project(tmp_path / "p")
    page = proj / "content/playbook/funnel.md"
    text = page.read_text(encoding="utf-8")
    page.write_text("---\naudience: [managment]\n---\n" + text if not text.startswith("---") else
                    text.replace("---\n", "---\naudience: [managment]\n", 1), encoding="utf-8")
    proc = run_studio("build", cwd=proj)
    assert "content/playbook/funnel.md:2: warning: audience: unknown audience 'managment' (did you mean 'management'?)" \
        in proc.stderr


@pytest.mark.browser
def test_searching_the_staff_site_finds_nothing_of_the_left_out_report(tmp_path, visit):
    proj = copy_project(tmp_path / "p")
    run_studio("build", "--audience", "staff", cwd=proj, check=True)
    from test_search_queries import search

    server = serve_dir(proj / "site")
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        v = visit(url)
        assert not any("team-monthly" in r for r in search(v.page, "私域月报", url))
        assert any("team-weekly" in r for r in search(v.page, "私域周报", url))
        assert v.outside_requests() == []
    finally:
        server.shutdown()
