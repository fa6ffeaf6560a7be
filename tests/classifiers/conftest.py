"""Tiny synthetic data for code tests, and a model trained on the shipped corpus for behaviour."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers.corpus import SHIPPED_CORPUS, CorpusRecord, load_corpus
from classifiers.labels import KINDS, TOPICS
from classifiers.predictor import Predictor
from classifiers.train import train_models

# Words no other topic uses, so a tiny model separates the topics cleanly.
TOPIC_WORDS = {
    "land": ["sổ đỏ", "lấn chiếm đất", "đền bù", "tranh chấp ranh giới"],
    "construction_infrastructure": ["đường nứt", "cống thoát", "đèn đường", "cầu yếu"],
    "traffic": ["đèn giao thông", "xe tải quá tải", "đỗ xe lòng đường", "va chạm giao lộ"],
    "environment": ["rác thải", "khói bụi", "mùi hôi", "đốt rơm rạ"],
    "security_order": ["trộm cắp", "đánh bạc", "ma túy", "đua xe"],
    "health": ["bảo hiểm y tế", "trạm y tế", "sốt xuất huyết", "thuốc"],
    "education": ["trường học", "học phí", "giáo viên", "học thêm"],
    "social_welfare": ["lương hưu", "hộ nghèo", "trợ cấp", "người có công"],
    "admin_procedures": ["hồ sơ trễ hẹn", "cổng dịch vụ công", "vneid", "chữ ký số"],
    "utilities": ["mất điện", "nước sạch", "sóng điện thoại", "hóa đơn tiền điện"],
    "economy_agriculture": ["giá lúa", "thủy lợi", "dịch tả lợn", "giấy phép kinh doanh"],
    "officials_conduct": ["cán bộ hách dịch", "vòi tiền", "lạm quyền", "vắng mặt công sở"],
    "other": ["góp ý chung", "lời chào", "chúc sức khỏe", "hỏi thăm"],
}
KIND_TEMPLATES = {
    "feedback": "phản ánh tình trạng {w} ở thôn {n}",
    "recommendation": "đề nghị xã sớm giải quyết {w} ở thôn {n}",
    "question": "cho hỏi về {w} ở thôn {n} thì làm thế nào",
    "complaint": "tôi khiếu nại quyết định về {w} ở thôn {n}",
    "denunciation": "tôi tố cáo sai phạm liên quan {w} ở thôn {n}",
    "praise": "xin cảm ơn xã đã lo {w} ở thôn {n}",
}


def tiny_records() -> list[CorpusRecord]:
    """Every topic × kind × word: 312 records, one in eight urgent."""
    records = []
    for number, (topic, kind, word) in enumerate(
        (t, k, w) for t in TOPICS for k in KINDS for w in TOPIC_WORDS[t]
    ):
        urgent = number % 8 == 0
        text = KIND_TEMPLATES[kind].format(w=word, n=number % 9 + 1)
        if urgent:
            text += ", khẩn cấp đang cháy lớn nguy hiểm tính mạng"
        records.append(CorpusRecord(f"{topic}-{number}", text, topic, kind, urgent))
    return records


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A three-task model trained on the tiny records (about a second)."""
    directory = tmp_path_factory.mktemp("tiny-model")
    train_models(tiny_records(), directory)
    return directory


def corpus_available() -> bool:
    return any(SHIPPED_CORPUS.glob("*.jsonl"))


@pytest.fixture(scope="session")
def shipped_predictor(tmp_path_factory: pytest.TempPathFactory) -> Predictor:
    """A model trained on the shipped corpus (a few seconds)."""
    if not corpus_available():
        pytest.skip("the shipped corpus (classifiers/data/corpus/*.jsonl) is not there yet")
    directory = tmp_path_factory.mktemp("shipped-model")
    train_models(load_corpus(SHIPPED_CORPUS), directory)
    return Predictor.load(directory)
