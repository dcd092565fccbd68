"""Checklist files: the defaults, import errors, versions, export round-trip."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from pqm_tui.model import checklists
from pqm_tui.model.checklist_file import (
    ChecklistFileError,
    ChecklistSpec,
    dump_checklist,
    load_checklist_file,
    parse_checklist,
)
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import AreaType
from tests.messages import english, raises_saying


@pytest.mark.parametrize("spec", checklists.builtin_specs(), ids=lambda s: s.name)
def test_default_checklist_totals_100_and_caps_rules(spec: ChecklistSpec) -> None:
    items = [i for s in spec.sections for i in s.items]
    assert spec.total_points == Decimal(100)
    assert all(i.per_occurrence <= i.points for i in items)
    assert len({i.code for i in items}) == len(items)


def test_default_checklists_have_required_content() -> None:
    by_name = {s.name: s for s in checklists.builtin_specs()}
    property_service = by_name["物业服务品质检查表"]
    names = [s.name for s in property_service.sections]
    for section in (
        "客户服务",
        "秩序维护",
        "环境卫生",
        "工程设备",
        "绿化养护",
        "综合管理",
        "员工仪容仪表",
    ):
        assert section in names
    assert sum(len(s.items) for s in property_service.sections) >= 80
    item_types = {i.code: i.area_types for s in property_service.sections for i in s.items}
    assert item_types["GC-07"] == [AreaType.LIFT]  # lift certificates: only in lifts
    assert item_types["HJ-01"] == [AreaType.PUBLIC]  # roads and squares: outdoors
    assert item_types["ZX-11"] == [AreaType.CAR_PARK] and item_types["ZX-06"] == [
        AreaType.FIRE_CONTROL
    ]
    assert item_types["ZX-07"] == []  # fire escapes (red line): the section's areas
    reception = by_name["案场服务接待检查表"]
    assert len(reception.sections) == 12
    standards = " ".join(i.standard for s in reception.sections for i in s.items)
    assert "三声" in standards and "15分钟" in standards
    assert "案场8S管理检查表" in by_name


@pytest.mark.parametrize("spec", checklists.builtin_specs(), ids=lambda s: s.name)
def test_default_checklist_round_trips_through_export_and_import(
    spec: ChecklistSpec, tmp_path: Path, clock: Clock
) -> None:
    db = connect(tmp_path / "rt.sqlite3")
    version, created = checklists.import_spec(db, spec, clock)
    assert created
    stored = checklists.load_version(db, version.id)
    assert [i.area_types for i in stored.items] == [
        i.area_types for s in spec.sections for i in s.items
    ]
    exported = dump_checklist(checklists.version_to_spec(stored))
    again = parse_checklist(exported, "export.yaml")
    assert again == spec
    assert checklists.import_spec(db, again, clock) == (version, False)


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "company.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _valid() -> dict[str, object]:
    return {
        "name": "公司自定义检查表",
        "sections": [
            {
                "code": "A",
                "name": "甲",
                "items": [
                    {"code": "A-01", "standard": "标准一", "points": 60, "per_occurrence": 1}
                ],
            },
            {
                "code": "B",
                "name": "乙",
                "items": [
                    {"code": "B-01", "standard": "标准二", "points": 30, "per_occurrence": 1},
                    {"code": "B-02", "standard": "标准三", "points": 10, "per_occurrence": 2},
                ],
            },
        ],
    }


def test_import_error_names_file_section_item_and_field(tmp_path: Path) -> None:
    data = _valid()
    data["sections"][1]["items"][1]["per_occurrence"] = 20  # type: ignore[index]
    data["sections"][1]["items"][0]["severity"] = "urgent"  # type: ignore[index]
    path = _write(tmp_path, data)
    with pytest.raises(ChecklistFileError) as caught:
        load_checklist_file(path)
    message = english(caught.value)
    assert str(path) in message
    assert "sections[1] (B) / items[0] (B-01) / severity" in message
    assert "sections[1] (B) / items[1] (B-02)" in message and "exceeds" in message


def test_import_refuses_wrong_total_and_duplicate_codes(tmp_path: Path) -> None:
    data = _valid()
    data["sections"][0]["items"][0]["points"] = 50  # type: ignore[index]
    with raises_saying(ChecklistFileError, "total 90"):
        load_checklist_file(_write(tmp_path, data))
    data = _valid()
    data["sections"][1]["items"][1]["code"] = "A-01"  # type: ignore[index]
    with raises_saying(ChecklistFileError, r"items\[1\] \(A-01\).*used twice"):
        load_checklist_file(_write(tmp_path, data))


def test_broken_yaml_reports_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nsections: [\n  - code: A\n", encoding="utf-8")
    with raises_saying(ChecklistFileError, "line"):
        load_checklist_file(path)


def test_edited_checklist_of_same_name_becomes_new_version(tmp_path: Path, clock: Clock) -> None:
    db = connect(tmp_path / "v.sqlite3")
    first, _ = checklists.import_spec(db, load_checklist_file(_write(tmp_path, _valid())), clock)
    data = _valid()
    data["sections"][0]["items"][0]["standard"] = "标准一（修订）"  # type: ignore[index]
    second, created = checklists.import_spec(db, load_checklist_file(_write(tmp_path, data)), clock)
    assert created and (first.version, second.version) == (1, 2)
    assert checklists.load_version(db, first.id).items[0].standard == "标准一"
    assert checklists.load_version(db, second.id).items[0].standard == "标准一（修订）"
