"""The WeCom group robot (群机器人) webhook API, over ``urllib.request``.

- ``POST <webhook>`` with ``{"msgtype": "markdown", "markdown": {"content": ...}}``;
- ``POST /cgi-bin/webhook/upload_media?key=KEY&type=file`` (multipart, field ``media``)
  answers a ``media_id``, then ``{"msgtype": "file", "file": {"media_id": ...}}`` is sent.

The upload address is derived from the webhook (same scheme, host, port and key), so a
local test server can play both. Every answer is checked: a non-zero ``errcode`` (45009:
the robot's rate limit of 20 messages a minute), an HTTP error (429 too), a timeout or a
refused connection is a :class:`~studio.notify.common.SendError`.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from .common import SendError

RATE_LIMITED = 45009
UPLOAD_PATH = "/cgi-bin/webhook/upload_media"
MAX_FILE = 20 * 1024 * 1024  # upload_media takes files of 5 bytes to 20 MB
HINT = "check the webhook URL in {env} (群机器人 → 复制 Webhook 地址); nothing was recorded as sent"


def check_webhook(url: str) -> str:
    """The key of a webhook URL; a SendError when the URL cannot be one."""
    parts = urllib.parse.urlsplit(url.strip())
    key = urllib.parse.parse_qs(parts.query).get("key", [""])[0]
    if parts.scheme not in ("http", "https") or not parts.netloc or not key:
        raise SendError("the WeCom webhook is not a robot webhook URL (https://…/cgi-bin/webhook/send?key=…)",
                        "copy it from the group: 群设置 → 群机器人 → Webhook 地址")
    return key


def upload_url(webhook: str) -> str:
    """``…/cgi-bin/webhook/upload_media?key=KEY&type=file`` on the webhook's own host."""
    parts = urllib.parse.urlsplit(webhook.strip())
    key = check_webhook(webhook)
    query = urllib.parse.urlencode({"key": key, "type": "file"})
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, UPLOAD_PATH, query, ""))


def markdown_body(content: str) -> bytes:
    return json_body({"msgtype": "markdown", "markdown": {"content": content}})


def file_body(media_id: str) -> bytes:
    return json_body({"msgtype": "file", "file": {"media_id": media_id}})


def json_body(payload: dict) -> bytes:
    """Exactly the bytes posted (and what ``--dry-run`` prints)."""
    return json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")


def _post(url: str, data: bytes, content_type: str, timeout: float, env: str) -> dict:
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": content_type, "User-Agent": "studio-notify"})
    hint = HINT.format(env=env)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only, checked
            raw = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 429:
            raise SendError("the WeCom robot's rate limit was reached (HTTP 429 Too Many Requests)",
                            "a robot takes at most 20 messages a minute: run again in a minute; "
                            "nothing was recorded as sent") from None
        raise SendError(f"the WeCom robot answered HTTP {exc.code} {exc.reason}",
                        hint if exc.code in (400, 401, 403, 404) else
                        "the robot's server failed: run again later; nothing was recorded as sent") from None
    except (TimeoutError, socket.timeout):
        raise SendError(f"the WeCom robot did not answer within {timeout:g} s (timeout)",
                        "check the network, or raise plugins.studio.notify.timeout; nothing was recorded as sent") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise SendError(f"the WeCom robot did not answer within {timeout:g} s (timeout)",
                            "check the network, or raise plugins.studio.notify.timeout; "
                            "nothing was recorded as sent") from None
        reason = getattr(exc.reason, "strerror", None) or str(exc.reason)
        raise SendError(f"cannot reach the WeCom robot at {url}: {reason}", hint) from None
    except OSError as exc:  # a connection reset half-way
        raise SendError(f"the connection to the WeCom robot failed: {exc.strerror or exc}",
                        "run again; nothing was recorded as sent") from None
    try:
        answer = json.loads(raw.decode("utf-8"))
        code = int(answer.get("errcode", -1))
    except (ValueError, AttributeError, TypeError):
        raise SendError("the WeCom robot answered something that is not its JSON", hint) from None
    if code == RATE_LIMITED:
        raise SendError(f"the WeCom robot's rate limit was reached (errcode {code}: {answer.get('errmsg', '')})",
                        "a robot takes at most 20 messages a minute: run again in a minute; "
                        "nothing was recorded as sent")
    if code != 0:
        msg = str(answer.get("errmsg", ""))[:300]
        raise SendError(f"the WeCom robot refused the message: errcode {code}, errmsg {msg!r}", hint)
    return answer


def send(webhook: str, body: bytes, timeout: float, env: str) -> dict:
    """Post one message (a body from :func:`markdown_body` or :func:`file_body`)."""
    check_webhook(webhook)
    return _post(webhook.strip(), body, "application/json; charset=utf-8", timeout, env)


def upload(webhook: str, path: Path, timeout: float, env: str) -> str:
    """Upload ``path`` as a file for the robot; return its ``media_id`` (valid three days)."""
    data = path.read_bytes()
    if not 5 < len(data) <= MAX_FILE:
        raise SendError(f"{path.name} is {len(data):,} bytes; the WeCom robot takes files of 6 bytes to 20 MB",
                        "send it with attach: none, or by e-mail")
    boundary = "----studio" + uuid.uuid4().hex
    name = path.name.replace('"', "")
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"{name}\"; "
            f"filelength={len(data)}\r\nContent-Type: application/octet-stream\r\n\r\n").encode("utf-8")
    body = head + data + f"\r\n--{boundary}--\r\n".encode("ascii")
    answer = _post(upload_url(webhook), body, f"multipart/form-data; boundary={boundary}", timeout, env)
    media = answer.get("media_id")
    if not media:
        raise SendError("the WeCom robot's upload answered no media_id", HINT.format(env=env))
    return str(media)
