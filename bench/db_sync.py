"""Benchmark: one committed finding with synchronous=FULL vs NORMAL (WAL both), interleaved.

Run: python bench/db_sync.py   — prints medians and the ratio; not a test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _common import Figures, machine

from pqm_tui.config import Settings
from pqm_tui.model import checklists, inspections, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import InspectionKind, ProjectKind, Result

N = 500


def prepare(sync: str, folder: Path) -> Callable[[int], float]:
    """A database at ``synchronous=sync`` with a draft inspection; returns a function that
    records the n-th finding and gives its milliseconds."""
    db = connect(folder / f"{sync}.sqlite3")
    db.execute(f"PRAGMA synchronous = {sync}")
    clock = Clock()
    version = checklists.install_builtins(db, clock)[0]
    company = organisation.add_company(db, "公司")
    city = organisation.add_city_company(db, company.id, "城市")
    project = organisation.add_project(db, city.id, "项目", ProjectKind.RESIDENTIAL)
    areas = [organisation.add_area(db, project.id, f"区域{i}", "public", i) for i in range(10)]
    person = organisation.add_person(db, "王丽华", "品质督导")
    inspection = inspections.create_inspection(
        db, clock, project.id, InspectionKind.MONTHLY, version.id, [person.id]
    )
    items = checklists.load_version(db, version.id).items

    def record(n: int) -> float:
        item, area = items[n % len(items)], areas[n // len(items)]
        start = time.perf_counter()
        inspections.record_finding(db, clock, inspection.id, item.id, area.id, Result.PASS)
        return (time.perf_counter() - start) * 1000

    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    figures = Figures("db_sync")
    print(machine())
    Settings()
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        recorders = {sync: prepare(sync, Path(tmp)) for sync in ("FULL", "NORMAL")}
        results: dict[str, list[float]] = {sync: [] for sync in recorders}
        for n in range(N):  # interleaved: machine noise hits both alike
            for sync, record in recorders.items():
                results[sync].append(record(n))
    medians = {sync: statistics.median(times) for sync, times in results.items()}
    for sync, times in results.items():
        q = statistics.quantiles(times, n=20)
        print(
            f"synchronous={sync:6s} record_finding: median {medians[sync]:.2f} ms,"
            f" p95 {q[18]:.2f} ms over {N} commits"
        )
        baseline = medians["NORMAL"] if sync == "FULL" else None
        name = f"one committed finding, synchronous={sync}"
        figures.add(sync, name, medians[sync], p95=q[18], baseline=baseline, runs=N)
    ratio = medians["FULL"] / medians["NORMAL"]
    print(f"FULL / NORMAL median ratio: {ratio:.2f}")
    figures.write(args.json)


if __name__ == "__main__":
    main()
