"""Detectors for personal information (PIPL) in text, and masking.

Each detector finds one kind of value in a string and validates it where a checksum
exists (resident ID numbers: ISO 7064 MOD 11-2; bank cards: Luhn), so that order
numbers, dates and prices that merely look like digits do not fire. A finding is only
ever shown masked (``138****5678``): :func:`redact` masks every finding in a message.

Text is matched in its NFKC form, character by character (:func:`fold`): full-width digits
(１３８１２３４５６７８) and punctuation are found like ASCII ones, and offsets still point
into the original text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

KINDS = ("mobile", "id_card", "bank_card", "wechat", "email")
LABELS = {
    "mobile": "mobile number (手机号)",
    "id_card": "resident ID number (身份证号)",
    "bank_card": "bank card number (银行卡号)",
    "wechat": "WeChat ID (微信号)",
    "email": "e-mail address (邮箱)",
}

# A value glued to letters, digits or a decimal point is part of something longer
# (an order number, a price, a hash) and is not reported.
_START = r"(?<![0-9A-Za-z_])(?<!\d\.)"
_END = r"(?![0-9A-Za-z_])(?!\.\d)"

# Each pattern opens with a look-ahead at the characters it can start with: the scan skips
# every other position at once (4× faster on page HTML), and matches exactly the same.
_MOBILE = re.compile(
    r"(?=[(+0-9])" + _START + r"(?:(?:\(?(?:\+|00)?86\)?)[ -]?)?"  # +86, 0086, (+86), 86
    r"(?P<core>1[3-9]\d(?:[ -]?\d{4}[ -]?|\.\d{4}\.)\d{4})" + _END  # 138 1234 5678, 138-…, 138.1234.5678
)
_ID_CARD = re.compile(
    r"(?=[1-8])" + _START + r"[1-8]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]" + _END
)
# Issuer prefixes of cards used in China: Visa 4, Mastercard 51-55, UnionPay 62 and the
# 60/65 ranges, JCB 35, Amex 34/37, ICBC's 9558. Order numbers rarely start so.
_BANK_CARD = re.compile(
    r"(?=[3-69])" + _START + r"(?:4\d{3}|5[1-5]\d{2}|6[0-5]\d{2}|3[457]\d{2}|9558)(?:[ -]?\d{4}){2}[ -]?\d{4}(?:[ -]?\d{1,3})?" + _END
)
_WXID = re.compile(r"(?<![0-9A-Za-z_])wxid_[0-9a-z_-]{4,30}" + r"(?![0-9A-Za-z_])", re.IGNORECASE)
# A custom WeChat ID only identifies itself by its label: "微信号：lucky_2024".
_WECHAT_LABELLED = re.compile(
    r"(?:微信号|微信\s*ID|微信账号|vx号|wechat\s*id)\s*[:：]?\s*"
    r"(?P<core>[A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])",
    re.IGNORECASE,
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.(?P<tld>[A-Za-z]{2,24})(?![A-Za-z0-9-])"
)
# "icon@2x.png" is a file name, not an address.
_FILE_TLDS = {"png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js", "md", "csv", "xlsx", "pdf"}
# Words that say a long number is an order or transaction number, not a card.
_ORDER_WORDS = re.compile(r"(订单|单号|流水|交易号|编号|order|trade|txn|transaction)[\w ]{0,4}[:：#]?\s*$", re.IGNORECASE)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Cheap test whether a string may hold anything at all: most cells and lines hold none.
_MAYBE = re.compile(r"\d{3}[ .-]?\d{4}|@|wxid_|微信|wechat|vx号", re.IGNORECASE)


class _Fold(dict):
    """NFKC of one character where it is one character (else the character itself), cached."""

    def __missing__(self, code: int) -> int:
        n = unicodedata.normalize("NFKC", chr(code))
        self[code] = ord(n) if len(n) == 1 else code
        return self[code]


_FOLD = _Fold()


def fold(text: str) -> str:
    """``text`` in NFKC, one character for one (offsets unchanged): １３８ → 138, － → -."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return text.translate(_FOLD)


