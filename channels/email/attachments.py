"""Attachment metadata (and content, for the job that stores files), with a size limit."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

from channels.base import Attachment
from channels.email.headers import clean_text

_KINDS = {"image": "image", "audio": "audio", "video": "video"}


def attachment_parts(message: EmailMessage) -> Iterator[EmailMessage]:
    """Leaf parts that are files: named, marked as attachment, or not text at all."""
    bodies = {id(message.get_body(preferencelist=(kind,))) for kind in ("plain", "html")}
    for part in message.walk():
        if part.is_multipart() or id(part) in bodies or not isinstance(part, EmailMessage):
            continue
        named = part.get_filename() is not None
        attached = part.get_content_disposition() == "attachment"
        if named or attached or part.get_content_maintype() not in {"text", "message"}:
            yield part


def read_attachments(
    message: EmailMessage, max_bytes: int
) -> list[tuple[Attachment, bytes | None]]:
    """(metadata, content) per attachment; content is None when over `max_bytes` (flagged)."""
    found: list[tuple[Attachment, bytes | None]] = []
    for part in attachment_parts(message):
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        oversize = len(content) > max_bytes
        content_type = part.get_content_type()
        metadata = Attachment(
            kind=_KINDS.get(part.get_content_maintype(), "file"),
            name=_filename(part),
            size=len(content),
            content_type=content_type,
            oversize=oversize,
        )
        found.append((metadata, None if oversize else content))
    return found


def _filename(part: EmailMessage) -> str | None:
    # get_filename decodes RFC 2231 (filename*=utf-8''%E1%BA%A3nh.jpg) and RFC 2047 names.
    name = part.get_filename()
    if not name:
        return None
    return clean_text(name).strip() or None
