"""Generate the sample content calendars under content/calendars/ (run once; the files are committed).

    .venv/bin/python scripts/sample_calendar.py

November 2026 for three personas (2026-11.csv, Chinese headers as a team's spreadsheet
would have them), a WeCom 客户群统计 export for the same month (groups-2026-11.csv, API
field names, stat_time in epoch seconds), and a one-week 双12 campaign calendar written
inline in YAML (double12.yaml). A few deliberate departures from the playbook (a short
day, a 双11 flood, too many promotions for the expert, a week without 促活, big groups)
give the 体检 panel something to show; none is of error severity.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from zoneinfo import ZoneInfo

OUT = Path(__file__).resolve().parent.parent / "content" / "calendars"
rng = random.Random(20261101)
TODAY = dt.date(2026, 11, 25)  # the day the sample was planned: earlier rows are published

LUCKY_TITLES = {
    "生活": ["晨跑 5 公里打卡，今天的第一杯是燕麦拿铁", "橘猫又趴在键盘上了，今天的早安由它代发", "下雨天的门店，窗边位置留给你",
             "周末去了趟花市，买了一束尤加利", "早起看到的朝霞，分享给还在路上的你", "今天的工位小确幸：同事带的桂花糕"],
    "工作": ["新品试喝笔记：生椰咖啡的 3 个喝法", "门店小伙伴的拉花练习，第几杯最好看？", "后厨探班：每天开店前的 6 件事",
             "今日试喝官上线，真实评价在这里", "咖啡豆到店啦，拆箱现场", "一杯咖啡从下单到出杯的 90 秒"],
    "促销": ["午间福利券：本店社群专享 9.9", "明日早餐套餐预告，早八点前下单更划算", "今晚 9 点整点秒杀，提前定好闹钟",
             "会员日加码：第二杯半价", "下午茶拼单券，3 人成团", "新品尝鲜价，仅限今天"],
    "互动": ["下午犯困的举手，评论区抽 3 杯", "猜猜这杯是什么口味？猜对送券", "你最常点的是哪一杯？评论区告诉我",
             "晒出你的工位咖啡，点赞最高送周边", "投票：下周新品你想先喝哪一款", "接龙：今天的心情用一个词形容"],
}
KOC_TITLES = {
    "生活": ["周末露营，用手冲壶在山里煮了一壶", "雨天窝在家里拍咖啡静物", "带新同事去吃了一家云南菜",
             "傍晚骑车回家，路过一棵很好看的银杏", "今天试了冷萃茶，意外地好喝"],
    "工作": ["风味轮入门：酸、甜、苦之外还有什么", "埃塞俄比亚和哥伦比亚的豆子，差别在哪", "研发日记：新品打样第 7 版",
             "为什么同一支豆子，手冲和美式喝起来不一样", "杯测现场：给 6 支豆子打分", "一分钟看懂烘焙度"],
    "促销": ["我在用的手冲套装，社群专享价", "研发同款挂耳包，限量 200 盒", "双 11 囤豆指南：这 3 支闭眼入",
             "风味体验装开团，附我的冲煮参数", "新品预售：先喝先评"],
    "互动": ["你家里用什么冲咖啡？评论区交流", "问答时间：关于咖啡的任何问题", "投票：下一期讲拼配还是单品",
             "晒出你的手冲照片，我来点评", "猜豆子产地，猜对送挂耳"],
}
BRAND_TITLES = {
    "生活": ["团团的周末：去看了一场银杏雨", "团团今天迷路了，帮我找找回家的路", "团团的冬季穿搭，你打几分",
             "团团学做饭失败记录", "今天的团团：在门口晒太阳"],
    "工作": ["团团新品发布官上线：本周新品一览", "会员日规则说明（正式版）", "团团带你参观新门店",
             "积分商城上新，团团帮你挑好了", "团团的工作日常：一天要盖多少个章"],
    "促销": ["双 11 会员专享：积分翻倍", "团团限定周边预售开启", "会员日：满 50 减 10",
             "新品首发礼包，前 100 名加赠贴纸", "团团福利日：小程序领券"],
    "互动": ["给团团取个新外号", "评论区许愿：你最想要的周边", "团团表情包征集", "团团知识问答：答对有奖",
             "晒出你和团团的合影", "投票：下次会员日去哪座城市"],
}


def day_range(start: dt.date, end: dt.date):
    d = start
    while d <= end:
        yield d
        d += dt.timedelta(days=1)


def status_of(day: dt.date) -> str:
    if day < TODAY:
        return "已发布"
    if day <= TODAY + dt.timedelta(days=2):
        return "已排期"
    return "待审" if day <= TODAY + dt.timedelta(days=4) else "草稿"


def pick(titles: dict[str, list[str]], pillar: str, avoid: str = "") -> str:
    return rng.choice([t for t in titles[pillar] if not avoid or avoid not in t])


def november() -> list[dict]:
    rows: list[dict] = []

    def add(day, time, channel, persona, pillar, fmt, title, campaign="", activity="", owner="",
            link="", audience=""):
        rows.append({"日期": f"{day.year}/{day.month}/{day.day}", "时间": time, "渠道": channel, "人设": persona,
                     "内容支柱": pillar, "形式": fmt, "标题": title, "专题": campaign, "活动类型": activity,
                     "状态": status_of(day), "负责人": owner, "链接": link, "受众": audience})

    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    for day in day_range(start, end):
        campaign = "双11 囤货季" if dt.date(2026, 11, 6) <= day <= dt.date(2026, 11, 12) else ""
        # 福利官小鹿: the day of her persona guide (08:00 生活 … 21:00 促销).
        lucky = [("08:00", "生活"), ("11:30", "促销"), ("15:00", "互动"), ("18:00", "工作"),
                 ("21:00", rng.choice(["促销", "生活"]))]
        if day == dt.date(2026, 11, 7):  # team outing: a short day (deliberate)
            lucky = lucky[:2]
        if day == dt.date(2026, 11, 11):  # 双11: too many posts (deliberate)
            lucky += [("09:30", "促销"), ("13:00", "互动"), ("20:00", "促销"), ("22:30", "生活")]
        for time, pillar in lucky:
            add(day, time, "朋友圈", "store-lucky", pillar, "图文", pick(LUCKY_TITLES, pillar), campaign,
                owner="王敏")
        add(day, "11:00", "社群", "store-lucky", "促销", "群发", "今日福利：社群专享券已发放", campaign,
            owner="王敏", audience="门店福利群")
        # 咖啡研究员阿杰: four posts; one promotion a day is too many for his 10% target (deliberate).
        for time, pillar in (("09:00", "工作"), ("12:30", "生活"), ("17:00", "促销"),
                             ("20:30", rng.choice(["工作", "互动", "生活", "工作"]))):
            add(day, time, "朋友圈", "expert-koc", pillar, "图文", pick(KOC_TITLES, pillar), campaign, owner="李航")
        if day.weekday() == 2:
            add(day, "19:00", "视频号", "expert-koc", "工作", "视频", "一分钟咖啡课：" + pick(KOC_TITLES, "工作"),
                owner="李航")
        if day.weekday() == 5:
            add(day, "14:00", "私聊", "expert-koc", "", "私聊", "回访本周买过体验装的客户", owner="李航")
        # 品牌IP团团: five posts, weekly live and article, a weekly bulk message to all members.
        for time, pillar in (("10:00", "互动"), ("12:00", "生活"), ("16:00", "工作"), ("19:00", "促销"),
                             ("21:30", rng.choice(["互动", "工作", "生活", "互动"]))):
            add(day, time, "朋友圈", "brand-ip", pillar, "图文", pick(BRAND_TITLES, pillar), campaign, owner="陈雪")
        if day.weekday() in (1, 4):
            add(day, "08:30", "公众号", "brand-ip", "工作", "图文", "团团周报：" + pick(BRAND_TITLES, "工作"), campaign,
                owner="陈雪", link=f"https://docs.example.com/calendar/{day:%Y%m%d}-weekly")
        if day.weekday() == 3:
            add(day, "20:00", "直播", "brand-ip", "互动", "直播", "团团直播间：新品试饮与问答", campaign, owner="陈雪")
        if day.weekday() == 4:
            add(day, "18:30", "企业微信", "brand-ip", "促销", "群发", "本周会员福利汇总", campaign, owner="陈雪",
                audience="全部会员")
    # Activities: a small 促活 in three of the four full weeks (week 4 has none: deliberate),
    # and the month's big 转化 events.
    add(dt.date(2026, 11, 3), "12:00", "社群", "store-lucky", "互动", "图文", "早起打卡挑战：连续 7 天送券",
        "早起打卡", "促活", "王敏")
    add(dt.date(2026, 11, 9), "20:00", "社群", "brand-ip", "互动", "图文", "双11 预热抽奖：评论区抽 20 份周边",
        "双11 囤货季", "促活", "陈雪")
    add(dt.date(2026, 11, 11), "00:00", "小程序", "brand-ip", "促销", "图文", "双11 会员狂欢：全场满 100 减 30",
        "双11 囤货季", "转化", "陈雪", link="https://docs.example.com/calendar/1111-plan")
    add(dt.date(2026, 11, 17), "15:00", "社群", "expert-koc", "互动", "图文", "晒单有礼：晒出你的手冲，抽体验装",
        "晒单有礼", "促活", "李航")
    add(dt.date(2026, 11, 20), "10:00", "小程序", "brand-ip", "促销", "图文", "会员日：满 50 减 10", "会员日", "转化",
        "陈雪")
    rows.sort(key=lambda r: (dt.datetime.strptime(r["日期"], "%Y/%m/%d"), r["时间"]))
    return rows


def groups() -> list[dict]:
    """WeCom 客户群统计 for November, API field names; groups average above 200 members."""
    rows = []
    chats, members = 118, 24600
    tz = ZoneInfo("Asia/Shanghai")
    for day in day_range(dt.date(2026, 11, 1), dt.date(2026, 11, 30)):
        new_chats = rng.choice([0, 0, 0, 0, 1])
        new_members = rng.randint(40, 140) + (600 if day == dt.date(2026, 11, 11) else 0)
        chats += new_chats
        members += new_members - rng.randint(20, 60)
        active = int(members * rng.uniform(0.11, 0.16) * (1.6 if day == dt.date(2026, 11, 11) else 1))
        rows.append({"stat_time": int(dt.datetime.combine(day, dt.time(), tz).timestamp()),
                     "new_chat_cnt": new_chats, "chat_total": chats,
                     "chat_has_msg": int(chats * rng.uniform(0.55, 0.75)), "new_member_cnt": new_members,
                     "member_total": members, "member_has_msg": active, "msg_total": active * rng.randint(3, 6)})
    return rows


def double12() -> str:
    lines = ["# 双12 冲刺周：一周的内联日历（YAML 写法示例）。",
             "title: 双12 冲刺周", "description: 品牌IP团团和福利官小鹿在双12 前一周的内容安排，双12 当天会员日大促。",
             "entries:"]

    def row(**kw):
        kw.setdefault("campaign", "双12 冲刺")
        kw.setdefault("status", "draft")
        parts = []
        for k, v in kw.items():
            if k == "time":
                v = f'"{v}"'
            parts.append(f"{k}: {v}")
        lines.append("  - {" + ", ".join(parts) + "}")

    for day in day_range(dt.date(2026, 12, 7), dt.date(2026, 12, 13)):
        for time, pillar in (("10:00", "互动"), ("12:00", "生活"), ("16:00", "工作"), ("19:00", "促销"), ("21:30", "互动")):
            row(date=day, time=time, channel="朋友圈", persona="brand-ip", pillar=pillar, format="图文",
                title=pick(BRAND_TITLES, pillar, avoid="双 11"), owner="陈雪")
        for time, pillar in (("08:00", "生活"), ("11:30", "促销"), ("15:00", "互动"), ("18:00", "工作"), ("21:00", "促销")):
            row(date=day, time=time, channel="朋友圈", persona="store-lucky", pillar=pillar, format="图文",
                title=pick(LUCKY_TITLES, pillar, avoid="双 11"), owner="王敏")
        row(date=day, time="11:00", channel="社群", persona="store-lucky", pillar="促销", format="群发",
            title="双12 倒计时福利券", owner="王敏", audience="门店福利群")
    row(date=dt.date(2026, 12, 8), time="20:00", channel="社群", persona="brand-ip", pillar="互动", format="图文",
        title="双12 预热打卡：连续 3 天签到领券", activity="促活", owner="陈雪")
    row(date=dt.date(2026, 12, 12), time="00:00", channel="小程序", persona="brand-ip", pillar="促销", format="图文",
        title="双12 会员日：全场 8 折", activity="转化", owner="陈雪")
    return "\n".join(lines) + "\n"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rows = november()
    with open(OUT / "2026-11.csv", "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    g = groups()
    with open(OUT / "groups-2026-11.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(g[0]))
        w.writeheader()
        w.writerows(g)
    (OUT / "2026-11.yaml").write_text(
        "# 2026年11月内容日历：条目在同名 CSV 里（团队在 Excel/WPS 中维护），社群数据来自企业微信客户群统计导出。\n"
        "title: 2026年11月内容日历\n"
        "description: 三个人设在 11 月（含双11）的朋友圈、社群、公众号、视频号与直播安排。\n"
        "data: 2026-11.csv\n"
        "groups: groups-2026-11.csv\n", encoding="utf-8")
    (OUT / "double12.yaml").write_text(double12(), encoding="utf-8")
    print(f"{len(rows)} rows in 2026-11.csv, {len(g)} days in groups-2026-11.csv")


if __name__ == "__main__":
    main()