@dataclass(frozen=True)
class Finding:
    """One piece of personal information: its kind, its text, and where it is in the string."""

    kind: str
    value: str
    start: int  # 0-based offset in the scanned string
    end: int

    @property
    def masked(self) -> str:
        return mask(self.kind, self.value)

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def key(self) -> str:
        return normalise(self.kind, self.value)


def digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", fold(text))


def id_checksum_ok(number: str) -> bool:
    """Validate an 18-digit resident ID: birth date and ISO 7064 MOD 11-2 check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born > dt.date.today() or born.year < 1880:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(number: str) -> bool:
    if not number.isdigit() or len(number) < 12:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def find(text: str, kinds: Iterable[str] = KINDS) -> list[Finding]:
    """Every finding of ``kinds`` in ``text``, in order; overlapping matches keep the first kind.

    Offsets are into ``text``; each value is the NFKC form of what is written there.
    """
    if not text:
        return []
    text = fold(text)  # same length: offsets hold for the original
    if not _MAYBE.search(text):
        return []
    kinds = set(kinds)
    found: list[Finding] = []
    if "id_card" in kinds:
        found += [Finding("id_card", m.group(), m.start(), m.end())
                  for m in _ID_CARD.finditer(text) if id_checksum_ok(m.group())]
    if "mobile" in kinds:
        found += [Finding("mobile", m.group(), m.start(), m.end()) for m in _MOBILE.finditer(text)]
    if "bank_card" in kinds:
        for m in _BANK_CARD.finditer(text):
            if luhn_ok(digits(m.group())) and not _ORDER_WORDS.search(text[max(0, m.start() - 12): m.start()]):
                found.append(Finding("bank_card", m.group(), m.start(), m.end()))
    if "wechat" in kinds:
        found += [Finding("wechat", m.group(), m.start(), m.end()) for m in _WXID.finditer(text)]
        found += [Finding("wechat", m.group("core"), m.start("core"), m.end("core"))
                  for m in _WECHAT_LABELLED.finditer(text) if not m.group("core").lower().startswith("wxid_")]
    if "email" in kinds:
        found += [Finding("email", m.group(), m.start(), m.end())
                  for m in _EMAIL.finditer(text) if m.group("tld").lower() not in _FILE_TLDS]
    found.sort(key=lambda f: (f.start, KINDS.index(f.kind)))
    kept: list[Finding] = []
    for f in found:
        if kept and f.start < kept[-1].end:
            continue
        kept.append(f)
    return kept


def normalise(kind: str, value: str) -> str:
    """Comparison key, so that an allow-list entry matches however the value is written."""
    if kind in ("mobile",):
        d = digits(value)
        return d[-11:]
    if kind in ("id_card",):
        return value.upper()
    if kind == "bank_card":
        return digits(value)
    return value.strip().lower()


def allowed(finding: Finding, entries: Iterable[str]) -> bool:
    """Whether an allow-list entry names this value, however either is written."""
    key = finding.key
    return any(normalise(finding.kind, str(e)) == key for e in entries)


def mask(kind: str, value: str) -> str:
    """A form that identifies the value to its owner but not to readers: 138****5678."""
    if kind == "mobile":
        d = digits(value)[-11:]
        return d[:3] + "****" + d[-4:]
    if kind == "id_card":
        return value[:3] + "*" * 11 + value[-4:]
    if kind == "bank_card":
        d = digits(value)
        return d[:4] + "****" + d[-4:]
    if kind == "email":
        local, _, domain = value.partition("@")
        return (local[:1] or "*") + "***@" + domain
    if kind == "wechat":  # a fixed number of stars: the length is not given away either
        head = value[:5] if value.lower().startswith("wxid_") else value[:2]
        return head + "****" + value[-2:]
    return "****"


def redact(text: str) -> str:
    """``text`` with every finding masked: for messages and logs."""
    found = find(text)
    if not found:
        return text
    out, pos = [], 0
    for f in found:
        out.append(text[pos:f.start])
        out.append(f.masked)
        pos = f.end
    out.append(text[pos:])
    return "".join(out)
