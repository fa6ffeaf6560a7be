"""Quoted-history and signature stripping for English and Vietnamese mail clients."""

from __future__ import annotations

import pytest

from channels.email import strip_reply

ANSWER = "Đường vẫn còn ngập, đề nghị xã xử lý."


@pytest.mark.parametrize(
    "history",
    [
        # Gmail, Vietnamese locale (one line, and wrapped as Gmail does at 78 columns)
        "Vào Th 2, 3 thg 11, 2026 vào lúc 10:15 Xã Phú Hòa <phananh@x.vn> đã viết:\n> cũ",
        "Vào Th 2, 3 thg 11, 2026 vào lúc 10:15 Xã Phú Hòa <\nphananh@x.vn> đã viết:\n\n> cũ",
        # Apple Mail and Yahoo, Vietnamese
        "Vào 10:15, ngày 3 thg 11, 2026, Xã Phú Hòa <phananh@x.vn> đã viết:\n\n> cũ",
        "Vào Thứ Hai, 3 tháng 11, 2026 lúc 10:15, Xã<phananh@x.vn> đã viết:   nội dung cũ",
        # Gmail / Apple Mail, English
        "On Mon, Nov 3, 2026 at 10:15 AM Commune <phananh@x.vn> wrote:\n> old",
        "On Nov 3, 2026, at 10:15, Commune <phananh@x.vn>\nwrote:\n\n> old",
        # Thunderbird: no address in the attribution
        "On 11/3/26 10:15 AM, Commune wrote:\n> old",
        # Outlook, English and Vietnamese
        "-----Original Message-----\nFrom: Commune\nSent: Monday\nTo: me\nSubject: x\n\nold",
        "----- Original Message -----\nFrom: Commune\nold",
        "________________________________\nFrom: Commune <phananh@x.vn>\nSent: Monday, "
        "November 3, 2026 10:15 AM\nTo: Bình\nSubject: [PA-1] x\n\nold text",
        "________________________________\nTừ: Xã Phú Hòa <phananh@x.vn>\nGửi: Thứ Hai, "
        "3 tháng 11, 2026 10:15\nĐến: Bình\nChủ đề: [PA-1] x\n\nnội dung cũ",
        "*Từ:* Xã Phú Hòa\n*Đã gửi:* Thứ Hai\n*Đến:* Bình\n*Chủ đề:* x\n\ncũ",
        "-----Thư gốc-----\nTừ: Xã\nnội dung cũ",
        # Plain quoted block without attribution
        "> Chúng tôi đã nhận được ý kiến của bạn.\n> Mã theo dõi: PA-1",
    ],
)
def test_history_is_removed(history: str) -> None:
    assert strip_reply(f"{ANSWER}\n\n{history}\n") == ANSWER


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nNguyễn Văn An\n0903 123 456",
        "--\nNguyễn Văn An",
        "Sent from my iPhone",
        "Gửi từ iPhone của tôi",
        "Được gửi từ iPhone của tôi",
        "Gửi từ Yahoo Mail trên Android",
        "Get Outlook for Android",
    ],
)
def test_signatures_are_removed(signature: str) -> None:
    assert strip_reply(f"{ANSWER}\n\n{signature}\n") == ANSWER


def test_inline_answers_between_quotes_are_kept() -> None:
    text = "> Địa chỉ ở đâu?\nThôn 3, cạnh trường.\n> Từ bao giờ?\nTừ thứ Hai."
    assert strip_reply(text) == "Thôn 3, cạnh trường.\nTừ thứ Hai."


def test_bottom_posted_answer_is_kept() -> None:
    text = "On Mon, Nov 3, 2026 at 10:15 Commune <a@x.vn> wrote:\n> question?\n\nThe answer."
    assert strip_reply(text) == "The answer."


def test_forwarded_message_is_not_history() -> None:
    text = (
        f"{ANSWER}\n\n---------- Forwarded message ---------\nFrom: school\nSubject: fee\n\nDetails"
    )
    assert strip_reply(text) == text


def test_a_sentence_starting_with_vao_is_not_an_attribution() -> None:
    text = "Vào tối qua, nước tràn vào nhà dân.\nỞ thôn 2 cũng vậy."
    assert strip_reply(text) == text


def test_an_outlook_like_line_alone_is_kept() -> None:
    text = "Từ: hôm qua đến nay mất điện.\nMong xã can thiệp."
    assert strip_reply(text) == text


def test_nothing_but_quotes_gives_back_the_whole_text() -> None:
    text = "> only a quote\n> nothing new"
    assert strip_reply(text) == text


def test_crlf_and_extra_blank_lines_are_normalised() -> None:
    assert strip_reply("Dòng 1\r\n\r\n\r\n\r\nDòng 2\r\n\r\n> cũ\r\n") == "Dòng 1\n\nDòng 2"
