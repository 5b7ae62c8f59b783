"""Chinese search (issue 5): normalization, the dictionary, the glossary, the built index."""

from __future__ import annotations

import gzip
import hashlib
import json
import textwrap
from pathlib import Path

import pytest

from conftest import run_studio
from studio.features.search import glossary as glossary_mod
from studio.features.search.indexer import Synonyms, write_index
from studio.features.search.normalize import fold, normalize, strip_annotations
from studio.features.search.records import Record, Section, keywords_of, mark_listings, record_of
from studio.features.search.segment import Segmenter


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    return Segmenter([("私域IP产能悖论", None)])


# normalization ---------------------------------------------------------------------------
def test_traditional_and_simplified_meet_in_one_spelling():
    assert normalize("私域運營，復購率") == "私域运营，复购率"
    assert normalize("社羣裡的門店") == "社群里的门店"
    assert normalize("运营") == "运营"  # simplified stays


def test_simplified_characters_are_never_rewritten():
    assert normalize("什么 后来 里面 干净") == "什么 后来 里面 干净"


def test_full_width_letters_and_digits_become_ascii_and_length_is_kept():
    text = "朋友圈ＧＭＶ２０２４，增长"
    assert normalize(text) == "朋友圈GMV2024，增长"  # full-width comma stays: it is prose
    assert fold("WeTool 封號") == "wetool 封号"
    assert len(normalize(text)) == len(text)


# annotations (issue 15) --------------------------------------------------------------------
@pytest.mark.parametrize("text, clean", [
    ("運(yùn)營(yíng)", "運營"),                          # pinyin with tone marks
    ("复（fù）购（gòu）的(de)用户", "复购的用户"),        # full-width brackets, neutral tone in a run
    ("复(fu4)购(gou4)", "复购"),                        # numbered pinyin
    ("运营 (yùn yíng) 很重要", "运营 很重要"),            # one reading for a word
    ("運(ㄩㄣˋ)營(ㄧㄥˊ)", "運營"),                        # zhuyin in brackets
    ("運ㄩㄣˋ營ㄧㄥˊ", "運營"),                            # zhuyin inline (ruby flattened)
    ("運yùn營yíng", "運營"),                            # pinyin inline (ruby flattened)
])
def test_character_annotations_are_dropped(text, clean):
    assert strip_annotations(text) == clean


@pytest.mark.parametrize("text", ["企业微信(WeCom)的区别", "天猫(Tmall)旗舰店", "我的(de)朋友", "Vue(3)框架",
                                  "复购率(%)", "GMV(万元)"])
def test_brackets_that_are_not_readings_stay(text):
    assert strip_annotations(text) == text


def test_ruby_readings_are_not_indexed():
    html = '<h1 id="t">社群</h1><p><ruby>社<rt>ㄕㄜˋ</rt></ruby><ruby>群<rp>(</rp><rt>qún</rt><rp>)</rp></ruby>的第一天，復(fù)購(gòu)。</p>'
    rec = record_of("a/", "社群", html, {}, [])
    assert rec.sections[0].text == "社群的第一天，復購。"


def test_landing_pages_are_guessed_from_the_layout_and_front_matter_wins():
    records = [Record(u, "t") for u in ["", "playbook/", "playbook/funnel/", "glossary/", "reports/w/", "reports/w/1/"]]
    records.append(record_of("personas/", "人设库", "<p>x</p>", {"search": {"listing": False}}, []))
    records.append(Record("personas/a/", "a"))
    listing = {r.url: r.listing for r in mark_listings(records)}
    assert listing == {"": True, "playbook/": True, "playbook/funnel/": False, "glossary/": False,
                       "reports/w/": True, "reports/w/1/": False, "personas/": False, "personas/a/": False}


def test_a_landing_page_weighs_its_text_below_its_title(seg, tmp_path):
    from studio.features.search.indexer import PageWriter

    writer = PageWriter(seg, Synonyms([]))
    page = writer.page(Record("", "首页", [], [Section(None, "首页", "瑞幸的拆解")], listing=True))
    assert 'data-pagefind-weight="10">首页</h1>' in page.html
    assert 'data-pagefind-weight="0.1">瑞幸 的 拆解</p>' in page.html


# segmentation -------------------------------------------------------------------------------
def test_domain_terms_stay_whole(seg):
    assert seg.words("福利官小鹿的人设") == ["福利官", "小鹿", "的", "人设"]
    assert seg.words("企微和个微的区别") == ["企微", "和", "个微", "的", "区别"]
    assert seg.words("泡泡玛特抽盒机") == ["泡泡玛特", "抽盒机"]


