"""Sending one message through apprise, and which apprise URLs each channel kind accepts."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import apprise

from failwell.broadcast.models import ChannelKind
from failwell.broadcast.secrets import redact

SCHEMES: dict[ChannelKind, tuple[str, ...]] = {
    ChannelKind.email: ("mailto", "mailtos"),
    ChannelKind.slack: ("slack",),
    ChannelKind.msteams: ("msteams", "workflow", "workflows"),
    ChannelKind.mattermost: ("mmost", "mmosts"),
    ChannelKind.discord: ("discord",),
    ChannelKind.gchat: ("gchat",),
    ChannelKind.ntfy: ("ntfy", "ntfys"),
    ChannelKind.webhook: ("json", "jsons"),
}


def warm_up() -> None:
    """Loads apprise's plugins now (a few hundred ms, once per process), not on the first delivery."""
    apprise.Apprise.instantiate("json://localhost/", suppress_exceptions=True)


def check_url(kind: ChannelKind, url: str) -> str | None:
    """None if apprise understands the URL as a channel of this kind, else the reason it does not.

    Parsing only: nothing is sent and no name is resolved."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SCHEMES[kind]:
        return f"a {kind.value} channel URL starts with {' or '.join(s + '://' for s in SCHEMES[kind])}"
    try:
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    except Exception:  # apprise's parsers raise on some malformed input despite the flag
        plugin = None
    if plugin is None:
        return "is not a URL apprise can send to (see the apprise documentation for this service)"
    return None


def _with_query(url: str, extra: dict[str, str], replace: tuple[str, ...] = ()) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in replace]
    query += list(extra.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass(frozen=True)
class Outgoing:
    url: str  # the channel's apprise URL (secret)
    kind: ChannelKind
    title: str
    text: str
    html: str
    idempotency_key: str
    topic: str
    event_uid: str
    recipient: str | None = None  # an e-mail address, for e-mails to people


def delivery_url(msg: Outgoing, timeout_s: float) -> str:
    """The channel URL with this delivery's recipient, idempotency key and timeouts added."""
    timeouts = {"cto": f"{min(timeout_s, 10):g}", "rto": f"{timeout_s:g}"}
    if msg.kind == ChannelKind.webhook:
        return _with_query(
            msg.url,
            {
                **timeouts,
                "+Idempotency-Key": msg.idempotency_key,
                ":idempotency_key": msg.idempotency_key,
                ":event": msg.topic,
                ":event_id": msg.event_uid,
            },
        )
    if msg.kind == ChannelKind.email:
        extra = {"+X-Failwell-Idempotency-Key": msg.idempotency_key, "cto": timeouts["cto"]}
        if msg.recipient:
            extra["to"] = msg.recipient
        return _with_query(msg.url, extra, replace=("to",) if msg.recipient else ())
    return _with_query(msg.url, timeouts)


# apprise messages may quote hosts or paths of a channel URL: they are kept out of the app's log
# handlers and only shown, redacted, as a delivery's last error.
logging.getLogger("apprise").propagate = False


# Sequential: each send runs in the calling worker thread, not in a pool of apprise's own.
_ASSET = apprise.AppriseAsset(async_mode=False)


def send(msg: Outgoing, timeout_s: float) -> str | None:
    """Sends one message; None on success, else why it failed (secrets removed)."""
    url = delivery_url(msg, timeout_s)
    notifier = apprise.Apprise(asset=_ASSET)
    try:
        if not notifier.add(url):
            return "the channel URL is not usable"
        if msg.kind == ChannelKind.email:
            result = notifier.notify(body=msg.html, title=msg.title, body_format=apprise.NotifyFormat.HTML)
        else:
            result = notifier.notify(body=msg.text, title=msg.title, body_format=apprise.NotifyFormat.TEXT)
    except Exception as exc:  # a plugin bug must not stop the worker: it is one failed attempt
        return redact(f"{type(exc).__name__}: {exc}", url, msg.url)[:1000]
    try:
        # apprise says whether it worked by the result's truth value, and why not in its logs.
        if result:
            return None
        reasons = [str(e.message) for e in result.logs() if _level(e.level) >= logging.WARNING]
    finally:
        result.close()
    reason = reasons[-1] if reasons else "the receiver did not accept the message"
    return redact(reason, url, msg.url)[:1000]


def _level(level: object) -> int:
    if isinstance(level, int):
        return level
    named = logging.getLevelName(str(level))
    return named if isinstance(named, int) else logging.WARNING
