"""Cut quoted replies and signatures from a mail body, for English and Vietnamese clients."""

from __future__ import annotations

import re

# "On Mon, 3 Nov 2026 at 10:15, An <an@x.vn> wrote:" (Gmail, Yahoo, Apple Mail) and the
# Vietnamese locales: "Vào Th 2, 3 thg 11, 2026 vào lúc 10:15 An <an@x.vn> đã viết:".
_ATTRIBUTION_START = re.compile(r"^\s*(on|vào)\b", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(r"(wrote|đã viết|viết)\s*:\s*$", re.IGNORECASE)
# Yahoo's text part runs the quoted text on after "đã viết:"; an address must then be present.
_ATTRIBUTION_INLINE = re.compile(r"@[^\s>]+>?\s*(wrote|đã viết|viết)\s*:", re.IGNORECASE)
_ATTRIBUTION_MAX_LINES = 3  # clients wrap long attribution lines
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(original message|thư gốc|tin nhắn gốc|thư ban đầu)\s*-{2,}\s*$", re.IGNORECASE
)
# Outlook's header block: "From:/Từ:" then Sent/To/Subject in English or Vietnamese.
_BLOCK_FROM = re.compile(r"^\s*\*?(from|từ)\s*:", re.IGNORECASE)
_BLOCK_FIELD = re.compile(
    r"^\s*\*?(sent|date|to|cc|subject|gửi|đã gửi|ngày gửi|ngày|đến|chủ đề|tiêu đề)\s*:",
    re.IGNORECASE,
)
_BLOCK_WINDOW = 6
_QUOTED = re.compile(r"^\s*>")
_SIGNATURE = re.compile(r"^--\s?$")  # RFC 3676 §4.3 "-- "; many clients drop the space
_SEPARATOR = re.compile(r"^\s*[_\-=*]{3,}\s*$")
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(sent from (my )?\w+.*|sent from (yahoo )?mail\b.*|get outlook for \w+.*"
    r"|(được )?gửi từ (iphone|ipad|điện thoại|yahoo mail|samsung|thiết bị|outlook|mail)\b.*)$",
    re.IGNORECASE,
)


def strip_reply(text: str) -> str:
    """The new part of a reply: no quoted history, no signature; the whole text if that is all."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start, end = _history_marker(lines)
    if start is not None:
        above = lines[:start]
        # Bottom-posting: nothing above the attribution, the answer follows the quote.
        lines = above if any(line.strip() for line in above) else lines[end:]
    lines = [line for line in lines if not _QUOTED.match(line)]
    lines = _cut_signature(lines)
    result = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines)).strip()
    return result or text.strip()


def _history_marker(lines: list[str]) -> tuple[int | None, int]:
    """(first line, line after) of the first header introducing quoted history."""
    for index, line in enumerate(lines):
        if _ATTRIBUTION_START.match(line):
            for extra in range(_ATTRIBUTION_MAX_LINES):
                joined = " ".join(part.strip() for part in lines[index : index + extra + 1])
                if _ATTRIBUTION_END.search(joined) or _ATTRIBUTION_INLINE.search(joined):
                    return index, index + extra + 1
        if _ORIGINAL_MESSAGE.match(line):
            return index, index + 1
        if _BLOCK_FROM.match(line):
            window = lines[index + 1 : index + 1 + _BLOCK_WINDOW]
            if sum(1 for w in window if _BLOCK_FIELD.match(w)) >= 2:
                return index, index + 1 + len(window)
    return None, 0


def _cut_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if _SIGNATURE.match(line) and any(previous.strip() for previous in lines[:index]):
            lines = lines[:index]
            break
    # Trailing separators and a last "Sent from my iPhone" line belong to the client.
    while lines and (not lines[-1].strip() or _SEPARATOR.match(lines[-1])):
        lines = lines[:-1]
    if lines and _MOBILE_SIGNATURE.match(lines[-1]):
        lines = lines[:-1]
        while lines and (not lines[-1].strip() or _SEPARATOR.match(lines[-1])):
            lines = lines[:-1]
    return lines
