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


def signature_tokens(text: str) -> list[str]:
    """Tokens for the search index: ``exc<name>`` for exceptions, ``sig<hash>`` for messages.

    Plain alphanumerics, so both full-text engines keep them as single terms."""
    names = [f"exc{name.lower()}" for name in exception_names(text)]
    return names + [f"sig{h}" for h in message_signatures(text)]
