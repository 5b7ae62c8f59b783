"""Hostile and careless input (issue 20): nothing outside the project is read or published,
no injected script runs, only files meant for download are published, the site folder is
the user's to keep.

Every script-injection case is checked in Chromium on the built site: each page is opened
and must raise no dialog and set no ``window.__pwned``. (Data-file cases — limits, numbers,
duplicate keys, refunds, PII look-alikes — are in ``test_hostile_data.py``.)
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import STUDIO, copy_project, run_studio, serve_dir

PWN = 'window.__pwned=1'
IMG = f'"><img src=x onerror="{PWN}">'
SCRIPT = f'</title><script>{PWN}</script>'
ORDERS = "客户ID,下单时间,实付金额,渠道\nc1,2024-05-01,10,门店\nc2,2024-05-02,12,社群\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def failed(proc: subprocess.CompletedProcess, *needles: str) -> str:
    """The build failed as a user mistake: exit 1, file:line messages, no traceback."""
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Traceback" not in out, out
    for needle in needles:
        assert needle in out, f"{needle!r} not in:\n{out}"
    return out


# Reading outside the project ------------------------------------------------------------------
@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the project with an export the project must never read."""
    return write(tmp_path / "outside" / "orders.csv", ORDERS.replace("10", "777777"))


def chart_page(project: Path, data: str, block: str = "chart") -> Path:
    return write(project / "content/playbook/leak.md",
                 f"# 外部数据\n\n```{block}\ndata: {data}\ntype: bar\nx: channel\ny: amount\n```\n")


def test_a_block_cannot_read_a_file_outside_the_project(project, outside):
    chart_page(project, "../../../outside/orders.csv")
    out = failed(run_studio("build", cwd=project), "content/playbook/leak.md:4: error: chart block: data file",
                 "lies outside the project")
    assert "777777" not in out
    assert not (project / "site").exists()


def test_an_absolute_path_to_proc_prints_no_environment(project):
    write(project / "content/playbook/env.md", "# 环境\n\n```kpi\ndata: /proc/self/environ\n```\n")
    env = {**os.environ, "CI_DEPLOY_TOKEN": "tok-4f9a1c77"}
    proc = subprocess.run([*STUDIO, "build"], cwd=project, capture_output=True, text=True, env=env, timeout=600)
    out = failed(proc, "content/playbook/env.md:4: error: kpi block: data file '/proc/self/environ' lies outside")
    assert "tok-4f9a1c77" not in out and "CI_DEPLOY_TOKEN" not in out


def test_a_report_dataset_outside_the_project_is_refused(project, outside):
    replace(project / "content/reports/team-weekly.md", "  - data/team-orders.csv",
            "  - ../../../outside/orders.csv")
    failed(run_studio("build", cwd=project), "content/reports/team-weekly.md", "lies outside the project")


def test_front_matter_datasets_outside_the_project_are_refused(project, outside):
    replace(project / "case_studies/luckin/index.md", "datasets: [orders.csv,", "datasets: [../../../outside/orders.csv, orders.csv,")
    failed(run_studio("build", cwd=project), "case_studies/luckin/index.md", "dataset '../../../outside/orders.csv' lies outside")


def test_a_calendar_data_file_outside_the_project_is_refused(project, outside):
    write(project / "content/calendars/leak.yaml", "title: 外部\ndata: ../../../outside/orders.csv\n")
    failed(run_studio("build", cwd=project), "content/calendars/leak.yaml:2: error", "lies outside the project")


def test_a_glossary_outside_the_project_is_refused(project, tmp_path):
    write(tmp_path / "outside" / "glossary.yml", "- term: 外部\n  definition: 不该读到\n")
    replace(project / "mkdocs.yml", "  - studio:\n", "  - studio:\n      search: {glossary: ../../outside/glossary.yml}\n")
    failed(run_studio("build", cwd=project), "search.glossary: '../../outside/glossary.yml' lies outside the project")


def test_a_linked_folder_to_etc_publishes_nothing_of_it(project):
    (project / "content/system").symlink_to("/etc")
    out = failed(run_studio("build", cwd=project), "content/system' is a link to a folder outside the project")
    assert "root:x:0:0" not in out


