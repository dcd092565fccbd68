"""The checklist file format (考核表 YAML): parse, validate and write back.

A checklist file is validated with pydantic; every error names the file, the
path inside it (section / item index and code) and the field, so that a
company editing its own checklist in a text editor can find the mistake.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from pqm_tui.model.entities import AreaType, ProjectKind, Severity

TOTAL_POINTS = Decimal("100")
ITEM_AREA_TYPES_ERROR = "item_area_types"  # error type carrying its path inside the section


class ChecklistFileError(ValueError):
    """A checklist file is unreadable or invalid; ``problems`` lists each one."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


class ItemSpec(BaseModel):
    """One checklist item (检查项) as written in the file.

    ``area_types`` narrows the section's area types for this item (e.g. lift
    certificates only in lifts); empty means the section's.
    """

    model_config = ConfigDict(extra="forbid", defer_build=True)

    code: str = Field(min_length=1, max_length=32)
    standard: str = Field(min_length=1)
    method: str = ""
    points: Decimal = Field(gt=0)
    per_occurrence: Decimal = Field(gt=0)
    severity: Severity = Severity.NORMAL
    photo_required: bool = False
    area_types: list[AreaType] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rule_within_points(self) -> ItemSpec:
        if self.per_occurrence > self.points:
            raise ValueError(
                f"per_occurrence {self.per_occurrence} exceeds the item's points {self.points}"
            )
        return self


class SectionSpec(BaseModel):
    """A section (板块) grouping items; ``area_types`` empty means every area."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1)
    department: str = ""
    area_types: list[AreaType] = Field(default_factory=list)
    items: list[ItemSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _items_narrow_the_section(self) -> SectionSpec:
        """An item's area types must be among its section's (when the section names any)."""
        if not self.area_types:
            return self
        for index, item in enumerate(self.items):
            outside = [a.value for a in item.area_types if a not in self.area_types]
            if outside:
                raise PydanticCustomError(
                    ITEM_AREA_TYPES_ERROR,
                    "{outside} not among the section's area types ({allowed}); "
                    "an item's area types can only narrow its section's",
                    {
                        "loc": ("items", index, "area_types"),
                        "outside": ", ".join(outside),
                        "allowed": ", ".join(a.value for a in self.area_types),
                    },
                )
        return self


class ChecklistSpec(BaseModel):
    """A whole checklist file: name, the project kinds it suits, its sections."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str = Field(min_length=1)
    description: str = ""
    project_kinds: list[ProjectKind] = Field(default_factory=list)
    sections: list[SectionSpec] = Field(min_length=1)

    @field_validator("sections")
    @classmethod
    def _unique_codes(cls, sections: list[SectionSpec]) -> list[SectionSpec]:
        seen: set[str] = set()
        for s_index, section in enumerate(sections):
            for i_index, item in enumerate(section.items):
                if item.code in seen:
                    raise ValueError(
                        f"sections[{s_index}].items[{i_index}] ({item.code}): "
                        f"item code {item.code!r} is used twice"
                    )
                seen.add(item.code)
        return sections

    @model_validator(mode="after")
    def _totals_100(self) -> ChecklistSpec:
        total = self.total_points
        if total != TOTAL_POINTS:
            raise ValueError(f"items total {total} points; a checklist must total 100")
        return self

    @property
    def total_points(self) -> Decimal:
        return sum((i.points for s in self.sections for i in s.items), Decimal(0))


def _location(loc: tuple[int | str, ...], data: Any) -> str:
    """Turn a pydantic error location into 'sections[1] (KF) / items[3] (KF-04) / points'."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int):
            label = f"[{step}]"
            if isinstance(node, list) and step < len(node):
                node = node[step]
                code = node.get("code") if isinstance(node, dict) else None
                if code:
                    label += f" ({code})"
            else:
                node = None
            if parts:
                parts[-1] += label
            else:
                parts.append(label)
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return " / ".join(parts) or "(top level)"


def _error_loc(err: Any) -> tuple[int | str, ...]:
    """An error's location, extended by the path a section's own check names."""
    loc = tuple(err["loc"])
    if err["type"] == ITEM_AREA_TYPES_ERROR:
        loc += tuple(err["ctx"]["loc"])
    return loc


def parse_checklist(text: str, source: str) -> ChecklistSpec:
    """Parse and validate checklist YAML; raise ChecklistFileError naming each problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ChecklistFileError(source, [f"{where}not valid YAML ({exc})"]) from None
    if not isinstance(data, dict):
        raise ChecklistFileError(source, ["the file must be a mapping with name and sections"])
    try:
        return ChecklistSpec.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_location(_error_loc(err), data)}: {err['msg']}" for err in exc.errors()]
        raise ChecklistFileError(source, problems) from None


def load_checklist_file(path: Path) -> ChecklistSpec:
    """Read a checklist YAML file from disk and validate it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ChecklistFileError(str(path), [f"cannot read the file ({exc})"]) from None
    return parse_checklist(text, str(path))


def dump_checklist(spec: ChecklistSpec) -> str:
    """Write a checklist back as YAML in the same format (round-trips through parse).

    An item's empty ``area_types`` (= the section's) is left out, so a checklist
    without item area types keeps the text, and the digest, it always had.
    """
    data = spec.model_dump(mode="json", exclude_defaults=False)
    for section in data["sections"]:
        for item in section["items"]:
            if not item["area_types"]:
                del item["area_types"]
            for key in ("points", "per_occurrence"):
                value = Decimal(item[key])
                item[key] = int(value) if value == value.to_integral() else float(value)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
