"""Redaction for display: contact details, ID numbers and self-introduced names are masked."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from classifiers.masking import DISPLAY_PLACEHOLDERS, mask_contacts

NAME_PLACEHOLDER: Final = "[họ tên]"
_MAX_NAME_WORDS: Final = 5

# Triggers after which a name follows whatever its casing ("tôi tên là lan", "họ tên: ...").
_EXPLICIT: Final = re.compile(
    r"(?:\b(?:tôi|toi|em|mình|minh|cháu|chau|con)\s+tên\s+là|\b(?:tôi|toi|em|mình|minh|cháu|chau|con)"
    r"\s+ten\s+la|\btên\s+(?:tôi|em|mình|cháu)\s+là|\bten\s+(?:toi|em|minh|chau)\s+la"
    r"|\bhọ\s+(?:và\s+)?tên\s*[:\-]|\bho\s+(?:va\s+)?ten\s*[:\-]|\bngười\s+gửi\s*[:\-])\s*",
    re.IGNORECASE,
)
# "tôi là X" introduces a name only when X is capitalised ("tôi là người dân" is not a name).
_INTRODUCTION: Final = re.compile(r"\b(?:tôi|toi|em|mình|minh|cháu|chau)\s+là\s+", re.IGNORECASE)
_SIGN_OFF: Final = re.compile(
    r"^\s*(?:trân\s+trọng|tran\s+trong|kính\s+thư|kinh\s+thu|thân\s+ái)\b[\s,.!:;-]*",
    re.IGNORECASE | re.MULTILINE,
)
_WORD: Final = re.compile(r"[^\W\d_]+")
# Words that end a lower-case name: where the person lives, what they do next.
_NAME_STOP_WORDS: Final = (
    "ở o tại tai sống song nhà nha xin muốn muon có co hiện hien sinh là la số so thôn "
    "thon xóm xom tổ to ấp ap phường phuong xã xa và va đang dang cư cu trú tru hỏi hoi "
    "phản phan kiến kien thì thi gửi gui mong năm nam tuổi tuoi"
)
_NAME_STOPS: Final = frozenset(_NAME_STOP_WORDS.split())


def redact(text: str) -> str:
    """Mask phones, e-mails, ID numbers and names for quotes shown to staff and in reports."""
    text = mask_contacts(unicodedata.normalize("NFC", text), DISPLAY_PLACEHOLDERS)
    spans: list[tuple[int, int]] = []
    for match in _EXPLICIT.finditer(text):
        spans.extend(_name_after(text, match.end(), capitalised_only=False))
    for match in _INTRODUCTION.finditer(text):
        spans.extend(_name_after(text, match.end(), capitalised_only=True))
    for match in _SIGN_OFF.finditer(text):
        spans.extend(_signature_after(text, match.end()))
    for start, end in sorted(set(spans), reverse=True):
        text = text[:start] + NAME_PLACEHOLDER + text[end:]
    return text


def _name_after(text: str, position: int, *, capitalised_only: bool) -> list[tuple[int, int]]:
    """The span of the name starting at `position` (empty list if none)."""
    words: list[re.Match[str]] = []
    for word in _WORD.finditer(text, position):
        gap = text[words[-1].end() if words else position : word.start()]
        if gap.strip() or "\n" in gap or len(words) == _MAX_NAME_WORDS:
            break
        capitalised = word.group(0)[0].isupper()
        if (capitalised_only or (words and words[0].group(0)[0].isupper())) and not capitalised:
            break
        if not capitalised and word.group(0).lower() in _NAME_STOPS:
            break
        words.append(word)
    return [(words[0].start(), words[-1].end())] if words else []


def _signature_after(text: str, position: int) -> list[tuple[int, int]]:
    """The name on the sign-off line itself, or on the next non-empty line."""
    line_end = text.find("\n", position)
    same_line = text[position : len(text) if line_end < 0 else line_end]
    if same_line.strip():
        return _name_after(text, position, capitalised_only=True)
    if line_end < 0:
        return []
    next_line = re.compile(r"\n\s*").match(text, line_end)
    assert next_line is not None  # the pattern always matches at a newline
    return _name_after(text, next_line.end(), capitalised_only=True)
