"""What people type into the search box finds the page they mean (issues 5 and 15).

Each query is typed into Material's search box, in headless Chromium, on the sample site
plus imported articles (``tests/fixtures/search/articles``: long Chinese pages, some with
pinyin, zhuyin or ruby after the characters). A query names the page(s) that answer it;
hit@5 must be 100% and hit@1 at least 93%. The queries mix simplified and traditional
characters, full-width letters, Latin words, punctuation, questions typed as sentences,
annotated text, glossary aliases, brand names and domain terms the stock segmenter cuts
apart (私域 → 私|域, 人设 → 官人|设, 私域IP产能悖论).

A held-out set (``HELDOUT``) asks about other imported articles
(``tests/fixtures/search/heldout``), which the ranking was not tuned on; it is held to the
same targets.

    .venv/bin/python -m pytest -q tests/test_search_queries.py   # prints hit@1 and hit@5
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import copy_project, run_studio, serve_dir

FIXTURES = Path(__file__).parent / "fixtures" / "search"
ARTICLES = "imported/"  # where the fixture articles go in the test site's content/
HELDOUT_DIR = "imported-more/"

# (query, expected page or pages, what it exercises); these the sample site alone answers
SAMPLE_QUERIES = [
    ("福利官小鹿", "personas/store-lucky/", "persona name"),
    ("咖啡研究员阿杰", "personas/expert-koc/", "persona name"),
    ("品牌IP团团", "personas/brand-ip/", "persona name, mixed Latin"),
    ("團團", "personas/brand-ip/", "traditional query, simplified page"),
    ("早起跑步 橘猫", "personas/store-lucky/", "persona life tags"),
    ("SCA认证咖啡师", "personas/expert-koc/", "persona work tag, Latin + Chinese unspaced"),
    ("瑞幸咖啡", "case_studies/luckin/", "teardown brand"),
    ("Luckin Coffee", "case_studies/luckin/", "teardown brand_en"),
    ("首席福利官Lucky", "case_studies/luckin/", "Chinese + Latin unspaced"),
    ("泡泡玛特", "case_studies/popmart/", "brand the segmenter splits (泡泡|玛特)"),
    ("泡泡瑪特", "case_studies/popmart/", "traditional brand"),
    ("Pop Mart 抽盒机", "case_studies/popmart/", "English brand + term"),
    ("抽盒機小程序", "case_studies/popmart/", "traditional, unspaced"),
    ("晒娃换娃", "case_studies/popmart/", "two terms unspaced"),
    ("母婴奶粉", "case_studies/babycare/", "teardown industry"),
    ("育兒顧問", "case_studies/babycare/", "traditional"),
    ("育儿顾问", "case_studies/babycare/", "simplified"),
    ("Sample Baby Formula", "case_studies/babycare/", "brand_en"),
    ("行业适配象限", "case_studies/quadrant/", "generated page title"),
    ("公域与私域", "playbook/public-vs-private/", "playbook title"),
    ("公域獲客成本", "playbook/public-vs-private/", "traditional + dictionary term"),
    ("引流承接转化复购", "playbook/funnel/", "four terms unspaced"),
    ("复购=需求+信任+曝光", "playbook/funnel/", "punctuation in the query"),
    ("觸點與分工", "playbook/touchpoints/", "traditional playbook title"),
    ("企业微信为什么成了主阵地", "playbook/touchpoints/", "a heading typed as a sentence"),
    ("群控工具封禁", "playbook/touchpoints/", "dictionary term 群控"),
    ("每周一个小活动", "playbook/ip-content-activity/", "phrase"),
    ("私域IP产能悖论", "glossary/", "domain term the segmenter gets wrong"),
    ("WeTool 封号", "glossary/", "Latin + Chinese"),
    ("企业IP", "glossary/", "mixed term"),
    ("企業ＩＰ", "glossary/", "traditional + full-width letters"),
    ("ＳＯＰ", "glossary/", "full-width Latin"),
    # an alias counts as the word: the pages about 企业微信 answer 企微 as well as the glossary
    ("企微", ("glossary/", "imported/personal-vs-wecom/", "playbook/touchpoints/"), "abbreviation (企业微信)"),
    ("个微", ("glossary/", "imported/personal-vs-wecom/"), "abbreviation (个人微信)"),
    ("WeCom", ("glossary/", "imported/personal-vs-wecom/", "playbook/touchpoints/"), "English name from the glossary"),
    ("获客成本", "glossary/", "dictionary term"),
    ("术语表", "glossary/", "generated page"),
    ("私域運營知識庫", "", "traditional site title"),
    ("瑞幸", "case_studies/luckin/", "brand the home page also links to"),
    ("泡泡玛特 私域", "case_studies/popmart/", "brand + term, the home page mentions both"),
]
QUERIES = SAMPLE_QUERIES + [
    # imported articles (tests/fixtures/search/articles)
    ("个微 企微 区别", ARTICLES + "personal-vs-wecom/", "aliases; the page lacks 区别"),
    ("個人微信 企業微信 怎麼選", ARTICLES + "personal-vs-wecom/", "traditional question"),
    ("导购离职 客户怎么办", ARTICLES + "personal-vs-wecom/", "question typed as a sentence"),
    ("个人号 封号风险", ARTICLES + "personal-vs-wecom/", "alias of 个人微信"),
    ("门店导购用什么账号", ARTICLES + "personal-vs-wecom/", "question without spaces"),
    ("企微 好友上限", ARTICLES + "personal-vs-wecom/", "alias + body term"),
    ("群控工具 封禁 个人号", (ARTICLES + "personal-vs-wecom/", "playbook/touchpoints/", "glossary/"), "three terms"),
    ("會員復購 抓手", ARTICLES + "repurchase-pinyin/", "traditional query, annotated page"),
    ("会员复购的抓手", ARTICLES + "repurchase-pinyin/", "simplified query, traditional annotated page"),
    ("會員日 復購率", ARTICLES + "repurchase-pinyin/", "traditional"),
    ("復(fù)購(gòu)", (ARTICLES + "repurchase-pinyin/", "playbook/funnel/", "glossary/"), "annotated query"),
    ("運(yùn)營(yíng)節奏", (ARTICLES + "repurchase-pinyin/", ARTICLES + "community-ruby/"), "annotated query"),
    ("运营节奏 社群", (ARTICLES + "repurchase-pinyin/", ARTICLES + "community-ruby/"), "annotated page"),
    ("沉睡会员 唤醒", ARTICLES + "repurchase-pinyin/", "annotated page, simplified query"),
    ("需求 信任 曝光", (ARTICLES + "repurchase-pinyin/", "playbook/funnel/", "glossary/"), "words annotated on the page"),
    ("喜茶", ARTICLES + "heytea-teardown/", "brand"),
    ("HEYTEA 会员", ARTICLES + "heytea-teardown/", "brand_en + term"),
    ("ＨＥＹＴＥＡ", ARTICLES + "heytea-teardown/", "full-width brand_en"),
    ("喜茶GO小程序点单", ARTICLES + "heytea-teardown/", "mixed, unspaced"),
    ("付费会员 每月领券", ARTICLES + "heytea-teardown/", "body terms"),
    ("星球会员", ARTICLES + "heytea-teardown/", "body term"),
    ("會員等級 成長值", ARTICLES + "heytea-teardown/", "traditional body terms"),
    ("完美日记", ARTICLES + "perfect-diary-teardown/", "brand"),
    ("完美日記 小完子", ARTICLES + "perfect-diary-teardown/", "traditional brand + persona"),
    ("Perfect Diary 人设", ARTICLES + "perfect-diary-teardown/", "brand_en + glossary term"),
    ("小完子", ARTICLES + "perfect-diary-teardown/", "persona name in an article"),
    ("包裹卡 扫码 加好友", ARTICLES + "perfect-diary-teardown/", "one word absent from the page"),
    ("美妆品牌 个人号人设", ARTICLES + "perfect-diary-teardown/", "industry + alias"),
    ("社群冷启动", ARTICLES + "community-ruby/", "title term"),
    ("社群 群规", ARTICLES + "community-ruby/", "ruby-annotated words"),
    ("冷启(qǐ)动(dòng)", ARTICLES + "community-ruby/", "pinyin-annotated query"),
    ("拼团 接龙", ARTICLES + "community-ruby/", "body terms"),
    ("前七天 破冰", ARTICLES + "community-ruby/", "heading terms"),
]

# Other imported articles (tests/fixtures/search/heldout), not used to tune the ranking.
HELDOUT = [
    ("名创优品", HELDOUT_DIR + "miniso-teardown/", "brand"),
    ("MINISO 进群率", HELDOUT_DIR + "miniso-teardown/", "brand_en + term"),
    ("收银台台卡 进群", HELDOUT_DIR + "miniso-teardown/", "body terms"),
    ("名創優品 福利群", HELDOUT_DIR + "miniso-teardown/", "traditional brand + glossary alias"),
    ("群活跃率 低于", HELDOUT_DIR + "miniso-teardown/", "body terms"),
    ("朋友圈每天发几条", HELDOUT_DIR + "moments-copy-pinyin/", "question"),
    ("干(gàn)货(huò)", HELDOUT_DIR + "moments-copy-pinyin/", "annotated query"),
    ("朋友圈文案怎么写", HELDOUT_DIR + "moments-copy-pinyin/", "question"),
    ("互(hù)動(dòng) 评论区", HELDOUT_DIR + "moments-copy-pinyin/", "annotated traditional query"),
    ("SCRM 选型", HELDOUT_DIR + "scrm-selection/", "Latin + Chinese"),
    ("会话存档 质检", HELDOUT_DIR + "scrm-selection/", "body terms"),
    ("SCRM按账号收费", HELDOUT_DIR + "scrm-selection/", "unspaced mixed"),
    ("企業微信 SCRM 工具", HELDOUT_DIR + "scrm-selection/", "traditional + Latin"),
    ("导购不愿意用的工具", HELDOUT_DIR + "scrm-selection/", "a sentence from the page"),
    ("今日好物 限时秒杀", HELDOUT_DIR + "miniso-teardown/", "body terms"),
]


def search(page, query: str, site_url: str) -> list[str]:
    """Type ``query`` into Material's box; return the result pages' paths, best first."""
    box = page.locator(".md-search__input")
    box.click()
    box.fill("")
    box.press("End")  # Material reads the box on keyup
    page.wait_for_function("document.querySelectorAll('.md-search-result__item').length === 0")
    box.fill(query)
    box.press("End")
    # the list answers this query (results.js marks it): an older answer (the empty box's)
    # arriving after typing would show 「没有」 for a moment
    page.wait_for_function(
        """q => { const list = document.querySelector('.md-search-result__list')
                 return list && list.dataset.query === q
                   && (list.querySelectorAll('.md-search-result__item').length > 0
                       || document.querySelector('.md-search-result__meta').textContent.includes('没有')) }""",
        arg=query, timeout=30_000)
    hrefs = page.eval_on_selector_all(
        ".md-search-result__item > a:first-child", "els => els.map(e => e.href.split(/[?#]/)[0])")
    return [h.removeprefix(site_url) for h in hrefs]


def rank_all(search_box, page, site_url: str, queries=None) -> dict[str, int | None]:
    """Each query's best expected page's rank (1 = first), None when none is listed.
    Without ``queries``: the queries the sample site alone answers."""
    ranks = {}
    for query, expected, _ in queries or SAMPLE_QUERIES:
        results = search_box(page, query, site_url)
        wanted = (expected,) if isinstance(expected, str) else expected
        ranks[query] = min((results.index(e) + 1 for e in wanted if e in results), default=None)
    return ranks


def add_articles(project: Path) -> Path:
    """The fixture articles and the held-out ones, imported into a project's content."""
    for sub, folder in (("articles", ARTICLES), ("heldout", HELDOUT_DIR)):
        shutil.copytree(FIXTURES / sub, project / "content" / folder)
    return project


