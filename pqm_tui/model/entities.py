"""Pydantic entities of property-service quality management (物业服务品质管理).

One English name per concept; the Chinese term is in each docstring. Rows read
from SQLite are validated into these models by the repository modules.
"""

from __future__ import annotations

import json
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pqm_tui.model.enums import (  # the kinds live apart: read without loading pydantic
    AreaType,
    InspectionKind,
    InspectionStatus,
    NoteKind,
    ProjectKind,
    RectificationStatus,
    Result,
    Role,
    Severity,
)

__all__ = [
    "AreaType",
    "InspectionKind",
    "InspectionStatus",
    "NoteKind",
    "ProjectKind",
    "RectificationStatus",
    "Result",
    "Role",
    "Severity",
]


class Entity(BaseModel):
    """Base: immutable rows identified by UUID text."""

    model_config = ConfigDict(frozen=True, from_attributes=True, defer_build=True)

    id: str


class Company(Entity):
    """Company (公司)."""

    name: str


class CityCompany(Entity):
    """City company (城市公司)."""

    company_id: str
    name: str
    archived_at: str | None = None


class Project(Entity):
    """Property project (物业项目)."""

    city_company_id: str
    name: str
    kind: ProjectKind
    address: str = ""
    receiver_id: str | None = None  # the person who receives notices (通知接收人)
    archived_at: str | None = None


class Area(Entity):
    """Area of a project (区域), walked in ``position`` order."""

    project_id: str
    name: str
    area_type: AreaType
    position: int = 0
    archived_at: str | None = None


class Department(Entity):
    """Department (部门): 客服, 秩序, 环境, 工程, 绿化, 案场, 品质 …"""

    name: str
    project_id: str | None = None
    city_company_id: str | None = None
    archived_at: str | None = None


class Person(Entity):
    """Person (人员): inspector, project manager, department head …

    ``roles`` are what the person does (角色); ``role`` is the title shown on
    documents (职务, free text such as 客服主管).
    """

    name: str
    role: str
    roles: list[Role] = Field(default_factory=list)
    department_id: str | None = None
    project_id: str | None = None
    city_company_id: str | None = None
    phone: str = ""
    signature_image: str | None = None
    pin_hash: str | None = None
    archived_at: str | None = None

    @field_validator("roles", mode="before")
    @classmethod
    def _roles_from_json(cls, value: object) -> object:
        """The ``roles`` column holds a JSON list."""
        return json.loads(value) if isinstance(value, str) else value


class Checklist(Entity):
    """Checklist (检查表/考核表); its content lives in versions."""

    name: str
    description: str = ""
    project_kinds: list[ProjectKind] = Field(default_factory=list)
    builtin: bool = False  # latest version is PQM's shipped one; False once the company's


class ChecklistVersion(Entity):
    """Version of a checklist (检查表版本); frozen once an inspection uses it."""

    checklist_id: str
    version: int
    created_at: str
    content_sha256: str
    frozen: bool = False


class Section(Entity):
    """Section of a checklist version (板块)."""

    version_id: str
    code: str
    name: str
    department: str = ""
    area_types: list[AreaType] = Field(default_factory=list)
    position: int = 0

    def applies_to(self, area_type: AreaType) -> bool:
        """True when the section is checked in areas of ``area_type``."""
        return not self.area_types or area_type in self.area_types


class Item(Entity):
    """Checklist item (检查项): standard, method, points and deduction rule."""

    section_id: str
    code: str
    standard: str
    method: str = ""
    points: Decimal
    per_occurrence: Decimal
    severity: Severity = Severity.NORMAL
    photo_required: bool = False
    position: int = 0
    area_types: list[AreaType] = Field(default_factory=list)  # empty: the section's


class Inspection(Entity):
    """Inspection (检查): one walk of a project with one checklist version."""

    project_id: str
    kind: InspectionKind
    checklist_version_id: str
    inspector_ids: list[str] = Field(default_factory=list)
    started_at: str
    finished_at: str | None = None
    status: InspectionStatus = InspectionStatus.DRAFT
    signed_at: str | None = None
    receiver_name: str | None = None
    receiver_role: str | None = None


class Finding(Entity):
    """Finding (检查记录): the result of one item in one area."""

    inspection_id: str
    item_id: str
    area_id: str
    result: Result
    occurrences: int = 0
    deduction: Decimal = Decimal(0)
    note: str = ""
    severity: Severity = Severity.NORMAL
    department: str = ""
    responsible_person: str = ""
    location: str = ""
    created_at: str
    updated_at: str


class SupervisionNote(Entity):
    """Supervision-log note (品质监督记录) taken during a walk."""

    inspection_id: str
    area_id: str | None = None
    kind: NoteKind
    text: str
    created_at: str


class Amendment(Entity):
    """Amendment (更正记录) to a signed inspection: who, when, why, old → new."""

    inspection_id: str
    finding_id: str | None = None
    at: str
    actor: str
    reason: str
    field: str
    old_value: str | None = None
    new_value: str | None = None


class Photo(Entity):
    """Photo evidence (照片), copied into the media store under its sha256.

    ``stored_path`` is relative to the database's folder (``<db name>.media/<sha256>.jpg``);
    readers (reports.assets.ImageCache.locate) also find older forms.
    """

    finding_id: str | None = None
    sha256: str
    original_name: str
    stored_path: str
    added_at: str


class Notice(Entity):
    """Rectification notice (整改通知单), numbered ZG-YYYYMM-NNNN."""

    number: str
    inspection_id: str
    project_id: str
    sequence: int = 1  # 1 = first notice, 2 = second notice (第二次整改通知)
    issued_at: str
    issuing_department: str = ""
    received_at: str | None = None
    received_by: str | None = None


class RectificationItem(Entity):
    """Rectification item (整改项): one failed finding followed to closure."""

    finding_id: str
    notice_id: str | None = None
    project_id: str
    status: RectificationStatus = RectificationStatus.OPEN
    escalation_level: int = 0
    deadline: str | None = None  # local date YYYY-MM-DD
    created_at: str
    updated_at: str
