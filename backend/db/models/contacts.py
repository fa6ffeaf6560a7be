"""Citizens and their identities on each channel."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import utc_column, utcnow


class Contact(SQLModel, table=True):
    __tablename__ = "contacts"

    id: int | None = Field(default=None, primary_key=True)
    display_name: str | None = None
    phone: str | None = None
    email: str | None = None
    consent_contact: bool = False  # may staff contact them on the details given?
    consent_at: datetime | None = Field(default=None, sa_column=utc_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class ContactIdentity(SQLModel, table=True):
    """One channel identity: web token, Zalo user id, e-mail address, Messenger PSID, phone."""

    __tablename__ = "contact_identities"
    __table_args__ = (sa.UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", index=True)
    channel: str = Field(max_length=20)
    external_id: str = Field(max_length=320)
    last_interaction_at: datetime | None = Field(default=None, sa_column=utc_column())
    # Unfollowed / blocked the OA or Page: no more messages there until they come back.
    opted_out_at: datetime | None = Field(default=None, sa_column=utc_column())
