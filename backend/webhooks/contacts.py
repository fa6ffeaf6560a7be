"""Citizens as channels know them: one contact, one identity per channel (Zalo uid, PSID, address)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.db.inserts import insert_or_ignore
from backend.db.models import Contact, ContactIdentity
from channels.base import InboundEvent

CONTACTS = Contact.__table__  # type: ignore[attr-defined]
IDENTITIES = ContactIdentity.__table__  # type: ignore[attr-defined]


class Identity(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    contact_id: int
    created: bool = False


async def find_identity(conn: AsyncConnection, channel: str, external_id: str) -> Identity | None:
    """The citizen known on `channel` as `external_id`, if they ever wrote or followed."""
    row = (
        await conn.execute(
            select(IDENTITIES.c.id, IDENTITIES.c.contact_id).where(
                IDENTITIES.c.channel == channel, IDENTITIES.c.external_id == external_id
            )
        )
    ).first()
    return None if row is None else Identity(id=row.id, contact_id=row.contact_id)


async def identity_for(conn: AsyncConnection, event: InboundEvent) -> Identity:
    """The sender's identity, creating the contact on first contact.

    An e-mail sender gave us their address by writing from it: it becomes the contact's e-mail,
    the channel a Zalo or Messenger reply can fall back to for the same person.
    """
    found = await find_identity(conn, event.channel, event.sender_id)
    if found is not None:
        return found
    email = event.contact.get("email") if event.channel == "email" else None
    contact_id = (
        await conn.execute(
            CONTACTS.insert()
            .values(
                display_name=event.sender_name,
                email=email,
                consent_contact=email is not None,
                consent_at=event.received_at if email is not None else None,
                created_at=event.received_at,
            )
            .returning(CONTACTS.c.id)
        )
    ).scalar_one()
    await conn.execute(
        insert_or_ignore(
            conn,
            IDENTITIES,
            contact_id=contact_id,
            channel=event.channel,
            external_id=event.sender_id,
        )
    )
    found = await find_identity(conn, event.channel, event.sender_id)
    assert found is not None
    return Identity(id=found.id, contact_id=found.contact_id, created=True)


async def touch(conn: AsyncConnection, identity: Identity, at: datetime) -> None:
    """The citizen acted at `at` (message, follow, form): the messaging window runs from here."""
    await conn.execute(
        update(IDENTITIES)
        .where(
            IDENTITIES.c.id == identity.id,
            or_(
                IDENTITIES.c.last_interaction_at.is_(None),
                IDENTITIES.c.last_interaction_at < at,
            ),
        )
        .values(last_interaction_at=at)
    )


async def set_opted_out(conn: AsyncConnection, identity: Identity, at: datetime | None) -> None:
    """Unfollowed (a time) or followed again (None)."""
    await conn.execute(
        update(IDENTITIES).where(IDENTITIES.c.id == identity.id).values(opted_out_at=at)
    )


async def update_details(conn: AsyncConnection, identity: Identity, event: InboundEvent) -> None:
    """Name, phone and e-mail the citizen shared (Zalo's info form says they consent)."""
    details = event.contact
    values: dict[str, object] = {
        column: details[key]
        for key, column in (("name", "display_name"), ("phone", "phone"), ("email", "email"))
        if details.get(key)
    }
    if event.consent:
        values.update(consent_contact=True, consent_at=event.received_at)
    if values:
        await conn.execute(
            update(CONTACTS).where(CONTACTS.c.id == identity.contact_id).values(**values)
        )
