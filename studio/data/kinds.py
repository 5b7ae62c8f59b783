"""Dataset kinds: the canonical schema of each export a team drops beside a page.

A kind lists its columns with Chinese aliases and the real WeCom field names, so that
``客户ID``, ``openid`` and ``customer_id`` all become ``customer_id``. Other features add
kinds through their :class:`~studio.core.feature.Feature` (the content calendar adds
``calendar``); the kinds a project knows are its registry's, passed to the reader.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Mapping

TYPES = ("int", "float", "percent", "money", "date", "datetime", "str")


@dataclass
class Column:
    """One canonical column. ``label`` is the Chinese name shown in charts and tables."""

    name: str
    aliases: list[str] = field(default_factory=list)
    type: str = "str"
    required: bool = False
    label: str = ""
    # Store as a pandas category: ids and labels repeat, and grouping on codes is fast.
    category: bool = False

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type!r}; use one of {TYPES}")
        if not self.label:
            self.label = self.aliases[0] if self.aliases else self.name

    def names(self) -> list[str]:
        """Every spelling that maps to this column, canonical name first."""
        return [self.name, *self.aliases]


@dataclass
class Kind:
    """A canonical schema; ``label`` is its Chinese name (e.g. 订单)."""

    name: str
    columns: list[Column]
    label: str = ""
    description: str = ""

    def column(self, name: str) -> Column | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def match(self, headers: list[str]) -> dict[str, str]:
        """Canonical name -> header as written, for every column found in ``headers``."""
        by_key: dict[str, str] = {}
        for h in headers:
            by_key.setdefault(header_key(h), h)
            by_key.setdefault(header_key(strip_unit(h)), h)
        found: dict[str, str] = {}
        used: set[str] = set()
        for col in self.columns:
            for alias in col.names():
                h = by_key.get(header_key(alias))
                if h is not None and h not in used:
                    found[col.name] = h
                    used.add(h)
                    break
        return found


_UNIT = re.compile(r"\s*[（(][^（）()]*[)）]\s*$")


def strip_unit(header: str) -> str:
    """``实付金额(元)`` -> ``实付金额``: exports often add the unit in brackets."""
    return _UNIT.sub("", header)


def header_key(header: str) -> str:
    """Comparison key of a header: width-folded, lower case, no spaces or BOM."""
    text = unicodedata.normalize("NFKC", str(header)).replace("\ufeff", "")
    return re.sub(r"\s+", "", text).lower()


def infer_kind(headers: list[str], kinds: Mapping[str, Kind]) -> Kind | None:
    """The kind whose required columns are all present, with the most columns matched
    (ties go to the kind listed first)."""
    best: tuple[int, int, Kind] | None = None
    for order, kind in enumerate(kinds.values()):
        if not kind.required:
            continue
        found = kind.match(headers)
        if all(c.name in found for c in kind.required):
            score = (len(found), -order)
            if best is None or score > best[:2]:
                best = (*score, kind)
    return best[2] if best else None


# Built-in kinds ------------------------------------------------------------------------
_DAY = ["日期", "统计日期", "时间", "date", "day", "stat_date"]

ORDERS = Kind("orders", label="订单", description="每行一笔订单（小程序/商城导出）", columns=[
    Column("customer_id", ["客户ID", "用户ID", "会员ID", "openid", "unionid", "external_userid",
                           "客户编号", "会员编号", "用户编号", "customer", "user_id", "member_id", "buyer_id"],
           "str", True, "客户ID", category=True),
    Column("order_time", ["下单时间", "支付时间", "订单时间", "付款时间", "成交时间", "日期", "order_date",
                          "paid_at", "pay_time", "created_at", "date", "time"], "datetime", True, "下单时间"),
    Column("amount", ["实付金额", "支付金额", "订单金额", "金额", "实付款", "付款金额", "paid_amount",
                      "payment", "gmv", "total", "price"], "money", True, "实付金额"),
    Column("order_id", ["订单号", "订单编号", "订单ID", "order_no", "id"], "str", False, "订单号"),
    Column("quantity", ["数量", "商品数量", "件数", "qty", "items"], "int", False, "数量"),
    Column("channel", ["渠道", "来源", "下单渠道", "订单来源", "source"], "str", False, "渠道", category=True),
    # 退款 / refund rows are netted from GMV and are no order (studio.data.kpi.refunds)
    Column("status", ["订单状态", "交易状态", "状态", "订单类型", "交易类型", "类型", "status", "order_status",
                      "type", "order_type"], "str", False, "订单状态", category=True),
])

CONTACTS = Kind("contacts", label="联系客户统计", description="企业微信联系客户统计，每行一天", columns=[
    Column("stat_time", _DAY, "date", True, "日期"),
    Column("new_apply_cnt", ["发起申请数"], "int", False, "发起申请数"),
    Column("new_contact_cnt", ["新增客户数", "新增客户"], "int", True, "新增客户数"),
    Column("chat_cnt", ["聊天总数", "聊天数"], "int", True, "聊天总数"),
    Column("message_cnt", ["发送消息数", "消息数"], "int", False, "发送消息数"),
    Column("reply_percentage", ["已回复聊天占比", "回复率", "reply_rate"], "percent", False, "已回复聊天占比"),
    Column("avg_reply_time", ["平均首次回复时长", "平均回复时长"], "float", False, "平均首次回复时长（分钟）"),
    Column("negative_feedback_cnt", ["删除/拉黑成员的客户数", "删除拉黑客户数", "流失客户数", "删除/拉黑人数"],
           "int", False, "删除/拉黑成员的客户数"),
    Column("userid", ["成员", "员工", "成员ID", "员工ID", "member"], "str", False, "成员"),
])

GROUPS = Kind("groups", label="客户群统计", description="企业微信客户群统计，每行一天", columns=[
    Column("stat_time", _DAY, "date", True, "日期"),
    Column("new_chat_cnt", ["新增客户群数量", "新增群数"], "int", False, "新增客户群数量"),
    Column("chat_total", ["客户群总数", "群总数"], "int", False, "客户群总数"),
    Column("chat_has_msg", ["有发过消息的客户群数量", "活跃群数"], "int", False, "有发过消息的客户群数量"),
    Column("new_member_cnt", ["客户群新增群人数", "新增群人数"], "int", False, "客户群新增群人数"),
    Column("member_total", ["客户群总人数", "群总人数"], "int", True, "客户群总人数"),
    Column("member_has_msg", ["发过消息的群成员数", "活跃群成员数"], "int", True, "发过消息的群成员数"),
    Column("msg_total", ["客户群消息总数", "群消息总数"], "int", False, "客户群消息总数"),
])

MOMENTS = Kind("moments", label="朋友圈", description="朋友圈发布记录，每行一条", columns=[
    Column("date", ["发布日期", "发布时间", "日期", "post_time", "create_time", "time"], "date", True, "发布日期"),
    Column("persona", ["人设", "账号", "发布人", "发布成员", "员工", "account"], "str", True, "人设"),
    Column("pillar", ["内容类型", "内容支柱", "支柱", "类别", "栏目", "category", "type"], "str", True, "内容类型"),
    Column("likes", ["点赞", "点赞数", "like_cnt"], "int", True, "点赞数"),
    Column("comments", ["评论", "评论数", "comment_cnt"], "int", True, "评论数"),
    Column("views", ["浏览", "浏览数", "曝光", "阅读数"], "int", False, "浏览数"),
    Column("orders", ["订单", "订单数", "成交单数"], "int", False, "订单数"),
    Column("gmv", ["成交额", "成交金额", "GMV"], "money", False, "成交额"),
    Column("title", ["标题", "内容", "文案", "content"], "str", False, "内容"),
])

FUNNEL = Kind("funnel", label="转化漏斗", description="按顺序的漏斗环节与人数", columns=[
    Column("stage", ["环节", "阶段", "步骤", "漏斗环节", "名称", "step", "name"], "str", True, "环节"),
    Column("count", ["人数", "用户数", "数量", "次数", "users", "value", "n"], "int", True, "人数"),
])

# The kinds of ``studio.data``, in inference order; features add their own (calendar).
BUILTIN_KINDS: tuple[Kind, ...] = (ORDERS, CONTACTS, GROUPS, MOMENTS, FUNNEL)
