"""Benchmark of the failure analysis and the findings export on a large database.

    python bench/analysis.py [--db /tmp/pqm-analysis-bench.sqlite3] [--findings 100000]
                             [--regenerate] [--runs 7]

Generates the database of ``bench/review.py`` (signed inspections of 500 findings each
over 400 days, a tenth failed), then times — median of ``--runs`` — the Pareto of the
whole period by item, section and department, of one project, the repeat offenders,
and once the export of every finding to CSV and to xlsx (with the peak memory).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import machine
from review import generate

from pqm_tui.i18n import Translator
from pqm_tui.model import failure_stats, finding_export
from pqm_tui.model.db import connect
from pqm_tui.model.failure_stats import Grouping, Scope
from pqm_tui.reports.inspection_export import write

TZ = ZoneInfo("Asia/Shanghai")


def _median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/pqm-analysis-bench.sqlite3"))
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(machine())
    if args.regenerate or not args.db.exists():
        generate(args.db, args.findings, args.findings // 10)
    db = connect(args.db)
    today = date.today()
    whole = Scope(today - timedelta(days=420), today, TZ)
    project = next(iter(db.query("SELECT id FROM projects ORDER BY name LIMIT 1")))["id"]
    one = Scope(whole.start, whole.end, TZ, project_id=project)
    total = failure_stats.pareto(db, whole).total
    print(f"{db['findings'].count} findings, {total} failed in the period")
    for grouping in Grouping:
        ms = _median_ms(lambda g=grouping: failure_stats.pareto(db, whole, g), args.runs)
        print(f"pareto by {grouping.value}, whole company: {ms:.0f} ms")
    ms = _median_ms(lambda: failure_stats.pareto(db, one), args.runs)
    print(f"pareto by item, one project: {ms:.0f} ms")
    ms = _median_ms(lambda: failure_stats.repeat_offenders(db, whole), args.runs)
    print(f"repeat offenders, whole company: {ms:.0f} ms")
    tr = Translator("zh")
    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".csv", ".xlsx"):
            started = time.perf_counter()
            count = write(Path(folder) / f"x{suffix}", finding_export.iter_rows(db, whole), tr)
            elapsed = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"export {count} findings to {suffix}: {elapsed:.1f} s (peak RSS {peak:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
