"""What every channel shares: the error a failed delivery raises, and secret masking.

Webhook keys, passwords, user names and e-mail addresses are secrets here: every line the
command prints goes through :meth:`Masker.mask` (``key=abcd…`` → ``key=****``,
``ops@example.com`` → ``o***@example.com``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studio.guard.pii import redact

_KEY = re.compile(r"(?i)([?&](?:key|access_token)=)[^&#\s\"'<>]+")


class SendError(Exception):
    """A channel could not deliver: shown as one line ``studio: error: …; hint: …``."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


def mask_value(value: str) -> str:
    """A shown form of a secret: an address keeps its first letter and domain, the rest is stars."""
    if "@" in value:
        local, _, domain = value.partition("@")
        return (local[:1] or "*") + "***@" + domain
    return (value[:1] + "***") if len(value) > 4 else "****"


@dataclass
class Masker:
    """Masks the secrets it was told about, webhook keys in any URL, and any e-mail address."""

    secrets: dict[str, str] = field(default_factory=dict)  # value -> how it is shown

    def secret(self, value: str | None, shown: str | None = None) -> None:
        if value and len(value) >= 3:
            self.secrets[value] = shown if shown is not None else mask_value(value)

    def mask(self, text: str) -> str:
        for value in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(value, self.secrets[value])
        return redact(_KEY.sub(r"\g<1>****", text))
