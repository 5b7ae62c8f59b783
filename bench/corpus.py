"""A generated Studio project of N long Chinese articles, for search and build benchmarks.

Real articles cannot be shipped, so the text is made from two sources: sentences about
private-domain work built from the playbook's vocabulary, and filler sentences whose words
are drawn from jieba's dictionary by frequency (so the vocabulary is as varied, and the
index as large and as hard to compress, as with real prose). A share of the pages is
converted to traditional characters with OpenCC, as many industry articles are.

Usage (library)::

    from bench.corpus import write_project
    write_project(Path("/tmp/corpus"), pages=1000)     # then: studio build in that folder

Usage (command line)::

    python bench/corpus.py /tmp/corpus --pages 1000 [--kb 12] [--plain-search]

Every page is deterministic for a given seed. Page ``articles/a0042.md`` holds the marker
``needle-0042`` and its own term ``私域试验田0042号`` so a benchmark can query one page.
"""

from __future__ import annotations

import argparse
import itertools
import random
import shutil
from pathlib import Path

TOPICS = ["私域", "社群", "企业微信", "朋友圈", "视频号", "小程序", "公众号", "复购", "裂变",
          "人设", "会员", "门店", "直播", "福利官", "拉新", "留存", "转化", "客单价", "获客成本"]
BRANDS = ["瑞幸", "泡泡玛特", "完美日记", "喜茶", "名创优品", "蔚来", "孩子王", "百果园",
          "元气森林", "钱大妈", "屈臣氏", "丝芙兰", "奈雪", "西贝", "太二", "良品铺子"]
LATIN = ["GMV", "SCRM", "LTV", "ROI", "KOC", "KOL", "SOP", "UV", "DAU", "WeTool", "CRM", "API"]
TEMPLATES = [
    "{b}的{t}打法，核心是把{t2}做成用户愿意留下来的理由，而不是天天发广告。",
    "很多团队在{t}上投入不少，却忽略了{t2}：没有承接，引流来的人很快就流失了。",
    "我们复盘了{b}的{t}案例：{t2}负责拉近距离，小程序负责转化，{l}比去年提升了一截。",
    "做{t}要先算清楚账：获客成本、客单价和复购频次决定了{l}能不能打正。",
    "在{t}运营中，{t2}的节奏感很重要，每周一个小活动促活，每月一个大活动转化。",
    "{b}的做法是按门店建群，由统一的福利官承接，{t}和{t2}口径一致。",
    "复购≈需求+信任+曝光：需求靠产品，信任靠人设，曝光靠{t}和{t2}的持续出现。",
    "如果{t}只有工作标签，就像一台广告机；加上生活标签，{t2}才有温度。",
    "团队用{l}看{t}的效果，但更应该关注用户终身价值，而不是一次成交的{l2}。",
    "个人号群控工具被封禁之后，{t}普遍迁到企业微信，{t2}的数据也能按天导出。",
]
PUNCT = "，，，、；"


def _dictionary(seed: int) -> tuple[list[str], list[float]]:
    """Words of jieba's dictionary (2–4 Han characters) with their frequencies."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    words, weights = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) < 2 or not 2 <= len(parts[0]) <= 4:
            continue
        word = parts[0]
        if all("\u4e00" <= ch <= "\u9fff" for ch in word):
            words.append(word)
            weights.append(float(parts[1]) ** 0.75)  # flatten the head a little, as prose does
    return words, weights


class Writer:
    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.words, weights = _dictionary(seed)
        self.cum = list(itertools.accumulate(weights))  # choices() is O(n) per call without it

    def domain_sentence(self) -> str:
        r = self.rng
        t, t2 = r.sample(TOPICS, 2)
        l, l2 = r.sample(LATIN, 2)
        return r.choice(TEMPLATES).format(b=r.choice(BRANDS), t=t, t2=t2, l=l, l2=l2)

    def filler_sentence(self) -> str:
        r = self.rng
        words = r.choices(self.words, cum_weights=self.cum, k=r.randint(8, 18))
        out = []
        for i, w in enumerate(words):
            out.append(w)
            if i and i % r.randint(4, 7) == 0 and i < len(words) - 1:
                out.append(r.choice(PUNCT))
        return "".join(out) + r.choice("。。。！？")

    def paragraph(self) -> str:
        r = self.rng
        parts = [self.domain_sentence() if r.random() < 0.3 else self.filler_sentence()
                 for _ in range(r.randint(3, 6))]
        return "".join(parts)

    def article(self, number: int, kb: int) -> tuple[str, str]:
        """Front matter + Markdown of one article of about ``kb`` KB (UTF-8)."""
        r = self.rng
        topic, topic2 = r.sample(TOPICS, 2)
        brand = r.choice(BRANDS)
        title = f"{brand}{topic}实战笔记（{number:04d}）"
        lines = [f"# {title}", "", f"本文记录 {brand} 的{topic}与{topic2}。标记 needle-{number:04d}，"
                 f"专有名词：私域试验田{number:04d}号。", ""]
        size = len("\n".join(lines).encode())
        section = 0
        while size < kb * 1024:
            if size > (section + 1) * 2500:
                section += 1
                heading = f"## {r.choice(TOPICS)}的第{section}个要点"
                lines += [heading, ""]
                size += len(heading.encode()) + 2
            para = self.paragraph()
            lines += [para, ""]
            size += len(para.encode()) + 2
        tags = sorted({topic, topic2})
        front = f"---\ntitle: {title}\ntags: [{', '.join(tags)}]\n---\n\n"
        return title, front + "\n".join(lines)


MKDOCS_YML = """\
site_name: 生成的私域知识库
docs_dir: content
site_dir: site
use_directory_urls: true
theme:
  name: material
  language: zh
  font: false
plugins:
{plugins}
markdown_extensions:
  - toc:
      permalink: true
"""
PLAIN_SEARCH = "  - search:\n      lang: zh\n"
STUDIO = PLAIN_SEARCH + "  - studio\n"


def write_project(dest: Path, pages: int = 1000, kb: int = 12, seed: int = 7,
                  traditional_share: float = 0.2, plain_search: bool = False) -> Path:
    """Write a Studio project with ``pages`` articles into ``dest`` (replaced if present).

    ``plain_search`` leaves the Studio plugin out: Material's own search only, the baseline.
    """
    import opencc

    to_traditional = opencc.OpenCC("s2t")
    if dest.exists():
        shutil.rmtree(dest)
    articles = dest / "content" / "articles"
    articles.mkdir(parents=True)
    writer = Writer(seed)
    titles = []
    for n in range(pages):
        title, text = writer.article(n, kb)
        if writer.rng.random() < traditional_share:
            text = to_traditional.convert(text)
            title = to_traditional.convert(title)
        (articles / f"a{n:04d}.md").write_text(text, encoding="utf-8")
        titles.append((n, title))
    index = ["# 生成的私域知识库", "", f"共 {pages} 篇文章。", ""]
    index += [f"- [{t}](articles/a{n:04d}.md)" for n, t in titles[:50]]
    (dest / "content" / "index.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    (dest / "mkdocs.yml").write_text(MKDOCS_YML.format(plugins=PLAIN_SEARCH if plain_search else STUDIO),
                                     encoding="utf-8")
    return dest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dest", type=Path)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--kb", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--plain-search", action="store_true", help="Material's search only (baseline)")
    args = ap.parse_args()
    write_project(args.dest, args.pages, args.kb, args.seed, plain_search=args.plain_search)
    print(f"wrote {args.pages} pages into {args.dest}")


if __name__ == "__main__":
    main()
