"""Patterns for contact details and identity numbers in Vietnamese messages, and their masking."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

EMAIL: Final = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Only links with a scheme or "www.": bare portal names (dichvucong.gov.vn) carry the topic.
URL: Final = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
# Citizen ID: 12 digits (CCCD, since 2016) or 9 digits (old CMND), written solid or in groups.
ID_NUMBER: Final = re.compile(
    r"(?<!\w)(?:\d{12}|\d{9}|\d{3}[ .]\d{3}[ .]\d{3}[ .]\d{3}|\d{4}[ .]\d{4}[ .]\d{4})(?!\w)"
)
# Phone: 0 + 9 digits (mobile) or 0 + 10 (landline 02x), or +84 / 0084 + 9–10 digits; digits
# may be separated by single spaces, dots or dashes (0912 345 678, 0912.345.678, +84 912-345-678).
PHONE: Final = re.compile(r"(?<![\w+])(\+84|0084|0)((?:[ .\-]?\d){8,10})(?!\w)")
_PHONE_DIGITS_AFTER_PREFIX: Final = (9, 10)
# Nine digits with at most single separators between them: the shortest ID or phone.
_DIGIT_RUN: Final = re.compile(r"\d(?:[ .\-]?\d){8}")


class Placeholders:
    """The replacement text for each kind of masked span."""

    def __init__(self, email: str, url: str | None, id_number: str, phone: str) -> None:
        self.email = email
        self.url = url
        self.id_number = id_number
        self.phone = phone


# Word-like tokens so tokenizers keep each one whole (\w includes "_").
MODEL_PLACEHOLDERS: Final = Placeholders("__email__", "__url__", "__idnum__", "__phone__")
# What people read in quotes and reports; links stay because they identify nobody.
DISPLAY_PLACEHOLDERS: Final = Placeholders("[email]", None, "[số giấy tờ]", "[số điện thoại]")


def _phone_replacer(placeholder: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group(2))
        return placeholder if digits in _PHONE_DIGITS_AFTER_PREFIX else match.group(0)

    return replace


def mask_contacts(text: str, placeholders: Placeholders) -> str:
    """Replace e-mails, links (when a placeholder is given), ID numbers and phones."""
    # The cheap substring tests skip most regex scans: most messages hold no contact at all.
    if "@" in text:
        text = EMAIL.sub(placeholders.email, text)
    if placeholders.url is not None and ("://" in text or "www." in text.lower()):
        text = URL.sub(placeholders.url, text)
    if _DIGIT_RUN.search(text):
        # IDs before phones: a 12-digit CCCD starts with 0 and would look like a phone.
        text = ID_NUMBER.sub(placeholders.id_number, text)
        text = PHONE.sub(_phone_replacer(placeholders.phone), text)
    return text
