"""Open311 rules: turn a POST into an ordinary case, and cases opened here back into requests.

Only cases opened through Open311 are listed (GET requests needs no key, so citizens' web,
Zalo or e-mail cases never appear); descriptions and status notes are redacted.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import msgspec
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.communes.reference import CommuneRef, communes
from backend.db.group_commit import GroupCommitter
from backend.db.models import ApiKey, Case, CaseStatus, Direction, Message, Open311Request
from backend.db.types import utcnow
from backend.errors import AppError
from backend.feedback.schemas import FeedbackCreate
from backend.feedback.service import IntakeService
from backend.feedback.store import NewCase, StoredCase
from backend.open311.catalogue import ATTRIBUTES, SERVICES, Service
from backend.open311.formats import Open311Error, bad_request, not_found
from backend.public_answers.redaction import redact_public

CHANNEL: Final = "open311"
MAX_DESCRIPTION: Final = 4000
MAX_SPAN: Final = timedelta(days=90)
MAX_PAGE_SIZE: Final = 1000
CLOSED_STATUSES: Final = frozenset({CaseStatus.ANSWERED.value, CaseStatus.CLOSED.value})
_HTML_TAG: Final = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_ATTRIBUTE: Final = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
_FORM_FIELDS: Final = frozenset(
    {
        "api_key",
        "jurisdiction_id",
        "service_code",
        "lat",
        "long",
        "address_string",
        "address_id",
        "email",
        "device_id",
        "account_id",
        "first_name",
        "last_name",
        "phone",
        "description",
        "media_url",
    }
)


def w3c(moment: datetime | None) -> str | None:
    """W3C datetime with the zone, as the spec requires (2010-01-01T00:00:00Z)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_w3c(name: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"{name} must be a W3C datetime such as 2026-01-31T00:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def jurisdiction(code: str | None, *, required: bool) -> CommuneRef | None:
    """The commune a `jurisdiction_id` names (404 if unknown; 400 when required and absent)."""
    if not code:
        if required:
            raise bad_request("jurisdiction_id (the commune code) is required")
        return None
    commune = communes().get(code)
    if commune is None:
        raise not_found(f"jurisdiction_id {code} is not a commune code")
    return commune


def service(code: str) -> Service:
    found = SERVICES.get(code)
    if found is None:
        raise not_found(f"service_code {code} not found")
    return found


def _form_values(pairs: Sequence[tuple[str, str]]) -> tuple[dict[str, str], dict[str, Any]]:
    """Plain fields (empty = absent) and `attribute[CODE]` / `attribute[CODE][]` values."""
    fields: dict[str, str] = {}
    attributes: dict[str, Any] = {}
    for name, raw in pairs:
        value = raw.strip()
        match = _ATTRIBUTE.match(name)
        if match:
            if match.group(2):
                attributes.setdefault(match.group(1), [])
                if value:
                    attributes[match.group(1)].append(value)
            elif value:
                attributes[match.group(1)] = value
        elif value and name in _FORM_FIELDS:
            fields[name] = value
    return fields, attributes


def _coordinate(fields: dict[str, str], name: str, bound: float, errors: list[str]) -> float | None:
    if name not in fields:
        return None
    try:
        number = float(fields[name])
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > bound:
        errors.append(f"{name} must be a WGS84 number between -{bound:g} and {bound:g}")
        return None
    return number


def _check_attributes(attributes: dict[str, Any], errors: list[str]) -> None:
    for code, value in attributes.items():
        definition = ATTRIBUTES.get(code)
        if definition is None:
            errors.append(f"attribute[{code}] is not in the service definition")
            continue
        values = value if isinstance(value, list) else [value]
        if definition["datatype"] == "singlevaluelist":
            keys = {v["key"] for v in definition["values"]}
            if len(values) != 1 or values[0] not in keys:
                errors.append(f"attribute[{code}] must be one of {', '.join(sorted(keys))}")
        elif len(values) != 1 or len(values[0]) > 200:
            errors.append(f"attribute[{code}] must be one text of at most 200 characters")


class Open311Service:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self,
        pairs: Sequence[tuple[str, str]],
        key: ApiKey,
        idempotency_key: str | None,
        intake: IntakeService,
        committer: GroupCommitter[NewCase, StoredCase],
    ) -> list[dict[str, Any]]:
        """Open an ordinary case on the "open311" channel; a retried request finds the same case."""
        fields, attributes = _form_values(pairs)
        commune = jurisdiction(fields.get("jurisdiction_id"), required=True)
        assert commune is not None
        if "service_code" not in fields:
            raise bad_request("service_code is required")
        chosen = service(fields["service_code"])
        errors: list[str] = []
        lat = _coordinate(fields, "lat", 90, errors)
        long = _coordinate(fields, "long", 180, errors)
        if ("lat" in fields) != ("long" in fields):
            errors.append("lat and long go together")
        if not (
            {"lat", "long"} <= fields.keys() or fields.keys() & {"address_string", "address_id"}
        ):
            errors.append("a location is required: lat and long, address_string or address_id")
        description = fields.get("description", "")
        if len(description) > MAX_DESCRIPTION:
            errors.append(f"description must be at most {MAX_DESCRIPTION} characters")
        if _HTML_TAG.search(description):
            errors.append("description must be plain text, without HTML")
        media_url = fields.get("media_url")
        if media_url and not re.match(r"^https?://\S+$", media_url):
            errors.append("media_url must be an http or https URL")
        _check_attributes(attributes, errors)
        if errors:
            raise bad_request(*errors)
        name = " ".join(p for p in (fields.get("first_name"), fields.get("last_name")) if p)
        try:
            form = msgspec.convert(
                {
                    "text": description or self._placeholder_text(chosen, fields),
                    "commune_code": commune.code,
                    "name": name or None,
                    "phone": fields.get("phone"),
                    "email": fields.get("email"),
                    # A 311 client collects contact details to follow up on this request.
                    "consent": bool(fields.get("phone") or fields.get("email")),
                },
                FeedbackCreate,
            )
        except msgspec.ValidationError as exc:
            raise bad_request(f"invalid field: {exc}") from None
        key_id = key.id
        assert key_id is not None
        source = idempotency_key or self._content_key(key_id, pairs)
        try:
            prepared = intake.prepare(form, None)
        except AppError as exc:
            raise bad_request(exc.detail) from None
        stored = await committer.submit(
            msgspec.structs.replace(
                prepared,
                source_key=f"{CHANNEL}:{key_id}:{source}",
                channel=CHANNEL,
                external_id=f"{key_id}:{source}",
                raw={"service_code": chosen.code, "attributes": attributes},
            )
        )
        await self._record(stored.case_id, key_id, chosen.code, fields, lat, long, attributes)
        return [
            {
                "service_request_id": str(stored.case_id),
                "token": stored.tracking_code,
                "service_notice": "",
                "account_id": fields.get("account_id"),
            }
        ]

    @staticmethod
    def _placeholder_text(chosen: Service, fields: dict[str, str]) -> str:
        where = fields.get("address_string") or fields.get("address_id") or ""
        if not where and "lat" in fields:
            where = f"{fields['lat']}, {fields['long']}"
        return f"{chosen.name_vi}: {where}".strip()

    @staticmethod
    def _content_key(key_id: int, pairs: Sequence[tuple[str, str]]) -> str:
        # No idempotency key in GeoReport v2: the same form from the same client on the same
        # day is a retry (a client that lost our answer), not a second problem.
        content = sorted((n, v.strip()) for n, v in pairs if n != "api_key" and v.strip())
        day = utcnow().date().isoformat()
        return hashlib.sha256(repr((key_id, day, content)).encode()).hexdigest()[:40]

    async def _record(
        self,
        case_id: int,
        key_id: int,
        service_code: str,
        fields: dict[str, str],
        lat: float | None,
        long: float | None,
        attributes: dict[str, Any],
    ) -> None:
        if await self.session.get(Open311Request, case_id) is not None:
            return  # a retry: the first request already recorded it
        self.session.add(
            Open311Request(
                case_id=case_id,
                api_key_id=key_id,
                service_code=service_code,
                lat=lat,
                long=long,
                address_string=fields.get("address_string", "")[:500] or None,
                address_id=fields.get("address_id", "")[:100] or None,
                device_id=fields.get("device_id", "")[:100] or None,
                account_id=fields.get("account_id", "")[:100] or None,
                media_url=fields.get("media_url", "")[:1000] or None,
                attributes=attributes or None,
            )
        )
        try:
            await self.session.commit()
        except IntegrityError:  # the same retry in another process at the same moment
            await self.session.rollback()

    async def find(self, params: dict[str, str]) -> list[dict[str, Any]]:
        """GET requests with the standard filters and page/page_size."""
        page, page_size = self._paging(params)
        query = select(Case, Open311Request).join(
            Open311Request, col(Open311Request.case_id) == col(Case.id)
        )
        commune = jurisdiction(params.get("jurisdiction_id"), required=False)
        if commune is not None:
            query = query.where(Case.commune_code == commune.code)
        ids = params.get("service_request_id")
        if ids:
            # The spec: a list of ids overrides every other filter.
            wanted = [i.strip() for i in ids.split(",") if i.strip()]
            if not all(i.isdigit() for i in wanted):
                raise bad_request("service_request_id must be a comma-separated list of ids")
            query = query.where(col(Case.id).in_([int(i) for i in wanted]))
        else:
            query = self._filtered(query, params)
        query = query.order_by(col(Case.received_at).desc(), col(Case.id).desc())
        query = query.offset((page - 1) * page_size).limit(page_size)
        rows = (await self.session.exec(query)).all()
        return await self._views(rows)

    @staticmethod
    def _paging(params: dict[str, str]) -> tuple[int, int]:
        try:
            page = int(params.get("page") or 1)
            page_size = int(params.get("page_size") or MAX_PAGE_SIZE)
        except ValueError:
            raise bad_request("page and page_size must be whole numbers") from None
        if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise bad_request(f"page must be ≥ 1 and page_size between 1 and {MAX_PAGE_SIZE}")
        return page, page_size

    @staticmethod
    def _filtered(query: Any, params: dict[str, str]) -> Any:
        errors: list[str] = []
        codes = [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]
        for code in codes:
            service(code)
        if codes:
            query = query.where(col(Open311Request.service_code).in_(codes))
        statuses = {s.strip() for s in (params.get("status") or "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            errors.append("status must be open, closed or both (comma-separated)")
        elif statuses == {"open"}:
            query = query.where(col(Case.status).not_in(CLOSED_STATUSES))
        elif statuses == {"closed"}:
            query = query.where(col(Case.status).in_(CLOSED_STATUSES))
        start = parse_w3c("start_date", params["start_date"]) if params.get("start_date") else None
        end = parse_w3c("end_date", params["end_date"]) if params.get("end_date") else None
        # Default window: the last 90 days (or 90 days from/to the one date given).
        if start is None and end is None:
            end = utcnow()
        if start is None:
            assert end is not None
            start = end - MAX_SPAN
        if end is None:
            end = start + MAX_SPAN
        if end < start:
            errors.append("end_date must not be before start_date")
        elif end - start > MAX_SPAN:
            errors.append("start_date and end_date may be at most 90 days apart")
        if errors:
            raise bad_request(*errors)
        return query.where(col(Case.received_at) >= start, col(Case.received_at) <= end)

    async def get(self, request_id: str) -> list[dict[str, Any]]:
        if not request_id.isdigit():
            raise not_found(f"service_request_id {request_id} not found")
        query = (
            select(Case, Open311Request)
            .join(Open311Request, col(Open311Request.case_id) == col(Case.id))
            .where(Case.id == int(request_id))
        )
        rows = (await self.session.exec(query)).all()
        if not rows:
            raise not_found(f"service_request_id {request_id} not found")
        return await self._views(rows)

    async def token(self, token: str) -> list[dict[str, Any]]:
        query = (
            select(Case.id)
            .join(Open311Request, col(Open311Request.case_id) == col(Case.id))
            .where(Case.tracking_code == token)
        )
        case_id = (await self.session.exec(query)).first()
        if case_id is None:
            raise not_found(f"token {token} not found")
        return [{"service_request_id": str(case_id), "token": token}]

    async def _views(self, rows: Sequence[Any]) -> list[dict[str, Any]]:
        case_ids = [case.id for case, _ in rows]
        texts = await self._texts(case_ids)
        views = []
        for case, request in rows:
            first, notes = texts.get(case.id, ("", None))
            commune = communes().get(case.commune_code)
            views.append(
                {
                    "service_request_id": str(case.id),
                    "status": "closed" if case.status in CLOSED_STATUSES else "open",
                    "status_notes": notes,
                    "service_name": SERVICES[request.service_code].name_vi,
                    "service_code": request.service_code,
                    "description": redact_public(first),
                    "agency_responsible": f"UBND {commune.name}" if commune else None,
                    "service_notice": None,
                    "requested_datetime": w3c(case.received_at),
                    "updated_datetime": w3c(case.updated_at),
                    "expected_datetime": w3c(case.due_at),
                    "address": request.address_string,
                    "address_id": request.address_id,
                    "zipcode": None,
                    "lat": request.lat,
                    "long": request.long,
                    "media_url": request.media_url,
                }
            )
        return views

    async def _texts(self, case_ids: list[int]) -> dict[int, tuple[str, str | None]]:
        """Each case's first inbound text and its latest public reply (redacted)."""
        if not case_ids:
            return {}
        rows = (
            await self.session.exec(
                select(Message)
                .where(col(Message.case_id).in_(case_ids), col(Message.public).is_(True))
                .order_by(col(Message.created_at), col(Message.id))
            )
        ).all()
        first: dict[int, str] = {}
        notes: dict[int, str] = {}
        for message in rows:
            if message.direction == Direction.INBOUND:
                first.setdefault(message.case_id, message.text)
            else:
                notes[message.case_id] = redact_public(message.text)
        return {i: (first.get(i, ""), notes.get(i)) for i in case_ids}


def discovery(base_url: str) -> dict[str, Any]:
    """discovery.{fmt}: where the endpoint is and what it speaks."""
    return {
        "changeset": "2026-11-21T00:00:00Z",
        "contact": "Tiếng Dân — liên hệ UBND / MTTQ xã, phường nơi bạn ở",
        "key_service": "API keys are issued by the administrator of this server",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": f"{base_url}/open311/v2",
                "changeset": "2026-11-21T00:00:00Z",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def raise_for_key(key: ApiKey | None, given: bool) -> ApiKey:
    if key is None:
        raise Open311Error(403, (403, "api_key is invalid" if given else "api_key is required"))
    return key
