"""Commune queries and the sync of the reference list into the database."""

from __future__ import annotations

from functools import cache

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.communes.reference import CommuneRef, communes, provinces
from backend.db.models import Commune, Province
from backend.text import fold


async def sync_reference_data(session: AsyncSession) -> tuple[int, int]:
    """Make the database copy equal to the package's list; returns (provinces, communes)."""
    want_provinces = provinces()
    want_communes = communes()
    have_p = {p.code: p for p in (await session.exec(select(Province))).all()}
    for code, ref in want_provinces.items():
        row = have_p.get(code)
        if row is None:
            session.add(Province(code=code, name=ref.name, division_type=ref.division_type))
        else:
            row.name, row.division_type = ref.name, ref.division_type
    await session.flush()
    have_c = {c.code: c for c in (await session.exec(select(Commune))).all()}
    for code, cref in want_communes.items():
        crow = have_c.get(code)
        if crow is None:
            session.add(
                Commune(
                    code=code,
                    name=cref.name,
                    division_type=cref.division_type,
                    province_code=cref.province_code,
                )
            )
        else:
            crow.name, crow.division_type = cref.name, cref.division_type
            crow.province_code = cref.province_code
    # Communes dropped from the list stay only if cases still point at them (FK protects them).
    stale = set(have_c) - set(want_communes)
    if stale:
        await session.exec(delete(Commune).where(col(Commune.code).in_(stale)))
    await session.commit()
    return len(want_provinces), len(want_communes)


def lookup(code: str) -> CommuneRef | None:
    """The commune with this code, from the in-memory reference list (no database round trip)."""
    return communes().get(code)


def search(query: str, province: str | None = None, limit: int = 20) -> list[CommuneRef]:
    """Communes whose name contains the query, ignoring case and diacritics."""
    needle = fold(query)
    found: list[CommuneRef] = []
    for ref in communes().values():
        if province and ref.province_code != province:
            continue
        if needle in _folded_name(ref.code):
            found.append(ref)
            if len(found) >= limit:
                break
    return found


@cache
def _folded_name(code: str) -> str:
    ref = communes()[code]
    return fold(f"{ref.division_type} {ref.name}")
