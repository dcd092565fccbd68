"""Benchmark: a report and a notice with one 20,000-character note without a break point.

Run: python bench/long_note.py   — prints seconds, pages and size; not a test.

Measured 2026-12-06 on the 2-core machine shared with 4 other jobs: before the printed
text was made breakable (reports/printable.py) the report took 53.5 s (26 pages) and the
notice 43.9 s (28 pages); after, 1.5 s (27 pages) and 1.4 s (29 pages).
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pqm_tui.config import Settings
from pqm_tui.model import inspections
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.reports.document_service import DocumentService
from pqm_tui.reports.sample import build_sample
from pqm_tui.services.signoff import sign_off

NOTE = "A" * 20_000
SHANGHAI = ZoneInfo("Asia/Shanghai")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.sqlite3"
        clock = Clock(tz=SHANGHAI, source=lambda: datetime(2026, 11, 23, 10, tzinfo=SHANGHAI))
        settings = Settings(db=path, timezone="Asia/Shanghai")
        db = connect(path)
        sample = build_sample(db, path, clock, settings, items=20, sign=False)
        failed = next(
            f
            for f in db["findings"].rows_where("inspection_id = ?", [sample.inspection_id])
            if f["result"] == "fail"
        )
        db["findings"].update(failed["id"], {"note": NOTE})
        inspector = inspections.get_inspection(db, sample.inspection_id).inspector_ids[0]
        sign_off(  # its inspector signs and prints
            db,
            clock,
            settings,
            sample.inspection_id,
            receiver_name="张伟",
            receiver_role="经理",
            actor=inspector,
        )
        service = DocumentService(db, path, settings, clock, inspector)
        for kind in ("report", "notice"):
            out = Path(folder) / f"{kind}.pdf"
            started = time.perf_counter()
            result = service.issue(kind, sample.inspection_id, out)
            seconds = time.perf_counter() - started
            size = out.stat().st_size // 1024
            print(f"{kind:7} {seconds:5.2f} s  {result.pages:3} pages  {size} KB")


if __name__ == "__main__":
    main()
