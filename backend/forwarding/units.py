"""Competent units: commune People's Committees come from the commune reference; province
departments are a small table with member accounts. Who receives a forwarding is decided here."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.principal import Principal
from backend.audit import record
from backend.communes.reference import communes, provinces
from backend.db.models import (
    Department,
    DepartmentMember,
    Forwarding,
    Role,
    TargetKind,
    User,
    UserCommune,
)
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.forwarding.schemas import DepartmentCreate, DepartmentList, DepartmentView


async def member_departments(session: AsyncSession, user_id: int) -> list[int]:
    query = select(DepartmentMember.department_id).where(DepartmentMember.user_id == user_id)
    return list((await session.exec(query)).all())


def incoming_clause(principal: Principal, departments: list[int]) -> ColumnElement[bool]:
    """Forwardings addressed to a unit the caller belongs to."""
    if principal.role is Role.ADMIN:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if departments:
        clauses.append(col(Forwarding.target_department_id).in_(departments))
    if principal.role is Role.PROVINCE_STAFF and principal.province_code:
        clauses.append(
            and_(
                col(Forwarding.target_kind) == TargetKind.PROVINCE.value,
                col(Forwarding.target_province_code) == principal.province_code,
            )
        )
    if principal.role is Role.COMMUNE_STAFF and principal.commune_codes:
        clauses.append(
            and_(
                col(Forwarding.target_kind) == TargetKind.COMMUNE.value,
                col(Forwarding.target_commune_code).in_(sorted(principal.commune_codes)),
            )
        )
    return or_(*clauses) if clauses else false()


def target_name(forwarding: Forwarding, departments: dict[int, str]) -> str:
    if forwarding.target_kind == TargetKind.COMMUNE and forwarding.target_commune_code:
        commune = communes().get(forwarding.target_commune_code)
        return f"UBND {commune.name}" if commune else forwarding.target_commune_code
    if forwarding.target_kind == TargetKind.DEPARTMENT and forwarding.target_department_id:
        return departments.get(forwarding.target_department_id, "")
    province = provinces().get(forwarding.target_province_code)
    return province.name if province else forwarding.target_province_code


async def receiving_users(session: AsyncSession, forwarding: Forwarding) -> list[int]:
    """The active accounts of the receiving unit (who answer, and get the deadline pushes)."""
    if forwarding.target_kind == TargetKind.DEPARTMENT:
        query = (
            select(User.id)
            .join(DepartmentMember, col(DepartmentMember.user_id) == User.id)
            .where(DepartmentMember.department_id == forwarding.target_department_id)
        )
    elif forwarding.target_kind == TargetKind.PROVINCE:
        query = select(User.id).where(
            User.role == Role.PROVINCE_STAFF.value,
            User.province_code == forwarding.target_province_code,
        )
    else:
        query = (
            select(User.id)
            .join(UserCommune, col(UserCommune.user_id) == User.id)
            .where(
                UserCommune.commune_code == forwarding.target_commune_code,
                User.role == Role.COMMUNE_STAFF.value,
            )
        )
    query = query.where(col(User.is_active).is_(True))
    return sorted({user_id for user_id in (await session.exec(query)).all() if user_id})


class DepartmentService:
    """Province departments and their members (admin, or the province's own staff)."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        principal.require_staff()
        self.session = session
        self.principal = principal

    def _check_province(self, province_code: str) -> None:
        if province_code not in provinces():
            raise Invalid(f"unknown province code {province_code}", field="province_code")
        if not self.principal.is_admin and not (
            self.principal.role is Role.PROVINCE_STAFF
            and self.principal.province_code == province_code
        ):
            raise Forbidden("only an admin or this province's staff manage its departments")

    async def list(self, province_code: str | None) -> DepartmentList:
        query = select(Department).order_by(col(Department.province_code), col(Department.name))
        if province_code:
            query = query.where(Department.province_code == province_code)
        departments = (await self.session.exec(query)).all()
        members = (await self.session.exec(select(DepartmentMember))).all()
        by_department: dict[int, list[int]] = {}
        for member in members:
            by_department.setdefault(member.department_id, []).append(member.user_id)
        return DepartmentList(
            items=[
                DepartmentView(
                    id=d.id or 0,
                    province_code=d.province_code,
                    code=d.code,
                    name=d.name,
                    members=sorted(by_department.get(d.id or 0, [])),
                )
                for d in departments
            ]
        )

    async def create(self, data: DepartmentCreate) -> DepartmentView:
        self._check_province(data.province_code)
        clash = select(Department).where(
            Department.province_code == data.province_code, Department.code == data.code
        )
        if (await self.session.exec(clash)).first() is not None:
            raise Conflict(f"department {data.code} already exists in {data.province_code}")
        department = Department(
            province_code=data.province_code, code=data.code, name=data.name.strip()
        )
        self.session.add(department)
        await self.session.flush()
        assert department.id is not None
        await record(
            self.session,
            self.principal.user_id,
            "department.create",
            "department",
            department.id,
            {"code": data.code},
        )
        await self.session.commit()
        return DepartmentView(
            id=department.id,
            province_code=department.province_code,
            code=department.code,
            name=department.name,
            members=[],
        )

    async def get(self, department_id: int) -> Department:
        department = await self.session.get(Department, department_id)
        if department is None:
            raise NotFound(f"no department {department_id}")
        return department

    async def set_member(self, department_id: int, user_id: int, member: bool) -> None:
        department = await self.get(department_id)
        self._check_province(department.province_code)
        user = await self.session.get(User, user_id)
        if user is None or not user.is_active or user.role == Role.VOLUNTEER.value:
            raise Invalid(f"no active staff user {user_id}", field="user_id")
        link = await self.session.get(DepartmentMember, (department_id, user_id))
        if member and link is None:
            self.session.add(DepartmentMember(department_id=department_id, user_id=user_id))
        elif not member and link is not None:
            await self.session.delete(link)
        else:
            return
        await record(
            self.session,
            self.principal.user_id,
            "department.member_add" if member else "department.member_remove",
            "department",
            department_id,
            {"user_id": user_id},
        )
        await self.session.commit()
