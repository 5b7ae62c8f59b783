"""PII detectors: every kind is found and masked, allow-lists work, look-alikes do not fire.

Fake values are generated valid (ID check digit, Luhn) here; none lives in content/.
"""

from __future__ import annotations

import pytest

from studio.errors import StudioError
from studio.guard import pii

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def fake_id(first17: str = "11010519491231002") -> str:
    """A resident ID number with a valid check digit (ISO 7064 MOD 11-2)."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def fake_card(prefix: str = "622202000000000000") -> str:
    """A bank card number with a valid Luhn digit."""
    for d in "0123456789":
        if pii.luhn_ok(prefix + d):
            return prefix + d
    raise AssertionError("unreachable")


def fake_mobile(n: int = 0) -> str:
    return f"1381234{5678 + n:04d}"


def kinds_in(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.masked) for f in pii.find(text)]


def test_fakes_are_valid():
    assert pii.id_checksum_ok(fake_id())
    assert pii.luhn_ok(fake_card())
    assert not pii.id_checksum_ok(fake_id()[:-1] + ("0" if fake_id()[-1] != "0" else "1"))


@pytest.mark.parametrize("text", [
    "联系13812345678", "+86 138 1234 5678", "+8613812345678", "0086-138-1234-5678",
    "(+86)13812345678", "电话：138-1234-5678。", "86 13812345678",
])
def test_mobile_numbers_in_every_common_form_are_found_and_masked(text):
    assert kinds_in(text) == [("mobile", "138****5678")]


def test_id_card_with_valid_checksum_is_found_and_masked():
    number = fake_id()
    assert kinds_in(f"身份证号 {number} 已核验") == [("id_card", number[:3] + "*" * 11 + number[-4:])]


def test_id_card_with_x_check_digit():
    # find a base whose check digit is X
    base = next(f"1101051949123{i:04d}" for i in range(10000) if fake_id(f"1101051949123{i:04d}").endswith("X"))
    number = fake_id(base)
    assert kinds_in(number) and kinds_in(number)[0][0] == "id_card"
    assert kinds_in(number.lower())[0][0] == "id_card"


def test_id_card_with_wrong_checksum_or_date_does_not_fire():
    good = fake_id()
    bad_check = good[:-1] + str((int(good[-1]) + 1) % 10 if good[-1].isdigit() else 0)
    assert kinds_in(bad_check) == []
    bad_date = fake_id("11010519491331002")  # month 13
    assert kinds_in(bad_date) == []


@pytest.mark.parametrize("grouped", [False, True])
def test_bank_card_with_luhn_is_found_and_masked(grouped):
    card = fake_card()
    text = " ".join(card[i:i + 4] for i in range(0, len(card), 4)) if grouped else card
    assert kinds_in(f"退款到卡 {text}") == [("bank_card", card[:4] + "****" + card[-4:])]


def test_bank_card_failing_luhn_does_not_fire():
    card = fake_card()
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert kinds_in(wrong) == []


def test_wechat_ids():
    assert kinds_in("加我 wxid_k2j4h5g6f7 拉群") == [("wechat", "wxid_****f7")]
    assert kinds_in("微信号：lucky_store_01") == [("wechat", "lu****01")]
    assert kinds_in("企业微信 和 微信 都是触点") == []


def test_email_addresses_and_file_names():
    assert kinds_in("写信给 zhang.san@example.com") == [("email", "z***@example.com")]
    assert kinds_in("图标 logo@2x.png 放在 assets/") == []


@pytest.mark.parametrize("text", [
    "订单号 202405011234567890",  # date-prefixed order number
    "订单号：" + fake_card(),  # a Luhn-valid number labelled as an order number
    "order_no 62220200000000000001",  # 20 digits: too long for a card
    "2024-05-01 与 20240501 与 2024/5/1",  # dates
    "stat_time 1714492800",  # epoch seconds
    "客单价 ¥13,812.00，GMV 13812345678.50 元",  # prices
    "增长 0.13812345678",  # a decimal fraction
    "SKU DD13812345678X",  # glued to letters
    "13812345678901",  # 14 digits
    "会员 19580000 人，收入 898000000 元",  # figures from the teardowns
    "客服热线 400-820-8820",  # a hotline is not a mobile number
    "1381234567",  # 10 digits
])
def test_look_alikes_do_not_fire(text):
    assert kinds_in(text) == []


def test_allow_list_matches_however_the_value_is_written():
    (f,) = pii.find("热线 138-1234-5678")
    assert pii.allowed(f, ["+86 13812345678"])
    assert pii.allowed(f, ["13812345678"])
    assert not pii.allowed(f, ["13912345678"])
    (e,) = pii.find("kefu@Example.com")
    assert pii.allowed(e, ["KEFU@example.com"])


def test_redact_masks_every_finding_and_keeps_the_rest():
    card, number = fake_card(), fake_id()
    text = f"a 13812345678 b {number} c {card} d wxid_abcdefg12 e x@y.com"
    out = pii.redact(text)
    for value in ("13812345678", number, card, "wxid_abcdefg12", "x@y.com"):
        assert value not in out
    assert out.startswith("a 138****5678 b 110")


def test_error_messages_never_show_a_value_in_full():
    """Any StudioError, e.g. the reader's "cannot read '13812345678' as a date", prints masked."""
    err = StudioError("cannot read '13812345678' as a date", file="x.csv", line=3, column="日期",
                      hint=f"or is {fake_id()} an ID?")
    text = err.format()
    assert "13812345678" not in text and fake_id() not in text
    assert "138****5678" in text
