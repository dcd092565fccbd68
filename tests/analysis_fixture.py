"""A small company with signed inspections whose failures are known (分析测试数据).

Two projects of one city, one property-service checklist. Project 甲 is inspected on
2026-11-03, 11-10 and 11-20, project 乙 on 11-12 (times in Asia/Shanghai). Failures:

| inspection | KF-01 | KF-02 | HJ-01 |
|---|---|---|---|
| 甲 11-03 | fail (客服部) | fail | pass |
| 甲 11-10 | fail, 2 areas | pass | fail (环境部) |
| 甲 11-20 | fail | — | fail |
| 乙 11-12 | fail | fail | — |

So by item: KF-01 5, HJ-01 2, KF-02 2 (9 failed 处); repeats in 甲: KF-01 three in a row
(ongoing), HJ-01 two in a row (ongoing); KF-02 failed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from pqm_tui.model import checklists, inspections, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import AreaType, InspectionKind, ProjectKind, Result

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Fixture:
    city_id: str
    first_id: str  # 甲
    second_id: str  # 乙
    inspection_ids: list[str]
    inspector_id: str


def _at(day: int, hour: int = 10) -> Clock:
    moment = datetime(2026, 11, day, hour, 0, tzinfo=SHANGHAI)
    return Clock(tz=SHANGHAI, source=lambda: moment)


def build(db: Database) -> Fixture:
    clock = _at(1)
    checklists.install_builtins(db, clock)
    version_id = next(
        db.query(
            """SELECT v.id FROM checklist_versions v JOIN checklists c ON c.id = v.checklist_id
               WHERE c.name = '物业服务品质检查表'"""
        )
    )["id"]
    content = checklists.load_version(db, version_id)
    items = {i.code: i for i in content.items}
    company = organisation.add_company(db, "锦程物业")
    city = organisation.add_city_company(db, company.id, "成都公司")
    quality = organisation.add_department(db, "品质管理部")
    inspector = organisation.add_person(db, "王丽华", "品质督导", quality.id)
    first = organisation.add_project(db, city.id, "甲项目", ProjectKind.RESIDENTIAL)
    second = organisation.add_project(db, city.id, "乙项目", ProjectKind.RESIDENTIAL)
    areas = {
        p.id: [
            organisation.add_area(db, p.id, "客服中心", AreaType.SERVICE_CENTER, 0),
            organisation.add_area(db, p.id, "中心广场", AreaType.PUBLIC, 1),
        ]
        for p in (first, second)
    }
    plan: list[tuple[str, int, list[tuple[str, int, Result, str]]]] = [
        (first.id, 3, [("KF-01", 0, Result.FAIL, "客服部"), ("KF-02", 0, Result.FAIL, ""),
                       ("HJ-01", 1, Result.PASS, "")]),
        (first.id, 10, [("KF-01", 0, Result.FAIL, ""), ("KF-01", 1, Result.FAIL, ""),
                        ("KF-02", 0, Result.PASS, ""), ("HJ-01", 1, Result.FAIL, "环境部")]),
        (first.id, 20, [("KF-01", 0, Result.FAIL, ""), ("HJ-01", 1, Result.FAIL, "")]),
        (second.id, 12, [("KF-01", 0, Result.FAIL, ""), ("KF-02", 0, Result.FAIL, "")]),
    ]  # fmt: skip
    ids = []
    for project_id, day, answers in plan:
        at = _at(day)
        inspection = inspections.create_inspection(
            db, at, project_id, InspectionKind.MONTHLY, version_id, [inspector.id]
        )
        for code, area, result, department in answers:
            failed = result == Result.FAIL
            inspections.record_finding(
                db, at, inspection.id, items[code].id, areas[project_id][area].id, result,
                occurrences=1 if failed else 0,
                deduction=items[code].per_occurrence if failed else Decimal(0),
                department=department, note="地面有纸屑" if failed else "",
            )  # fmt: skip
        inspections.sign_inspection(
            db, at, inspection.id, receiver_name="张经理", receiver_role="项目经理",
            issuing_department="品质管理部", deadline=at.today(),
        )  # fmt: skip
        ids.append(inspection.id)
    return Fixture(city.id, first.id, second.id, ids, inspector.id)
