"""The inbound side of a process: the intake committer, the SMTP receiver, the IMAP poller.

The API process starts it in its lifespan: webhooks need the intake; the built-in SMTP
receiver runs where it is enabled (the embedded shape by default) and the IMAP poller in the
embedded shape, or in `tiengdan worker` in production, so one process polls the mailbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx

from backend.channel_settings import EmailSettings
from backend.jobs.context import JobContext
from backend.push.sending import close_push_runtime
from backend.webhooks.intake import ChannelIntake
from backend.webhooks.store import inbound_store
from channels.email import ImapPoller, SmtpReceiver

log = logging.getLogger(__name__)

MAX_MAIL_BYTES = 25 * 1024 * 1024  # the e-mail adapter's own limit (EmailConfig)


class ChannelRuntime:
    """Started once per process; `stop()` releases everything it opened."""

    def __init__(self, jobs: JobContext, *, receive_mail: bool, poll_mail: bool) -> None:
        self.jobs = jobs
        settings = jobs.settings
        self.intake = ChannelIntake(
            inbound_store(jobs.engine),
            jobs.queue,
            jobs.channels,
            max_batch=settings.intake.max_batch,
        )
        email = settings.channels.email
        self.receiver = _receiver(email, self.intake) if email and receive_mail else None
        self.poller = _poller(email, self.intake) if email and poll_mail else None
        self._stop_polling = asyncio.Event()
        self._polling: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.intake.start()
        if self.receiver is not None:
            await self.receiver.start()
        if self.poller is not None:
            email = self.jobs.settings.channels.email
            assert email is not None and email.imap is not None
            self._polling = asyncio.create_task(
                self.poller.run(email.imap.interval_seconds, self._stop_polling), name="imap-poll"
            )

    async def stop(self) -> None:
        """Stop taking mail first, then finish committing what was accepted."""
        if self.receiver is not None:
            await self.receiver.stop()
        if self._polling is not None:
            self._stop_polling.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._polling, timeout=10)
        await self.intake.stop()
        await close_http_client(self.jobs)


async def close_http_client(jobs: JobContext) -> None:
    """Close the provider API client the job context was built with."""
    client = jobs.extra.pop("http_client", None)
    if isinstance(client, httpx.AsyncClient):
        await client.aclose()
    await close_push_runtime(jobs.extra)  # the push sender's aiohttp session


def _receiver(email: EmailSettings, intake: ChannelIntake) -> SmtpReceiver | None:
    if not email.receiver_enabled:
        return None
    return SmtpReceiver(
        email.receiver_host,
        email.receiver_port,
        intake.accept_mail,
        MAX_MAIL_BYTES,
        accept_domains=(email.domain,),
        hostname=email.domain,
    )


def _poller(email: EmailSettings, intake: ChannelIntake) -> ImapPoller | None:
    imap = email.imap
    if imap is None:
        return None
    return ImapPoller(
        imap.host,
        imap.port,
        imap.user,
        imap.password,
        imap.mailbox,
        intake.accept_mail,
        ssl=imap.ssl,
    )