def test_a_linked_page_and_image_outside_the_project_are_refused(project, tmp_path):
    secret = write(tmp_path / "outside" / "secret.md", "# 机密\n\n不该发布的内容\n")
    (tmp_path / "outside" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (project / "content/playbook/secret.md").symlink_to(secret)
    (project / "content/playbook/logo.png").symlink_to(tmp_path / "outside" / "logo.png")
    failed(run_studio("build", cwd=project), "'playbook/secret.md' is a link to a page outside the project",
           "playbook/logo.png' is a link to a file outside the project")


def test_the_linked_folder_is_not_published_by_zensical_either(project, tmp_path):
    write(tmp_path / "outside" / "notes" / "index.md", "# 机密\n")
    (project / "content/notes").symlink_to(tmp_path / "outside" / "notes")
    failed(run_studio("build", "--engine", "zensical", cwd=project), "content/notes' is a link to a folder outside")


@pytest.mark.parametrize("slug", ["/tmp/evil-persona", "../../evil", "a/../../b", "x\\y", "./.hidden"])
def test_studio_new_writes_nothing_outside_content(project, slug):
    failed(run_studio("new", "persona", slug, cwd=project), "invalid slug")
    assert not Path("/tmp/evil-persona.md").exists()
    assert not (project.parent / "evil.md").exists()


def test_studio_new_through_a_linked_folder_writes_nothing_outside(project, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (project / "content/shared").symlink_to(tmp_path / "elsewhere")
    failed(run_studio("new", "page", "shared/note", cwd=project), "would be written outside content/")
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_the_offline_zip_refuses_names_that_escape_its_folder(project):
    (project / "content/playbook/x\\..\\..\\..\\evil.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    failed(run_studio("build", "--offline", "--zip", "dist/o.zip", cwd=project), "file name holds '\\'")
    assert not (project / "dist/o.zip").exists()


def test_the_offline_zip_holds_only_names_inside_its_folder(project):
    proc = run_studio("build", "--offline", "--zip", "dist/o.zip", cwd=project, check=True)
    assert proc.returncode == 0
    with zipfile.ZipFile(project / "dist/o.zip") as zf:
        for name in zf.namelist():
            assert name.startswith("o/") and ".." not in name.split("/") and "\\" not in name and ":" not in name


# The site folder -----------------------------------------------------------------------------------
def test_a_site_dir_that_is_a_file_is_refused_and_kept(project):
    notes = write(project / "notes.txt", "我的笔记\n")
    failed(run_studio("build", "--site-dir", "notes.txt", cwd=project), "it is a file, not a folder")
    assert notes.read_text(encoding="utf-8") == "我的笔记\n"
    assert [p.name for p in project.iterdir() if p.name.startswith(".notes")] == []


def test_a_site_dir_outside_the_project_is_refused(project, tmp_path):
    failed(run_studio("build", "--site-dir", str(tmp_path / "public"), cwd=project), "it lies outside the project")
    assert not (tmp_path / "public").exists()


def test_the_site_is_readable_by_a_web_server(project):
    proc = subprocess.run(["sh", "-c", f"umask 022 && exec {' '.join(STUDIO)} build"], cwd=project,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    site = project / "site"
    assert stat.S_IMODE(site.stat().st_mode) == 0o755
    modes = {stat.S_IMODE(p.stat().st_mode) for p in site.rglob("*") if not p.is_symlink()}
    assert modes <= {0o755, 0o644}, modes
    assert stat.S_IMODE((site / "index.html").stat().st_mode) == 0o644


def test_a_full_disk_is_one_line_and_keeps_the_previous_site(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("mounting a small tmpfs needs root (CI and sessions here run as root)")
    try:
        project = copy_project(disk / "project")
        run_studio("build", cwd=project, check=True)
        before = (project / "site/index.html").read_bytes()
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        with open(disk / "filler", "wb") as f:  # leave about 200 KB: less than one more site
            f.truncate(0)
            f.write(b"\0" * max(0, free - 200_000))
        out = failed(run_studio("build", cwd=project), "No space left on device")
        assert out.count("error:") == 1
        assert (project / "site/index.html").read_bytes() == before
        (disk / "filler").unlink()
        assert not [p for p in project.iterdir() if p.name.startswith(".site-")]  # no half-written site
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


# Files published as they are ---------------------------------------------------------------------
def test_only_files_meant_for_download_are_published(project):
    folder = project / "content/playbook"
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "guide.pdf").write_bytes(b"%PDF-1.4\n")
    write(folder / "members.txt", "客户ID,实付金额\nc1,10\n")
    (folder / "orders.xlsm").write_bytes(b"PK\x03\x04macro")
    write(folder / "tool.js", "alert(1)\n")
    write(folder / "saved.html", f"<script>{PWN}</script>\n")
    write(folder / "export.json", '{"customer": "c1"}\n')
    proc = run_studio("build", cwd=project)
    assert proc.returncode == 0, proc.stderr
    site = project / "site/playbook"
    assert (site / "logo.png").is_file() and (site / "guide.pdf").is_file()
    for name in ("members.txt", "orders.xlsm", "tool.js", "saved.html", "export.json"):
        assert not (site / name).exists(), name
    assert "saved.html: warning: raw HTML file is not published" in proc.stderr
    assert "tool.js: warning: '.js' files are not published" in proc.stderr


def test_raw_html_files_are_published_only_when_allowed(project):
    write(project / "content/playbook/saved.html", "<p>旧页面</p>\n")
    replace(project / "mkdocs.yml", "  - studio:\n", "  - studio:\n      html: {publish_html_files: true}\n")
    run_studio("build", cwd=project, check=True)
    assert (project / "site/playbook/saved.html").is_file()


@pytest.mark.parametrize("svg, reason", [
    (f'<svg xmlns="http://www.w3.org/2000/svg"><script>{PWN}</script></svg>', "holds a <script> element"),
    (f'<svg xmlns="http://www.w3.org/2000/svg" onload="{PWN}"><rect width="1" height="1"/></svg>', "event handler (onload=)"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     '<a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', "links to 'javascript:alert(1)'"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/t.png"/></svg>', "links to 'https://evil.example"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>', "holds a <foreignobject>"),
    ('<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
     "declares a DOCTYPE"),
])
def test_a_hostile_svg_is_refused(project, svg, reason):
    write(project / "content/playbook/chart.svg", svg)
    failed(run_studio("build", cwd=project), "content/playbook/chart.svg", reason, "Studio does not publish it")


def test_a_clean_svg_is_published_as_it_is(project):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><linearGradient id="g"/></defs>'
           '<rect width="10" height="10" fill="url(#g)"/><use href="#g"/></svg>')
    write(project / "content/playbook/ok.svg", svg)
    run_studio("build", cwd=project, check=True)
    assert (project / "site/playbook/ok.svg").read_text(encoding="utf-8") == svg


def test_an_exported_report_keeps_no_javascript_link(project):
    replace(project / "content/personas/store-lucky.md", "name: 福利官小鹿", "name: 'x](javascript:alert(1)) [y'")
    replace(project / "content/reports/team-weekly.md", "title: 私域周报", "title: '[周报](javascript:alert(2))'")
    out = project / "r.html"
    run_studio("export", "report", "team-weekly", "--period", "2026-W47", "-o", str(out), cwd=project, check=True)
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html, re.IGNORECASE)


# Scripts that run --------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=["mkdocs", "zensical"])
def hostile_site(request, tmp_path_factory) -> Path:
    """The sample project with a script in every value an author writes that reaches a page,
    built with each engine that renders its own templates."""
    proj = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    write(proj / "content/playbook/xss.md",
          f"---\ntitle: 'T{IMG}'\ndescription: 'D{IMG}{SCRIPT}'\nsubtitle: 'S{IMG}'\ntags: ['G{IMG}']\n---\n\n"
          f"# H{IMG}\n\n正文。[链接](javascript:{PWN})\n\n<a href=\"javascript:{PWN}\">点</a>\n\n"
          f"```chart\ndata: ../data/leak-orders.csv\ntype: bar\nx: channel\ny: amount\ntitle: 'C{IMG}'\n"
          f"caption: 'K{IMG}'\n```\n")
    write(proj / "content/data/leak-orders.csv",
          f"客户ID,下单时间,实付金额,渠道\nc1,2024-05-01,10,'<img src=x onerror={PWN}>'\n"
          f"c2,2024-05-02,12,</script><script>{PWN}</script>\n")
    course = proj / "content/courses/private-domain-101/course.yml"
    for old, key in (("title: 私域运营入门", "title"), ("audience: 新入职的私域运营专员、门店社群负责人", "audience"),
                     ("trainer: 私域运营中心培训组", "trainer")):
        replace(course, old, f"{key}: '{key[0].upper()}{IMG}'")
    replace(course, "  - 说清公域与私域的区别，判断一门生意是否适合做私域", f"  - 'O{IMG}'")
    lesson = proj / "content/courses/private-domain-101/01-what-is-private-domain.md"
    lesson.write_text(re.sub(r"^title: .*$", f"title: 'L{IMG}'", lesson.read_text(encoding="utf-8"), count=1,
                             flags=re.M), encoding="utf-8")
    persona = proj / "content/personas/store-lucky.md"
    replace(persona, "name: 福利官小鹿", f"name: 'N{IMG}'")
    replace(persona, "owner: 华东门店运营组", f"owner: 'W{IMG}'")
    replace(persona, "tone: 热情、简短、像店里熟悉的店员，多用表情但不刷屏", f"tone: 'V{IMG}'")
    replace(proj / "case_studies/luckin/index.md", "brand: 瑞幸咖啡", f"brand: 'B{IMG}'")
    replace(proj / "content/reports/team-weekly.md", "title: 私域周报", f"title: 'P{IMG}'")
    calendar = proj / "content/calendars/2026-11.csv"
    text = calendar.read_text(encoding="utf-8-sig")
    calendar.write_text(text + f'2026/11/3,10:00,朋友圈,store-lucky,生活,图文,"E{IMG}",,,草稿,王敏,javascript:{PWN},\n',
                        encoding="utf-8-sig")
    glossary = proj / "content/glossary.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8") +
                        f"\n- term: 'X{IMG}'\n  definition: 'Y{IMG}'\n", encoding="utf-8")
    proc = run_studio("build", "--engine", request.param, cwd=proj)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return proj / "site"


