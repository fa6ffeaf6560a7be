"""Which inbound mail a person wrote, and which is automatic (RFC 3834, RFC 3464, RFC 2369)."""

from __future__ import annotations

from email.message import EmailMessage
from enum import StrEnum

from channels.email.headers import addresses, header_text
from channels.email.threads import message_ids

_DAEMONS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})
_AUTORESPONDER_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder")
_FALSY = frozenset({"no", "false", "0", "off"})


class MailClass(StrEnum):
    """Why a mail does or does not become citizen input; logged by the backend."""

    CITIZEN = "citizen"  # written by a person: may create or continue a case, may be answered
    BOUNCE = "bounce"  # a DSN or a mailer daemon's notice about mail we sent
    AUTO_REPLY = "auto_reply"  # out-of-office, autoresponder, read receipt, null return path
    BULK = "bulk"  # Precedence: bulk / junk
    MAILING_LIST = "mailing_list"  # List-Id, List-Unsubscribe, Precedence: list
    OWN_LOOP = "own_loop"  # our own outbound coming back to us

    @property
    def is_citizen(self) -> bool:
        """Only citizen mail creates a case or gets a reply; the rest is never answered."""
        return self is MailClass.CITIZEN


def classify_mail(
    message: EmailMessage,
    *,
    own_domain: str | None = None,
    own_addresses: tuple[str, ...] = (),
    envelope_from: str | None = None,
) -> MailClass:
    """Classify one parsed message; bounces first, so a DSN about our mail is never "ours"."""
    if _is_bounce(message, envelope_from):
        return MailClass.BOUNCE
    if _is_own(message, own_domain, own_addresses):
        return MailClass.OWN_LOOP
    if _is_auto_reply(message, envelope_from):
        return MailClass.AUTO_REPLY
    precedence = (header_text(message, "Precedence") or "").strip().lower()
    if precedence in {"bulk", "junk"}:
        return MailClass.BULK
    if precedence == "list" or _has_any(message, ("List-Id", "List-Unsubscribe")):
        return MailClass.MAILING_LIST
    return MailClass.CITIZEN


def is_delivery_report(message: EmailMessage) -> bool:
    """multipart/report; report-type=delivery-status (RFC 6522, RFC 3464)."""
    report_type = str(message.get_param("report-type", "", header="content-type")).lower()
    return message.get_content_type() == "multipart/report" and report_type == "delivery-status"


def _is_bounce(message: EmailMessage, envelope_from: str | None) -> bool:
    if is_delivery_report(message) or header_text(message, "X-Failed-Recipients"):
        return True
    senders = [address for _, address in addresses(message, "From")]
    senders += [envelope_from] if envelope_from else []
    return any(sender.partition("@")[0].lower() in _DAEMONS for sender in senders)


def _is_own(message: EmailMessage, own_domain: str | None, own_addresses: tuple[str, ...]) -> bool:
    ours = {a.lower() for a in own_addresses}
    if own_domain:
        ids = message_ids(header_text(message, "Message-ID"))
        if any(i.rpartition("@")[2].lower() == own_domain.lower() for i in ids):
            return True
    from_ours = any(a.lower() in ours for _, a in addresses(message, "From"))
    loop = (header_text(message, "X-Loop") or "").strip().lower()
    return from_ours or (bool(loop) and loop in ours)


def _is_auto_reply(message: EmailMessage, envelope_from: str | None) -> bool:
    # RFC 3834 §5: any Auto-Submitted value other than "no" (parameters after ";").
    auto = (header_text(message, "Auto-Submitted") or "no").split(";")[0].strip().lower()
    if auto != "no":
        return True
    if any(_truthy(header_text(message, name)) for name in _AUTORESPONDER_HEADERS):
        return True
    # Exchange out-of-office: the inbox-rule loop marker beside the suppression header.
    if _has_any(message, ("X-MS-Exchange-Inbox-Rules-Loop",)) and _has_any(
        message, ("X-Auto-Response-Suppress",)
    ):
        return True
    if header_text(message, "X-Loop"):
        return True  # someone else's loop guard: an automaton relayed this
    if message.get_content_type() == "multipart/report":
        return True  # read receipts (disposition-notification) and other reports
    # RFC 5321 §4.5.5 / RFC 3834 §3.3: automatic mail uses the null reverse-path.
    return envelope_from == ""


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() not in _FALSY


def _has_any(message: EmailMessage, names: tuple[str, ...]) -> bool:
    return any(header_text(message, name) is not None for name in names)


def suppresses_auto_reply(message: EmailMessage) -> bool:
    """X-Auto-Response-Suppress asks for no automatic answer ([MS-OXCMAIL] 2.2.3.2.20)."""
    value = (header_text(message, "X-Auto-Response-Suppress") or "").lower()
    return any(word in value for word in ("all", "autoreply", "oof"))
