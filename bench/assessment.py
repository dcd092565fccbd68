"""Benchmark of the monthly assessment (月度考核) of many projects.

    python bench/assessment.py [--db /tmp/pqm-assess-bench.sqlite3] [--projects 500]
                               [--checks 2] [--findings 150] [--regenerate] [--runs 5]

Generates (once) a database: the built-in property checklist, ``--projects`` projects of
six areas, each with ``--checks`` signed monthly checks in November 2026 of ``--findings``
findings (a tenth failed, some red-line). Then times ``compute_month`` for November (all
drafts rewritten: the recomputation a quality department runs), median of ``--runs``;
target ≤ 1 s for 500 projects × 2 checks × 150 findings. And, with the twelve months
up to this one computed, the assessment screen: ``a`` on home → the grid painted
(500 projects × 12 months), median of ``--runs``; target ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import first_paint_ms, machine

from pqm_tui.config import Settings
from pqm_tui.model import checklists, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import AreaType, ProjectKind
from pqm_tui.model.ids import new_id
from pqm_tui.services.assessment import compute_month, recent_months

TZ = ZoneInfo("Asia/Shanghai")
CLOCK = Clock(tz=TZ, source=lambda: datetime(2026, 12, 1, 9, tzinfo=TZ))


def generate(path: Path, projects: int, checks: int, findings: int, seed: int = 7) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    rng = random.Random(seed)
    db = connect(path, actor="bench")
    conn = db.conn
    with db.atomic():
        version = checklists.install_builtins(db, CLOCK)[0]
        items = checklists.load_version(db, version.id).items
        company = organisation.add_company(db, "基准测试物业")
        city = organisation.add_city_company(db, company.id, "基准城市公司")
        inspector = organisation.add_person(db, "基准督导", "品质督导")
        types = list(AreaType)
        for p in range(projects):
            project = organisation.add_project(db, city.id, f"项目{p:03d}", ProjectKind.RESIDENTIAL)
            areas = [
                organisation.add_area(db, project.id, f"区域{a}", types[a % len(types)], a).id
                for a in range(6)
            ]
            pairs = [(a, i) for a in areas for i in items][:findings]
            for c in range(checks):
                stamp = datetime(2026, 11, 5 + 12 * c, 10, tzinfo=TZ).isoformat()
                inspection_id = new_id()
                conn.execute(
                    """INSERT INTO inspections (id, project_id, kind, checklist_version_id,
                       started_at, status) VALUES (?, ?, 'monthly', ?, ?, 'completed')""",
                    [inspection_id, project.id, version.id, stamp],
                )
                conn.execute(
                    "INSERT INTO inspection_inspectors (inspection_id, person_id) VALUES (?, ?)",
                    [inspection_id, inspector.id],
                )
                rows = []
                for area_id, item in pairs:
                    failed = rng.random() < 0.1
                    rows.append(
                        (
                            new_id(),
                            inspection_id,
                            item.id,
                            area_id,
                            "fail" if failed else "pass",
                            1 if failed else 0,
                            float(item.per_occurrence) if failed else 0.0,
                            "red-line" if failed and rng.random() < 0.05 else "normal",
                            stamp,
                            stamp,
                        )
                    )
                conn.executemany(
                    """INSERT INTO findings (id, inspection_id, item_id, area_id, result,
                       occurrences, deduction, severity, created_at, updated_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    rows,
                )
                conn.execute(
                    "UPDATE inspections SET status = 'signed', signed_at = ? WHERE id = ?",
                    [stamp, inspection_id],
                )
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/pqm-assess-bench.sqlite3"))
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--checks", type=int, default=2)
    parser.add_argument("--findings", type=int, default=150)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.regenerate or not args.db.exists():
        started = time.perf_counter()
        generate(args.db, args.projects, args.checks, args.findings)
        print(f"generated {args.db} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    db = connect(args.db, actor="bench")
    settings = Settings(timezone="Asia/Shanghai")
    actor = organisation.find_person(db, "基准督导").id
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        result = compute_month(db, CLOCK, settings, "2026-11", actor=actor)
        times.append(time.perf_counter() - started)
    today = Clock(tz=TZ).today()
    for month in recent_months(today):
        if month != "2026-11":
            compute_month(db, Clock(tz=TZ), settings, month, actor=actor)
    db.close()

    async def press_a(app: object, pilot: object) -> None:
        await pilot.press("a")  # type: ignore[attr-defined]

    paints = [
        asyncio.run(first_paint_ms(args.db, "assess-grid", press_a)) for _ in range(args.runs)
    ]
    print(machine())
    print(
        f"compute_month: {args.projects} projects × {args.checks} checks × {args.findings} "
        f"findings: median {statistics.median(times):.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}; {result.drafts} drafts); target ≤ 1 s"
    )
    print(
        f"assessment screen: a → {args.projects} projects × 12 months painted: median "
        f"{statistics.median(paints):.0f} ms (min {min(paints):.0f}, max {max(paints):.0f}); "
        "target ≤ 300 ms"
    )


if __name__ == "__main__":
    main()
