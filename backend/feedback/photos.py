"""Photos a citizen attaches to their feedback: checked, stored once, listed on the message."""

from __future__ import annotations

import io
import warnings
from typing import Any

import msgspec
from litestar.response import File
from PIL import Image, UnidentifiedImageError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.db.models import Case, Direction, Message
from backend.errors import AppError, Invalid, TooLarge
from backend.media import MediaStore, supported
from backend.settings import MediaSettings

# The PWA sends JPEGs at most 1280 px on a side; other clients get some room, no more.
MAX_SIDE = 4096
_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class UnsupportedPhoto(AppError):
    status = 415
    title = "Unsupported media type"


class Photo(msgspec.Struct, frozen=True, kw_only=True):
    """What the case keeps about an attached photo (the bytes live in the media store)."""

    kind: str = "image"
    sha256: str
    content_type: str
    size: int
    width: int
    height: int


def inspect_photo(data: bytes, content_type: str, limits: MediaSettings) -> Photo:
    """Check that `data` is a photo of the declared type within the limits."""
    content_type = content_type.split(";", 1)[0].strip().lower()
    if not supported(content_type):
        raise UnsupportedPhoto(f"send image/jpeg, image/png or image/webp, not {content_type!r}")
    if len(data) > limits.max_photo_bytes:
        raise TooLarge(f"photo of {len(data)} bytes is over {limits.max_photo_bytes}")
    try:
        with warnings.catch_warnings():
            # Huge declared sizes are refused just below; Pillow's own warning adds nothing.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                found, (width, height) = image.format, image.size
                if width > MAX_SIDE or height > MAX_SIDE:
                    raise Invalid(f"photo of {width}×{height} px: at most {MAX_SIDE} px on a side")
                image.verify()
    except Image.DecompressionBombError as exc:
        raise Invalid(f"photo over {MAX_SIDE} px on a side") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise Invalid("the body is not a readable image") from exc
    if _FORMATS.get(found or "") != content_type:
        raise UnsupportedPhoto(f"the body is {found}, not {content_type}")
    return Photo(
        sha256=MediaStore.digest(data),
        content_type=content_type,
        size=len(data),
        width=width,
        height=height,
    )


async def attach_photo(
    session: AsyncSession, case: Case, photo: Photo, limits: MediaSettings
) -> bool:
    """Record `photo` on the case's first inbound message; False if it is already there."""
    message = (
        await session.exec(
            select(Message)
            .where(Message.case_id == case.id, Message.direction == Direction.INBOUND)
            .order_by(col(Message.id))
            .limit(1)
        )
    ).one()
    attachments: list[dict[str, Any]] = list(message.attachments or [])
    if any(a.get("sha256") == photo.sha256 for a in attachments):
        return False
    photos = [a for a in attachments if a.get("kind") == "image"]
    if len(photos) >= limits.max_photos_per_case:
        raise Invalid(f"a case holds at most {limits.max_photos_per_case} photos")
    message.attachments = [*attachments, msgspec.to_builtins(photo)]
    session.add(message)
    await session.commit()
    return True


def photo_on(case_messages: list[Message], sha256: str) -> Photo | None:
    """The photo with this digest among the messages' attachments, if any."""
    for message in case_messages:
        for attachment in message.attachments or []:
            if attachment.get("kind") == "image" and attachment.get("sha256") == sha256:
                return msgspec.convert(attachment, Photo)
    return None


def photo_file(media: MediaStore, photo: Photo) -> File:
    """The stored bytes as a response browsers may cache privately (they never change)."""
    return File(
        path=media.path(photo.sha256, photo.content_type),
        media_type=photo.content_type,
        content_disposition_type="inline",
        headers={"Cache-Control": "private, max-age=31536000, immutable"},
    )
