"""Generates the illustrative sample datasets beside the Luckin and Pop Mart teardowns and in
content/data/ (invented numbers, not brand data). Each file uses a different export style
(GBK, BOM, UTF-8 English WeCom names, tab/GB18030 with a title row, .xlsx) on purpose.

    .venv/bin/python scripts/sample_data.py
"""
import csv, io
import numpy as np, pandas as pd
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = pd.Timestamp("2026-05-01"), pd.Timestamp("2026-10-31")
DAYS = pd.date_range(START, END, freq="D")


def orders(seed, n_customers, price, channels, ch_p, rate, prefix):
    rng = np.random.default_rng(seed)
    rows = []
    oid = 0
    for c in range(n_customers):
        first = START + pd.Timedelta(days=int(rng.integers(0, len(DAYS) - 5)))
        loyal = rng.random()
        t = first
        while t <= END:
            oid += 1
            ch = rng.choice(channels, p=ch_p)
            amt = price(rng)
            qty = int(rng.choice([1, 1, 1, 2, 3]))
            rows.append((f"{prefix}{oid:07d}", f"M{seed}{c:05d}", t + pd.Timedelta(minutes=int(rng.integers(7*60, 22*60))), round(amt * qty, 2), qty, ch))
            # next order: loyal customers come back sooner; many never return
            if rng.random() > 0.35 + 0.6 * loyal:
                break
            t = t + pd.Timedelta(days=int(rng.exponential(rate / (0.3 + loyal))) + 1)
    return rows


