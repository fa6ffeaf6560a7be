"""Every table, imported once so the metadata is complete (Alembic, tests)."""

from backend.db.models.accounts import AuditEvent, AuthSession, Role, User, UserCommune
from backend.db.models.cases import (
    Case,
    CaseCorrection,
    CaseNote,
    CaseStatus,
    Direction,
    IssueGroup,
    Message,
)
from backend.db.models.channels import ChannelCredential, InboundEventRecord
from backend.db.models.contacts import Contact, ContactIdentity
from backend.db.models.deliveries import Delivery, DeliveryState
from backend.db.models.geo import Commune, Province

__all__ = [
    "AuditEvent",
    "AuthSession",
    "Case",
    "CaseCorrection",
    "CaseNote",
    "CaseStatus",
    "ChannelCredential",
    "Commune",
    "Contact",
    "ContactIdentity",
    "Delivery",
    "DeliveryState",
    "Direction",
    "InboundEventRecord",
    "IssueGroup",
    "Message",
    "Province",
    "Role",
    "User",
    "UserCommune",
]
