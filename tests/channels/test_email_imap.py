"""The IMAP poller against a local IMAP4rev1 server: \\Seen only after the mail is stored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from channels.base import CredentialsRejected
from channels.email import ImapPoller, MailEnvelope
from tests.channels.email_support import eml
from tests.channels.fakes.imap_server import FakeMailbox, imap_server

PASSWORD = "s3cret"


class Store:
    def __init__(self, fail_on: int | None = None) -> None:
        self.kept: list[bytes] = []
        self.fail_on = fail_on  # fail when asked to keep this many-th mail (1-based)
        self.calls = 0
        self.changed = asyncio.Event()

    async def holding(self, count: int) -> None:
        """Return once `count` mails are kept."""
        while len(self.kept) < count:
            self.changed.clear()
            await self.changed.wait()

    async def __call__(self, raw: bytes, envelope: MailEnvelope) -> None:
        self.calls += 1
        assert envelope.source == "imap"
        if self.calls == self.fail_on:
            raise RuntimeError("database is down")
        self.kept.append(raw)
        self.changed.set()


@pytest.fixture
def box() -> FakeMailbox:
    mailbox = FakeMailbox(user="phananh@xa.vn", password=PASSWORD)
    for name in ("gmail_vi_reply.eml", "outlook_vi_reply.eml", "yahoo_vi_reply.eml"):
        mailbox.deliver(eml(name))
    return mailbox


@pytest.fixture
async def port(box: FakeMailbox) -> AsyncIterator[int]:
    async with imap_server(box) as bound:
        yield bound


def poller(port: int, store: Store, password: str | None = None, **options: object) -> ImapPoller:
    return ImapPoller(
        "127.0.0.1",
        port,
        "phananh@xa.vn",
        password or PASSWORD,
        "INBOX",
        store,
        ssl=False,
        timeout=5,
        **options,  # type: ignore[arg-type]
    )


async def test_unseen_mail_is_handed_over_then_marked_seen(box: FakeMailbox, port: int) -> None:
    store = Store()
    imap = poller(port, store)
    assert await imap.poll_once() == 3
    assert store.kept == [mail.content for mail in box.mails]
    assert all(box.seen(uid) for uid in (1, 2, 3))
    assert imap.last_uid == 3 and imap.uid_validity == 1001
    assert not any("RFC822" in c or "BODY[]" in c.replace("PEEK", "") for c in box.commands)
    assert await imap.poll_once() == 0  # nothing new
    box.deliver(eml("apple_mail_vi.eml"))
    assert await imap.poll_once() == 1 and store.kept[-1] == eml("apple_mail_vi.eml")
    await imap.close()


async def test_failed_store_leaves_mail_unseen_and_stops(box: FakeMailbox, port: int) -> None:
    store = Store(fail_on=2)
    imap = poller(port, store)
    assert await imap.poll_once() == 1
    assert [box.seen(uid) for uid in (1, 2, 3)] == [True, False, False]
    assert store.calls == 2  # the third mail waits for the second: order is kept
    assert imap.last_uid == 1
    assert await imap.poll_once() == 2
    assert [box.seen(uid) for uid in (1, 2, 3)] == [True, True, True]
    assert store.kept == [mail.content for mail in box.mails]
    await imap.close()


async def test_seen_flag_lost_with_the_connection_is_set_again(box: FakeMailbox, port: int) -> None:
    store = Store()
    box.drop_on_store = 1
    imap = poller(port, store)
    with pytest.raises(ConnectionError):
        await imap.poll_once()
    assert len(store.kept) == 1 and not box.seen(1) and imap.last_uid == 1
    assert await imap.poll_once() == 2
    assert len(store.kept) == 3  # uid 1 was not handed over twice
    assert all(box.seen(uid) for uid in (1, 2, 3))
    await imap.close()


async def test_wrong_password_is_refused(port: int) -> None:
    with pytest.raises(CredentialsRejected):
        await poller(port, Store(), password="wrong").poll_once()


async def test_new_uidvalidity_starts_over(box: FakeMailbox, port: int) -> None:
    store = Store()
    imap = poller(port, store, last_uid=3, uid_validity=999)
    assert await imap.poll_once() == 3  # the saved UIDs belonged to another mailbox epoch
    assert imap.uid_validity == 1001
    await imap.close()


async def test_saved_position_skips_mail_already_stored(box: FakeMailbox, port: int) -> None:
    store = Store()
    imap = poller(port, store, last_uid=2, uid_validity=1001)
    assert await imap.poll_once() == 1
    assert store.kept == [box.mails[2].content]
    assert all(box.seen(uid) for uid in (1, 2, 3))
    await imap.close()


async def test_run_polls_until_stopped(box: FakeMailbox, port: int) -> None:
    store = Store()
    stop = asyncio.Event()
    task = asyncio.create_task(poller(port, store).run(interval=0.01, stop=stop))
    await asyncio.wait_for(store.holding(3), 5)
    box.deliver(eml("windows1258_new.eml"))
    await asyncio.wait_for(store.holding(4), 5)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert box.commands[-1].endswith("LOGOUT")


async def test_run_survives_a_server_that_is_down(box: FakeMailbox) -> None:
    async with imap_server(box) as port:
        pass  # the port is closed again
    stop = asyncio.Event()
    task = asyncio.create_task(poller(port, Store()).run(interval=0.01, stop=stop))
    await asyncio.sleep(0.05)
    assert not task.done()
    stop.set()
    await asyncio.wait_for(task, 5)