# Luckin orders: GBK, Chinese headers, WPS-style dates and money.
rows = orders(1, 1400, lambda r: float(r.choice([9.9, 9.9, 12.9, 15.9, 19.9, 23])), ["社群", "小程序", "App", "门店"], [0.35, 0.3, 0.25, 0.1], 9, "LK")
rows.sort(key=lambda r: r[2])
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\r\n")
w.writerow(["订单号", "会员ID", "下单时间", "实付金额(元)", "数量", "下单渠道"])
for oid, cid, t, amt, qty, ch in rows:
    w.writerow([oid, cid, f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}", f"{amt:,.2f}" if amt >= 1000 else f"{amt:.2f}", qty, ch])
(ROOT / "case_studies/luckin/orders.csv").write_bytes(buf.getvalue().encode("gbk"))
print("luckin orders", len(rows))

# Pop Mart orders: UTF-8, English headers, 20260501 dates, ¥ amounts with thousands separators.
rows = orders(2, 900, lambda r: float(r.choice([59, 59, 69, 69, 79, 99, 399, 599, 1299], p=[.2, .15, .2, .15, .1, .1, .05, .03, .02])), ["mini_program", "store", "robot_shop", "tmall"], [0.45, 0.3, 0.1, 0.15], 25, "PM")
rows.sort(key=lambda r: r[2])
with open(ROOT / "case_studies/popmart/orders.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["order_id", "customer_id", "order_date", "paid_amount", "qty", "source"])
    for oid, cid, t, amt, qty, ch in rows:
        w.writerow([oid, cid, t.strftime("%Y%m%d"), f"¥{amt:,.2f}", qty, ch])
print("popmart orders", len(rows))


def contacts(seed, base):
    rng = np.random.default_rng(seed)
    out = []
    for d in DAYS:
        weekend = d.weekday() >= 5
        apply = int(rng.poisson(base * (1.3 if weekend else 1)))
        new = int(apply * rng.uniform(0.7, 0.9))
        chats = int(rng.poisson(base * 0.6)) if rng.random() > 0.05 else 0
        msgs = int(chats * rng.uniform(2, 5))
        reply = "" if chats == 0 else round(float(rng.uniform(70, 98)), 1)
        art = "" if chats == 0 else round(float(rng.uniform(1, 12)), 1)
        neg = int(rng.poisson(base * 0.04))
        stat = int((d - pd.Timedelta(hours=8)).timestamp())  # 0:00 Beijing time
        out.append((stat, apply, new, chats, msgs, reply, art, neg))
    return out

# Luckin contacts: UTF-8, WeCom API field names, epoch stat_time, blanks on days without chats.
with open(ROOT / "case_studies/luckin/contacts.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["stat_time", "new_apply_cnt", "new_contact_cnt", "chat_cnt", "message_cnt", "reply_percentage", "avg_reply_time", "negative_feedback_cnt"])
    w.writerows(contacts(3, 180))
# Pop Mart contacts: GB18030, tab separated, Chinese headers as in the WeCom admin export.
buf = io.StringIO()
w = csv.writer(buf, delimiter="\t", lineterminator="\n")
w.writerow(["日期", "发起申请数", "新增客户数", "聊天总数", "发送消息数", "已回复聊天占比", "平均首次回复时长", "删除/拉黑成员的客户数"])
for stat, apply, new, chats, msgs, reply, art, neg in contacts(4, 90):
    d = pd.Timestamp(stat, unit="s") + pd.Timedelta(hours=8)
    w.writerow([f"{d.year}年{d.month}月{d.day}日", apply, new, chats, msgs, f"{reply}%" if reply != "" else "", art, neg])
(ROOT / "case_studies/popmart/contacts.tsv").write_bytes(("客户联系数据统计\n" + buf.getvalue()).encode("gb18030"))


def groups(seed, chats0, per):
    rng = np.random.default_rng(seed)
    total, members = chats0, chats0 * per
    out = []
    for d in DAYS:
        new_chat = int(rng.poisson(chats0 * 0.01))
        total += new_chat
        new_m = int(rng.poisson(members * 0.004))
        members += new_m - int(rng.poisson(members * 0.002))
        has_msg = int(total * rng.uniform(0.5, 0.8))
        active = int(members * rng.uniform(0.06, 0.16) * (1.4 if d.weekday() == 4 else 1))
        msgs = int(active * rng.uniform(2.5, 4.5))
        out.append((d, new_chat, total, has_msg, new_m, members, active, msgs))
    return out

# Luckin groups: UTF-8 with BOM, Chinese headers, 2026年5月1日 dates.
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\r\n")
w.writerow(["日期", "新增客户群数量", "客户群总数", "有发过消息的客户群数量", "客户群新增群人数", "客户群总人数", "发过消息的群成员数", "客户群消息总数"])
for d, *rest in groups(5, 120, 150):
    w.writerow([f"{d.year}年{d.month}月{d.day}日", *rest])
(ROOT / "case_studies/luckin/groups.csv").write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
# Pop Mart groups: English WeCom names, ISO dates, member_total with thousands separators.
with open(ROOT / "case_studies/popmart/groups.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["stat_time", "new_chat_cnt", "chat_total", "chat_has_msg", "new_member_cnt", "member_total", "member_has_msg", "msg_total"])
    for d, nc, t, hm, nm, mt, mh, ms in groups(6, 40, 180):
        w.writerow([d.strftime("%Y-%m-%d"), nc, t, hm, nm, f"{mt:,}", mh, ms])


def moments(seed, personas, n_days):
    rng = np.random.default_rng(seed)
    pillars = ["生活", "工作", "促销", "互动"]
    out = []
    for d in pd.date_range(pd.Timestamp("2026-10-01"), periods=n_days, freq="D"):
        for persona, mix in personas:
            for _ in range(int(rng.integers(3, 6))):
                p = rng.choice(pillars, p=mix)
                base = {"生活": 30, "工作": 18, "促销": 12, "互动": 40}[p]
                likes = int(rng.poisson(base))
                comments = int(rng.poisson(base / 4 + (8 if p == "互动" else 0)))
                orders = int(rng.poisson(6)) if p == "促销" else 0
                gmv = round(orders * float(rng.uniform(15, 30)), 2)
                out.append((d, persona, p, likes, comments, orders, gmv))
    return out

# Luckin moments: an Excel workbook (.xlsx) with a title row.
rows = moments(7, [("福利官 Lucky", [0.3, 0.2, 0.3, 0.2])], 31)
frame = pd.DataFrame(rows, columns=["发布日期", "人设", "内容类型", "点赞数", "评论数", "成交单数", "成交额"])
frame["发布日期"] = frame["发布日期"].dt.date
with pd.ExcelWriter(ROOT / "case_studies/luckin/moments.xlsx", engine="openpyxl") as xw:
    frame.to_excel(xw, index=False, startrow=1, sheet_name="朋友圈")
    xw.sheets["朋友圈"]["A1"] = "朋友圈发布记录（2026年10月）"
# Pop Mart moments: UTF-8 CSV, 2026/10/1 dates.
rows = moments(8, [("潮玩主理人 Molly 姐", [0.3, 0.25, 0.2, 0.25])], 31)
with open(ROOT / "case_studies/popmart/moments.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["日期", "人设", "内容类型", "点赞", "评论", "订单数", "成交额"])
    for d, persona, p, l, c, o, g in rows:
        w.writerow([f"{d.year}/{d.month}/{d.day}", persona, p, l, c, o, g])
# Team moments: three personas of the team (content/personas), UTF-8 BOM.
rows = moments(9, [("store-lucky", [0.3, 0.15, 0.35, 0.2]), ("expert-koc", [0.25, 0.4, 0.1, 0.25]), ("brand-ip", [0.35, 0.2, 0.15, 0.3])], 31)
with open(ROOT / "content/data/team-moments.csv", "w", encoding="utf-8-sig", newline="") as f:
    w = csv.writer(f)
    w.writerow(["发布日期", "人设", "内容类型", "点赞数", "评论数", "成交单数", "成交额"])
    for d, persona, p, l, c, o, g in rows:
        w.writerow([d.strftime("%Y-%m-%d"), persona, p, l, c, o, g])

# Funnels
(ROOT / "case_studies/luckin/funnel.csv").write_text(
    "环节,人数\n门店与外卖触达,120000\n添加福利官,18600\n进入门店福利群,14200\n群内首单,6100\n30天内复购,3300\n", encoding="utf-8")
(ROOT / "case_studies/popmart/funnel.csv").write_bytes(
    "阶段,人数\n门店与抽盒机曝光,80000\n注册会员,21000\n关注公众号/入群,7600\n首单,5200\n复购,2900\n".encode("gbk"))

# Team contacts per member (WeCom export with member column), and a generic weekly target table.
rng = np.random.default_rng(10)
with open(ROOT / "content/data/team-contacts.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["stat_time", "userid", "new_apply_cnt", "new_contact_cnt", "chat_cnt", "message_cnt", "reply_percentage", "avg_reply_time", "negative_feedback_cnt"])
    for d in pd.date_range("2026-08-01", "2026-10-31", freq="D"):
        for user in ("lucky", "koc-xiaoyu", "brand-molly"):
            new = int(rng.poisson(25)); chats = int(rng.poisson(30)) if rng.random() > 0.1 else 0
            w.writerow([d.strftime("%Y-%m-%d"), user, int(new * 1.2), new, chats, chats * 3,
                        "" if not chats else round(float(rng.uniform(75, 99)), 1), "" if not chats else round(float(rng.uniform(1, 9)), 1),
                        int(rng.poisson(1.5))])
with open(ROOT / "content/data/weekly-targets.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["周", "目标新增", "实际新增", "完成率"])
    for i, d in enumerate(pd.date_range("2026-08-03", "2026-10-26", freq="7D")):
        target = 450 + 25 * i; actual = int(target * float(rng.uniform(0.8, 1.15)))
        w.writerow([d.strftime("%Y-%m-%d"), target, actual, f"{actual / target:.1%}"])
print("done")
