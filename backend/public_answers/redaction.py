"""Redaction for anything shown publicly: the classifiers' redaction plus home addresses."""

from __future__ import annotations

import re
from typing import Final

from classifiers.redact import NAME_PLACEHOLDER, redact

ADDRESS_PLACEHOLDER: Final = "[địa chỉ]"

_NUMBER: Final = r"\d+[\w/]*"
_LANE: Final = rf"(?:\s*,?\s*(?:ngõ|ngo|ngách|ngach|hẻm|hem|kiệt|kiet|tổ|to)\s*{_NUMBER})*"
# "địa chỉ: số 5, ngõ 3, phường X" — the rest of the sentence is the address.
_LABELLED: Final = re.compile(
    r"\b(?:địa\s+chỉ|dia\s+chi|đ/c)(?:\s+nhà)?\s*[:\-]?\s*[^.;!?\n]+", re.I
)
# "nhà tôi ở số 8 ngõ 12" — the number after "nhà <someone>" is a home.
_HOME: Final = re.compile(
    r"(\bnhà\s+(?:tôi|toi|em|mình|minh|cháu|chau|con|bác|bac|chúng\s+tôi)\s+"
    rf"(?:ở\s+|o\s+|tại\s+|tai\s+)?)(?:số\s*|so\s*)?{_NUMBER}{_LANE}",
    re.I,
)
# "cảm ơn anh Trần Văn Bình": a title of address followed by capitalised words is a name.
_ADDRESSED: Final = re.compile(
    r"\b((?:ông|bà|anh|chị|cô|chú|bác|cháu|em|Ông|Bà|Anh|Chị|Cô|Chú|Bác|Cháu|Em)\s+)"
    r"((?:[^\W\d_][^\W\d_]*\s+){0,3}[^\W\d_]+)"
)
_HOUSE_NUMBER: Final = re.compile(
    rf"\b(?:số\s+nhà|so\s+nha|nhà\s+số|nha\s+so)\s*{_NUMBER}{_LANE}", re.I
)


def redact_public(text: str) -> str:
    """Names, phones, e-mails, ID numbers and home addresses masked."""
    text = redact(text)
    for _ in range(5):  # a match may swallow the next "và anh X": go again until stable
        masked = _ADDRESSED.sub(_addressed_name, text)
        if masked == text:
            break
        text = masked
    text = _LABELLED.sub(ADDRESS_PLACEHOLDER, text)
    text = _HOME.sub(lambda m: m.group(1) + ADDRESS_PLACEHOLDER, text)
    return _HOUSE_NUMBER.sub(ADDRESS_PLACEHOLDER, text)


# Offices, not names: "ông Chủ tịch", "bà Trưởng phòng", "anh Công an khu vực".
_OFFICES: Final = frozenset({"chủ", "bí", "trưởng", "phó", "tổ", "giám", "cán", "công", "cảnh"})


def _addressed_name(match: re.Match[str]) -> str:
    words = match.group(2).split()
    if words[0].lower() in _OFFICES:
        return match.group(0)
    capitalised = 0
    for word in words:
        if not word[0].isupper():
            break
        capitalised += 1
    if capitalised == 0:
        return match.group(0)
    rest = " ".join(words[capitalised:])
    return match.group(1) + NAME_PLACEHOLDER + (f" {rest}" if rest else "")
