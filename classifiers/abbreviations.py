"""Chat abbreviations (teencode) common in Zalo/Messenger feedback, mapped to full words.

Kept here rather than taken from the `visonorm` package: its dictionary (MIT) is LLM-generated,
lists several candidates per entry without context (bn → bạn / bao nhiêu / bệnh nhân, t → tôi /
thằng / tao …), and the package pulls in torch, transformers and openai, gigabytes for a lookup
table. This list holds only entries that are unambiguous in citizen feedback; add one when a
real message shows it (a test covers every entry's shape).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

# Whole tokens only (matched after lowercasing); values are what the model and people read.
ABBREVIATIONS: Final = MappingProxyType(
    {
        # negation and "được"
        "ko": "không",
        "k": "không",
        "kg": "không",
        "khg": "không",
        "kh": "không",
        "hok": "không",
        "hông": "không",
        "k0": "không",
        "dc": "được",
        "đc": "được",
        "dk": "được",
        "đk": "được",
        # question words
        "j": "gì",
        "gi": "gì",
        "ntn": "như thế nào",
        "bn": "bao nhiêu",
        "bnhiu": "bao nhiêu",
        "bh": "bao giờ",
        "bjo": "bao giờ",
        "z": "vậy",
        # people and pronouns
        "mn": "mọi người",
        "mng": "mọi người",
        "ae": "anh em",
        "ng": "người",
        "ngta": "người ta",
        "a": "anh",
        "e": "em",
        "c": "chị",
        "cj": "chị",
        "mk": "mình",
        "mik": "mình",
        "ad": "admin",
        "bqt": "ban quản trị",
        # function words
        "r": "rồi",
        "vs": "với",
        "cx": "cũng",
        "cg": "cũng",
        "ms": "mới",
        "trc": "trước",
        "nc": "nước",
        "vc": "việc",
        "nhg": "nhưng",
        "nhưg": "nhưng",
        "lm": "làm",
        "bik": "biết",
        "bít": "biết",
        "bt": "biết",
        "hnay": "hôm nay",
        "hqua": "hôm qua",
        "tg": "thời gian",
        "sdt": "số điện thoại",
        "sđt": "số điện thoại",
        "đt": "điện thoại",
        "dthoai": "điện thoại",
        "ck": "chuyển khoản",
        "tk": "tài khoản",
        "thks": "cảm ơn",
        "tks": "cảm ơn",
        "thanks": "cảm ơn",
        # administrative shorthands citizens use
        "ubnd": "ủy ban nhân dân",
        "mttq": "mặt trận tổ quốc",
        "cccd": "căn cước công dân",
        "cmnd": "chứng minh nhân dân",
        "bhyt": "bảo hiểm y tế",
        "bhxh": "bảo hiểm xã hội",
        "gcn": "giấy chứng nhận",
        "qsdđ": "quyền sử dụng đất",
        "qsdd": "quyền sử dụng đất",
        "gplx": "giấy phép lái xe",
        "dvc": "dịch vụ công",
        "tthc": "thủ tục hành chính",
        "csgt": "cảnh sát giao thông",
        "tngt": "tai nạn giao thông",
    }
)
