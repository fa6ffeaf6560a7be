"""Behavioural tests on the model trained from the shipped corpus (Made-With-ML style)."""

from __future__ import annotations

import pytest

from classifiers.normalize import fold
from classifiers.predictor import Predictor

pytestmark = pytest.mark.slow  # trains on the whole corpus once per session (a few seconds)

OBVIOUS = {
    "land": "Xin hỏi thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu cần những gì?",
    "construction_infrastructure": "Đường bê tông trong xóm bị nứt vỡ nhiều ổ gà, đề nghị sửa chữa",
    "traffic": "Xe tải chở quá tải chạy tốc độ cao qua khu dân cư, nguy cơ tai nạn giao thông",
    "environment": "Bãi rác tự phát bốc mùi hôi thối, ruồi nhặng khắp nơi gây ô nhiễm môi trường",
    "security_order": "Nhóm thanh niên tụ tập đánh bạc và sử dụng ma túy ở bãi đất trống",
    "health": "Trạm y tế xã thiếu thuốc, người có thẻ bảo hiểm y tế phải tự mua ngoài",
    "education": "Trường tiểu học thu thêm nhiều khoản tiền ngoài học phí quy định đầu năm học",
    "social_welfare": "Mẹ tôi đủ 80 tuổi nhưng chưa được nhận trợ cấp xã hội hàng tháng",
    "admin_procedures": "Nộp hồ sơ trên cổng dịch vụ công quá hạn mà chưa có kết quả",
    "utilities": "Khu phố mất điện liên tục mấy ngày nay không báo trước",
    "economy_agriculture": "Dịch tả lợn châu Phi bùng phát, đàn lợn nhà tôi chết nhiều",
    "officials_conduct": "Cán bộ địa chính xã gây khó dễ, gợi ý đưa tiền mới giải quyết hồ sơ",
}


@pytest.mark.parametrize("topic", sorted(OBVIOUS))
def test_obvious_messages_get_their_topic(shipped_predictor: Predictor, topic: str) -> None:
    (prediction,) = shipped_predictor.predict([OBVIOUS[topic]])
    assert prediction.topic == topic


def test_topic_is_invariant_to_diacritics_and_casing(shipped_predictor: Predictor) -> None:
    texts = list(OBVIOUS.values())
    variants = [fold(t) for t in texts] + [t.upper() for t in texts] + [t.lower() for t in texts]
    original = [p.topic for p in shipped_predictor.predict(texts)]
    varied = [p.topic for p in shipped_predictor.predict(variants)]
    assert varied == original * 3


def test_fire_is_urgent_and_thanks_is_praise(shipped_predictor: Predictor) -> None:
    fire, thanks = shipped_predictor.predict(
        [
            "Cháy lớn ở chợ xã, lửa đang lan sang nhà dân, cần cứu hỏa gấp!",
            "Xin chân thành cảm ơn cán bộ xã đã nhiệt tình hướng dẫn gia đình tôi",
        ]
    )
    assert fire.urgent and fire.urgency_confidence > 0.5
    assert not thanks.urgent and thanks.kind == "praise"


def test_teencode_and_contacts_do_not_change_the_topic(shipped_predictor: Predictor) -> None:
    plain = "Khu phố mất điện liên tục mấy ngày nay không báo trước"
    chatty = "khu pho mat dien lien tuc may ngay nay ko bao truoc, sdt 0912345678 ak"
    a, b = shipped_predictor.predict([plain, chatty])
    assert a.topic == b.topic == "utilities"


def test_grouping_with_predicted_topics_reaches_the_target(shipped_predictor: Predictor) -> None:
    from classifiers.corpus import SHIPPED_CORPUS
    from classifiers.grouping.policy import GroupingPolicy
    from classifiers.grouping.replay import load_grouping_set, score_grouping

    path = SHIPPED_CORPUS.parent / "grouping.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    cases = load_grouping_set(path)
    topics = [p.topic for p in shipped_predictor.predict([case.text for case in cases])]
    assert score_grouping(cases, topics, GroupingPolicy()).f1 >= 0.85
