"""Which period of which report went to which channel: ``.studio-notify.json``.

A period is sent once per channel; a record is written only after the channel accepted it,
atomically (a temporary file beside it, then a rename), so a run that fails or is killed
leaves the previous file whole. CI keeps the file between runs (actions/cache). It holds
no secret: report slug, period key, channel, time sent and a hash of what was sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from pathlib import Path

from studio.errors import StudioError

VERSION = 1


def digest_of(data: str | bytes) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return "sha256:" + hashlib.sha256(raw).hexdigest()


class State:
    def __init__(self, path: Path):
        self.path = path
        self.sent: dict[str, dict] = {}
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                sent = data["sent"]
                if not isinstance(sent, dict):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                raise StudioError("the notification state file is not Studio's JSON", file=path,
                                  hint="fix it, or delete it: every period then counts as not sent yet") from None
            self.sent = sent

    @staticmethod
    def key(report: str, period: str, channel: str) -> str:
        return f"{report}/{period}/{channel}"

    def record_of(self, report: str, period: str, channel: str) -> dict | None:
        return self.sent.get(self.key(report, period, channel))

    def record(self, report: str, period: str, channel: str, message_hash: str) -> dict:
        now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds")
        entry = {"report": report, "period": period, "channel": channel, "sent_at": now, "hash": message_hash}
        self.sent[self.key(report, period, channel)] = entry
        self.save()
        return entry

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": VERSION, "sent": dict(sorted(self.sent.items()))}, ensure_ascii=False, indent=2)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
