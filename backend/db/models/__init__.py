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
from backend.db.models.front import (
    CaseRating,
    Department,
    DepartmentMember,
    Forwarding,
    ForwardReminder,
    ForwardState,
    Meeting,
    MeetingOpinion,
    TargetKind,
)
from backend.db.models.geo import Commune, Province
from backend.db.models.open311 import ApiKey, Open311Request
from backend.db.models.public_answers import CannedResponse, PublicAnswer
from backend.db.models.push import (
    Campaign,
    CampaignState,
    FollowUp,
    FollowUpState,
    PushSubscriptionRecord,
)
from backend.db.models.synthesis import DailyTopicCount, RollupState

__all__ = [
    "ApiKey",
    "AuditEvent",
    "AuthSession",
    "Campaign",
    "CampaignState",
    "CannedResponse",
    "Case",
    "CaseCorrection",
    "CaseNote",
    "CaseRating",
    "CaseStatus",
    "ChannelCredential",
    "Commune",
    "Contact",
    "ContactIdentity",
    "DailyTopicCount",
    "Delivery",
    "DeliveryState",
    "Department",
    "DepartmentMember",
    "Direction",
    "FollowUp",
    "FollowUpState",
    "ForwardReminder",
    "ForwardState",
    "Forwarding",
    "InboundEventRecord",
    "IssueGroup",
    "Meeting",
    "MeetingOpinion",
    "Message",
    "Open311Request",
    "Province",
    "PublicAnswer",
    "PushSubscriptionRecord",
    "Role",
    "RollupState",
    "TargetKind",
    "User",
    "UserCommune",
]
