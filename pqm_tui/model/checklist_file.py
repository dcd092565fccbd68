"""The checklist file format (考核表 YAML): parse, validate and write back.

A checklist file is validated with pydantic; every error names the file, the
path inside it (section / item index and code) and the field, so that a
company editing its own checklist in a text editor can find the mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from pqm_tui.model.entities import AreaType, ProjectKind, Severity
from pqm_tui.model.errors import PQMError
from pqm_tui.model.file_limits import FileLimitError, Limits, decode_text, load_yaml, read_bytes
from pqm_tui.model.value_errors import value_error
from pqm_tui.model.workbook import Place

TOTAL_POINTS = Decimal("100")
ITEM_AREA_TYPES_ERROR = "errors.checklist.area_types"  # carries its path inside the section
# Points are at most the checklist's 100, to the hundredth (0.5, 1.25), and finite.
Points = Annotated[Decimal, Field(gt=0, le=100, decimal_places=2, allow_inf_nan=False)]
TEXT_LIMIT = 2000  # characters of a standard, a method or a description


class ChecklistProblem(PQMError):
    """One problem of a checklist file at ``where`` (empty: the file as a whole).

    ``where`` is a path inside a YAML file (``sections[1] (B) / items[3] / points``);
    a spreadsheet's problem has its ``place`` (sheet, row, column) instead.
    """

    def __init__(self, where: str, key: str, /, **params: object) -> None:
        super().__init__(key, **params)
        self.where = where
        self.place: Place | None = None

    def at(self, place: Place | None) -> ChecklistProblem:
        """This problem, placed in a spreadsheet."""
        self.place = place
        return self


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
    standard: str = Field(min_length=1, max_length=TEXT_LIMIT)
    method: str = Field(default="", max_length=TEXT_LIMIT)
    points: Points
    per_occurrence: Points
    severity: Severity = Severity.NORMAL
    photo_required: bool = False
    area_types: list[AreaType] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rule_within_points(self) -> ItemSpec:
        if self.per_occurrence > self.points:
            raise PydanticCustomError(
                "errors.checklist.per_occurrence",
                "per_occurrence exceeds the item's points",
                {
                    "per": f"{self.per_occurrence}",
                    "points": f"{self.points}",
                    "loc": ("per_occurrence",),
                },
            )
        return self


class SectionSpec(BaseModel):
    """A section (板块) grouping items; ``area_types`` empty means every area."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    department: str = Field(default="", max_length=200)
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

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=TEXT_LIMIT)
    project_kinds: list[ProjectKind] = Field(default_factory=list)
    sections: list[SectionSpec] = Field(min_length=1)

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
        """The sum of the items' points (a file must give 100). Item codes are unique
        too: ``validate_checklist`` says a code used twice with every other problem."""
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


def _problem(
    err: Any, data: Any, places: Mapping[tuple[int | str, ...], Place]
) -> ChecklistProblem:
    """A pydantic error as a problem with a message id of ours, at its place."""
    loc = _error_loc(err)
    place = next((places[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in places), None)
    where = "" if places else _location(loc, data)
    kind, ctx = err["type"], dict(err.get("ctx") or {})
    ctx.pop("loc", None)
    if kind.startswith("errors.checklist."):  # raised by our own checks above
        return ChecklistProblem(where, kind, **ctx).at(place)
    key, params = value_error(err)
    return ChecklistProblem(where, key, **params).at(place)


def validate_checklist(
    data: object, source: str, places: Mapping[tuple[int | str, ...], Place] | None = None
) -> ChecklistSpec:
    """Validate checklist data (read from YAML, or from a spreadsheet's rows with the
    ``places`` its values came from); raise ChecklistFileError naming each problem."""
    if not isinstance(data, dict):
        raise ChecklistFileError(source, [ChecklistProblem("", "errors.checklist.not_mapping")])
    problems = [_place(p, data, places or {}) for p in _duplicate_codes(data)]
    try:
        spec = ChecklistSpec.model_validate(data)
    except ValidationError as exc:
        problems += [_problem(err, data, places or {}) for err in exc.errors()]
    if problems:
        raise ChecklistFileError(source, problems)
    return spec


def _duplicate_codes(data: dict[str, Any]) -> list[tuple[tuple[int | str, ...], str]]:
    """Item codes used twice, from the data as read: said with every other problem (the
    items need not be valid otherwise). Each is its second use's location and the code."""
    seen: set[str] = set()
    found: list[tuple[tuple[int | str, ...], str]] = []
    sections = data.get("sections")
    for s_index, section in enumerate(sections if isinstance(sections, list) else []):
        items = section.get("items") if isinstance(section, dict) else None
        for i_index, item in enumerate(items if isinstance(items, list) else []):
            code = item.get("code") if isinstance(item, dict) else None
            if not isinstance(code, str | int) or isinstance(code, bool):
                continue
            if str(code) in seen:
                found.append((("sections", s_index, "items", i_index, "code"), str(code)))
            seen.add(str(code))
    return found


def _place(
    duplicate: tuple[tuple[int | str, ...], str],
    data: Any,
    places: Mapping[tuple[int | str, ...], Place],
) -> ChecklistProblem:
    loc, code = duplicate
    err = {"type": "errors.checklist.duplicate_code", "loc": loc, "ctx": {"code": code}}
    return _problem(err, data, places)


def parse_checklist(text: str, source: str, limits: Limits | None = None) -> ChecklistSpec:
    """Parse and validate checklist YAML; raise ChecklistFileError naming each problem."""
    try:
        data = load_yaml(text, limits or Limits())
    except FileLimitError as exc:
        raise ChecklistFileError(source, [ChecklistProblem("", exc.key, **exc.params)]) from None
    return validate_checklist(data, source)


def load_checklist_file(path: Path, limits: Limits | None = None) -> ChecklistSpec:
    """Read a checklist YAML file from disk and validate it."""
    limits = limits or Limits()
    try:
        text = decode_text(read_bytes(path, limits), legacy=False)
    except FileLimitError as exc:
        raise ChecklistFileError(str(path), [ChecklistProblem("", exc.key, **exc.params)]) from None
    return parse_checklist(text, str(path), limits)


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
