"""Channel URLs hold secrets (webhook tokens, SMTP passwords): encrypted at rest, never shown.

With FAILWELL_BROADCAST_SECRET_KEYS set, a URL is stored as "enc:<Fernet token>" (AES-128-CBC
plus HMAC-SHA256; the key lives outside the database). Without a key it is stored as
"plain:<url>": still never returned by the API, the pages or the logs, only readable by
whoever reads the database itself.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from failwell.broadcast.config import get_broadcast_settings
from failwell.errors import DomainError


class SecretUnreadable(DomainError):
    status = 500
    title = "Channel secret unreadable"
    slug = "channel-secret-unreadable"


def _fernet(keys: str) -> MultiFernet | None:
    parts = [k.strip() for k in keys.split(",") if k.strip()]
    if not parts:
        return None
    return MultiFernet([Fernet(k.encode()) for k in parts])


def new_key() -> str:
    return Fernet.generate_key().decode()


def seal(url: str, keys: str | None = None) -> str:
    fernet = _fernet(get_broadcast_settings().secret_keys if keys is None else keys)
    if fernet is None:
        return "plain:" + url
    return "enc:" + fernet.encrypt(url.encode()).decode()


def unseal(stored: str, keys: str | None = None) -> str:
    if stored.startswith("plain:"):
        return stored[len("plain:") :]
    fernet = _fernet(get_broadcast_settings().secret_keys if keys is None else keys)
    if not stored.startswith("enc:") or fernet is None:
        raise SecretUnreadable(
            detail="A channel URL is encrypted but no key in FAILWELL_BROADCAST_SECRET_KEYS opens it."
        )
    try:
        return fernet.decrypt(stored[len("enc:") :].encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            detail="A channel URL is encrypted with a key not in FAILWELL_BROADCAST_SECRET_KEYS."
        ) from None


def is_encrypted(stored: str) -> bool:
    return stored.startswith("enc:")


def hint(url: str) -> str:
    """What may be shown of a channel URL: its scheme and its last four characters."""
    scheme = urlsplit(url).scheme or "?"
    tail = url[-4:] if len(url) > 16 else ""
    return f"{scheme}://…{tail}"


def redact(text: str, *secrets: str) -> str:
    """Removes secrets (and their URL parts longer than 3 characters) from a message before it is
    stored or logged: apprise's own errors sometimes quote the host or path."""
    for secret in secrets:
        if not secret:
            continue
        text = text.replace(secret, "[redacted]")
        parts = urlsplit(secret)
        pieces = [parts.netloc, parts.path, parts.query, parts.username or "", parts.password or ""]
        pieces += [p for p in parts.path.split("/") if p]
        for piece in sorted(set(pieces), key=len, reverse=True):
            if len(piece) > 3:
                text = text.replace(piece, "[redacted]")
    return text
