"""Benchmark of the organisation screen (组织架构) with 500 projects.

    python bench/org_screen.py [--db /tmp/pqm-org-screen-bench.sqlite3] [--projects 500]
                               [--regenerate] [--runs 7]

Generates (once, a few seconds) a company of 10 city companies, ``--projects``
projects of 12 areas each, 5 departments and 6 people per project and 30 people of
the quality department, with a monthly default checklist for every project. Then
measures, headless at 160x45 with Textual's Pilot, the time from pressing ``g`` on
the home screen to the first paint of the projects table holding its rows (as
bench/review.py does for the review screen); median of ``--runs``. Target ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import first_paint_ms, machine
from textual.pilot import Pilot

from pqm_tui.model import checklists, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import AreaType, InspectionKind, ProjectKind, Role

TZ = ZoneInfo("Asia/Shanghai")
AREAS = ("南门岗亭", "北门岗亭", "一号楼大堂", "二号楼大堂", "电梯", "地下车库", "水泵房", "配电房")
AREAS += ("消防监控中心", "中心花园", "客服中心", "周界")
TYPES = (AreaType.GATE, AreaType.GATE, AreaType.LOBBY, AreaType.LOBBY, AreaType.LIFT)
TYPES += (AreaType.CAR_PARK, AreaType.PLANT_ROOM, AreaType.PLANT_ROOM, AreaType.FIRE_CONTROL)
TYPES += (AreaType.GREEN, AreaType.SERVICE_CENTER, AreaType.PERIMETER)
DEPARTMENTS = ("客服部", "秩序部", "环境部", "工程部", "绿化部")


def _clock() -> Clock:
    return Clock(tz=TZ, source=lambda: datetime.now(TZ))


def generate(path: Path, n_projects: int) -> None:
    started = time.perf_counter()
    path.unlink(missing_ok=True)
    db = connect(path, actor="bench")
    clock = _clock()
    with db.atomic():
        versions = checklists.install_builtins(db, clock)
        checklist_id = versions[0].checklist_id
        company = organisation.add_company(db, "锦程物业服务有限公司")
        cities = [
            organisation.add_city_company(db, company.id, f"城市公司{n:02d}") for n in range(10)
        ]
        quality = organisation.add_department(db, "品质管理部")
        for n in range(30):
            organisation.add_person(db, f"督导{n:03d}", "品质督导", quality.id)
        for p in range(n_projects):
            city = cities[p % len(cities)]
            kind = (ProjectKind.RESIDENTIAL, ProjectKind.OFFICE, ProjectKind.SALES_SITE)[p % 3]
            project = organisation.add_project(
                db, city.id, f"项目{p:04d}", kind, address=f"某某路{p}号"
            )
            for position, (name, area_type) in enumerate(zip(AREAS, TYPES, strict=True)):
                organisation.add_area(db, project.id, name, area_type, position)
            departments = [
                organisation.add_department(db, d, project.id, city.id) for d in DEPARTMENTS
            ]
            manager = organisation.add_person(
                db, f"经理{p:04d}", "项目经理", None, project.id, roles=[Role.PROJECT_MANAGER]
            )
            for n, department in enumerate(departments):
                organisation.add_person(
                    db, f"主管{p:04d}-{n}", "部门主管", department.id, project.id
                )
            organisation.edit_project(db, project.id, receiver_id=manager.id)
            organisation.set_default_checklist(db, project.id, InspectionKind.MONTHLY, checklist_id)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(f"generated {path} in {time.perf_counter() - started:.1f} s")


async def _press_g(app: object, pilot: Pilot[None]) -> None:
    await pilot.press("g")  # home → organisation


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/pqm-org-screen-bench.sqlite3"))
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(machine())
    if args.regenerate or not args.db.exists():
        generate(args.db, args.projects)
    db = connect(args.db, actor="bench")
    n_projects = len(organisation.list_projects(db))
    n_people = len(organisation.list_people(db))
    db.close()
    print(f"database {args.db}: {n_projects} projects, {n_people} people")
    times = [
        asyncio.run(first_paint_ms(args.db, "table-projects", _press_g)) for _ in range(args.runs)
    ]
    print(
        f"  {'organisation screen: g -> projects painted':45s} {statistics.median(times):8.1f} ms"
        f"  (min {min(times):.1f}, max {max(times):.1f}; target 300)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
