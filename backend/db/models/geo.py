"""Provinces and communes, loaded from the `vietnam-provinces` package."""

from sqlmodel import Field, SQLModel


class Province(SQLModel, table=True):
    __tablename__ = "provinces"

    code: str = Field(primary_key=True, max_length=2)
    name: str
    division_type: str


class Commune(SQLModel, table=True):
    __tablename__ = "communes"

    code: str = Field(primary_key=True, max_length=5)
    name: str
    division_type: str
    province_code: str = Field(foreign_key="provinces.code", index=True, max_length=2)
