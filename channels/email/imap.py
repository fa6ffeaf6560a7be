"""Poll an IMAP mailbox: hand over each unseen mail, mark it \\Seen only once it is stored."""

from __future__ import annotations

import asyncio
import logging
import re
import ssl as ssl_module
from collections.abc import Awaitable

import aioimaplib

from channels.base import ChannelError, CredentialsRejected
from channels.email.envelope import MailEnvelope, MailHandler

log = logging.getLogger(__name__)

_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_CONNECTION_ERRORS = (OSError, TimeoutError, aioimaplib.AioImapException)


class ImapError(ChannelError):
    """The server answered NO/BAD to a command the poller needs."""


class ImapPoller:
    """UID-based poller; `last_uid`/`uid_validity` can be saved and passed back after a restart."""

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        password: str,
        mailbox: str,
        on_message: MailHandler,
        *,
        ssl: bool = True,
        ssl_context: ssl_module.SSLContext | None = None,
        timeout: float = 30.0,
        last_uid: int = 0,
        uid_validity: int | None = None,
    ) -> None:
        self._address = (host, port)
        self._credentials = (user, password)
        self._mailbox = mailbox
        self._on_message = on_message
        self._ssl_context = (ssl_context or ssl_module.create_default_context()) if ssl else None
        self._timeout = timeout
        self.last_uid = last_uid  # highest UID handed over and stored, in order
        self.uid_validity = uid_validity
        self._client: aioimaplib.IMAP4 | None = None
        self._lost = asyncio.Event()

    async def poll_once(self) -> int:
        """Hand over every unseen mail in UID order; returns how many were stored."""
        try:
            return await self._poll(await self._connected())
        except _CONNECTION_ERRORS:
            await self._drop()  # the next poll reconnects
            raise

    async def run(self, interval: float = 60.0, stop: asyncio.Event | None = None) -> None:
        """Poll every `interval` seconds until `stop` is set; reconnects after network errors.

        A refused login (`CredentialsRejected`) ends the loop: it needs an administrator.
        """
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                await self.poll_once()
            except (*_CONNECTION_ERRORS, ImapError) as exc:
                log.warning("IMAP poll of %s failed: %s", self._mailbox, exc)
                await self._drop()
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except TimeoutError:
                continue
        await self.close()

    async def close(self) -> None:
        """Log out and forget the connection."""
        client, self._client = self._client, None
        if client is not None:
            try:
                await self._ok(client.logout(), "LOGOUT", check=False)
            except _CONNECTION_ERRORS:
                log.debug("IMAP logout failed; connection dropped anyway")
            _close_transport(client)

    async def _poll(self, client: aioimaplib.IMAP4) -> int:
        uids = _search_uids(await self._ok(client.uid_search("UNSEEN", charset=None), "SEARCH"))
        handled = 0
        for uid in sorted(uids):
            if uid <= self.last_uid:
                # Stored earlier, but the \Seen flag was lost with the connection: set it again.
                await self._mark_seen(client, uid)
                continue
            # BODY.PEEK[]: plain BODY[] or RFC822 would set \Seen before we stored the mail
            # (RFC 3501 §6.4.5).
            fetched = await self._ok(client.uid("fetch", str(uid), "(BODY.PEEK[])"), "FETCH")
            raw = _literal(fetched)
            if raw is None:
                continue  # expunged between SEARCH and FETCH
            try:
                await self._on_message(raw, MailEnvelope(source="imap"))
            except Exception:  # not stored: stays unseen; stop here to keep the order
                log.exception("storing IMAP message uid %s failed; retried next poll", uid)
                break
            self.last_uid = uid
            await self._mark_seen(client, uid)
            handled += 1
        return handled

    async def _connected(self) -> aioimaplib.IMAP4:
        if self._client is not None:
            return self._client
        host, port = self._address
        lost = self._lost = asyncio.Event()
        client = aioimaplib.IMAP4(
            host,
            port,
            timeout=self._timeout,
            conn_lost_cb=lambda _error: lost.set(),
            ssl_context=self._ssl_context,
        )
        await client.wait_hello_from_server()
        login = await self._ok(client.login(*self._credentials), "LOGIN", check=False)
        if login.result != "OK":
            _close_transport(client)
            raise CredentialsRejected(f"IMAP login refused for {self._credentials[0]}")
        selected = await self._ok(client.select(self._mailbox), "SELECT")
        self._check_uid_validity(selected)
        self._client = client
        return client

    def _check_uid_validity(self, selected: aioimaplib.Response) -> None:
        # RFC 3501 §2.3.1.1: a new UIDVALIDITY means old UIDs mean nothing any more.
        for line in selected.lines:
            match = _UIDVALIDITY.search(bytes(line))
            if match:
                validity = int(match.group(1))
                if self.uid_validity is not None and validity != self.uid_validity:
                    self.last_uid = 0
                self.uid_validity = validity
                return

    async def _mark_seen(self, client: aioimaplib.IMAP4, uid: int) -> None:
        await self._ok(client.uid("store", str(uid), "+FLAGS.SILENT", r"(\Seen)"), "STORE")

    async def _ok(
        self, pending: Awaitable[aioimaplib.Response], command: str, *, check: bool = True
    ) -> aioimaplib.Response:
        # aioimaplib leaves a command waiting for its timeout when the server hangs up; stop
        # waiting as soon as the connection is lost.
        call = asyncio.ensure_future(pending)
        lost = asyncio.ensure_future(self._lost.wait())
        done, _ = await asyncio.wait({call, lost}, return_when=asyncio.FIRST_COMPLETED)
        lost.cancel()
        if call not in done:
            call.cancel()
            raise ConnectionResetError(f"IMAP connection lost during {command}")
        response: aioimaplib.Response = call.result()
        if check and response.result != "OK":
            raise ImapError(f"{command} failed: {response.result} {response.lines[-1:]!r}")
        return response

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            _close_transport(client)


def _close_transport(client: aioimaplib.IMAP4) -> None:
    transport = getattr(client.protocol, "transport", None)
    if transport is not None:
        transport.close()


def _search_uids(response: aioimaplib.Response) -> list[int]:
    uids: list[int] = []
    for line in response.lines:
        words = bytes(line).split()
        if words and words[0].upper() == b"SEARCH":
            words = words[1:]
        if words and all(word.isdigit() for word in words):
            uids += [int(word) for word in words]
    return uids


def _literal(response: aioimaplib.Response) -> bytes | None:
    """The message bytes: aioimaplib returns each IMAP literal as a bytearray line."""
    for line in response.lines:
        if isinstance(line, bytearray):
            return bytes(line)
    return None
