"""The checklist file format (考核表 YAML): parse, validate and write back.

A checklist file is validated with pydantic; every error names the file, the
path inside it (section / item index and code) and the field, so that a
company editing its own checklist in a text editor can find the mistake.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from pqm_tui.model.entities import AreaType, ProjectKind, Severity
from pqm_tui.model.errors import PQMError

TOTAL_POINTS = Decimal("100")
ITEM_AREA_TYPES_ERROR = "errors.checklist.area_types"  # carries its path inside the section
# pydantic's own error types → (our message id, its placeholder, the pydantic context field)
PYDANTIC_ERRORS = {
    "missing": ("errors.checklist.missing", "", ""),
    "extra_forbidden": ("errors.checklist.unknown_field", "", ""),
    "string_too_short": ("errors.checklist.empty", "", ""),
    "too_short": ("errors.checklist.empty", "", ""),
    "string_too_long": ("errors.checklist.too_long", "limit", "max_length"),
    "greater_than": ("errors.checklist.not_above", "limit", "gt"),
    "enum": ("errors.checklist.not_one_of", "expected", "expected"),
    "decimal_parsing": ("errors.checklist.not_number", "", ""),
    "decimal_type": ("errors.checklist.not_number", "", ""),
    "bool_parsing": ("errors.checklist.not_bool", "", ""),
    "bool_type": ("errors.checklist.not_bool", "", ""),
    "string_type": ("errors.checklist.not_text", "", ""),
    "list_type": ("errors.checklist.not_list", "", ""),
    "dict_type": ("errors.checklist.not_mapping_here", "", ""),
    "model_type": ("errors.checklist.not_mapping_here", "", ""),
}


class ChecklistProblem(PQMError):
    """One problem of a checklist file at ``where`` (empty: the file as a whole)."""

    def __init__(self, where: str, key: str, /, **params: object) -> None:
        super().__init__(key, **params)
        self.where = where


class ChecklistFileError(PQMError):
    """A checklist file is unreadable or invalid; ``problems`` lists each one."""

    def __init__(self, path: str, problems: list[ChecklistProblem]) -> None:
        super().__init__("errors.checklist.file", path=path, count=len(problems))
        self.path = path
        self.problems = problems


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
            raise PydanticCustomError(
                "errors.checklist.per_occurrence",
                "per_occurrence exceeds the item's points",
                {"per": f"{self.per_occurrence}", "points": f"{self.points}"},
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
                    raise PydanticCustomError(
                        "errors.checklist.duplicate_code",
                        "an item code is used twice",
                        {"code": item.code, "loc": (s_index, "items", i_index, "code")},
                    )
                seen.add(item.code)
        return sections

    @model_validator(mode="after")
    def _totals_100(self) -> ChecklistSpec:
        total = self.total_points
        if total != TOTAL_POINTS:
            raise PydanticCustomError(
                "errors.checklist.total", "a checklist must total 100", {"total": f"{total}"}
            )
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
    return " / ".join(parts)


def _error_loc(err: Any) -> tuple[int | str, ...]:
    """An error's location, extended by the path a check of the whole names."""
    return tuple(err["loc"]) + tuple((err.get("ctx") or {}).get("loc", ()))


def _problem(err: Any, data: Any) -> ChecklistProblem:
    """A pydantic error as a problem with a message id of ours."""
    where = _location(_error_loc(err), data)
    kind, ctx = err["type"], dict(err.get("ctx") or {})
    ctx.pop("loc", None)
    if kind.startswith("errors.checklist."):  # raised by our own checks above
        return ChecklistProblem(where, kind, **ctx)
    if kind in PYDANTIC_ERRORS:
        key, placeholder, field = PYDANTIC_ERRORS[kind]
        value = ctx.get(field)
        if kind == "enum":  # "'a', 'b' or 'c'": the values, listed in the user's language
            value = tuple(re.findall(r"'([^']*)'", str(value)))
        return ChecklistProblem(where, key, **({placeholder: value} if field else {}))
    return ChecklistProblem(where, "errors.checklist.wrong_type", detail=err["msg"])


def parse_checklist(text: str, source: str) -> ChecklistSpec:
    """Parse and validate checklist YAML; raise ChecklistFileError naming each problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        detail = str(getattr(exc, "problem", None) or exc)
        problem = (
            ChecklistProblem(
                "",
                "errors.checklist.yaml",
                line=mark.line + 1,
                column=mark.column + 1,
                detail=detail,
            )
            if mark
            else ChecklistProblem("", "errors.checklist.yaml_anywhere", detail=detail)
        )
        raise ChecklistFileError(source, [problem]) from None
    if not isinstance(data, dict):
        raise ChecklistFileError(source, [ChecklistProblem("", "errors.checklist.not_mapping")])
    try:
        return ChecklistSpec.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(err, data) for err in exc.errors()]
        raise ChecklistFileError(source, problems) from None


def load_checklist_file(path: Path) -> ChecklistSpec:
    """Read a checklist YAML file from disk and validate it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = ChecklistProblem("", "errors.checklist.unreadable", detail=str(exc))
        raise ChecklistFileError(str(path), [problem]) from None
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
