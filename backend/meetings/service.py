"""Voter meetings: record a meeting and its opinions; every opinion opens a case on "meeting".

Cases are opened through `backend.webhooks.cases.open_case`, the path every channel uses, in
the same transaction as the meeting rows: a meeting is stored whole or not at all. Keys make
resends harmless: the meeting's `client_key`, and one key per opinion (its position for a form,
a hash of its content for an import), so the same opinion never becomes two cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

import msgspec
from sqlalchemy import ColumnElement, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.principal import Principal
from backend.audit import record
from backend.communes.reference import communes
from backend.db.models import Case, Contact, Meeting, MeetingOpinion
from backend.db.types import utcnow
from backend.errors import Forbidden, Invalid, NotFound
from backend.meetings.drafts import MinutesMeeting, OpinionDraft
from backend.meetings.schemas import (
    MeetingCreate,
    MeetingDetail,
    MeetingPage,
    MeetingSummary,
    OpinionsAdd,
    OpinionView,
)
from backend.synthesis.periods import VIETNAM
from backend.webhooks.cases import open_case
from channels.base import EventKind, InboundEvent

CHANNEL = "meeting"


class Recorded(msgspec.Struct, kw_only=True):
    meeting_id: int
    created: bool  # something new was stored (False: a resend)
    new_case_ids: list[int]


def local_today(now: datetime) -> date:
    return now.astimezone(VIETNAM).date()


def received_at(held_on: date, now: datetime) -> datetime:
    """When the opinions were heard, for the synthesis: noon of the meeting day, never later than now."""
    return min(datetime.combine(held_on, time(12), VIETNAM).astimezone(UTC), now)


class MeetingService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    # --- reads ---------------------------------------------------------------------------

    def _scoped(self) -> ColumnElement[bool]:
        return self.principal.scope(Meeting.commune_code, Meeting.province_code)

    async def get(self, meeting_id: int) -> Meeting:
        query = select(Meeting).where(Meeting.id == meeting_id, self._scoped())
        meeting = (await self.session.exec(query)).first()
        if meeting is None:
            raise NotFound(f"no meeting {meeting_id}")
        return meeting

    async def find(self, commune_code: str | None, page: int, page_size: int) -> MeetingPage:
        query = select(Meeting).where(self._scoped())
        if commune_code:
            query = query.where(Meeting.commune_code == commune_code)
        total = (await self.session.exec(select(func.count()).select_from(query.subquery()))).one()
        rows = (
            await self.session.exec(
                query.order_by(col(Meeting.held_on).desc(), col(Meeting.id).desc())
                .offset((page - 1) * page_size)
                .limit(page_size)
            )
        ).all()
        counts = await self._opinion_counts([m.id for m in rows if m.id is not None])
        return MeetingPage(
            items=[summary_of(m, counts.get(m.id or 0, 0)) for m in rows],
            total=total,
            page=page,
            page_size=page_size,
        )

    async def _opinion_counts(self, meeting_ids: list[int]) -> dict[int, int]:
        if not meeting_ids:
            return {}
        query = (
            select(MeetingOpinion.meeting_id, func.count())
            .where(col(MeetingOpinion.meeting_id).in_(meeting_ids))
            .group_by(col(MeetingOpinion.meeting_id))
        )
        return {meeting_id: n for meeting_id, n in (await self.session.exec(query)).all()}

    async def detail(self, meeting_id: int) -> MeetingDetail:
        meeting = await self.get(meeting_id)
        rows = (
            await self.session.exec(
                select(MeetingOpinion, Case)
                .join(Case, col(Case.id) == MeetingOpinion.case_id)
                .where(MeetingOpinion.meeting_id == meeting_id)
                .order_by(col(MeetingOpinion.position))
            )
        ).all()
        return MeetingDetail(
            meeting=summary_of(meeting, len(rows)),
            opinions=[
                OpinionView(
                    id=opinion.id or 0,
                    position=opinion.position,
                    speaker=opinion.speaker,
                    text=opinion.text,
                    case_id=opinion.case_id,
                    tracking_code=case.tracking_code,
                    topic=case.topic,
                    status=case.status,
                )
                for opinion, case in rows
            ],
        )

    # --- writes --------------------------------------------------------------------------

    def check_commune(self, commune_code: str) -> str:
        """The commune's province; Invalid if unknown, Forbidden if outside the caller's scope."""
        commune = communes().get(commune_code)
        if commune is None:
            raise Invalid(f"unknown commune code {commune_code}", field="commune_code")
        if not self.principal.allows(commune.code, commune.province_code):
            raise Forbidden(f"commune {commune_code} is not in your scope")
        return commune.province_code

    async def create(self, data: MeetingCreate, now: datetime | None = None) -> Recorded:
        """Store the meeting and open a case per opinion; the same client_key returns the first."""
        now = now or utcnow()
        province_code = self.check_commune(data.commune_code)
        if data.held_on > local_today(now):
            raise Invalid("held_on must not be in the future", field="held_on")
        drafts = [
            OpinionDraft(key=str(i), text=o.text, speaker=o.speaker)
            for i, o in enumerate(data.opinions, start=1)
        ]
        check_drafts(drafts)
        existing = await self._by_key(data.client_key)
        if existing is not None:
            return self._resend(existing)
        meeting = Meeting(
            client_key=data.client_key,
            held_on=data.held_on,
            place=data.place.strip(),
            commune_code=data.commune_code,
            province_code=province_code,
            organizer=data.organizer.strip(),
            attendance=data.attendance,
            delegates=[d.strip() for d in data.delegates if d.strip()],
            created_by=self.principal.user_id,
            created_at=now,
        )
        return await self._commit_new(meeting, drafts, now)

    async def add_opinions(
        self, meeting_id: int, data: OpinionsAdd, now: datetime | None = None
    ) -> Recorded:
        """More opinions for a meeting in scope; a resent client_key adds nothing."""
        now = now or utcnow()
        meeting = await self.get(meeting_id)
        drafts = [
            OpinionDraft(key=f"{data.client_key}:{i}", text=o.text, speaker=o.speaker)
            for i, o in enumerate(data.opinions, start=1)
        ]
        check_drafts(drafts)
        try:
            new_cases = await self.store_opinions(meeting, drafts, now)
            if new_cases:
                await record(
                    self.session,
                    self.principal.user_id,
                    "meeting.add_opinions",
                    "meeting",
                    meeting_id,
                    {"cases": new_cases},
                )
            await self.session.commit()
        except IntegrityError:  # the same batch at the same moment from another request
            await self.session.rollback()
            return Recorded(meeting_id=meeting_id, created=False, new_case_ids=[])
        return Recorded(meeting_id=meeting_id, created=bool(new_cases), new_case_ids=new_cases)

    async def import_minutes(
        self, meetings: Sequence[MinutesMeeting], now: datetime | None = None
    ) -> tuple[list[int], int, list[int]]:
        """Store checked minutes in one transaction; (meeting ids, new opinions, new case ids).

        A meeting imported before gets only the opinions it does not have yet.
        """
        now = now or utcnow()
        meeting_ids: list[int] = []
        new_cases: list[int] = []
        try:
            for item in meetings:
                meeting = await self._by_key(item.client_key)
                if meeting is not None:
                    self._resend(meeting)
                else:
                    meeting = Meeting(
                        client_key=item.client_key,
                        held_on=item.held_on,
                        place=item.place,
                        commune_code=item.commune_code,
                        province_code=self.check_commune(item.commune_code),
                        organizer=item.organizer,
                        attendance=item.attendance,
                        delegates=item.delegates,
                        source="import",
                        created_by=self.principal.user_id,
                        created_at=now,
                    )
                    self.session.add(meeting)
                    await self.session.flush()
                assert meeting.id is not None
                meeting_ids.append(meeting.id)
                new_cases += await self.store_opinions(meeting, list(item.opinions), now)
            await record(
                self.session,
                self.principal.user_id,
                "meeting.import",
                "meeting",
                ",".join(map(str, meeting_ids))[:60],
                {"meetings": meeting_ids, "cases": new_cases},
            )
            await self.session.commit()
        except IntegrityError:  # the same file imported at the same moment: that one won
            await self.session.rollback()
            return meeting_ids, 0, []
        return meeting_ids, len(new_cases), new_cases

    async def summaries(self, meeting_ids: list[int]) -> list[MeetingSummary]:
        counts = await self._opinion_counts(meeting_ids)
        rows = (
            await self.session.exec(select(Meeting).where(col(Meeting.id).in_(meeting_ids)))
        ).all()
        by_id = {m.id: m for m in rows}
        return [summary_of(by_id[i], counts.get(i, 0)) for i in dict.fromkeys(meeting_ids)]

    async def _by_key(self, client_key: str) -> Meeting | None:
        query = select(Meeting).where(Meeting.client_key == client_key)
        return (await self.session.exec(query)).first()

    def _resend(self, meeting: Meeting) -> Recorded:
        if not self.principal.allows(meeting.commune_code, meeting.province_code):
            raise Forbidden("this client_key belongs to a meeting outside your scope")
        assert meeting.id is not None
        return Recorded(meeting_id=meeting.id, created=False, new_case_ids=[])

    async def _commit_new(
        self, meeting: Meeting, drafts: list[OpinionDraft], now: datetime
    ) -> Recorded:
        try:
            self.session.add(meeting)
            await self.session.flush()
            assert meeting.id is not None
            new_cases = await self.store_opinions(meeting, drafts, now)
            await record(
                self.session,
                self.principal.user_id,
                "meeting.create",
                "meeting",
                meeting.id,
                {"source": meeting.source, "cases": new_cases},
            )
            meeting_id = meeting.id
            await self.session.commit()
        except IntegrityError:  # the same client_key committed first by a concurrent resend
            await self.session.rollback()
            existing = await self._by_key(meeting.client_key)
            if existing is None:
                raise
            return self._resend(existing)
        return Recorded(meeting_id=meeting_id, created=True, new_case_ids=new_cases)

    async def store_opinions(
        self, meeting: Meeting, drafts: list[OpinionDraft], now: datetime
    ) -> list[int]:
        """Open a case per draft whose key the meeting does not have yet; returns new case ids."""
        assert meeting.id is not None
        known = set(
            (
                await self.session.exec(
                    select(MeetingOpinion.key).where(MeetingOpinion.meeting_id == meeting.id)
                )
            ).all()
        )
        position = len(known)
        heard_at = received_at(meeting.held_on, now)
        conn = await self.session.connection()
        speakers: dict[str, int] = {}
        new_cases: list[int] = []
        for draft in drafts:
            if draft.key in known:
                continue
            known.add(draft.key)
            position += 1
            speaker = (draft.speaker or "").strip() or None
            contact_id = await self._speaker_contact(speaker, speakers, now)
            event = InboundEvent(
                channel=CHANNEL,
                kind=EventKind.MESSAGE,
                external_id=f"{meeting.client_key}/{draft.key}",
                sender_id="",
                sender_name=speaker,
                received_at=heard_at,
                text=draft.text.strip(),
                commune_code=meeting.commune_code,
                raw={"meeting_id": meeting.id, "speaker": speaker},
            )
            opened = await open_case(conn, event, contact_id, meeting.commune_code)
            self.session.add(
                MeetingOpinion(
                    meeting_id=meeting.id,
                    key=draft.key,
                    position=position,
                    speaker=speaker,
                    text=draft.text.strip(),
                    case_id=opened.id,
                )
            )
            if opened.created:
                new_cases.append(opened.id)
        await self.session.flush()
        return new_cases

    async def _speaker_contact(
        self, speaker: str | None, known: dict[str, int], now: datetime
    ) -> int | None:
        """One contact per named speaker of a batch: the group's "distinct citizens" count."""
        if speaker is None:
            return None
        if speaker not in known:
            contact = Contact(display_name=speaker, created_at=now)
            self.session.add(contact)
            await self.session.flush()
            assert contact.id is not None
            known[speaker] = contact.id
        return known[speaker]


def check_drafts(drafts: list[OpinionDraft]) -> None:
    for i, draft in enumerate(drafts, start=1):
        if not draft.text.strip():
            raise Invalid(f"opinion {i}: text must not be blank", field=f"opinions[{i - 1}].text")


def summary_of(meeting: Meeting, opinions: int) -> MeetingSummary:
    assert meeting.id is not None
    return MeetingSummary(
        id=meeting.id,
        client_key=meeting.client_key,
        held_on=meeting.held_on,
        place=meeting.place,
        commune_code=meeting.commune_code,
        province_code=meeting.province_code,
        organizer=meeting.organizer,
        attendance=meeting.attendance,
        delegates=list(meeting.delegates or []),
        source=meeting.source,
        opinions=opinions,
        created_by=meeting.created_by,
        created_at=meeting.created_at,
    )
