"""TF-IDF retrieval over normalized text: same problem ranks first, diacritics don't matter."""

from __future__ import annotations

from classifiers.retrieval import rank

DOCS = [
    "Karaoke quán đầu ngõ hát đến 2 giờ sáng, cả xóm không ngủ được.",
    "Cống thoát nước ngõ 7 bị tắc, mưa xuống nước tràn vào nhà dân.",
    "Gia hạn thẻ bảo hiểm y tế cho cả hộ gia đình làm thế nào?",
    "Mất điện cả buổi chiều không báo trước.",
]


def test_same_problem_ranks_first_without_diacritics() -> None:
    ranked = rank("cong ngo 7 lai tac, nuoc thai tran len duong", DOCS)
    assert ranked[0][0] == 1 and ranked[0][1] > 0.2
    assert all(score < ranked[0][1] for _, score in ranked[1:])


def test_limit_threshold_and_empty_inputs() -> None:
    assert [i for i, _ in rank("thẻ BHYT hết hạn, gia hạn ở đâu", DOCS, limit=1)] == [2]
    assert rank("xe tải chở quá tải", DOCS, min_score=0.1) == []
    assert rank("", DOCS) == [] and rank("cống tắc", []) == []
    assert rank("và là của", ["và là", "của"]) == []  # nothing but stopwords
