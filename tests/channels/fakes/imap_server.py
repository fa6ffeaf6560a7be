"""A minimal IMAP4rev1 server (RFC 3501) for the poller's tests, on 127.0.0.1.

Why not aioimaplib's own `imap_testing_server`: it needs pytz (not installed), accepts any
password and does not implement `SEARCH UNSEEN`. This one implements exactly what the poller
uses — CAPABILITY, LOGIN (checked), SELECT (with UIDVALIDITY), UID SEARCH UNSEEN,
UID FETCH BODY.PEEK[] / BODY[] / RFC822 (the last two set \\Seen, as RFC 3501 §6.4.5 says),
UID STORE ±FLAGS[.SILENT], NOOP, LOGOUT — and answers BAD/NO like a real server otherwise.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\([^)]*\))|(\S+)')


@dataclass
class StoredMail:
    uid: int
    content: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class FakeMailbox:
    user: str
    password: str
    name: str = "INBOX"
    uid_validity: int = 1001
    mails: list[StoredMail] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)  # every command line received
    drop_on_store: int = 0  # close the connection instead of answering the next N STOREs

    def deliver(self, content: bytes) -> int:
        uid = (self.mails[-1].uid if self.mails else 0) + 1
        self.mails.append(StoredMail(uid, content))
        return uid

    def seen(self, uid: int) -> bool:
        return any(m.uid == uid and "\\Seen" in m.flags for m in self.mails)


def _args(line: str) -> list[str]:
    """Atoms, parenthesised lists and quoted strings (RFC 3501 §4.3), quotes removed."""
    words = []
    for match in _TOKEN.finditer(line):
        quoted, listed, atom = match.groups()
        words.append(re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else listed or atom)
    return words


class _Session:
    def __init__(
        self, box: FakeMailbox, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ):
        self.box, self.reader, self.writer = box, reader, writer
        self.state = "NONAUTH"

    async def run(self) -> None:
        self.send("* OK [CAPABILITY IMAP4rev1] fake IMAP ready")
        while not self.writer.is_closing():
            raw = await self.reader.readline()
            if not raw:
                break
            line = raw.decode().rstrip("\r\n")
            self.box.commands.append(line)
            tag, _, rest = line.partition(" ")
            words = _args(rest)
            if not words:
                self.send(f"{tag} BAD empty command")
                continue
            await self.dispatch(tag, words[0].upper(), words[1:])
            await self.writer.drain()

    def send(self, text: str | bytes) -> None:
        data = text if isinstance(text, bytes) else text.encode()
        self.writer.write(data + b"\r\n")

    async def dispatch(self, tag: str, command: str, args: list[str]) -> None:
        if command == "CAPABILITY":
            self.send("* CAPABILITY IMAP4rev1 UIDPLUS")
            self.send(f"{tag} OK CAPABILITY completed")
        elif command == "NOOP":
            self.send(f"{tag} OK NOOP completed")
        elif command == "LOGOUT":
            self.send("* BYE logging out")
            self.send(f"{tag} OK LOGOUT completed")
            self.writer.close()
        elif command == "LOGIN":
            self.login(tag, args)
        elif self.state == "NONAUTH":
            self.send(f"{tag} BAD {command} needs an authenticated session")
        elif command == "SELECT":
            self.select(tag, args)
        elif command == "UID" and self.state == "SELECTED" and args:
            await self.uid(tag, args[0].upper(), args[1:])
        else:
            self.send(f"{tag} BAD unsupported or misplaced command {command}")

    def login(self, tag: str, args: list[str]) -> None:
        if len(args) == 2 and (args[0], args[1]) == (self.box.user, self.box.password):
            self.state = "AUTH"
            self.send(f"{tag} OK [CAPABILITY IMAP4rev1 UIDPLUS] LOGIN completed")
        else:
            self.send(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials")

    def select(self, tag: str, args: list[str]) -> None:
        if not args or args[0] != self.box.name:
            self.send(f"{tag} NO [NONEXISTENT] no such mailbox")
            return
        self.state = "SELECTED"
        unseen = sum(1 for m in self.box.mails if "\\Seen" not in m.flags)
        self.send(f"* {len(self.box.mails)} EXISTS")
        self.send(f"* OK [UNSEEN {unseen}] unseen")
        self.send(f"* OK [UIDVALIDITY {self.box.uid_validity}] UIDs valid")
        nxt = (self.box.mails[-1].uid if self.box.mails else 0) + 1
        self.send(f"* OK [UIDNEXT {nxt}] predicted next UID")
        self.send(f"{tag} OK [READ-WRITE] SELECT completed")

    async def uid(self, tag: str, command: str, args: list[str]) -> None:
        if command == "SEARCH":
            criteria = [a.upper() for a in args]
            if criteria[:1] == ["CHARSET"]:
                criteria = criteria[2:]
            if criteria != ["UNSEEN"]:
                self.send(f"{tag} BAD only UID SEARCH UNSEEN is implemented")
                return
            uids = [str(m.uid) for m in self.box.mails if "\\Seen" not in m.flags]
            self.send(" ".join(["* SEARCH", *uids]))
            self.send(f"{tag} OK UID SEARCH completed")
        elif command == "FETCH" and len(args) == 2:
            self.fetch(tag, args[0], args[1].strip("()").upper())
        elif command == "STORE" and len(args) == 3:
            await self.store(tag, args)
        else:
            self.send(f"{tag} BAD bad UID command")

    def fetch(self, tag: str, uid_text: str, item: str) -> None:
        if item not in {"BODY.PEEK[]", "BODY[]", "RFC822"}:
            self.send(f"{tag} BAD unsupported fetch item {item}")
            return
        for index, mail in enumerate(self.box.mails, start=1):
            if str(mail.uid) == uid_text:
                if item != "BODY.PEEK[]":
                    mail.flags.add("\\Seen")  # RFC 3501 §6.4.5: BODY[] and RFC822 set \Seen
                name = "RFC822" if item == "RFC822" else "BODY[]"
                head = f"* {index} FETCH (UID {mail.uid} {name} {{{len(mail.content)}}}".encode()
                self.send(head + b"\r\n" + mail.content + b")")
        self.send(f"{tag} OK UID FETCH completed")

    async def store(self, tag: str, args: list[str]) -> None:
        if self.box.drop_on_store:
            self.box.drop_on_store -= 1
            self.writer.close()
            return
        uid_text, action, flag_list = args
        flags = set(flag_list.strip("()").split())
        for index, mail in enumerate(self.box.mails, start=1):
            if str(mail.uid) != uid_text:
                continue
            if action.upper().startswith("+FLAGS"):
                mail.flags |= flags
            elif action.upper().startswith("-FLAGS"):
                mail.flags -= flags
            else:
                self.send(f"{tag} BAD unsupported STORE action")
                return
            if not action.upper().endswith(".SILENT"):
                self.send(
                    f"* {index} FETCH (UID {mail.uid} FLAGS ({' '.join(sorted(mail.flags))}))"
                )
        self.send(f"{tag} OK UID STORE completed")


@asynccontextmanager
async def imap_server(box: FakeMailbox) -> AsyncIterator[int]:
    """The port of a running fake IMAP server serving `box`."""
    sessions: dict[asyncio.StreamWriter, asyncio.Task[None]] = {}

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        sessions[writer] = task
        try:
            await _Session(box, reader, writer).run()
        except ConnectionError:
            pass  # the client went away
        finally:
            writer.close()
            sessions.pop(writer, None)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in list(sessions):
            writer.close()  # ends each session's readline(); no task cancellation needed
        await asyncio.gather(*sessions.values(), return_exceptions=True)
        await server.wait_closed()
