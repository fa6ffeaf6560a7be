"""E-mail as a channel: parsing, loop safety, reply stripping, SMTP in and out, IMAP polling."""

from channels.email.attachments import read_attachments
from channels.email.bounces import BounceReport, read_bounce
from channels.email.channel import EmailChannel
from channels.email.compose import ComposedText, acknowledgement, compose_message, message_id_for
from channels.email.config import EmailConfig, SmtpSettings
from channels.email.envelope import MailEnvelope, MailHandler
from channels.email.imap import ImapPoller
from channels.email.loops import MailClass, classify_mail
from channels.email.parse import parse_bytes, parse_mail
from channels.email.receiver import SmtpReceiver
from channels.email.sender import SmtpSender
from channels.email.strip import strip_reply
from channels.email.tokens import ReplyTokens

__all__ = [
    "BounceReport",
    "ComposedText",
    "EmailChannel",
    "EmailConfig",
    "ImapPoller",
    "MailClass",
    "MailEnvelope",
    "MailHandler",
    "ReplyTokens",
    "SmtpReceiver",
    "SmtpSender",
    "SmtpSettings",
    "acknowledgement",
    "classify_mail",
    "compose_message",
    "message_id_for",
    "parse_bytes",
    "parse_mail",
    "read_attachments",
    "read_bounce",
    "strip_reply",
]