def test_long_terms_are_indexed_as_parts_so_each_part_is_found(seg):
    assert seg.words("私域IP产能悖论是什么") == ["私域", "IP", "产能", "悖论", "是", "什么"]
    assert seg.parts["私域ip产能悖论"] == ["私域", "ip", "产能", "悖论"]


def test_words_of_traditional_text_are_the_page_own_characters(seg):
    assert seg.words("私域運營復購率") == ["私域", "運營", "復購率"]


def test_vocabulary_shards_carry_frequencies_and_parts(seg):
    seg.words("私域IP产能悖论，私域的人设")
    count, shards = seg.vocabulary(target_bytes=200)
    merged = {k: v for s in shards for k, v in s.items()}
    assert count == len(shards) > 1
    assert merged["私域ip产能悖论"][1] == "私域 ip 产能 悖论"
    assert isinstance(merged["私域"], int) and merged["私域"] > 0
    for i, shard in enumerate(shards):
        assert all(ord(w[0]) % count == i for w in shard)  # the browser finds a word's shard


# records -----------------------------------------------------------------------------------------
def test_front_matter_keys_become_keywords():
    meta = {"name": "福利官小鹿", "tags": ["福利官", "门店"], "channels": ["企业微信", "社群"],
            "funnel": {"引流": "门店海报"}, "search": {"keywords": ["Lucky"]}}
    words = keywords_of(meta, ["name", "tags", "channels", "brand"])
    assert words == ["福利官小鹿", "福利官", "门店", "企业微信", "社群", "Lucky"]


def test_search_exclude_and_data_search_exclude_are_respected():
    assert record_of("a/", "A", "<h1>A</h1>", {"search": {"exclude": True}}, []) is None
    html = '<h1 id="a">标题</h1><p>留下</p><div data-search-exclude><p>不要</p></div>'
    rec = record_of("a/", "标题", html, {}, [])
    assert "留下" in rec.sections[0].text and "不要" not in rec.sections[0].text


