"""What people type into the search box finds the page they mean (issue 5).

Each query is typed into Material's search box on the built sample site, in headless
Chromium. Every expected page must be among the first five results, and the first result
for at least 90% of the queries. The queries mix simplified and traditional characters,
full-width letters, Latin words, punctuation and domain terms the stock segmenter cuts
apart (私域 → 私|域, 人设 → 官人|设, 私域IP产能悖论).
"""

from __future__ import annotations

import pytest

# (query, expected page, what it exercises)
QUERIES = [
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
    ("企微", "glossary/", "abbreviation (企业微信)"),
    ("个微", "glossary/", "abbreviation (个人微信)"),
    ("WeCom", "glossary/", "English name from the glossary"),
    ("获客成本", "glossary/", "dictionary term"),
    ("术语表", "glossary/", "generated page"),
    ("私域運營知識庫", "", "traditional site title"),
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
    page.wait_for_function(
        """() => document.querySelectorAll('.md-search-result__item').length > 0
            || document.querySelector('.md-search-result__meta').textContent.includes('没有')""",
        timeout=30_000)
    hrefs = page.eval_on_selector_all(
        ".md-search-result__item > a:first-child", "els => els.map(e => e.href.split(/[?#]/)[0])")
    return [h.removeprefix(site_url) for h in hrefs]


def rank_all(search_box, page, site_url: str) -> dict[str, int | None]:
    """Each query's expected page's rank (1 = first), None when it is not listed."""
    ranks = {}
    for query, expected, _ in QUERIES:
        results = search_box(page, query, site_url)
        ranks[query] = results.index(expected) + 1 if expected in results else None
    return ranks


def test_at_least_thirty_queries():
    assert len(QUERIES) >= 30
    assert len({q for q, _, _ in QUERIES}) == len(QUERIES)


@pytest.mark.browser
def test_queries_find_the_expected_page(visit, site_url):
    v = visit(site_url)
    ranks = rank_all(search, v.page, site_url)
    report = "\n".join(f"  {q!r}: rank {ranks[q]} (expected {e or 'home'}: {why})"
                       for q, e, why in QUERIES if ranks[q] != 1)
    missing = [q for q in ranks if ranks[q] is None or ranks[q] > 5]
    assert not missing, f"expected page not in the top 5:\n{report}"
    first = sum(r == 1 for r in ranks.values())
    assert first >= 0.9 * len(QUERIES), f"first for only {first}/{len(QUERIES)}:\n{report}"
    assert v.outside_requests() == []
    assert v.console_errors == []
