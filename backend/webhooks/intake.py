"""Accepting inbound channel traffic: verify and parse, store durably, then wake the job.

Webhook requests and mail hand-offs share one group committer, so under load many events
commit in one transaction and each caller is answered only after its event is durable
(DESIGN §4 rule 1). Nothing else happens on the request path.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

import msgspec

from backend.db.group_commit import GroupCommitter
from backend.jobs.context import WorkQueue
from backend.webhooks.store import InboundStore
from channels.base import Channel, EventKind, InboundEvent, PayloadInvalid
from channels.email import MailEnvelope

log = logging.getLogger(__name__)

PROCESS_JOB = "process_inbound"


class IntakeReceipt(msgspec.Struct, frozen=True, kw_only=True):
    """What a webhook answers with 200: how many events were new, repeated or not for us."""

    accepted: int = 0
    duplicates: int = 0
    ignored: int = 0


class ChannelIntake:
    """Stores verified inbound events of every configured channel (webhooks and mail)."""

    def __init__(
        self,
        store: InboundStore,
        queue: WorkQueue,
        channels: Mapping[str, Channel],
        *,
        max_batch: int = 256,
    ) -> None:
        self.store = store
        self.channels = channels
        self._queue = queue
        self._waking = False
        self.committer: GroupCommitter[InboundEvent, bool] = GroupCommitter(
            store.write, max_batch=max_batch, after_commit=self._wake
        )

    def start(self) -> None:
        self.committer.start()

    async def stop(self) -> None:
        await self.committer.stop()
        await self.store.close()

    def channel(self, name: str) -> Channel | None:
        """The configured adapter called `name`, if this deployment has one."""
        return self.channels.get(name)

    async def accept(
        self, channel: Channel, headers: Mapping[str, str], body: bytes
    ) -> IntakeReceipt:
        """Verify + parse (SignatureInvalid / PayloadInvalid propagate), then store durably."""
        return await self.store_events(channel.parse(headers, body))

    async def store_events(self, events: Sequence[InboundEvent]) -> IntakeReceipt:
        """Store the events worth keeping; returns once every one of them is committed."""
        kept = [event for event in events if event.kind is not EventKind.IGNORED]
        if len(kept) == 1:
            stored = [await self.committer.submit(kept[0])]
        else:
            stored = list(await asyncio.gather(*(self.committer.submit(e) for e in kept)))
        new = sum(stored)
        return IntakeReceipt(
            accepted=new, duplicates=len(kept) - new, ignored=len(events) - len(kept)
        )

    async def accept_mail(self, raw: bytes, envelope: MailEnvelope) -> None:
        """The SMTP receiver's / IMAP poller's hand-off: returns once the mail is stored.

        Automatic mail (loops, auto-replies, lists) is dropped here; bounces are kept to mark
        our outbound mail. A mail that cannot be parsed at all is logged and accepted, since
        refusing it would only make the sending server retry the same bytes.
        """
        channel = self.channels.get("email")
        if channel is None:
            raise RuntimeError("mail arrived but the e-mail channel is not configured")
        try:
            events = channel.parse(envelope.as_headers(), raw)
        except PayloadInvalid as exc:
            log.warning("dropped unreadable mail (%d bytes): %s", len(raw), exc)
            return
        await self.store_events(events)

    async def _wake(self, results: Sequence[bool]) -> None:
        """Wake the job once for every batch committed before the wake-up lands.

        A job starts only after its wake-up was enqueued, so it sees every event committed
        while that wake-up was in flight: those batches need no wake-up of their own.
        """
        if not any(results) or self._waking:
            return
        self._waking = True
        try:
            await self._queue.wake(PROCESS_JOB)
        finally:
            self._waking = False
