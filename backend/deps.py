"""Names of the injected dependencies, as Litestar wants them marked in handler signatures."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.principal import Principal
from backend.feedback.service import IntakeService
from backend.resources import AppResources
from backend.settings import Settings

DbSession: TypeAlias = NamedDependency[AsyncSession]
CurrentPrincipal: TypeAlias = NamedDependency[Principal]
AppSettings: TypeAlias = NamedDependency[Settings]
Resources: TypeAlias = NamedDependency[AppResources]
Intake: TypeAlias = NamedDependency[IntakeService]