@pytest.fixture(scope="module")
def search_site_url(tmp_path_factory):
    project = add_articles(copy_project(tmp_path_factory.mktemp("search") / "project"))
    run_studio("build", "--strict", cwd=project, check=True)
    server = serve_dir(project / "site")
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_at_least_sixty_queries():
    assert len(QUERIES) >= 60 and len(HELDOUT) >= 10
    queries = [q for q, _, _ in QUERIES + HELDOUT]
    assert len(set(queries)) == len(queries)


def check(ranks: dict, queries: list, label: str) -> None:
    report = "\n".join(f"  {q!r}: rank {ranks[q]} (expected {e or 'home'}: {why})"
                       for q, e, why in queries if ranks[q] != 1)
    first = sum(r == 1 for r in ranks.values())
    top5 = sum(r is not None and r <= 5 for r in ranks.values())
    print(f"\n{label}: hit@1 {first}/{len(queries)} = {first / len(queries):.1%}, "
          f"hit@5 {top5}/{len(queries)} = {top5 / len(queries):.1%}\n{report}")
    assert top5 == len(queries), f"expected page not in the top 5:\n{report}"
    assert first >= 0.93 * len(queries), f"first for only {first}/{len(queries)}:\n{report}"


@pytest.mark.browser
def test_queries_find_the_expected_page(visit, search_site_url):
    v = visit(search_site_url)
    check(rank_all(search, v.page, search_site_url, QUERIES), QUERIES, "query set")
    assert v.outside_requests() == []
    assert v.console_errors == []