def test_index_shows_the_page_own_characters_in_snippets(seg, tmp_path):
    """Traditional pages are indexed in simplified and shown as written."""
    records = [Record("tw/", "復購率怎麼算", ["私域"], [Section(None, "復購率怎麼算", "復購率＝購買兩次以上的客戶÷購買客戶。")]),
               Record("cn/", "运营笔记", [], [Section("x", "社群", "社群运营")])]
    manifest = write_index(records, seg, Synonyms([]), tmp_path, 10)
    assert manifest["engine"] == "pagefind" and manifest["shards"] >= 1
    fragments = {}
    for f in (tmp_path / "search/pagefind/fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(f.read_bytes())[len(b"pagefind_dcd"):])
        fragments[data["url"]] = data
    assert "復購率" in fragments["/tw/"]["content"] and "购" not in fragments["/tw/"]["content"]
    assert fragments["/tw/"]["meta"]["title"] == "復購率怎麼算"
    assert [a["id"] for a in fragments["/cn/"]["anchors"] if a["element"] == "h2"] == ["x"]
    assert not list((tmp_path / "search/pagefind").glob("pagefind-ui*"))  # Material's box, not Pagefind's


# glossary ------------------------------------------------------------------------------------------
def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_glossary_errors_name_the_line(tmp_path):
    path = write(tmp_path / "glossary.yml", """\
        - term: 私域
          definition: 自己的用户
        - term: 公域
          defintion: 平台的流量
        - term: 私域
          definition: 重复
        """)
    glossary, problems = glossary_mod.parse(path)
    assert [t.term for t in glossary.terms] == ["私域"]
    messages = [(p.line, p.severity, p.message) for p in problems]
    assert (4, "error", "unknown key 'defintion' (did you mean 'definition'?)") in messages
    assert any(line == 3 and "definition: missing" in msg for line, _, msg in messages)
    assert any(line == 5 and sev == "warning" and "twice" in msg for line, sev, msg in messages)


def test_glossary_invalid_yaml_names_the_line(tmp_path):
    path = write(tmp_path / "glossary.yml", "- term: 私域\n  definition: [未闭合\n")
    _, problems = glossary_mod.parse(path)
    assert problems and problems[0].line in (2, 3) and "invalid YAML" in problems[0].message


def test_broken_glossary_fails_check_with_file_line(project):
    write(project / "content" / "glossary.yml", "- term: 私域\n  definiton: 自己的用户\n")
    proc = run_studio("check", cwd=project)
    assert proc.returncode == 1
    assert "content/glossary.yml:2" in proc.stderr and "did you mean 'definition'" in proc.stderr
    assert "Traceback" not in proc.stderr


# the built sample site ------------------------------------------------------------------------------
def test_site_has_chunked_index_vocabulary_and_no_big_material_index(site):
    manifest = json.loads((site / "search/studio/manifest.json").read_text())
    assert manifest["engine"] == "pagefind"
    assert len(list((site / "search/studio/vocab").glob("*.json"))) == manifest["shards"]
    assert list((site / "search/pagefind/index").glob("*.pf_index"))
    material = json.loads((site / "search/search_index.json").read_text())
    assert material["docs"] == []  # Material's box stays; the index behind it is Pagefind's


def test_pages_point_material_at_the_studio_worker(site):
    html = (site / "personas/store-lucky/index.html").read_text(encoding="utf-8")
    assert '"search": "../../assets/javascripts/workers/studio-search.js?v=' in html
    assert (site / "assets/javascripts/workers/studio-search.js").is_file()
    assert (site / "assets/javascripts/workers/studio-t2s.js").is_file()


def test_glossary_page_lists_terms(site):
    html = (site / "glossary/index.html").read_text(encoding="utf-8")
    assert "术语表" in html and "私域IP产能悖论" in html and "又称：企微" in html
    assert not (site / "glossary.yml").exists()  # the raw file is not published


@pytest.mark.browser
def test_results_show_a_highlighted_snippet(visit, site_url):
    v = visit(site_url)
    box = v.page.locator(".md-search__input")
    box.click()
    box.fill("复购率")
    box.press("End")
    v.page.wait_for_selector(".md-search-result__item mark")
    marks = v.page.eval_on_selector_all(".md-search-result__item mark", "els => els.map(e => e.textContent)")
    assert "复购率" in marks
    assert v.outside_requests() == [] and v.console_errors == []


def small_site(root: Path, pages: dict[str, str], studio: str = "studio") -> Path:
    """A project of ``pages`` (name -> Markdown) with Material's search box, built."""
    (root / "content").mkdir()
    write(root / "mkdocs.yml", f"""\
        site_name: t
        docs_dir: content
        theme: {{name: material, language: zh, font: false}}
        plugins: [search, {studio}]
        """)
    for name, text in pages.items():
        write(root / "content" / name, text)
    run_studio("build", cwd=root, check=True)
    return root / "site"


def type_into_search(v, query: str):
    box = v.page.locator(".md-search__input")
    box.click()
    box.fill(query)
    box.press("End")
    return box


@pytest.mark.browser
def test_simplified_query_finds_a_traditional_page_shown_as_written(tmp_path, visit):
    """Both directions, on a small project with one traditional article."""
    from conftest import serve_dir

    site = small_site(tmp_path, {"index.md": "# 首页\n\n私域运营的首页。\n",
                                 "tw.md": "# 會員復購\n\n門店社羣的復購率，靠企業微信每天發券。\n"})
    server = serve_dir(site)
    try:
        v = visit(f"http://127.0.0.1:{server.server_address[1]}/")
        type_into_search(v, "复购率 社群")
        v.page.wait_for_selector(".md-search-result__item mark")
        item = v.page.locator(".md-search-result__item", has=v.page.locator("a[href*='tw/']"))
        text = item.first.inner_text()
        assert "復購率" in text and "社羣" in text  # the page's own characters
    finally:
        server.shutdown()


@pytest.mark.browser
def test_a_search_file_that_fails_once_is_fetched_again(tmp_path, visit):
    """A phone on a weak network, a busy server: the first request for each search file fails
    (503, or the connection closed without an answer), and the query still finds the page,
    with no error shown. Without the retry Pagefind keeps the chunk as empty: 名创优品 would
    find nothing for the rest of the visit."""
    import threading

    from conftest import QuietHandler, serve_dir

    site = small_site(tmp_path, {"index.md": "# 首页\n\n私域运营的首页。\n",
                                 "miniso.md": "# 名创优品\n\n名创优品在收银台放一张进群台卡。\n"})
    failed: list[str] = []
    lock = threading.Lock()

    class Flaky(QuietHandler):
        def do_GET(self):
            path = self.path.split("?")[0]
            with lock:
                first = path.startswith("/search/") and path not in failed
                if first:
                    failed.append(path)
            if not first:
                return super().do_GET()
            if len(failed) % 2:
                self.send_error(503, "busy")
            else:
                self.close_connection = True  # no answer at all

    server = serve_dir(site, Flaky)
    try:
        v = visit(f"http://127.0.0.1:{server.server_address[1]}/")
        type_into_search(v, "名创优品")
        v.page.wait_for_selector(".md-search-result__item mark")
        hrefs = v.page.eval_on_selector_all(".md-search-result__item > a:first-child", "els => els.map(e => e.href)")
        assert any("miniso/" in h for h in hrefs)
        kinds = {Path(p).suffix for p in failed}
        assert {".json", ".pf_index", ".pf_fragment"} <= kinds, failed  # the vocabulary and Pagefind's files
        assert v.console_errors == []
    finally:
        server.shutdown()

def test_a_missing_pagefind_program_is_one_clear_error_and_the_old_site_stays(tmp_path):
    import os
    import subprocess

    from conftest import STUDIO

    site = small_site(tmp_path, {"index.md": "# 首页\n\n私域运营。\n"})
    before = (site / "index.html").read_bytes()
    (tmp_path / "content" / "index.md").write_text("# 首页\n\n改过的首页。\n", encoding="utf-8")
    proc = subprocess.run([*STUDIO, "build"], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PAGEFIND_BINARY_PATH": str(tmp_path / "no-pagefind")})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "Traceback" not in out, out
    assert "the Pagefind program is missing" in out and "search.engine: lunr" in out
    assert (site / "index.html").read_bytes() == before

def test_lunr_engine_keeps_material_index_with_studio_words(tmp_path):
    """engine: lunr (a site opened from file://): Material's index, plus a simplified 'keys' field."""
    (tmp_path / "content").mkdir()
    write(tmp_path / "mkdocs.yml", """\
        site_name: t
        docs_dir: content
        theme: {name: material, language: zh, font: false}
        plugins:
          - search
          - studio:
              search: {engine: lunr}
        """)
    write(tmp_path / "content" / "index.md", "---\ntags: [私域]\n---\n# 會員復購\n\n門店社羣的復購率。運(yùn)營(yíng)節奏。\n")
    run_studio("build", cwd=tmp_path, check=True)
    index = json.loads((tmp_path / "site/search/search_index.json").read_text())
    assert "keys" in index["config"]["fields"]
    doc = next(d for d in index["docs"] if d["location"] == "")
    assert "复购率" in doc["keys"].replace("\u200b", "") and "復購率" in doc["text"].replace("\u200b", "")
    assert "运营节奏" in doc["keys"].replace("\u200b", "")  # annotations dropped (issue 15)
    html = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    assert "studio-search.js?v=" in html and "engine=lunr" in html
    assert not (tmp_path / "site/search/pagefind").exists()


def _search_data(url: str) -> bool:
    return any(part in url for part in ("/search/", "studio-search", "studio-t2s", "pagefind"))


@pytest.mark.browser
def test_nothing_for_search_loads_before_the_box_gets_focus(visit, site_url):
    """Issue 15: no worker, table, index or Pagefind request until search is wanted."""
    v = visit(site_url)  # waits for the network to be idle
    v.page.mouse.wheel(0, 400)
    v.page.locator("a[href*='playbook/']").first.hover()
    assert [u for u in v.requests if _search_data(u)] == []
    box = v.page.locator(".md-search__input")
    with v.page.expect_request(lambda r: "pagefind" in r.url):
        box.focus()
    box.fill("复购率")
    box.press("End")
    v.page.wait_for_selector(".md-search-result__item mark")
    assert v.console_errors == []


@pytest.mark.browser
def test_a_key_opening_search_loads_it(visit, site_url):
    v = visit(site_url)
    with v.page.expect_request(lambda r: "studio-search.js" in r.url):
        v.page.keyboard.press("/")  # Material's shortcut focuses the box
    box = v.page.locator(".md-search__input")
    box.fill("私域")
    box.press("End")
    v.page.wait_for_selector(".md-search-result__item")


def test_a_big_site_lists_its_common_words_for_the_browser(seg, tmp_path):
    """Words on most pages of a big site are named in the manifest: the browser does not look
    them up when a query has rarer words (issue 15: 10,000 pages)."""
    records = [Record(f"p{i}/", f"私域笔记{i}", [], [Section(None, "", f"私域运营的第{i}篇。" + ("裂变活动。" if i % 10 == 0 else ""))])
               for i in range(210)]
    manifest = write_index(records, Segmenter(), Synonyms([]), tmp_path, 10)
    assert manifest["pages"] == 210
    assert "私域" in manifest["common"] and "裂变" not in manifest["common"]
    small = write_index(records[:20], Segmenter(), Synonyms([]), tmp_path / "small", 10)
    assert small["common"] == []  # a small site: every word is looked up


# the index built beside the build (issue 18) ------------------------------------------------
def _pages_for_index(n: int):
    from studio.features.search.background import PageText

    out = []
    for i in range(n):
        html = (f'<h1 id="t">私域笔记{i}</h1><p>復購率和社群运营的第{i}篇。</p>'
                f'<h2 id="s{i}">裂变</h2><p>企微和个微的区别。{"抽盒机" if i % 7 == 0 else ""}</p>')
        out.append(PageText(f"notes/{i}/" if i else "", f"私域笔记{i}", html,
                            {"tags": ["私域"], "search": {"exclude": True} if i == 3 else None}, typed=i % 5 == 0))
    return out


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _indexer(cache_dir: Path):
    from studio.cache import Cache
    from studio.features.search.background import Indexer

    return Indexer([("抽盒机", None)], [["企业微信", "企微"]], ["tags"], 10, Cache(cache_dir, "search"), "fp")


@pytest.mark.parametrize("pages", [10, 80])  # 80: the pages left at the end are cut on every core
def test_the_index_cut_in_a_background_process_is_the_index_cut_at_the_end(tmp_path, pages):
    """A build hands each page to a forked indexing process as it renders; the search files it
    writes are byte for byte those of indexing every page at the end, in the build's process."""
    from studio.features.search.background import IndexProcess

    indexer = _indexer
    items = _pages_for_index(pages)
    at_end = indexer(tmp_path / "c1")
    for item in items:
        at_end.add(item)
    manifest = at_end.finish(tmp_path / "a")
    beside = IndexProcess(indexer(tmp_path / "c2"))
    for item in items:
        beside.add(item)
    assert beside.finish(tmp_path / "b") == manifest
    assert manifest["pages"] == pages - 1  # one page says search: exclude
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    again = indexer(tmp_path / "c1")  # every page as before: the vocabulary comes from the cache
    for item in items:
        again.add(item)
    assert again.finish(tmp_path / "warm") == manifest and _files(tmp_path / "warm") == _files(tmp_path / "a")
    # what the process read and wrote in its cache is kept by the build's pruning
    # (a record per page, the cut words of each page kept, the Pagefind index, the vocabulary,
    # and each search file: kept as files, linked into the site)
    index_files = {hashlib.sha256(p.read_bytes()).digest() for p in (tmp_path / "a" / "search").rglob("*")
                   if p.is_file()}
    assert at_end.cache.used == beside.cache.used
    assert len(beside.cache.used) == pages + (pages - 1) + 2 + len(index_files)


def test_index_files_linked_from_the_cache_and_edited_in_the_site_are_indexed_again(tmp_path):
    """A rebuild links the unchanged index's files from the cache into the site (no copy);
    a site file edited in place there is the cache's file too, and must never come back."""
    items = _pages_for_index(10)

    def build(site: Path) -> dict:
        indexer = _indexer(tmp_path / "cache")
        for item in items:
            indexer.add(item)
        indexer.finish(site)
        return _files(site)

    first = build(tmp_path / "a")
    fragment = next((tmp_path / "a" / "search" / "pagefind" / "fragment").iterdir())
    assert fragment.stat().st_nlink == 2  # the site's file is the cache's file
    shard = next((tmp_path / "a" / "search" / "studio" / "vocab").iterdir())
    for edited in (fragment, shard):
        with open(edited, "r+b") as f:  # a deploy step writing into the site
            f.write(b"garbage")
    assert build(tmp_path / "b") == first  # indexed and counted again: every file as before


@pytest.mark.parametrize("late", [0, 1])
def test_an_index_sealed_while_templates_fill_is_the_index_written_at_the_end(tmp_path, late):
    """MkDocs renders every page, then fills the templates: the adapter seals the index then,
    and it is written meanwhile. A page that comes after the seal (a plugin adding one late)
    has it written again: the files are those of indexing every page at the end either way."""
    from studio.features.search.background import IndexProcess

    items = _pages_for_index(80)
    at_end = _indexer(tmp_path / "c1")
    for item in items:
        at_end.add(item)
    manifest = at_end.finish(tmp_path / "a")
    beside = IndexProcess(_indexer(tmp_path / "c2"))
    for item in items[:len(items) - late]:
        beside.add(item)
    beside.seal(tmp_path / "b")
    for item in items[len(items) - late:]:
        beside.add(item)
    told = []
    assert beside.finish(tmp_path / "b", told.append) == manifest
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert sum(told) == len(items)  # the progress bar still reaches every page
    # (and the sealed index of the pages before a late one is kept in the cache too)
    assert at_end.cache.used == beside.cache.used if not late else at_end.cache.used < beside.cache.used


def test_a_failed_build_stops_its_indexing_process(tmp_path):
    import os

    from studio.cache import Cache
    from studio.features.search.background import Indexer, IndexProcess

    beside = IndexProcess(Indexer([], [], [], 10, Cache(tmp_path, "search"), "fp"))
    beside.add(_pages_for_index(1)[0])
    pid = beside.pid
    beside.close()  # what SiteSearch.close does when the engine fails
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no process is left behind
    assert not (tmp_path / "a").exists()


# an index in parts (issue 18: Pagefind's memory on 10,000 pages) --------------------------------
def test_a_big_index_is_written_in_parts_each_page_in_one(seg, tmp_path):
    records = [Record(f"p{i}/", f"私域笔记{i}", [], [Section(None, "", f"私域运营的第{i}篇。")]) for i in range(12)]
    manifest = write_index(records, seg, Synonyms([]), tmp_path, 10, index_pages=4)
    parts = manifest["indexes"]
    assert parts and all(p.startswith("search/pagefind/part") for p in parts)
    counts = [json.loads((tmp_path / p / "pagefind-entry.json").read_text())["languages"]["und"]["page_count"]
              for p in ["search/pagefind/", *parts]]
    assert sum(counts) == 12 and all(counts)
    assert not any((tmp_path / p / "pagefind.js").exists() for p in parts)  # one runtime, the first part's
    whole = write_index(records, seg, Synonyms([]), tmp_path / "whole", 10)
    assert "indexes" not in whole  # a small site: one index, as before


@pytest.mark.browser
def test_a_site_indexed_in_parts_finds_pages_of_every_part(tmp_path, visit):
    from conftest import serve_dir

    notes = {f"n{i}.md": f"# 笔记{i}\n\n第{i}篇讲社群复购，也讲朋友，标记词 needle{i}。\n" for i in range(1, 10)}
    notes["n9.md"] = "# 笔记9\n\n第9篇讲社群复购，也讲朋友圈，标记词 needle9。\n"
    site = small_site(tmp_path, {"index.md": "# 首页\n\n私域运营的首页。\n", **notes},
                      studio="{studio: {search: {index_pages: 3}}}")
    manifest = json.loads((site / "search" / "studio" / "manifest.json").read_text())
    assert len(manifest["indexes"]) >= 2 and manifest["hidden"]
    server = serve_dir(site)
    try:
        v = visit(f"http://127.0.0.1:{server.server_address[1]}/")
        box = type_into_search(v, "社群复购")
        # the nine notes, whichever part holds them (and the metrics page that defines 复购)
        v.page.wait_for_function("document.querySelector('.md-search-result__meta') && parseInt("
                                 "document.querySelector('.md-search-result__meta').textContent.match(/\\d+/)) >= 9")
        for i in (1, 5, 9):  # a page of each part, by its own word
            box.fill(f"needle{i}")
            box.press("End")
            v.page.wait_for_selector(f".md-search-result__item a[href*='n{i}/']")
        # 朋友圈 is on one page: the parts without it answer nothing (Pagefind alone would
        # list their pages with 朋友, the longest word it starts with)
        box.fill("朋友圈")
        box.press("End")
        v.page.wait_for_function("document.querySelector('.md-search-result__list').dataset.query === '朋友圈'")
        hrefs = v.page.eval_on_selector_all(".md-search-result__item > a:first-child", "els => els.map(e => e.href)")
        assert [h.rsplit("/", 2)[-2] for h in hrefs if "/n" in h] == ["n9"], hrefs
        assert v.console_errors == [] and v.outside_requests() == []
    finally:
        server.shutdown()
