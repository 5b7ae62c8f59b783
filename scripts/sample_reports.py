"""Generates the team's sample exports for the sample reports in content/reports/data/
(invented numbers). They continue content/data/ (August–October) into November and follow
the November content calendar (content/calendars/2026-11.csv), as real exports would:

- contacts-2026-11.csv: WeCom 联系客户统计 as the API returns it (stat_time in epoch seconds at
  0:00 Beijing time, reply_percentage empty on days without chats), one row per member and day;
- groups-2026-08-10.csv: WeCom 客户群统计 for August–October (November is beside the calendar);
- moments-2026-11.csv: the calendar's published Moments posts with their likes and comments;
- team-orders.csv: mini-program orders of the team's customers, August to November.

    .venv/bin/python scripts/sample_reports.py
"""
import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "content/reports/data"
LAST = pd.Timestamp("2026-11-22")  # the team exported up to last Sunday
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
OUT.mkdir(parents=True, exist_ok=True)


def epoch(day: pd.Timestamp) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).timestamp())


# Contacts, November: a little busier around 双11.
rng = np.random.default_rng(91)
with open(OUT / "contacts-2026-11.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["stat_time", "userid", "new_apply_cnt", "new_contact_cnt", "chat_cnt", "message_cnt",
                "reply_percentage", "avg_reply_time", "negative_feedback_cnt"])
    for d in pd.date_range("2026-11-01", LAST, freq="D"):
        boost = 1.8 if d.day in (10, 11) else 1.0
        for user in ("lucky", "koc-xiaoyu", "brand-molly"):
            new = int(rng.poisson(26 * boost))
            chats = int(rng.poisson(32 * boost)) if rng.random() > 0.08 else 0
            w.writerow([epoch(d), user, int(new * 1.2), new, chats, chats * 3,
                        "" if not chats else round(float(rng.uniform(74, 99)), 1),
                        "" if not chats else round(float(rng.uniform(1, 9)), 1), int(rng.poisson(1.6 * boost))])

# Groups, August–October, leading into the November export beside the calendar.
rng = np.random.default_rng(92)
nov = pd.read_csv(ROOT / "content/calendars/groups-2026-11.csv")
chats, members = 96, 20150
days = pd.date_range("2026-08-01", "2026-10-31", freq="D")
step = (int(nov["member_total"].iloc[0]) - members) / len(days)
with open(OUT / "groups-2026-08-10.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["stat_time", "new_chat_cnt", "chat_total", "chat_has_msg", "new_member_cnt", "member_total",
                "member_has_msg", "msg_total"])
    for i, d in enumerate(days):
        new_chat = 1 if rng.random() < 0.24 else 0
        chats += new_chat
        joined = int(rng.poisson(max(step, 1) + 30))
        members = int(20150 + step * (i + 1) + rng.normal(0, 40))
        active = int(members * float(np.clip(rng.normal(0.145 + 0.01 * (d.month - 8), 0.02), 0.08, 0.3)))
        w.writerow([epoch(d), new_chat, chats, int(chats * float(rng.uniform(0.55, 0.75))), joined, members, active,
                    active * int(rng.integers(3, 6))])

# Moments, November: what the calendar says was published on 朋友圈, up to LAST.
rng = np.random.default_rng(93)
cal = pd.read_csv(ROOT / "content/calendars/2026-11.csv", encoding="utf-8-sig")
cal["day"] = pd.to_datetime(cal["日期"], format="%Y/%m/%d")
posts = cal[(cal["渠道"] == "朋友圈") & (cal["状态"] == "已发布") & (cal["day"] <= LAST)]
base = {"生活": 30, "工作": 18, "促销": 12, "互动": 40}
reach = {"store-lucky": 1.1, "expert-koc": 0.9, "brand-ip": 1.0}
with open(OUT / "moments-2026-11.csv", "w", encoding="utf-8-sig", newline="") as f:
    w = csv.writer(f)
    w.writerow(["发布日期", "人设", "内容类型", "标题", "点赞数", "评论数", "成交单数", "成交额"])
    for _, r in posts.iterrows():
        mu = base[r["内容支柱"]] * reach[r["人设"]] * (1.5 if r["day"].day in (10, 11) else 1.0)
        likes = int(rng.poisson(mu))
        comments = int(rng.poisson(mu / 4 + (8 if r["内容支柱"] == "互动" else 0)))
        orders = int(rng.poisson(6)) if r["内容支柱"] == "促销" else 0
        w.writerow([r["day"].strftime("%Y-%m-%d"), r["人设"], r["内容支柱"], r["标题"], likes, comments, orders,
                    round(orders * float(rng.uniform(15, 30)), 2)])

# Orders, August–November: loyal customers come back; many never do.
rng = np.random.default_rng(94)
start = pd.Timestamp("2026-08-01")
n_days = (LAST - start).days + 1
rows = []
for c in range(900):
    t = start + pd.Timedelta(days=int(rng.integers(0, n_days - 3)))
    loyal = rng.random()
    while t <= LAST:
        price = float(rng.choice([9.9, 9.9, 12.9, 15.9, 19.9, 23]))
        qty = int(rng.choice([1, 1, 1, 2, 3]))
        when = t + pd.Timedelta(minutes=int(rng.integers(7 * 60, 22 * 60)))
        rows.append((when, f"T{c:05d}", round(price * qty, 2), str(rng.choice(["社群", "朋友圈", "私聊", "小程序"],
                                                                              p=[0.4, 0.2, 0.15, 0.25]))))
        if rng.random() > 0.3 + 0.6 * loyal:
            break
        t = t + pd.Timedelta(days=int(rng.exponential(8 / (0.3 + loyal))) + 1)
rows.sort()
with open(OUT / "team-orders.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["订单号", "客户ID", "下单时间", "实付金额", "渠道"])
    for i, (when, cid, amount, channel) in enumerate(rows, 1):
        w.writerow([f"TM{i:06d}", cid, when.strftime("%Y-%m-%d %H:%M"), f"{amount:.2f}", channel])
print("orders", len(rows))