@pytest.mark.browser
def test_held_out_queries_find_the_expected_page(visit, search_site_url):
    v = visit(search_site_url)
    check(rank_all(search, v.page, search_site_url, HELDOUT), HELDOUT, "held-out set")
    assert v.console_errors == []


# what the result list shows (issue 15) -------------------------------------------------------
def result_items(page) -> list[dict]:
    return page.eval_on_selector_all(".md-search-result__item:not(.studio-search-more)", """els => els.map(e => ({
        href: e.querySelector('a').href.split(/[?#]/)[0],
        missing: !!e.querySelector('.md-search-result__terms'),
        text: e.innerText}))""")


@pytest.mark.browser
def test_partial_matches_are_listed_below_full_ones(visit, search_site_url):
    """「个微 企微 主阵地」: the article comparing the two accounts lacks 主阵地 but is
    listed; every page holding all three words (or their glossary names) comes first."""
    v = visit(search_site_url)
    search(v.page, "个微 企微 主阵地", search_site_url)
    items = result_items(v.page)
    missing = [i["missing"] for i in items]
    assert True in missing and False in missing, items
    assert missing == sorted(missing), "a partial match is listed above a full one"
    article = next(i for i in items if i["href"].endswith(ARTICLES + "personal-vs-wecom/"))
    assert "缺少: 主阵地" in article["text"]  # Material's own mark of a missing word
    assert any(i["href"].endswith("playbook/touchpoints/") and not i["missing"] for i in items)