class Markup(HTMLParser):
    """The real tags of a page: handlers, javascript: links and scripts holding the payload."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.bad.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.bad.append(f"<{tag} {name}={value}>")
        self.in_script = tag == "script"

    def handle_data(self, data):
        if self.in_script and PWN in data and "\\u003c" not in data:
            self.bad.append("a script holding the payload")


def test_no_injected_markup_reaches_the_html(hostile_site):
    for path in hostile_site.rglob("*.html"):
        parser = Markup()
        parser.feed(path.read_text(encoding="utf-8"))
        assert parser.bad == [], path


def test_escaped_values_read_as_written(hostile_site):
    page = (hostile_site / "playbook/xss/index.html").read_text(encoding="utf-8")
    assert re.search(r"<title>T&(quot|#34);&gt;&lt;img src=x onerror=&(quot|#34);window.__pwned=1&(quot|#34);&gt; - ", page)
    assert re.search(r'content="D&(quot|#34);&gt;&lt;img', page)


@pytest.mark.browser
def test_no_script_runs_on_any_page(hostile_site, browser):
    server = serve_dir(hostile_site)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    dialogs: list[str] = []
    try:
        context = browser.new_context()
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        pages = sorted(p.relative_to(hostile_site).as_posix() for p in hostile_site.rglob("*.html"))
        assert len(pages) > 60
        for rel in pages:
            page.goto(url + rel, wait_until="load")
            assert page.evaluate("() => window.__pwned") is None, rel
            for link in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
                assert not link.strip().lower().startswith("javascript:"), (rel, link)
        context.close()
    finally:
        server.shutdown()
    assert dialogs == []


def test_a_utf16_txt_export_is_scanned_like_data_and_never_published(project):
    """WPS/Excel 'Unicode text' exports are UTF-16 and tab-separated: still data."""
    export = project / "content/playbook/members.txt"
    export.write_bytes("手机号\t姓名\t城市\t金额\n13812345678\t张三\t上海\t10\n".encode("utf-16"))
    out = failed(run_studio("build", cwd=project), "content/playbook/members.txt:2:手机号: error [pii]", "138****5678")
    assert "13812345678" not in out
    assert not (project / "site").exists()
    write(project / "content/playbook/members.md", "---\npii: {drop: [手机号, 姓名]}\n---\n# 会员\n\n"
          "```chart\ndata: members.txt\ntype: bar\nx: 城市\ny: 金额\n```\n")
    run_studio("build", "--strict", cwd=project, check=True)  # declared by the page that uses it: no finding
    assert not (project / "site/playbook/members.txt").exists()
    page = (project / "site/playbook/members/index.html").read_text(encoding="utf-8")
    assert "上海" in page and "13812345678" not in page and "张三" not in page
