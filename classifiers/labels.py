"""The stable label sets (DESIGN §3): topic codes, kinds of message, and urgency."""

from __future__ import annotations

from typing import Final

TOPICS: Final = (
    "land",
    "construction_infrastructure",
    "traffic",
    "environment",
    "security_order",
    "health",
    "education",
    "social_welfare",
    "admin_procedures",
    "utilities",
    "economy_agriculture",
    "officials_conduct",
    "other",
)
KINDS: Final = ("feedback", "recommendation", "question", "complaint", "denunciation", "praise")
# Urgency is a boolean; the classifier sees it as two string labels so every task is alike.
URGENCY: Final = ("not_urgent", "urgent")

TOPIC_TASK: Final = "topic"
KIND_TASK: Final = "kind"
URGENCY_TASK: Final = "urgency"
# The task name of a model trained from a generic {"text", "label"} file.
LABEL_TASK: Final = "label"
CORPUS_TASKS: Final = (TOPIC_TASK, KIND_TASK, URGENCY_TASK)


def urgency_label(urgent: bool) -> str:
    """The urgency task's label for a boolean flag."""
    return URGENCY[1] if urgent else URGENCY[0]
