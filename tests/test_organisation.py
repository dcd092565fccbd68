"""The organisation in the model: add, edit, archive; names unique within their parent; m008."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from pqm_tui.model import checklists, inspections, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import AreaType, InspectionKind, ProjectKind, Role
from pqm_tui.model.errors import NotFoundError, PQMError, RuleError
from pqm_tui.model.schema import latest_version, migrate, schema_version


def _company(db: Database) -> tuple[str, str]:
    company = organisation.add_company(db, "锦程物业")
    city = organisation.add_city_company(db, company.id, "成都城市公司")
    return company.id, city.id


def test_names_are_unique_within_their_parent(tmp_path: Path) -> None:
    db = connect(tmp_path / "o.sqlite3")
    company_id, city_id = _company(db)
    with pytest.raises(RuleError) as taken:
        organisation.add_city_company(db, company_id, " 成都城市公司 ")
    assert taken.value.key == "errors.org.city_taken"
    garden = organisation.add_project(db, city_id, "天府花园", ProjectKind.RESIDENTIAL)
    other = organisation.add_project(db, city_id, "国际中心", ProjectKind.OFFICE)
    with pytest.raises(RuleError, match="project_taken"):
        organisation.add_project(db, city_id, "天府花园", ProjectKind.OFFICE)
    organisation.add_area(db, garden.id, "大堂", AreaType.LOBBY, 0)
    organisation.add_area(db, other.id, "大堂", AreaType.LOBBY, 0)  # another project: fine
    with pytest.raises(RuleError, match="area_taken"):
        organisation.add_area(db, garden.id, "大堂", AreaType.LIFT, 1)
    organisation.add_department(db, "客服部", garden.id)
    organisation.add_department(db, "客服部", other.id)
    with pytest.raises(RuleError, match="department_taken"):
        organisation.add_department(db, "客服部", garden.id)
    organisation.add_person(db, "张伟", "项目经理", project_id=garden.id)
    organisation.add_person(db, "张伟", "项目经理", project_id=other.id)
    with pytest.raises(RuleError, match="person_taken"):
        organisation.add_person(db, "张伟", "客服主管", project_id=garden.id)
    li = organisation.add_person(db, "李娜", "客服主管", project_id=garden.id)
    with pytest.raises(RuleError, match="person_taken"):  # moving into a project with a 张伟
        organisation.edit_person(db, li.id, name="张伟")
    with pytest.raises(RuleError, match="name_empty"):
        organisation.add_area(db, garden.id, "  ", AreaType.LOBBY, 2)


def test_people_hold_several_roles_and_a_title(tmp_path: Path) -> None:
    db = connect(tmp_path / "o.sqlite3")
    _, city_id = _company(db)
    garden = organisation.add_project(db, city_id, "天府花园", ProjectKind.RESIDENTIAL)
    lead = organisation.add_person(
        db,
        "王丽华",
        "品管组长",
        roles=[Role.INSPECTOR, Role.QUALITY_GROUP_LEADER],
        phone="13800000000",
    )
    assert organisation.get_person(db, lead.id).roles == [
        Role.INSPECTOR,
        Role.QUALITY_GROUP_LEADER,
    ]
    head = organisation.add_person(db, "李娜", "环境主管", project_id=garden.id)
    assert head.roles == [Role.DEPARTMENT_HEAD]  # what the title stands for
    assert head.city_company_id == city_id  # the project's
    edited = organisation.edit_person(db, head.id, roles=[Role.PROJECT_MANAGER], phone="139")
    assert edited.roles == [Role.PROJECT_MANAGER] and edited.phone == "139"


def test_edit_and_reorder_areas(tmp_path: Path) -> None:
    db = connect(tmp_path / "o.sqlite3")
    _, city_id = _company(db)
    garden = organisation.add_project(db, city_id, "天府花园", ProjectKind.RESIDENTIAL)
    gate, lobby, lift = (
        organisation.add_area(db, garden.id, name, kind, i)
        for i, (name, kind) in enumerate(
            [("大门", AreaType.GATE), ("大堂", AreaType.LOBBY), ("电梯", AreaType.LIFT)]
        )
    )
    order = organisation.move_area(db, lift.id, -2)
    assert [a.name for a in order] == ["电梯", "大门", "大堂"]
    assert [a.position for a in order] == [0, 1, 2]
    organisation.edit_area(db, gate.id, name="主入口", area_type=AreaType.PERIMETER)
    assert organisation.get_area(db, gate.id).area_type == AreaType.PERIMETER
    with pytest.raises(RuleError, match="area_taken"):
        organisation.edit_area(db, gate.id, name="大堂")
    edited = organisation.edit_project(db, garden.id, address="天府大道 1 号", kind="office")
    assert edited.kind == ProjectKind.OFFICE and edited.address == "天府大道 1 号"
    assert lobby.id in {a.id for a in order}


def test_archived_rows_stay_readable_and_are_never_deleted(tmp_path: Path, clock: Clock) -> None:
    db = connect(tmp_path / "o.sqlite3")
    version = checklists.install_builtins(db, clock)[0]
    _, city_id = _company(db)
    garden = organisation.add_project(db, city_id, "天府花园", ProjectKind.RESIDENTIAL)
    inspector = organisation.add_person(db, "王丽华", "品质督导")
    inspection = inspections.create_inspection(
        db, clock, garden.id, InspectionKind.MONTHLY, version.id, [inspector.id]
    )
    assert organisation.is_referenced(db, "projects", garden.id)
    assert organisation.is_referenced(db, "people", inspector.id)
    organisation.archive(db, clock, "projects", garden.id)
    organisation.archive(db, clock, "people", inspector.id)
    assert organisation.get_project(db, garden.id).archived_at == clock.now_iso()
    assert inspections.get_inspection(db, inspection.id).project_id == garden.id
    assert organisation.list_city_companies(db, active_only=True)[0].id == city_id
    organisation.restore(db, "projects", garden.id)
    assert organisation.get_project(db, garden.id).archived_at is None
    with pytest.raises(NotFoundError):
        organisation.archive(db, clock, "areas", "no-such-id")


def test_default_checklist_per_inspection_kind(tmp_path: Path, clock: Clock) -> None:
    db = connect(tmp_path / "o.sqlite3")
    versions = checklists.install_builtins(db, clock)
    _, city_id = _company(db)
    site = organisation.add_project(db, city_id, "营销中心", ProjectKind.SALES_SITE)
    organisation.set_default_checklist(
        db, site.id, InspectionKind.MONTHLY, versions[1].checklist_id
    )
    organisation.set_default_checklist(
        db, site.id, InspectionKind.MONTHLY, versions[2].checklist_id
    )
    assert organisation.default_checklists(db, site.id) == {
        InspectionKind.MONTHLY: versions[2].checklist_id
    }
    organisation.set_default_checklist(db, site.id, InspectionKind.MONTHLY, None)
    assert organisation.default_checklists(db, site.id) == {}


def test_errors_are_pqm_errors_with_catalog_keys(tmp_path: Path) -> None:
    from pqm_tui.i18n import Translator

    db = connect(tmp_path / "o.sqlite3")
    company_id, _ = _company(db)
    with pytest.raises(PQMError) as error:
        organisation.add_city_company(db, company_id, "成都城市公司")
    assert Translator("zh").error(error.value) == "城市公司“成都城市公司”已存在"
    assert Translator("en").error(error.value) == "City company “成都城市公司” already exists"


def _roles(audit_row: str) -> object:
    roles = json.loads(audit_row)["roles"]
    return json.loads(roles) if isinstance(roles, str) else roles


def test_m008_maps_old_titles_to_roles_and_keeps_them(tmp_path: Path) -> None:
    path = tmp_path / "m007.sqlite3"
    conn = sqlite3.connect(path)
    conn.create_function("pqm_actor", 0, lambda: "test")
    old = Database(conn)
    migrate(old, stop_before="m008_organisation")
    for index, title in enumerate(["项目经理", "品质督导", "客服主管", "品管小组组长", "保安"]):
        old["people"].insert({"id": f"p{index}", "name": f"人{index}", "role": title})
    old.close()

    db = connect(path)
    assert schema_version(db) == latest_version()
    people = {p.role: p.roles for p in organisation.list_people(db)}
    assert people == {
        "项目经理": [Role.PROJECT_MANAGER],
        "品质督导": [Role.INSPECTOR],
        "客服主管": [Role.DEPARTMENT_HEAD],
        "品管小组组长": [Role.QUALITY_GROUP_LEADER],
        "保安": [],
    }
    audit = db.execute(
        "SELECT new FROM audit_log WHERE table_name = 'people' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert _roles(audit[0]) == ["department-head"]  # p2, set by m008
    organisation.edit_person(db, "p4", roles=[Role.ADMINISTRATOR])
    last = db.execute(
        "SELECT new FROM audit_log WHERE table_name = 'people' ORDER BY seq DESC LIMIT 1"
    ).fetchone()[0]
    assert _roles(last) == ["administrator"]  # audited with the new columns


def test_phones_people_have_and_names_that_read_as_one() -> None:
    from pqm_tui.model.names import is_phone, name_key

    good = ("13800138000", "138 0013 8000", "+86 138-0013-8000", "028-8555 1234", "(010) 6234 5678")
    good += ("0086 138 0013 8000", "400-820-8820", "800 820 8820", "86-028-8555 1234")
    bad = ("12345", "139", "call me", "12800138000", "85551234", "1380013800")
    assert [p for p in good if not is_phone(p)] == []
    assert [p for p in bad if is_phone(p)] == []
    same = ("锦程·天府花园", "锦程・天府花园", "锦程 ‧ 天府花园", "锦程天府花园", "锦程•天府花园")
    assert len({name_key(n) for n in same}) == 1
    assert name_key("Ａ栋 大堂") == name_key("a栋大堂") != name_key("B栋大堂")


def test_a_look_alike_from_before_the_rule_stays_editable(tmp_path: Path) -> None:
    """Two spellings entered before look-alikes were refused: each can still be edited
    under its own name; renaming one to a third look-alike is refused."""
    db = connect(tmp_path / "o.sqlite3")
    _company_id, city_id = _company(db)
    garden = organisation.add_project(db, city_id, "锦程·天府花园", ProjectKind.RESIDENTIAL)
    twin = organisation.add_project(db, city_id, "锦程二期", ProjectKind.RESIDENTIAL)
    with db.atomic():  # as an older PQM let it be written
        db.execute("UPDATE projects SET name = '锦程・天府花园' WHERE id = ?", [twin.id])
    edited = organisation.edit_project(db, twin.id, name="锦程・天府花园", address="二期")
    assert edited.address == "二期"
    with pytest.raises(RuleError, match="lookalike"):
        organisation.edit_project(db, twin.id, name="锦程 天府花园")
    organisation.edit_project(db, garden.id, name="锦程·天府花园", address="一期")
