"""The operating rules of the playbook, as checks on a content calendar.

Defaults come from the playbook: about five Moments posts a day per persona across four
pillars (生活/工作/促销/互动) in the persona's mix, a small 促活 activity every week, a big
转化 event every month, one bulk message a day per audience (WeCom's own limit: a customer
receives at most one company bulk message a day), and groups of about 160 members (200 is
plenty). Weeks and months are judged only when the calendar covers them fully, so a
calendar that starts mid-week is not blamed for the days before it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Iterator

from studio.features.personas.model import PILLARS

from .findings import CheckContext, Finding, Rule, rule


def _first(entries, pred=lambda e: True):
    return next((e for e in entries if pred(e)), None)


@rule("moments-per-day", "warning", "每天朋友圈条数")
def moments_per_day(ctx: CheckContext) -> Iterator[Finding]:
    o = ctx.options
    by_persona: dict[str, dict[dt.date, list]] = defaultdict(lambda: defaultdict(list))
    for e in ctx.moments():
        if e.persona:
            by_persona[e.persona][e.date].append(e)
    for slug in sorted(by_persona):
        days = by_persona[slug]
        target = ctx.personas[slug].daily_posts if slug in ctx.personas else None
        name = ctx.persona_name(slug)
        aim = f" (target {target})" if target else ""
        aim_zh = f"（目标 {target} 条）" if target else ""
        for day in ctx.calendar.days:
            posts = days.get(day, [])
            n = len(posts)
            if n < o.min_daily_posts:
                yield ctx.finding("moments-per-day",
                                  f"{day} {slug}: {n} Moments post(s), fewer than {o.min_daily_posts}{aim}",
                                  f"{day} {name} 朋友圈 {n} 条，少于 {o.min_daily_posts} 条{aim_zh}",
                                  entry=posts[0] if posts else None, when=day, persona=slug,
                                  hint="plan more posts that day or lower checks.min_daily_posts")
            elif n > o.max_daily_posts:
                yield ctx.finding("moments-per-day",
                                  f"{day} {slug}: {n} Moments posts, more than {o.max_daily_posts}{aim}",
                                  f"{day} {name} 朋友圈 {n} 条，超过 {o.max_daily_posts} 条，容易刷屏{aim_zh}",
                                  entry=posts[o.max_daily_posts], when=day, persona=slug,
                                  hint="spread the posts over other days or raise checks.max_daily_posts")
            elif target and o.daily_posts_tolerance is not None and abs(n - target) > o.daily_posts_tolerance:
                yield ctx.finding("moments-per-day",
                                  f"{day} {slug}: {n} Moments posts, {target} ± {o.daily_posts_tolerance} planned",
                                  f"{day} {name} 朋友圈 {n} 条，偏离人设设定的每天 {target} 条",
                                  entry=posts[0] if posts else None, when=day, persona=slug)


def pillar_shares(entries, pillars: tuple[str, ...] = PILLARS) -> tuple[dict[str, float], int]:
    """Share of each pillar in percent among ``entries`` that have one; and their count."""
    counts = Counter(e.pillar for e in entries if e.pillar)
    total = sum(counts.values())
    return ({p: (100 * counts[p] / total if total else 0.0) for p in pillars}, total)


def _mix_targets(ctx: CheckContext) -> Iterator[tuple[str, dict[str, float], dict[str, int], int, object]]:
    by_persona = defaultdict(list)
    for e in ctx.moments():
        if e.persona:
            by_persona[e.persona].append(e)
    for slug in sorted(by_persona):
        persona = ctx.personas.get(slug)
        shares, total = pillar_shares(by_persona[slug], ctx.pillars)
        if persona is None or total < ctx.options.min_mix_posts:
            continue
        yield slug, shares, persona.post_mix.shares(), total, by_persona[slug][0]


@rule("pillar-mix", "warning", "内容支柱配比")
def pillar_mix(ctx: CheckContext) -> Iterator[Finding]:
    tol = ctx.options.mix_tolerance
    for slug, shares, targets, total, first in _mix_targets(ctx):
        name = ctx.persona_name(slug)
        for p in ctx.pillars:
            gap = shares[p] - targets.get(p, 0)
            if abs(gap) > tol:
                yield ctx.finding("pillar-mix",
                                  f"{slug}: {p} is {shares[p]:.0f}% of {total} Moments posts, target {targets.get(p, 0)}% "
                                  f"(off by {gap:+.0f} points, more than ±{tol:g})",
                                  f"{name} 的「{p}」占 {shares[p]:.0f}%，目标 {targets.get(p, 0)}%，偏离 {gap:+.0f} 个百分点（允许 ±{tol:g}）",
                                  entry=first, when=f"{ctx.calendar.start}–{ctx.calendar.end}", persona=slug,
                                  hint="rebalance the pillars, or update post_mix in the persona guide")


@rule("promo-cap", "warning", "促销占比上限")
def promo_cap(ctx: CheckContext) -> Iterator[Finding]:
    margin = ctx.options.promo_margin
    if "促销" not in ctx.pillars:
        return  # a team without a promotion pillar has no cap to keep
    for slug, shares, targets, total, first in _mix_targets(ctx):
        cap = targets.get("促销", 0) + margin
        if shares["促销"] > cap:
            first_promo = _first(e for e in ctx.moments() if e.persona == slug and e.pillar == "促销") or first
            yield ctx.finding("promo-cap",
                              f"{slug}: promotion is {shares['促销']:.0f}% of Moments posts, above the cap of {cap:g}% "
                              f"(target {targets.get('促销', 0)}% + {margin:g})",
                              f"{ctx.persona_name(slug)} 促销内容占 {shares['促销']:.0f}%，超过上限 {cap:g}%（目标 {targets.get('促销', 0)}% + {margin:g}），好友会屏蔽朋友圈",
                              entry=first_promo, when=f"{ctx.calendar.start}–{ctx.calendar.end}", persona=slug,
                              hint="swap some promotions for 生活/互动 posts")


def full_weeks(start: dt.date, end: dt.date) -> list[dt.date]:
    """Mondays of the weeks (Mon–Sun) that lie wholly inside start..end."""
    monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    weeks = []
    while monday + dt.timedelta(days=6) <= end:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return weeks


def full_months(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the calendar months that lie wholly inside start..end."""
    first = start if start.day == 1 else (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    months = []
    while True:
        nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if nxt - dt.timedelta(days=1) > end:
            return months
        months.append(first)
        first = nxt


@rule("weekly-activation", "warning", "每周促活活动")
def weekly_activation(ctx: CheckContext) -> Iterator[Finding]:
    need = ctx.options.min_weekly_activation
    cal = ctx.calendar
    for monday in full_weeks(cal.start, cal.end):
        sunday = monday + dt.timedelta(days=6)
        week = [e for e in cal.entries if monday <= e.date <= sunday]
        n = sum(e.activity == "促活" for e in week)
        if n < need:
            iso = monday.isocalendar()
            yield ctx.finding("weekly-activation",
                              f"week {iso.year}-W{iso.week:02d} ({monday}–{sunday}): {n} 促活 activity, at least {need} expected",
                              f"第 {iso.week} 周（{monday:%m/%d}–{sunday:%m/%d}）只有 {n} 个促活活动，每周至少 {need} 个小活动",
                              entry=_first(week), when=f"{iso.year}-W{iso.week:02d}",
                              hint="plan a small activity (抽奖、打卡、话题互动) and mark it 活动类型 = 促活")


@rule("monthly-conversion", "warning", "每月转化活动")
def monthly_conversion(ctx: CheckContext) -> Iterator[Finding]:
    need = ctx.options.min_monthly_conversion
    cal = ctx.calendar
    for first in full_months(cal.start, cal.end):
        month = [e for e in cal.entries if (e.date.year, e.date.month) == (first.year, first.month)]
        n = sum(e.activity == "转化" for e in month)
        if n < need:
            yield ctx.finding("monthly-conversion",
                              f"{first:%Y-%m}: {n} 转化 event, at least {need} expected",
                              f"{first.year}年{first.month}月只有 {n} 个转化活动，每月至少 {need} 个大活动",
                              entry=_first(month), when=f"{first:%Y-%m}",
                              hint="plan a conversion event (限时优惠、会员日、发券) and mark it 活动类型 = 转化")


@rule("bulk-once-a-day", "error", "群发频次")
def bulk_once_a_day(ctx: CheckContext) -> Iterator[Finding]:
    o = ctx.options
    formats = set(o.bulk_formats)
    groups = defaultdict(list)
    for e in ctx.calendar.entries:
        if e.format in formats:
            audience = e.audience or (f"{e.persona or '—'}/{e.channel}")
            groups[(e.date, audience)].append(e)
    for (day, audience), sends in sorted(groups.items()):
        if len(sends) > o.max_bulk_per_day:
            extra = sends[o.max_bulk_per_day]
            yield ctx.finding("bulk-once-a-day",
                              f"{day}: {len(sends)} bulk messages to the same audience '{audience}', at most {o.max_bulk_per_day} a day",
                              f"{day} 向同一人群「{audience}」群发 {len(sends)} 次，每天最多 {o.max_bulk_per_day} 次（企业微信：每位客户每天只收 1 条群发）",
                              entry=extra, when=day, persona=extra.persona,
                              hint="move one message to another day, merge them, or give them different 受众 (audience)")


def _group_rows(ctx: CheckContext):
    table = ctx.calendar.groups
    if table is None or table.frame.empty:
        return None, []
    f = table.frame
    days = f["stat_time"].dt.date
    inside = [i for i, d in enumerate(days) if ctx.calendar.start <= d <= ctx.calendar.end]
    return table, inside or list(range(len(f)))


@rule("group-size", "warning", "社群规模")
def group_size(ctx: CheckContext) -> Iterator[Finding]:
    table, rows = _group_rows(ctx)
    if table is None or "chat_total" not in table.frame.columns or not rows:
        return
    f = table.frame
    last = max(rows, key=lambda i: f["stat_time"].iloc[i])
    chats, members = f["chat_total"].iloc[last], f["member_total"].iloc[last]
    if not chats or chats != chats:
        return
    size = members / chats
    cap = ctx.options.max_group_size
    if size > cap:
        day = f["stat_time"].iloc[last].date()
        yield ctx.finding("group-size",
                          f"{day}: groups average {size:.0f} members ({members:.0f} in {chats:.0f} groups), above {cap:g}",
                          f"{day} 平均每群 {size:.0f} 人（{members:.0f} 人 / {chats:.0f} 个群），超过 {cap:g} 人；约 160 人的群最活跃",
                          file=table.path, line=table.lines[last], when=day,
                          hint="split large groups (e.g. by store or interest) or raise checks.max_group_size")


@rule("group-activity", "warning", "社群活跃度")
def group_activity(ctx: CheckContext) -> Iterator[Finding]:
    table, rows = _group_rows(ctx)
    if table is None or not rows:
        return
    f = table.frame
    rates = {i: f["member_has_msg"].iloc[i] / f["member_total"].iloc[i] for i in rows if f["member_total"].iloc[i]}
    if not rates:
        return
    mean = sum(rates.values()) / len(rates)
    floor = ctx.options.min_group_activity
    if mean < floor:
        worst = min(rates, key=rates.get)
        day = f["stat_time"].iloc[worst].date()
        yield ctx.finding("group-activity",
                          f"group activity (members who posted / members) averages {mean:.1%} over {len(rates)} day(s), "
                          f"below {floor:.0%}; lowest {rates[worst]:.1%} on {day}",
                          f"社群活跃度（发言人数 / 群总人数）平均 {mean:.1%}，低于 {floor:.0%}；最低 {day} 为 {rates[worst]:.1%}",
                          file=table.path, line=table.lines[worst], when=day,
                          hint="give each group a reason to talk (话题、打卡、福利) or lower checks.min_group_activity")


# Every rule, in the order the 体检 panel and `studio check` list their findings.
RULES: dict[str, Rule] = {r.id: r for r in (
    moments_per_day, pillar_mix, promo_cap, weekly_activation, monthly_conversion, bulk_once_a_day,
    group_size, group_activity,
)}
