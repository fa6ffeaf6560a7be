"""Folded Vietnamese function words and petition formulas (đề nghị, phản ánh, kiến nghị) that
say nothing about which problem a message is about."""

from __future__ import annotations

from typing import Final

_WORD_LIST: Final = """
a ah ak ai ay ba bac ban bi bo ca cac cai cam can cho chi chu chua chung co con cu cua
da dang day de den di do du duoc gi giup gui hay het hoi hon khi khong kinh la lai lam len long
ma mai minh moi mot muon nay neu nen nha nhe nhieu nho nhu nhung nua o oi ong on phai qua ra rat
roi sao se tai thay the thi toi tu tuy trong tren u va vao vay vi voi vui xem xet xin xa phuong
em anh chau nguoi admin ad dan biet bao gio nao ngay hom luc
nghi kien phan anh dao nay vua
"""
STOPWORDS: Final = frozenset(_WORD_LIST.split())
