"""The reference list of provinces and communes, from the `vietnam-provinces` package.

Codes are the official ones as zero-padded strings: provinces "01".."96", communes 5 digits.
Nothing in the project hard-codes the list; the database copy is synced from here.
"""

from __future__ import annotations

from functools import cache

import msgspec
import vietnam_provinces as vp


class ProvinceRef(msgspec.Struct, frozen=True):
    code: str
    name: str
    division_type: str


class CommuneRef(msgspec.Struct, frozen=True):
    code: str
    name: str
    division_type: str
    province_code: str


def province_code(value: int) -> str:
    return f"{int(value):02d}"


def commune_code(value: int) -> str:
    return f"{int(value):05d}"


@cache
def provinces() -> dict[str, ProvinceRef]:
    """Every province by code."""
    return {
        province_code(p.code): ProvinceRef(province_code(p.code), p.name, p.division_type.value)
        for p in vp.Province.iter_all()
    }


@cache
def communes() -> dict[str, CommuneRef]:
    """Every commune, ward and special zone by code."""
    return {
        commune_code(w.code): CommuneRef(
            commune_code(w.code), w.name, w.division_type.value, province_code(w.province_code)
        )
        for w in vp.Ward.iter_all()
    }


def data_version() -> str:
    return str(vp.__data_version__)
