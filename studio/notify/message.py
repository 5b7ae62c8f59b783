"""The message of one report period, composed from the numbers its page shows.

Every number is taken from :meth:`PeriodNumbers.tiles` — the same dicts the KPI tile
template prints — so a chat message and the period page cannot disagree: a tile line reads
``净增客户：**1,234**　较上周 +12.3%　目标 ≥ 500 · 达成`` exactly as the tile does.

WeCom's group robot takes markdown of at most 4096 bytes (UTF-8). A longer message loses
whole lines from the end of its body, then says ``…完整报告见链接``, and the link line
always survives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from studio.features.reports.model import ReportSource
from studio.features.reports.numbers import PeriodNumbers
from studio.features.reports.periods import Period
from studio.features.reports.pages import judged_tiles
from studio.features.reports.summary import unjudged

WECOM_LIMIT = 4096  # bytes of UTF-8 in a robot markdown message
CUT = "…完整报告见链接"
NO_LINK = "（mkdocs.yml 未设置 site_url，本消息无法附上报告链接）"


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def period_url(site_url: str | None, source: ReportSource, period: Period, directory_urls: bool = True) -> str | None:
    """``<site_url>/<report folder>/<period key>/``: the period's page (not ``latest``, which moves)."""
    if not site_url:
        return None
    page = f"{source.folder}/{period.key}" if source.folder else period.key
    return site_url.rstrip("/") + "/" + (page + "/" if directory_urls else page + ".html")


def site_options(config_file: Path) -> tuple[str | None, bool]:
    """``site_url`` and ``use_directory_urls`` of mkdocs.yml (read as plain data, ``!ENV`` too)."""
    from studio.engine.mkdocs_yaml import read

    data = read(config_file)
    url = data.get("site_url")
    return (str(url).strip() or None) if url else None, data.get("use_directory_urls", True) is not False


@dataclass
class Tile:
    label: str
    text: str
    change: str  # "较上周 +12.3%（+0.4 个百分点）" or ""
    note: str  # "目标 ≥ 500 · 达成", "上周数据缺失" or ""


@dataclass
class Digest:
    """What a notification says about one period, before it is written for a channel."""

    title: str  # 私域周报
    label: str  # 2026年第47周（11月16日–11月22日）
    this: str  # 本周 / 本月
    before: str  # 上周 / 上月
    tiles: list[Tile] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)  # 群活跃度 12.0%（目标 ≥ 15.0%）
    coverage: list[str] = field(default_factory=list)
    link: str | None = None

    @property
    def subject(self) -> str:
        return f"{self.title} · {self.label}"


def digest(numbers: PeriodNumbers, link: str | None) -> Digest:
    period = numbers.period
    out = Digest(numbers.report.model.title, period.label, period.this, period.before, link=link)
    for t in judged_tiles(numbers):  # as on the page: an incomplete period's target is not judged
        change = f"较{t['previous']} {t['change_text']}" if t["change_text"] else ""
        out.tiles.append(Tile(t["label"], t["text"], change, t.get("note", "")))
    skip = unjudged(numbers)  # data stops inside the period: its targets are not judged (as on the page)
    out.missed = [f"{f.metric.label} {f.text}（目标 {f.target_text}）" for f in numbers.missed if f.name not in skip]
    out.coverage = list(numbers.coverage)
    return out


def _fit(head: list[str], body: list[str], tail: list[str], limit: int) -> str:
    """``head + body + tail`` joined by newlines within ``limit`` bytes: whole body lines are
    dropped from the end (then CUT is said); the tail (the link) is always kept."""
    text = "\n".join(head + body + tail)
    if size(text) <= limit:
        return text
    kept = list(body)
    while kept and size("\n".join(head + kept + [CUT] + tail)) > limit:
        kept.pop()
    while kept and not kept[-1].strip():
        kept.pop()
    text = "\n".join(head + kept + [CUT] + tail)
    if size(text) > limit:  # a title alone past the limit: shorten it, characters at a time
        rest = size("\n".join([CUT] + tail)) + 1
        title = "\n".join(head)
        while title and size(title + "…") + rest > limit:
            title = title[:-1]
        text = "\n".join([title + "…", CUT] + tail)
    return text


def wecom_markdown(d: Digest, limit: int = WECOM_LIMIT) -> str:
    """The robot's markdown: heading, tiles as quote lines, missed targets, coverage, link."""
    head = [f"## {d.subject}"]
    body = [f"**核心指标**（{d.this}，较{d.before}）"]
    for t in d.tiles:
        line = f"> {t.label}：**{t.text}**"
        if t.change:
            line += f"　{t.change}"
        if t.note:
            line += f"　<font color=\"comment\">{t.note}</font>"
        body.append(line)
    if d.missed:
        body.append("**未达成目标**")
        body += [f"> <font color=\"warning\">{m}</font>" for m in d.missed]
    if d.coverage:
        body.append("**数据说明**")
        body += [f"> <font color=\"comment\">{c}</font>" for c in d.coverage]
    tail = [f"[查看{d.this}完整报告]({d.link})"] if d.link else [NO_LINK]
    return _fit(head, body, tail, limit)


def plain_text(d: Digest) -> str:
    """The same digest as plain text: the e-mail's text part (the HTML part is the report)."""
    lines = [d.subject, "", f"核心指标（{d.this}，较{d.before}）"]
    for t in d.tiles:
        lines.append(f"- {t.label}：{t.text}" + (f"　{t.change}" if t.change else "") + (f"　{t.note}" if t.note else ""))
    if d.missed:
        lines += ["", "未达成目标"] + [f"- {m}" for m in d.missed]
    if d.coverage:
        lines += ["", "数据说明"] + [f"- {c}" for c in d.coverage]
    lines += ["", f"完整报告：{d.link}" if d.link else NO_LINK]
    return "\n".join(lines) + "\n"
