"""Benchmark: PDF rendering of a ~30-page inspection report and of a notice.

Measures (median of N runs):
- full: ``DocumentService.report`` (context from the DB, hash + code, Jinja,
  WeasyPrint, atomic write);
- direct: WeasyPrint rendering our already-built HTML with the same CSS;
- ratio full / direct (target ≤ 1.2) and full seconds (target ≤ 3 s);
- the notice alone.

Run: ``python bench/pdf.py [--runs 3] [--items 500]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import machine

from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.reports.document_service import DocumentService
from pqm_tui.reports.sample import build_sample


def median_time(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--fail-every", type=int, default=5)
    args = parser.parse_args()
    import weasyprint

    print(machine(f"WeasyPrint {weasyprint.__version__}"))
    tz = ZoneInfo("Asia/Shanghai")
    clock = Clock(tz=tz, source=lambda: datetime(2026, 11, 23, 10, 0, tzinfo=tz))
    settings = Settings(timezone="Asia/Shanghai")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db_path = folder / "bench.sqlite3"
        db = connect(db_path)
        sample = build_sample(
            db,
            db_path,
            clock,
            settings,
            items=args.items,
            fail_every=args.fail_every,
            note_chars=120,
            photos=10,
        )
        service = DocumentService(db, db_path, settings, clock, "bench")
        out = folder / "report.pdf"
        result = service.report(sample.inspection_id, out)  # warm-up (imports, photo cache)
        draft = service.build("report", sample.inspection_id)
        html = service.renderer.html(draft.template, draft.context)

        def direct() -> None:
            import weasyprint

            weasyprint.HTML(
                string=html,
                base_url=service.renderer.base_url,
                url_fetcher=service.renderer.fetcher,
            ).write_pdf(folder / "direct.pdf", stylesheets=service.renderer.stylesheets())

        # Interleave the two so machine noise hits both alike.
        fulls, raws = [], []
        for _ in range(args.runs):
            fulls.append(median_time(lambda: service.report(sample.inspection_id, out), 1))
            raws.append(median_time(direct, 1))
        full, raw = statistics.median(fulls), statistics.median(raws)

        def our_html() -> str:
            draft = service.build("report", sample.inspection_id)
            return service.renderer.html(draft.template, draft.context)

        ours = median_time(our_html, args.runs)
        notice = median_time(
            lambda: service.notice(sample.inspection_id, folder / "notice.pdf"), args.runs
        )
        notice_pages = service.notice(sample.inspection_id, folder / "notice.pdf").pages
        print(f"report: {result.pages} pages, {sample.failed} failed items, {sample.photos} photos")
        print(
            f"  full render (DB → context → Jinja → PDF): {full:.2f} s "
            f"({full / result.pages * 1000:.0f} ms/page)  target ≤ 3 s"
        )
        print(f"  WeasyPrint on the built HTML:            {raw:.2f} s")
        print(f"  ratio full / direct:                     {full / raw:.3f}  target ≤ 1.2")
        print(f"  our own steps alone (context, hash, code, QR, chart, Jinja): {ours:.3f} s")
        print(f"notice: {notice_pages} pages, {notice:.2f} s")


if __name__ == "__main__":
    main()
