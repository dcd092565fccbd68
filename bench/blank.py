"""Benchmark: the blank checklist on paper (空白检查表), as ``pqm report blank`` makes it.

Seeds the demo company in a temporary folder, then times (median of N runs) the
property checklist for the demo's largest walk (锦程·天府花园: 12 areas) and section by
section, and for the worst case of the whole 90-item checklist asked in each of the
10 areas of 锦程·滨江壹号 (every item's area types removed).

Run: ``python bench/blank.py [--runs 3]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pqm_tui.config import Settings
from pqm_tui.model import checklists
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.reports.document_service import DocumentService
from pqm_tui.services.demo import seed_demo

PROPERTY = "物业服务品质检查表"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tz = ZoneInfo("Asia/Shanghai")
    clock = Clock(tz=tz, source=lambda: datetime(2026, 11, 23, 10, 0, tzinfo=tz))
    settings = Settings(timezone="Asia/Shanghai")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db_path = folder / "bench.sqlite3"
        db = connect(db_path)
        seed_demo(db, clock, settings)
        spec = checklists.version_to_spec(
            checklists.load_version(
                db, checklists.get_latest_version(db, checklists.find_checklist(db, PROPERTY).id).id
            )
        )
        everywhere = spec.model_copy(update={"name": "全区域检查表"})
        for section in everywhere.sections:
            section.area_types = []
            for item in section.items:
                item.area_types = []
        checklists.import_spec(db, everywhere, clock)
        service = DocumentService(db, db_path, settings, clock, "bench")
        cases = [
            ("12 areas (锦程·天府花园)", PROPERTY, "锦程·天府花园"),
            ("section by section", PROPERTY, None),
            ("90 items × 10 areas (worst case)", "全区域检查表", "锦程·滨江壹号"),
        ]
        service.blank(PROPERTY, folder / "warm.pdf")  # imports, fonts
        for label, checklist, project in cases:
            times, pages = [], 0
            for _ in range(args.runs):
                start = time.perf_counter()
                pages = service.blank(checklist, folder / "blank.pdf", project).pages
                times.append(time.perf_counter() - start)
            print(f"{label}: {pages} pages, {statistics.median(times):.2f} s")


if __name__ == "__main__":
    main()
