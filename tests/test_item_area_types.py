"""Items narrowing their section's area types (检查项适用区域): file, storage, migration, plan."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from sqlite_utils import Database

from pqm_tui.model import checklists, inspections, organisation
from pqm_tui.model.checklist_file import (
    ChecklistFileError,
    ChecklistSpec,
    dump_checklist,
    parse_checklist,
)
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import Area, AreaType, InspectionKind, ProjectKind, Result
from pqm_tui.model.findings import list_findings
from pqm_tui.model.ids import new_id
from pqm_tui.model.schema import latest_version, migrate, migrations, schema_version
from pqm_tui.services import builtin_checklists
from pqm_tui.services.scoring import score
from pqm_tui.services.walk_plan import build_plan
from tests.messages import english, raises_saying

PROPERTY = "物业服务品质检查表"


def _data() -> dict[str, object]:
    """A small checklist: an engineering section for lifts and car parks, one for all areas."""
    return {
        "name": "电梯与车库检查表",
        "sections": [
            {
                "code": "GC",
                "name": "工程",
                "area_types": ["lift", "car-park"],
                "items": [
                    {
                        "code": "GC-01",
                        "standard": "电梯年检合格证在有效期内",
                        "points": 40,
                        "per_occurrence": 1,
                        "area_types": ["lift"],
                    },
                    {"code": "GC-02", "standard": "照明完好", "points": 30, "per_occurrence": 1},
                ],
            },
            {
                "code": "YR",
                "name": "仪容",
                "items": [
                    {
                        "code": "YR-01",
                        "standard": "岗亭整洁",
                        "points": 30,
                        "per_occurrence": 1,
                        "area_types": ["gate"],
                    }
                ],
            },
        ],
    }


def _spec(data: dict[str, object] | None = None) -> ChecklistSpec:
    return parse_checklist(yaml.safe_dump(data or _data(), allow_unicode=True), "mine.yaml")


def _items(data: dict[str, object], section: int) -> list[dict[str, object]]:
    return data["sections"][section]["items"]  # type: ignore[index, no-any-return]


def test_item_area_types_must_narrow_the_section(tmp_path: Path) -> None:
    data = _data()
    _items(data, 0)[1]["area_types"] = ["car-park", "lobby", "green"]
    with pytest.raises(ChecklistFileError) as caught:
        _spec(data)
    message = english(caught.value)
    assert message.startswith("mine.yaml: sections[0] (GC) / items[1] (GC-02) / area_types: ")
    assert "lobby, green not among the section's area types (lift, car-park)" in message
    assert "car-park," not in message.split("area types (")[0]  # only the ones outside


def test_unknown_item_area_type_is_named() -> None:
    data = _data()
    _items(data, 0)[0]["area_types"] = ["elevator"]
    with raises_saying(
        ChecklistFileError, r"items\[0\] \(GC-01\) / area_types\[0\]: must be one of gate"
    ):
        _spec(data)


def test_section_without_area_types_lets_items_name_any() -> None:
    spec = _spec()
    assert spec.sections[1].items[0].area_types == [AreaType.GATE]
    assert spec.sections[0].items[1].area_types == []


def test_dump_writes_item_area_types_and_leaves_out_empty_ones() -> None:
    text = dump_checklist(_spec())
    data = yaml.safe_load(text)
    assert _items(data, 0)[0]["area_types"] == ["lift"]
    assert "area_types" not in _items(data, 0)[1]  # = the section's: written as before
    assert parse_checklist(text, "again.yaml") == _spec()


def test_item_area_types_round_trip_through_the_database(tmp_path: Path, clock: Clock) -> None:
    db = connect(tmp_path / "rt.sqlite3")
    version, _ = checklists.import_spec(db, _spec(), clock)
    content = checklists.load_version(db, version.id)
    assert [i.area_types for i in content.items] == [[AreaType.LIFT], [], [AreaType.GATE]]
    assert checklists.version_to_spec(content) == _spec()


def _areas(*types: AreaType) -> list[Area]:
    return [
        Area(id=new_id(), project_id="p", name=t.value, area_type=t, position=n)
        for n, t in enumerate(types)
    ]


def test_plan_puts_a_lift_only_item_in_lifts_and_not_in_the_car_park(
    tmp_path: Path, clock: Clock
) -> None:
    db = connect(tmp_path / "plan.sqlite3")
    version, _ = checklists.import_spec(db, _spec(), clock)
    content = checklists.load_version(db, version.id)
    lift, car_park, gate, lobby = _areas(
        AreaType.LIFT, AreaType.CAR_PARK, AreaType.GATE, AreaType.LOBBY
    )
    plan = build_plan(content, [lift, car_park, gate, lobby])
    codes = {a.area_type: [i.code for i in plan.items_by_area[a.id]] for a in plan.areas}
    assert codes == {
        AreaType.LIFT: ["GC-01", "GC-02"],
        AreaType.CAR_PARK: ["GC-02"],
        AreaType.GATE: ["YR-01"],
        AreaType.LOBBY: [],
    }


def test_scoring_ignores_items_whose_areas_the_project_lacks(tmp_path: Path, clock: Clock) -> None:
    db = connect(tmp_path / "score.sqlite3")
    version, _ = checklists.import_spec(db, _spec(), clock)
    content = checklists.load_version(db, version.id)
    company = organisation.add_company(db, "公司")
    city = organisation.add_city_company(db, company.id, "城市")
    project = organisation.add_project(db, city.id, "只有车库", ProjectKind.OFFICE)
    organisation.add_area(db, project.id, "地下车库", AreaType.CAR_PARK, 0)
    organisation.add_area(db, project.id, "大门", AreaType.GATE, 1)
    inspector = organisation.add_person(db, "王丽华", "品质督导")
    inspection = inspections.create_inspection(
        db, clock, project.id, InspectionKind.MONTHLY, version.id, [inspector.id]
    )
    plan = build_plan(content, organisation.list_areas(db, project.id))
    assert {content.items[n].code for n in (1, 2)} == {"GC-02", "YR-01"}
    assert plan.applicable_item_ids == {content.items[1].id, content.items[2].id}
    for area_id, item_id in plan.pairs:
        inspections.record_finding(db, clock, inspection.id, item_id, area_id, Result.PASS)
    findings = list_findings(db, inspection.id)
    card = score(content, findings, plan.applicable_item_ids)
    assert (card.unanswered_items, card.answered_items, card.applicable) == (0, 2, Decimal(60))
    assert score(content, findings).unanswered_items == 1  # without the plan the lift item counts


def _insert_as_before_m007(db: Database, spec: ChecklistSpec, clock: Clock) -> str:
    """Store ``spec`` the way the code before m007 did (items without area_types)."""
    canonical = dump_checklist(spec)
    checklist_id, version_id = new_id(), new_id()
    db.table("checklists").insert(
        {"id": checklist_id, "name": spec.name, "project_kinds": '["residential"]', "builtin": 1}
    )
    db.table("checklist_versions").insert(
        {
            "id": version_id,
            "checklist_id": checklist_id,
            "version": 1,
            "created_at": clock.now_iso(),
            "content_sha256": hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
            "source_yaml": canonical,
        }
    )
    for s_pos, section in enumerate(spec.sections):
        section_id = new_id()
        db.table("sections").insert(
            {
                "id": section_id,
                "version_id": version_id,
                "code": section.code,
                "name": section.name,
                "department": section.department,
                "area_types": json.dumps([a.value for a in section.area_types]),
                "position": s_pos,
            }
        )
        for i_pos, item in enumerate(section.items):
            db.table("items").insert(
                {
                    "id": new_id(),
                    "section_id": section_id,
                    "version_id": version_id,
                    "code": item.code,
                    "standard": item.standard,
                    "points": float(item.points),
                    "per_occurrence": float(item.per_occurrence),
                    "position": i_pos,
                }
            )
    return version_id


def _without_item_area_types(spec: ChecklistSpec) -> ChecklistSpec:
    data = yaml.safe_load(dump_checklist(spec))
    for section in data["sections"]:
        for item in section["items"]:
            item.pop("area_types", None)
    return parse_checklist(yaml.safe_dump(data, allow_unicode=True), "old.yaml")


def test_migration_keeps_old_items_on_their_sections_types(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "m006.sqlite3"
    conn = sqlite3.connect(path)
    conn.create_function("pqm_actor", 0, lambda: "test")
    old = Database(conn)
    migrate(old, stop_before="m007_item_area_types")
    names = [m.name for m in migrations.pending(Database(memory=True))]
    assert schema_version(old) == names.index("m007_item_area_types")
    assert "area_types" not in {c.name for c in old["items"].columns}
    # The builtins as an existing database holds them: the same files, no item area types.
    old_versions = {
        spec.name: _insert_as_before_m007(old, _without_item_area_types(spec), clock)
        for spec in checklists.builtin_specs()
    }
    company = organisation.add_company(old, "旧公司")
    city = organisation.add_city_company(old, company.id, "城市")
    project = organisation.add_project(old, city.id, "旧项目", ProjectKind.RESIDENTIAL)
    organisation.add_area(old, project.id, "电梯", AreaType.LIFT, 0)
    organisation.add_area(old, project.id, "车库", AreaType.CAR_PARK, 1)
    person = organisation.add_person(old, "王丽华", "品质督导")
    inspection = inspections.create_inspection(
        old, clock, project.id, InspectionKind.MONTHLY, old_versions[PROPERTY], [person.id]
    )
    old.close()

    db = connect(path)
    assert schema_version(db) == latest_version()
    areas = organisation.list_areas(db, project.id)
    before = checklists.load_version(db, old_versions[PROPERTY])
    assert all(i.area_types == [] for i in before.items)
    old_plan = build_plan(before, areas)
    lift_codes = [i.code for i in old_plan.items_by_area[areas[0].id]]
    assert "HJ-01" in lift_codes  # inherits the section's types, as before the migration
    assert inspections.get_inspection(db, inspection.id).checklist_version_id == before.version.id

    # Installing the defaults leaves them alone; updating them (``pqm checklist
    # update-builtins``): only the property checklist changed, so only it gets v2.
    checklists.install_builtins(db, clock)
    assert [s.latest_version for s in checklists.list_checklists(db)] == [1, 1, 1]
    updates, kept = builtin_checklists.plan_updates(db)
    assert [u.spec.name for u in updates] == [PROPERTY] and not kept
    installed = {v.checklist_id: v for v in builtin_checklists.apply_updates(db, clock, updates)}
    numbers = {s.checklist.name: s.latest_version for s in checklists.list_checklists(db)}
    assert numbers == {PROPERTY: 2, "案场服务接待检查表": 1, "案场8S管理检查表": 1}
    new = checklists.load_version(db, installed[before.checklist.id].id)
    new_plan = build_plan(new, areas)
    lift, car_park = ([i.code for i in new_plan.items_by_area[a.id]] for a in areas)
    assert "HJ-01" not in lift and "GC-07" in lift and "GC-07" not in car_park
    assert len(new_plan.pairs) < len(old_plan.pairs)
    assert len(build_plan(before, areas).pairs) == len(old_plan.pairs)  # v1 unchanged


def test_items_of_a_version_in_use_cannot_change(tmp_path: Path, clock: Clock) -> None:
    db = connect(tmp_path / "frozen.sqlite3")
    used, _ = checklists.import_spec(db, _spec(), clock)
    data = _data()
    data["name"] = "未使用的检查表"
    unused, _ = checklists.import_spec(db, _spec(data), clock)
    company = organisation.add_company(db, "公司")
    city = organisation.add_city_company(db, company.id, "城市")
    project = organisation.add_project(db, city.id, "项目", ProjectKind.OFFICE)
    person = organisation.add_person(db, "王丽华", "品质督导")
    inspections.create_inspection(
        db, clock, project.id, InspectionKind.MONTHLY, used.id, [person.id]
    )
    for sql in (
        "UPDATE items SET area_types = '[\"car-park\"]' WHERE version_id = ?",
        "DELETE FROM items WHERE version_id = ?",
        "UPDATE sections SET area_types = '[]' WHERE version_id = ?",
    ):
        with pytest.raises(sqlite3.IntegrityError, match=r"PQM-LOCKED.*in use cannot change"):
            db.execute(sql, [used.id])
    assert checklists.load_version(db, used.id).items[0].area_types == [AreaType.LIFT]
    db.execute("UPDATE items SET area_types = '[\"car-park\"]' WHERE version_id = ?", [unused.id])
    assert checklists.load_version(db, unused.id).items[0].area_types == [AreaType.CAR_PARK]


def test_demo_residential_walks_are_shorter_by_item_area_types(demo_db_path: Path) -> None:
    db = connect(demo_db_path)
    version = next(s for s in checklists.list_checklists(db) if s.checklist.name == PROPERTY)
    content = checklists.load_version(db, version.latest_version_id)
    section_of = {s.id: s for s in content.sections}
    residential = [
        p for p in db["projects"].rows_where("kind = ?", [ProjectKind.RESIDENTIAL.value])
    ]
    assert len(residential) == 2
    for project in residential:
        areas = organisation.list_areas(db, project["id"])
        plan = build_plan(content, areas)
        by_section_only = sum(
            1
            for a in areas
            for i in content.items
            if section_of[i.section_id].applies_to(a.area_type)
        )
        print(f"{project['name']}: {by_section_only} pairs by section → {len(plan.pairs)}")
        assert len(plan.pairs) < 0.75 * by_section_only
        for area in areas:
            codes = {i.code for i in plan.items_by_area[area.id]}
            if area.area_type == AreaType.LIFT:
                assert "GC-07" in codes and "HJ-01" not in codes
            if area.area_type == AreaType.CAR_PARK:
                assert "GC-07" not in codes and "HJ-06" in codes
