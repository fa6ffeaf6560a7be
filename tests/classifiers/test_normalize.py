"""Code tests: normalization, folding, teencode, masking, redaction."""

from __future__ import annotations

import pytest

from classifiers.abbreviations import ABBREVIATIONS
from classifiers.normalize import fold, normalize, normalize_and_fold, redact


def test_fold_removes_every_vietnamese_mark_and_d_bar() -> None:
    assert (
        fold("Đường Nguyễn Thị Ánh, Thuỷ Hoà, ưu đãi") == "Duong Nguyen Thi Anh, Thuy Hoa, uu dai"
    )


def test_fold_handles_decomposed_input() -> None:
    decomposed = "Vie\u0302\u0323t Nam"  # "Việt" typed with combining marks
    assert fold(decomposed) == "Viet Nam"


def test_normalize_is_nfc_lowercase_and_collapses_spaces() -> None:
    assert normalize("  Đường   NGÂ\u0323P\n nước ") == normalize("đường ngập nước")
    assert normalize("  Đường   NGẬP\n nước ") == "đường ngập nước"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ko ai dc giúp j", "không ai được giúp gì"),
        ("hok bít ntn", "không biết như thế nào"),
        ("mn ơi ae cx bị r", "mọi người ơi anh em cũng bị rồi"),
        (
            "đóng bn tiền, sdt của ng phụ trách?",
            "đóng bao nhiêu tiền, số điện thoại của người phụ trách?",
        ),
        ("đi vs con", "đi với con"),
    ],
)
def test_normalize_expands_chat_abbreviations(typed: str, expected: str) -> None:
    assert normalize(typed) == expected


def test_abbreviations_expand_only_whole_tokens() -> None:
    assert normalize("kho khăn, rồi") == "kho khăn, rồi"  # "k", "r" inside words stay
    assert normalize("50k") == "50k"


def test_emphasis_letters_collapse_but_acronyms_and_numbers_stay() -> None:
    assert normalize("ngậppppp quááá koooo") == "ngập quá không"
    assert normalize("CCCD 1000 đồng") == "căn cước công dân 1000 đồng"


def test_every_abbreviation_is_a_lowercase_token_with_a_real_expansion() -> None:
    for short, full in ABBREVIATIONS.items():
        assert short == short.lower() and " " not in short, short
        assert full and full != short, short


@pytest.mark.parametrize(
    "phone",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "091-234-5678",
        "+84912345678",
        "+84 912 345 678",
        "0084 912 345 678",
        "024 3825 1234",
    ],
)
def test_phones_in_vietnamese_formats_are_masked(phone: str) -> None:
    assert normalize(f"gọi {phone} giúp") == "gọi __phone__ giúp"


@pytest.mark.parametrize("number", ["001203004567", "001 203 004 567", "123456789"])
def test_id_numbers_are_masked(number: str) -> None:
    assert normalize(f"cccd số {number} nhé") == "căn cước công dân số __idnum__ nhé"


def test_emails_and_links_are_masked_but_dates_and_amounts_stay() -> None:
    text = "Gửi a.b+c@gmail.com xem https://dichvucong.gov.vn/p?id=1 ngày 01.02.2024 giá 1500000"
    assert normalize(text) == ("gửi __email__ xem __url__ ngày 01.02.2024 giá 1500000")


def test_normalize_and_fold_is_the_folded_normal_form() -> None:
    assert normalize_and_fold("Đường ko đi ĐC") == "duong khong di duoc"


def test_redact_masks_contacts_for_display() -> None:
    shown = redact("Liên hệ 0912 345 678 hoặc an@x.vn, CCCD 001203004567.")
    assert shown == "Liên hệ [số điện thoại] hoặc [email], CCCD [số giấy tờ]."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tôi tên là Nguyễn Văn An, ở thôn 3", "Tôi tên là [họ tên], ở thôn 3"),
        ("tôi tên là lan ở thôn đông", "tôi tên là [họ tên] ở thôn đông"),
        ("toi ten la nguyen van binh o xom 4", "toi ten la [họ tên] o xom 4"),
        ("Tôi là Trần Thị Bích Ngọc, xin phản ánh", "Tôi là [họ tên], xin phản ánh"),
        ("Họ tên: Lê Văn Tám\nĐịa chỉ: thôn 2", "Họ tên: [họ tên]\nĐịa chỉ: thôn 2"),
        ("Đường hỏng.\nTrân trọng,\nPhạm Minh Hà\n", "Đường hỏng.\nTrân trọng,\n[họ tên]\n"),
        ("Trân trọng, Nguyễn Thị Hoa", "Trân trọng, [họ tên]"),
    ],
)
def test_redact_masks_self_introduced_names(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_keeps_introductions_that_are_not_names() -> None:
    text = "Tôi là người dân thôn 2, đường Lê Lợi ngập"
    assert redact(text) == text
