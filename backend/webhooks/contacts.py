"""Citizens as channels know them: one contact, one identity per channel (Zalo uid, PSID, address)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.db.inserts import insert_or_ignore
from backend.db.models import Contact, ContactIdentity
from channels.base import InboundEvent

CONTACTS = Contact.__table__  # type: ignore[attr-defined]
IDENTITIES = ContactIdentity.__table__  # type: ignore[attr-defined]


class Identity(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    contact_id: int
    created: bool = False  # just now, with a new contact


# Built once: the consumer runs these for every event (building a statement costs about as
# much as running it).
_FIND_IDENTITY = select(IDENTITIES.c.id, IDENTITIES.c.contact_id).where(
    IDENTITIES.c.channel == bindparam("channel"),
    IDENTITIES.c.external_id == bindparam("external_id"),
)
_TOUCH = (
    update(IDENTITIES)
    .where(
        IDENTITIES.c.id == bindparam("identity_id"),
        or_(
            IDENTITIES.c.last_interaction_at.is_(None),
            IDENTITIES.c.last_interaction_at < bindparam("at"),
        ),
    )
    .values(last_interaction_at=bindparam("at"))
)
_NEW_CONTACT = CONTACTS.insert().returning(CONTACTS.c.id)


async def find_identity(conn: AsyncConnection, channel: str, external_id: str) -> Identity | None:
    """The citizen known on `channel` as `external_id`, if they ever wrote or followed."""
    params = {"channel": channel, "external_id": external_id}
    row = (await conn.execute(_FIND_IDENTITY, params)).first()
    return None if row is None else Identity(id=row.id, contact_id=row.contact_id)


async def interacted(conn: AsyncConnection, event: InboundEvent) -> Identity:
    """The sender's identity, with the messaging window running from this event; the contact
    and identity are created on first contact (`created`: a contact with no case yet).

    An e-mail sender gave us their address by writing from it: it becomes the contact's e-mail,
    the channel a Zalo or Messenger reply can fall back to for the same person.
    """
    at = event.received_at
    found = await find_identity(conn, event.channel, event.sender_id)
    if found is None:
        found = await _first_contact(conn, event)
        if found.created:
            return found  # its window already runs from this event
    await conn.execute(_TOUCH, {"identity_id": found.id, "at": at})
    return found


async def _first_contact(conn: AsyncConnection, event: InboundEvent) -> Identity:
    at = event.received_at
    email = event.contact.get("email") if event.channel == "email" else None
    contact_id = (
        await conn.execute(
            _NEW_CONTACT,
            {
                "display_name": event.sender_name,
                "email": email,
                "consent_contact": email is not None,
                "consent_at": at if email is not None else None,
                "created_at": at,
            },
        )
    ).scalar_one()
    created = (
        await conn.execute(
            insert_or_ignore(conn, IDENTITIES, IDENTITIES.c.id),
            {
                "contact_id": contact_id,
                "channel": event.channel,
                "external_id": event.sender_id,
                "last_interaction_at": at,
            },
        )
    ).scalar_one_or_none()
    if created is not None:
        return Identity(id=created, contact_id=contact_id, created=True)
    # Another writer added this identity meanwhile: theirs stands (our contact stays unused).
    found = await find_identity(conn, event.channel, event.sender_id)
    if found is None:
        raise RuntimeError(f"identity {event.channel}:{event.sender_id} neither added nor found")
    return found


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
