"""Error signatures: exception names and error messages with the variable parts taken out.

Two failures whose logs say ``Connection refused to 10.0.3.7:5432 after 3012 ms`` and
``Connection refused to 10.0.9.1:5432 after 15 ms`` share the signature of
``connection refused to <ip> after <n> ms``; both mention the same exception class.
"""

from __future__ import annotations

import hashlib
import re

# Scanning is linear, but a megabyte of text still costs: signatures come from the start.
SCAN_LIMIT = 20_000
MAX_SIGNATURES = 12

_EXCEPTION = re.compile(
    r"\b(?:[A-Za-z_][\w$]*\.)*([A-Z][A-Za-z0-9_]*(?:Exception|Error|Fault|Panic|Timeout|Failure))\b"
)
_ERRNO = re.compile(
    r"\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOSPC|ENOENT|EACCES|EPERM|EADDRINUSE|EHOSTUNREACH"
    r"|ENETUNREACH|EMFILE|ENOMEM|EAI_AGAIN|OOMKilled|CrashLoopBackOff|ImagePullBackOff|SIGSEGV|SIGKILL)\b"
)
_ERROR_LINE = re.compile(
    r"(error|exception|failed|failure|fatal|panic|refused|timed? ?out|denied|unable|cannot|can't)", re.I
)
# Order matters: the longest, most specific shapes are replaced first.
_VARIABLE_PARTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\b\d{1,2}:\d{2}:\d{2}(\.\d+)?\b"), "<time>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<uuid>"),
    (re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.I), "<url>"),
    (re.compile(r"\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b"), "<ip>"),
    (re.compile(r"(?<![\w.])(?:[A-Za-z]:)?(?:[\\/][\w.@%+-]+){2,}[\\/]?"), "<path>"),
    (re.compile(r"\b0x[0-9a-f]+\b", re.I), "<hex>"),
    (re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b", re.I), "<hex>"),
    (re.compile(r"\b\d+(\.\d+)?\b"), "<n>"),
]
_SPACE = re.compile(r"\s+")

# Names that point at one thing wherever they are written: a vulnerability, a ticket in a
# tracker (PROJ-123) and a release (three or more parts, 2.13.2.2, 3.0.0-M7).
_KEY = re.compile(r"\b(?:CVE-\d{4}-\d{4,7}|[A-Z][A-Z0-9]{1,14}-[1-9]\d{0,6})\b")
_VERSION = re.compile(r"(?<![\w.])v?(\d+(?:\.\d+){2,}(?:-[0-9A-Za-z]+)*)(?!\w)")
# Standards and encodings written like ticket keys: they name nothing specific to a failure.
_NOT_KEYS = frozenset(
    {"UTF", "ISO", "SHA", "AES", "DES", "RSA", "TLS", "SSL", "HTTP", "IPV", "MD", "CRC", "IEEE"}
    | {"ANSI", "RFC", "X", "UCS", "ECDSA", "HS", "RS", "ES", "PS", "GB"}
)
# Four numbers up to 255 are an address, not a release, when a port follows or the first is
# 10 or more (10.0.3.7:5432, 192.168.1.20); 2.13.2.2 stays a release.
_ADDRESS = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})")


def _is_address(version: str, after: str) -> bool:
    match = _ADDRESS.fullmatch(version)
    if match is None or any(int(n) > 255 for n in match.groups()):
        return False
    return after.startswith(":") or int(match.group(1)) >= 10 or version in ("0.0.0.0", "1.1.1.1")


def normalise_message(line: str) -> str:
    """An error message with times, ids, paths, addresses and numbers replaced by placeholders."""
    text = line.strip()
    for pattern, placeholder in _VARIABLE_PARTS:
        text = pattern.sub(placeholder, text)
    return _SPACE.sub(" ", text).strip().lower()[:300]


def exception_names(text: str) -> list[str]:
    """Exception classes and error codes mentioned, in order of first mention (simple names)."""
    head = text[:SCAN_LIMIT]
    found = [m.group(1) for m in _EXCEPTION.finditer(head)] + [m.group(1) for m in _ERRNO.finditer(head)]
    return list(dict.fromkeys(found))[:MAX_SIGNATURES]


def message_signatures(text: str) -> list[str]:
    """Short stable hashes of the normalised error lines in the text."""
    hashes: list[str] = []
    for line in text[:SCAN_LIMIT].splitlines():
        if len(line) < 12 or not _ERROR_LINE.search(line):
            continue
        normal = normalise_message(line)
        # A line that is nothing but placeholders says nothing about the cause.
        if len(re.sub(r"<\w+>|\W", "", normal)) < 8:
            continue
        hashes.append(hashlib.sha1(normal.encode()).hexdigest()[:12])
    return list(dict.fromkeys(hashes))[:MAX_SIGNATURES]


def references(text: str) -> tuple[list[str], list[str]]:
    """CVE ids and ticket keys, and release versions, mentioned (in order of first mention)."""
    head = text[:SCAN_LIMIT]
    keys = [k for k in _KEY.findall(head) if k.partition("-")[0] not in _NOT_KEYS]
    versions = [
        m.group(1)
        for m in _VERSION.finditer(head)
        if not _is_address(m.group(1), head[m.end() : m.end() + 1])
    ]
    return list(dict.fromkeys(keys))[:MAX_SIGNATURES], list(dict.fromkeys(versions))[:MAX_SIGNATURES]


def _token(prefix: str, name: str) -> str:
    # One alphanumeric term: separators become "x" so 2.13.2 and 21.3.2 stay apart.
    return prefix + re.sub(r"[^0-9a-z]", "x", name.lower())


def signature_tokens(text: str) -> list[str]:
    """Tokens for the search index: ``exc<name>`` for exceptions, ``sig<hash>`` for messages,
    ``key<id>`` for CVE ids and ticket keys, ``ver<version>`` for release versions.

    Plain alphanumerics, so both full-text engines keep them as single terms."""
    names = [f"exc{name.lower()}" for name in exception_names(text)]
    keys, versions = references(text)
    refs = [_token("key", k) for k in keys] + [_token("ver", v) for v in versions]
    return names + refs + [f"sig{h}" for h in message_signatures(text)]


# What signature_tokens makes, told apart from ordinary words that start the same ("signal",
# "exceeded", "keyboard", "verbose").
_TOKEN = re.compile(
    r"sig[0-9a-f]{12}|key[a-z0-9]*x\d+|ver\d[0-9a-z]*"
    r"|exc[a-z0-9_$]*(?:exception|error|fault|panic|timeout|failure)"
    r"|exc(?:econnrefused|econnreset|etimedout|epipe|enospc|enoent|eacces|eperm|eaddrinuse"
    r"|ehostunreach|enetunreach|emfile|enomem|eai_again|oomkilled|crashloopbackoff"
    r"|imagepullbackoff|sigsegv|sigkill)",
    re.IGNORECASE,
)


def is_signature_token(term: str) -> bool:
    """Whether a searched term is one of signature_tokens' tokens rather than a word."""
    return _TOKEN.fullmatch(term) is not None
