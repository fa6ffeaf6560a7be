"""Code tests: case vectors, group choice (threshold, window, place), index, summaries, B-cubed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from classifiers.grouping import (
    CaseVector,
    GroupCentroid,
    GroupIndex,
    GroupingPolicy,
    OpenGroup,
    choose_group,
    merge_centroids,
    place_bound,
    representative_quotes,
    top_keywords,
    vectorize,
)
from classifiers.grouping.bcubed import bcubed

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
POLICY = GroupingPolicy(threshold=0.35, window_days=30, cross_commune_threshold=0.5)
FLOOD = "Đường thôn Đông ngập sâu sau mưa, cống thoát nước bị tắc"


def group(
    gid: int,
    text: str,
    topic: str = "construction_infrastructure",
    commune: str = "00001",
    last_seen: datetime = NOW,
) -> OpenGroup:
    return OpenGroup(gid, topic, commune, last_seen, GroupCentroid.of([vectorize(text)]), 1)


def test_vector_ignores_diacritics_case_and_contacts() -> None:
    a = vectorize("ĐƯỜNG thôn Đông ngập, gọi 0912345678")
    b = vectorize("duong thon dong ngap, goi 0987654321")
    assert a == b


def test_vectors_and_centroids_round_trip_through_json() -> None:
    vector = vectorize(FLOOD)
    assert CaseVector.from_json(vector.to_json()) == vector
    centroid = GroupCentroid.of([vector, vectorize("cống thôn Đông tắc, đường ngập")])
    assert GroupCentroid.from_json(centroid.to_json().decode()) == centroid
    assert centroid.count == 2


def test_similar_case_joins_the_open_group() -> None:
    groups = [group(1, FLOOD), group(2, "Đèn đường xóm 5 hỏng cả tháng nay")]
    case = vectorize("duong thon dong ngap qua, cong thoat nuoc tac roi")
    assert choose_group(case, "construction_infrastructure", "00001", NOW, groups, POLICY) == 1


def test_dissimilar_case_starts_a_new_group() -> None:
    case = vectorize("Cầu treo bản Mường hỏng ván, trẻ em đi học nguy hiểm")
    assert (
        choose_group(case, "construction_infrastructure", "00001", NOW, [group(1, FLOOD)], POLICY)
        is None
    )


def test_other_topic_is_never_joined() -> None:
    case = vectorize(FLOOD)
    assert choose_group(case, "environment", "00001", NOW, [group(1, FLOOD)], POLICY) is None


def test_group_outside_the_time_window_is_not_joined() -> None:
    stale = group(1, FLOOD, last_seen=NOW - timedelta(days=31))
    recent = group(2, FLOOD, last_seen=NOW - timedelta(days=29))
    case = vectorize(FLOOD)
    assert choose_group(case, "construction_infrastructure", "00001", NOW, [stale], POLICY) is None
    assert (
        choose_group(case, "construction_infrastructure", "00001", NOW, [stale, recent], POLICY)
        == 2
    )


def test_place_bound_topics_group_only_within_their_commune() -> None:
    assert place_bound("construction_infrastructure") and place_bound("environment")
    elsewhere = group(1, FLOOD, commune="00002")
    case = vectorize(FLOOD)
    assert (
        choose_group(case, "construction_infrastructure", "00001", NOW, [elsewhere], POLICY) is None
    )


def test_cross_commune_topics_join_close_groups_of_other_communes() -> None:
    assert not place_bound("admin_procedures")
    outage = "Cổng dịch vụ công quốc gia lỗi không nộp được hồ sơ từ sáng"
    elsewhere = group(7, outage, topic="admin_procedures", commune="00002")
    case = vectorize("cong dich vu cong quoc gia bi loi, khong nop duoc ho so")
    assert choose_group(case, "admin_procedures", "00001", NOW, [elsewhere], POLICY) == 7


def test_ties_go_to_the_most_recent_group() -> None:
    older = group(1, FLOOD, last_seen=NOW - timedelta(days=2))
    newer = group(2, FLOOD, last_seen=NOW - timedelta(days=1))
    case = vectorize(FLOOD)
    assert (
        choose_group(case, "construction_infrastructure", "00001", NOW, [older, newer], POLICY) == 2
    )


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="thresholds"):
        GroupingPolicy(threshold=0.0)
    with pytest.raises(ValueError, match="window_days"):
        GroupingPolicy(window_days=0)


def test_index_agrees_with_choose_group_and_grows_groups() -> None:
    index = GroupIndex()
    texts = [
        FLOOD,
        "Đèn đường xóm 5 hỏng",
        "duong thon dong ngap, cong tac",
        "den duong xom 5 hong roi",
    ]
    ids = [
        index.add_case(vectorize(t), "construction_infrastructure", "00001", NOW, POLICY, new_id=n)
        for n, t in enumerate(texts)
    ]
    assert ids == [0, 1, 0, 1]
    assert index.get(0).size == 2 and len(index) == 2
    case = vectorize("thôn Đông ngập nước, cống tắc")
    everything = [index.get(0), index.get(1)]
    assert (
        index.choose(case, "construction_infrastructure", "00001", NOW, POLICY)
        == choose_group(case, "construction_infrastructure", "00001", NOW, everything, POLICY)
        == 0
    )


def test_index_removal_forgets_the_group() -> None:
    index = GroupIndex()
    index.add(group(5, FLOOD))
    index.remove(5)
    assert 5 not in index
    assert (
        index.choose(vectorize(FLOOD), "construction_infrastructure", "00001", NOW, POLICY) is None
    )


def test_merge_centroids_counts_both_groups() -> None:
    a = GroupCentroid.of([vectorize(FLOOD)])
    b = GroupCentroid.of([vectorize("cống thôn Đông tắc"), vectorize("thôn Đông ngập")])
    merged = merge_centroids(a, b)
    assert merged.count == 3
    assert merged.similarity(vectorize(FLOOD)) > 0.5


def test_top_keywords_shows_shared_words_with_diacritics() -> None:
    texts = ["Đường thôn Đông ngập sâu", "duong thon dong ngap qua", "Thôn Đông ngập, đường trơn"]
    keywords = top_keywords(texts, k=3)
    assert keywords[0] == "đông ngập"  # in every text; shown as typed with diacritics
    assert "dong ngap" not in keywords and "qua" not in keywords
    words = [w for k in keywords for w in k.split()]
    assert len(words) == len(set(words))  # no phrase repeats a word of another


def test_representative_quotes_are_redacted_and_distinct() -> None:
    texts = [
        "Tôi tên là Nguyễn Văn An, đường thôn Đông ngập, gọi 0912345678",
        "Tôi tên là Nguyễn Văn An, đường thôn Đông ngập, gọi 0912345678",
        "Cống thôn Đông tắc nên đường ngập",
    ]
    quotes = representative_quotes(texts, k=3)
    assert len(quotes) == 2
    assert all("Nguyễn" not in q and "0912" not in q for q in quotes)


def test_bcubed_on_hand_made_clusters() -> None:
    perfect = bcubed([1, 1, 2], ["a", "a", "b"])
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
    lumped = bcubed([1, 1, 1, 1], ["a", "a", "b", "b"])
    assert lumped.precision == 0.5 and lumped.recall == 1.0
    split = bcubed([1, 2, 3, 4], ["a", "a", "b", "b"])
    assert split.precision == 1.0 and split.recall == 0.5
    assert split.f1 == pytest.approx(2 / 3)


def test_bcubed_rejects_mismatched_input() -> None:
    with pytest.raises(ValueError, match="length"):
        bcubed([1], ["a", "b"])


def test_large_bucket_matrix_agrees_with_choose_group_through_changes() -> None:
    # 300 groups of one cross-commune topic: above the size where the index uses its matrix.
    words = ["cổng", "dịch vụ", "công", "lỗi", "vneid", "chữ ký số", "hồ sơ", "trễ", "nộp", "phí"]
    texts = [
        f"{words[n % 10]} {words[(n * 3) % 10]} {words[(n * 7) % 10]} mã {n}" for n in range(300)
    ]
    index = GroupIndex()
    for n, text in enumerate(texts):
        index.add(group(n, text, topic="admin_procedures", commune=f"{n % 40:05d}"))
    loose = GroupingPolicy(threshold=0.2, cross_commune_threshold=0.3)

    def agree(text: str) -> int | None:
        case = vectorize(text)
        everything = [index.get(i) for i in range(1000) if i in index]
        expected = choose_group(case, "admin_procedures", "00001", NOW, everything, loose)
        assert index.choose(case, "admin_procedures", "00001", NOW, loose) == expected
        return expected

    assert agree("cổng dịch vụ công lỗi mã 12") is not None
    index.compact()
    first = agree("vneid lỗi hồ sơ trễ mã 77")
    assert first is not None
    index.remove(first)  # a merged-away group must not be returned from the stale matrix
    assert agree("vneid lỗi hồ sơ trễ mã 77") != first
    index.add_case(vectorize("nộp phí chữ ký số lỗi"), "admin_procedures", "00002", NOW, loose, 999)
    agree("nộp phí chữ ký số lỗi")