@pytest.mark.browser
def test_annotated_text_is_found_and_shown_clean(visit, search_site_url):
    v = visit(search_site_url)
    for query, url, shown in (("会员复购的抓手", "repurchase-pinyin/", "復購"),
                              ("運營節奏", "repurchase-pinyin/", "運營"),
                              ("社群 群规", "community-ruby/", "社群")):
        search(v.page, query, search_site_url)
        items = result_items(v.page)
        item = next((i for i in items if i["href"].endswith(ARTICLES + url)), None)
        assert item is not None, (query, items)
        assert shown in item["text"]
        for reading in ("fù", "gòu", "yùn", "ㄕㄜˋ", "ㄑㄩㄣˊ", "(", "（"):
            assert reading not in item["text"], (query, item["text"])


@pytest.mark.browser
def test_true_count_and_more_results_on_demand(visit, search_site_url):
    """The counter says how many pages match; 「显示更多」 lists them all, ten at a time."""
    v = visit(search_site_url)
    page = v.page
    search(page, "复购", search_site_url)
    meta = page.locator(".md-search-result__meta").inner_text()
    total = int(meta.split(" ")[0])
    assert total > 10 and meta == f"{total} 个符合条件的结果"
    assert len(result_items(page)) == 10
    shown = 10
    while shown < total:
        more = page.locator(".studio-search-more button")
        assert f"还有 {total - shown} 个" in more.inner_text()
        more.click()
        shown = min(total, shown + 10)
        page.wait_for_function(
            f"document.querySelectorAll('.md-search-result__item:not(.studio-search-more)').length === {shown}")
    assert page.locator(".studio-search-more").count() == 0
    hrefs = [i["href"] for i in result_items(page)]
    assert len(set(hrefs)) == total  # each page once
    assert page.locator(".md-search-result__meta").inner_text() == meta
    assert v.console_errors == []
