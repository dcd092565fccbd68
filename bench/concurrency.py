"""Benchmark: recording findings with 1, 2 and 4 writer processes on one database.

Each writer is a whole process (``connect`` + ``inspections.record_finding``, one
commit per finding, as the walk does) on its own draft; they start together and
write for SECONDS. Prints, per writer count, the median over RUNS of the
commits per second of all writers together and of the p95 latency of one
commit, and the errors (there must be none: every write begins IMMEDIATE and
waits for the lock).

Run: python bench/concurrency.py   — prints figures; not a test.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import machine
from sqlite_utils import Database

from pqm_tui.model import checklists, inspections, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import PQMDatabase, connect
from pqm_tui.model.entities import AreaType, InspectionKind, ProjectKind, Result
from pqm_tui.model.errors import PQMError

WRITERS = (1, 2, 4)
RUNS = 3
SECONDS = 4.0


def prepare(path: Path, drafts: int) -> list[str]:
    """A database with ``drafts`` draft inspections of 10 areas each."""
    db = connect(path)
    clock = Clock()
    version = checklists.install_builtins(db, clock)[0]
    company = organisation.add_company(db, "公司")
    city = organisation.add_city_company(db, company.id, "城市")
    project = organisation.add_project(db, city.id, "项目", ProjectKind.RESIDENTIAL)
    for i in range(10):
        organisation.add_area(db, project.id, f"区域{i}", AreaType("public"), i)
    person = organisation.add_person(db, "王丽华", "品质督导")
    ids = [
        inspections.create_inspection(
            db, clock, project.id, InspectionKind.MONTHLY, version.id, [person.id]
        ).id
        for _ in range(drafts)
    ]
    db.close()
    return ids


def writer(path: Path, inspection_id: str, start: float, seconds: float, mode: str) -> None:
    """One writer process: record findings from ``start`` for ``seconds``; print JSON.

    ``mode`` "deferred" puts back what PQM did before issue 14 (sqlite-utils' plain
    ``BEGIN``), for comparison only.
    """
    if mode == "deferred":
        PQMDatabase.atomic = Database.atomic  # type: ignore[method-assign]
    db = connect(path, actor=f"bench-{os.getpid()}")
    if mode == "deferred":
        db.conn.isolation_level = "DEFERRED"
    clock = Clock()
    inspection = inspections.get_inspection(db, inspection_id)
    items = checklists.load_version(db, inspection.checklist_version_id).items
    areas = [a.id for a in organisation.list_areas(db, inspection.project_id)]
    pairs = [(item.id, area) for area in areas for item in items]
    latencies: list[float] = []
    errors: list[str] = []
    time.sleep(max(0.0, start - time.time()))
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        item_id, area_id = pairs[n % len(pairs)]
        result = Result.PASS if n % 3 else Result.NA
        began = time.perf_counter()
        try:
            inspections.record_finding(db, clock, inspection_id, item_id, area_id, result)
        except (PQMError, OSError) as exc:  # counted, not hidden: the figure must be 0
            errors.append(str(exc))
        latencies.append((time.perf_counter() - began) * 1000)
        n += 1
    print(json.dumps({"latencies": latencies, "errors": errors, "seconds": seconds}))


def run(
    path: Path, drafts: list[str], count: int, mode: str = "immediate"
) -> tuple[float, float, int]:
    """Commits/s of ``count`` writers together, p95 latency (ms) of every attempt, errors."""
    start = time.time() + 2.0  # every process imported and connected before it starts
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--writer",
                str(path),
                draft,
                str(start),
                str(SECONDS),
                mode,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for draft in drafts[:count]
    ]
    results = [json.loads(p.communicate()[0]) for p in procs]
    latencies = [ms for r in results for ms in r["latencies"]]
    errors = sum(len(r["errors"]) for r in results)
    p95 = statistics.quantiles(latencies, n=20)[18]
    return (len(latencies) - errors) / SECONDS, p95, errors


def main() -> None:
    print(machine())
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        path = Path(tmp) / "bench.sqlite3"
        drafts = prepare(path, max(WRITERS))
        print(f"record_finding, one commit each, {SECONDS:.0f} s per run, median of {RUNS} runs")
        for count in WRITERS:
            runs = [run(path, drafts, count) for _ in range(RUNS)]
            rate = statistics.median(r[0] for r in runs)
            p95 = statistics.median(r[1] for r in runs)
            errors = sum(r[2] for r in runs)
            print(
                f"{count} writer process{'es' if count > 1 else '  '}: {rate:6.0f} commits/s,"
                f" p95 {p95:6.2f} ms, errors {errors}"
            )
        print("for comparison, transactions begun DEFERRED (PQM before issue 14), one run:")
        for count in WRITERS[1:]:
            rate, p95, errors = run(path, drafts, count, "deferred")
            print(
                f"{count} writer processes: {rate:6.0f} commits/s, p95 {p95:6.2f} ms,"
                f" errors {errors} (database is locked)"
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--writer"]:
        _, _, db_path, draft, begin, duration, how = sys.argv
        writer(Path(db_path), draft, float(begin), float(duration), how)
    else:
        main()
