"""The Open311 services: the 13 topics of DESIGN §3, grouped by field, and their definition."""

from __future__ import annotations

from typing import Any, Final

import msgspec

from classifiers.labels import KINDS, TOPICS


class Service(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name_vi: str
    name_en: str
    covers: str
    group: str  # the field (khối lĩnh vực) a 311 client can use to group the topics


_FIELDS: Final = {
    "Đất đai, xây dựng & môi trường": ("land", "construction_infrastructure", "environment"),
    "Giao thông, điện, nước & viễn thông": ("traffic", "utilities"),
    "An ninh & cán bộ": ("security_order", "officials_conduct"),
    "Văn hóa – xã hội": ("health", "education", "social_welfare"),
    "Hành chính & kinh tế": ("admin_procedures", "economy_agriculture"),
    "Khác": ("other",),
}
_NAMES: Final = {
    "land": ("Đất đai", "Land", "land-use certificates, compensation, disputes, encroachment"),
    "construction_infrastructure": (
        "Xây dựng & hạ tầng",
        "Construction & infrastructure",
        "damaged roads, drains, street lights, illegal building, bridges",
    ),
    "traffic": (
        "Giao thông & trật tự đô thị",
        "Traffic & urban order",
        "traffic safety, illegal parking, sidewalk encroachment, overloaded trucks",
    ),
    "environment": (
        "Môi trường",
        "Environment",
        "garbage, air and water pollution, odour, straw burning, dust, noise",
    ),
    "security_order": (
        "An ninh trật tự",
        "Security & public order",
        "theft, gambling, drugs, fights, late-night karaoke, scams, street racing",
    ),
    "health": ("Y tế", "Health", "health insurance, hospitals, epidemics, food safety"),
    "education": ("Giáo dục", "Education", "schools, enrolment, fees, teachers, extra classes"),
    "social_welfare": (
        "Chính sách xã hội",
        "Social welfare",
        "pensions, social insurance, poor households, people with merit, allowances",
    ),
    "admin_procedures": (
        "Thủ tục hành chính & DVC trực tuyến",
        "Administrative procedures & online services",
        "slow dossiers, public-service portal, VNeID, digital signatures, civil registration",
    ),
    "utilities": (
        "Điện, nước, viễn thông",
        "Power, water, telecoms",
        "power cuts, bills, clean water, mobile and internet coverage",
    ),
    "economy_agriculture": (
        "Kinh tế & nông nghiệp",
        "Economy & agriculture",
        "prices, irrigation, animal disease, household businesses, markets",
    ),
    "officials_conduct": (
        "Cán bộ & phòng chống tham nhũng",
        "Officials & anti-corruption",
        "rude or absent officials, bribes, abuse of power",
    ),
    "other": ("Khác", "Other", "praise, thanks, general suggestions"),
}
_GROUP_OF: Final = {code: group for group, codes in _FIELDS.items() for code in codes}

SERVICES: Final = {
    code: Service(
        code=code,
        name_vi=_NAMES[code][0],
        name_en=_NAMES[code][1],
        covers=_NAMES[code][2],
        group=_GROUP_OF[code],
    )
    for code in TOPICS
}

# Optional attributes every service accepts (GeoReport v2 "service definition").
KIND_NAMES: Final = {
    "feedback": "Phản ánh / Feedback",
    "recommendation": "Kiến nghị / Recommendation",
    "question": "Câu hỏi / Question",
    "complaint": "Khiếu nại / Complaint",
    "denunciation": "Tố cáo / Denunciation",
    "praise": "Khen ngợi / Praise",
}
ATTRIBUTES: Final[dict[str, dict[str, Any]]] = {
    "kind": {
        "variable": True,
        "code": "kind",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "Loại ý kiến / Kind of message",
        "order": 1,
        "description": "Loại ý kiến (không bắt buộc) / What kind of message this is (optional)",
        "values": [{"key": k, "name": KIND_NAMES[k]} for k in KINDS],
    },
    "hamlet": {
        "variable": True,
        "code": "hamlet",
        "datatype": "string",
        "required": False,
        "datatype_description": "Tên thôn, tổ dân phố / Hamlet or residential group",
        "order": 2,
        "description": "Thôn, tổ dân phố nơi xảy ra sự việc / Hamlet where it happens",
        "values": [],
    },
}


def service_item(service: Service) -> dict[str, Any]:
    """One element of services.{fmt}."""
    return {
        "service_code": service.code,
        "service_name": service.name_vi,
        "description": f"{service.name_en}: {service.covers}",
        "metadata": True,
        "type": "realtime",
        "keywords": service.covers.replace(", ", ","),
        "group": service.group,
    }


def service_definition(service: Service) -> dict[str, Any]:
    """services/{code}.{fmt}: the attributes a request may carry."""
    return {"service_code": service.code, "attributes": list(ATTRIBUTES.values())}
