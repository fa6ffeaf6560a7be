"""POST /api/v1/feedback: the web form's submission, served as a plain ASGI handler.

It is the citizen intake's hot path (a campaign day brings thousands of submissions a second
to a province), so it reads the bytes, decodes them with msgspec straight into
FeedbackCreate, waits for the group commit and writes the receipt: no parameter parsing,
dependency injection or response conversion on the way (backend.raw_http). The rate limit and
request middleware still apply (it is in the public router), and errors are the app's
problem-details answers. Its OpenAPI operation is `SUBMIT_OPERATION`.
"""

from __future__ import annotations

import msgspec
from litestar import Request, asgi
from litestar.exceptions import ValidationException
from litestar.types import Receive, Scope, Send

from backend.accounts.auth import provide_principal
from backend.errors import Malformed
from backend.feedback.schemas import FeedbackCreate, FeedbackReceipt
from backend.raw_http import RawOperation, headers_of, read_body, require_method, respond
from backend.resources import AppResources

MAX_BODY = 64 * 1024
_decode = msgspec.json.Decoder(FeedbackCreate).decode
_encode = msgspec.json.Encoder().encode


@asgi("/api/v1/feedback", copy_scope=False)
async def submit_feedback(scope: Scope, receive: Receive, send: Send) -> None:
    """Send feedback (no login). 201 once stored; the same idempotency key returns the same case (200)."""
    require_method(scope, "POST")
    body = await read_body(scope, receive, MAX_BODY)
    try:
        data = _decode(body)
    except msgspec.ValidationError as exc:
        # The same answer as Litestar's own body validation on every other endpoint.
        raise ValidationException(
            f"Validation failed for POST {scope['path']}",
            extra=[{"message": str(exc), "source": "body"}],
        ) from None
    except msgspec.DecodeError as exc:
        raise Malformed(f"the body is not valid JSON: {exc}") from None
    resources: AppResources = scope["app"].state.resources
    helper = None
    if data.assisted:  # recorded for a resident: only then is a login needed (and looked up)
        helper = await provide_principal(Request(scope, receive), resources)
    key = headers_of(scope).get("idempotency-key")
    receipt, created = await resources.intake.submit(data, key, helper)
    await respond(send, _encode(receipt), 201 if created else 200)


SUBMIT_OPERATION = RawOperation(
    path="/api/v1/feedback",
    method="POST",
    summary=(
        "Send feedback (no login). 201 once stored; the same idempotency key returns the same "
        "case (200). `assisted: true` records it for a resident: the caller must be logged in "
        "(a volunteer or staff member serving that commune) and `consent` is the resident's."
    ),
    tags=("citizen",),
    body=FeedbackCreate,
    responses={
        201: ("Stored: the tracking code and the status token", FeedbackReceipt),
        200: ("Already stored under this idempotency key: the same receipt", FeedbackReceipt),
    },
    headers={"Idempotency-Key": "Retries with the same key return the case the first one opened"},
)
