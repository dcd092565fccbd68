"""Benchmark of the review of rectification items on a large database.

    python bench/review.py [--db /tmp/pqm-review-bench.sqlite3] [--findings 1000000]
                           [--items 100000] [--regenerate] [--runs 25]

Generates (once, about 100 s on 2 cores, 1.3 GB with the audit log) a database as PQM
leaves it (no ANALYZE unless PQM runs one; notes with the searched words):
company, 40 projects, the built-in property checklist, signed inspections of
500 findings each, a tenth of them failed and followed by a rectification
item in a realistic mix of states (open, overdue, replied, closed, voided),
with notices and events. Then measures:

* every view of the review (``model.review.page``): each status filter, each sort
  column, a deep page, a project, the department and severity filters, text searches
  of 1, 2 and 3+ characters, rare and common, a code and an area, and the header
  counts — median of ``--runs`` on one connection, and each as the first query on a
  new connection (as the app meets it when the review opens) — under each state of
  the planner's statistics the app can meet (``--statistics each``): none, after
  PQM's ``PRAGMA optimize`` on closing a connection that used the review, and the
  other tables' only (closed before the review was ever opened);
* with ``--xlsx``: ``pqm items --overdue --format xlsx`` against a one-query script;
* the review screen: time from ``push_screen`` to the first paint of the
  table holding rows (Textual Pilot, headless, 160x45), median of 5.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import Figures, first_paint_ms, machine
from sqlite_utils import Database
from textual.app import App

from pqm_tui.model import checklists, organisation, review
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import AreaType
from pqm_tui.model.ids import new_id
from pqm_tui.model.plain_connection import ANALYSIS_LIMIT
from pqm_tui.model.review import ReviewFilter, counts, page

TZ = ZoneInfo("Asia/Shanghai")
PER_INSPECTION = 500
# Notes as inspectors write them; the searched words (漏, 垃圾, 消防) occur in some.
NOTES = (
    "地面有污渍，未及时清理。",
    "垃圾桶满溢，周边有散落垃圾。",
    "消防通道堆放杂物，影响疏散。",
    "水泵房阀门渗漏，地面积水。",
    "值班人员未按规定着装。",
    "消防栓箱内水带缺失，未登记。",
    "屋面排水口堵塞，雨后漏水。",
    "设备运行记录未按时填写。",
)
BATCH = 50_000
FIGURES = Figures("review")  # what --json writes
SORT_COLUMNS = ("project", "area", "item", "person", "severity", "department", "status", "level")


def _clock() -> Clock:
    return Clock(tz=TZ)


def generate(path: Path, n_findings: int, n_items: int, seed: int = 5) -> None:
    """Write the big database at ``path`` (replacing it)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    rng = random.Random(seed)
    clock = _clock()
    today = clock.today()
    db = connect(path, actor="bench")
    conn = db.conn
    started = time.perf_counter()
    with db.atomic():
        version = checklists.install_builtins(db, clock)[0]
        content = checklists.load_version(db, version.id)
        company = organisation.add_company(db, "基准测试物业")
        city = organisation.add_city_company(db, company.id, "基准城市公司")
        inspector = organisation.add_person(db, "基准督导", "品质督导")
        projects, areas = [], {}
        types = list(AreaType)
        for p in range(40):
            project = organisation.add_project(db, city.id, f"项目{p:02d}", "residential")
            projects.append(project.id)
            areas[project.id] = [
                organisation.add_area(db, project.id, f"区域{a:02d}", types[a % len(types)], a).id
                for a in range(8)
            ]
    sections = {s.id: s for s in content.sections}
    items = content.items
    n_inspections = max(n_findings // PER_INSPECTION, 1)
    fail_rate = n_items / (n_inspections * PER_INSPECTION)
    made_items = 0
    rows_f, rows_r, rows_e, rows_n = [], [], [], []
    with db.atomic():
        for k in range(n_inspections):
            project = projects[k % len(projects)]
            day = today - timedelta(days=int(400 * (n_inspections - k) / n_inspections))
            stamp = datetime(day.year, day.month, day.day, 10, tzinfo=TZ).isoformat()
            inspection_id = new_id()
            conn.execute(
                """INSERT INTO inspections (id, project_id, kind, checklist_version_id,
                   started_at, status) VALUES (?, ?, 'monthly', ?, ?, 'draft')""",
                [inspection_id, project, version.id, stamp],
            )
            conn.execute(
                "INSERT INTO inspection_inspectors (inspection_id, person_id) VALUES (?, ?)",
                [inspection_id, inspector.id],
            )
            notice_id = None
            pairs = [(a, i) for a in areas[project] for i in items][:PER_INSPECTION]
            for area_id, item in pairs:
                fid = new_id()
                failed = made_items < n_items and rng.random() < fail_rate
                rows_f.append(
                    (
                        fid,
                        inspection_id,
                        item.id,
                        area_id,
                        "fail" if failed else "pass",
                        1 if failed else 0,
                        float(item.per_occurrence) if failed else 0.0,
                        rng.choice(NOTES) if failed else "",
                        item.severity.value,
                        sections[item.section_id].department,
                        f"责任人{rng.randint(1, 300)}" if failed else "",
                        stamp,
                        stamp,
                    )
                )
                if not failed:
                    continue
                if notice_id is None:
                    notice_id = new_id()
                    rows_n.append(
                        (notice_id, f"ZG-B-{k:07d}", inspection_id, project, stamp, stamp)
                    )
                made_items += 1
                roll = rng.random()
                status = (
                    "closed"
                    if roll < 0.4
                    else "voided"
                    if roll < 0.45
                    else "replied"
                    if roll < 0.65
                    else "open"
                )
                deadline = (day + timedelta(days=7)).isoformat()
                if status in ("open", "replied"):  # spread deadlines around today
                    deadline = (today + timedelta(days=rng.randint(-60, 30))).isoformat()
                rid = new_id()
                rows_r.append(
                    (rid, fid, notice_id, project, status, rng.choice((0, 0, 0, 1, 2)), deadline)
                )
                if status != "open":
                    rows_e.append((new_id(), rid, stamp, "bench", "reply", "open", status))
            if len(rows_f) >= BATCH:
                _flush(conn, inspection_id, rows_f, rows_r, rows_e, rows_n, stamp)
        _flush(conn, None, rows_f, rows_r, rows_e, rows_n, "")
        conn.execute("UPDATE inspections SET status = 'signed', signed_at = started_at")
    # No ANALYZE here: the figures are those of a database as PQM leaves it.
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    elapsed = time.perf_counter() - started
    print(
        f"generated {n_inspections} inspections, {n_inspections * PER_INSPECTION} findings, "
        f"{made_items} rectification items in {elapsed:.1f} s "
        f"({path.stat().st_size / 1e6:.0f} MB)"
    )
    db.close()


def _flush(conn, _last, rows_f, rows_r, rows_e, rows_n, _stamp) -> None:  # type: ignore[no-untyped-def]
    conn.executemany(
        """INSERT INTO findings (id, inspection_id, item_id, area_id, result, occurrences,
           deduction, note, severity, department, responsible_person, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        rows_f,
    )
    conn.executemany(
        """INSERT INTO notices (id, number, inspection_id, project_id, issued_at, received_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        rows_n,
    )
    conn.executemany(
        """INSERT INTO rectification_items (id, finding_id, notice_id, project_id, status,
           escalation_level, deadline, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, datetime('now'), datetime('now'))""",
        rows_r,
    )
    conn.executemany(
        """INSERT INTO rectification_events (id, item_id, at, actor, action, from_status,
           to_status) VALUES (?, ?, ?, ?, ?, ?, ?)""",
        rows_e,
    )
    for rows in (rows_f, rows_r, rows_e, rows_n):
        rows.clear()


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _times_ms(measure: Callable[[], float], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        plans = getattr(review, "_LAST_PLAN", None)  # (absent before m018)
        if plans is not None:
            plans.clear()  # each run probes its text anew, as a new search does
        times.append(measure())
    return times


def _timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def views(db: Database) -> dict[str, Callable[[Database], float]]:
    """Every view the review offers, by label: each filter, sort and search, and the
    header counts, as functions of a connection giving their milliseconds. The counts
    of a text search are timed after its page, as the review reads them (the page has
    probed the text; the counts reuse the probe)."""
    today = _clock().today()
    project = db.execute("SELECT id FROM projects ORDER BY name LIMIT 1").fetchone()[0]
    cases = {
        "open (active), sort deadline, page 1": (ReviewFilter(), "deadline", 0),
        "overdue only, sort deadline, page 1": (ReviewFilter(overdue=True), "deadline", 0),
        "overdue only, sort deadline desc": (ReviewFilter(overdue=True), "deadline", -1),
        "active, sort deadline, page 50": (ReviewFilter(), "deadline", 50 * 200),
        **{
            f"active, sort {column}, page 1": (ReviewFilter(), column, 0) for column in SORT_COLUMNS
        },
        "active, sort area desc": (ReviewFilter(), "area", -1),
        "all, sort deadline, page 1": (ReviewFilter(status="all"), "deadline", 0),
        "all, sort person, page 1": (ReviewFilter(status="all"), "person", 0),
        "closed, sort deadline": (ReviewFilter(status="closed"), "deadline", 0),
        "replied, sort area": (ReviewFilter(status="replied"), "area", 0),
        "extension requested": (ReviewFilter(status="extension-requested"), "deadline", 0),
        "appeal requested": (ReviewFilter(status="appeal-requested"), "deadline", 0),
        "one project, sort area": (ReviewFilter(project_id=project), "area", 0),
        "all, department 工程部": (ReviewFilter(status="all", department="工程部"), "deadline", 0),
        "active, department 工程部": (ReviewFilter(department="工程部"), "deadline", 0),
        "active, department 工程部, sort person": (
            ReviewFilter(department="工程部"),
            "person",
            0,
        ),
        "active, severity serious": (ReviewFilter(severity="serious"), "deadline", 0),
        "all, severity red-line, sort area": (
            ReviewFilter(status="all", severity="red-line"),
            "area",
            0,
        ),
        "active, text search '责任人12'": (ReviewFilter(text="责任人12"), "deadline", 0),
        "active, text search '责任人123' (rare)": (ReviewFilter(text="责任人123"), "deadline", 0),
        "active, text search '消防通道' (common)": (ReviewFilter(text="消防通道"), "deadline", 0),
        "active, text search '漏' + 工程部": (
            ReviewFilter(text="漏", department="工程部"),
            "deadline",
            0,
        ),
        "active, text search '漏', sort project": (ReviewFilter(text="漏"), "project", 0),
        "active, text search 'qq' (no match)": (ReviewFilter(text="qq"), "deadline", 0),
        "active, text search '漏' (1 char)": (ReviewFilter(text="漏"), "deadline", 0),
        "active, text search '垃圾' (2 chars)": (ReviewFilter(text="垃圾"), "deadline", 0),
        "active, text search '消防'": (ReviewFilter(text="消防"), "deadline", 0),
        "active, text search 'hj-08' (code)": (ReviewFilter(text="hj-08"), "deadline", 0),
        "all, text search '区域03' (area)": (
            ReviewFilter(status="all", text="区域03"),
            "deadline",
            0,
        ),
    }
    found: dict[str, Callable[[Database], float]] = {}
    for label, (flt, sort, offset) in cases.items():

        def view(db: Database, flt=flt, sort=sort, offset=offset) -> float:  # type: ignore[no-untyped-def]
            desc = offset == -1
            return _timed(
                lambda: page(db, flt, today, sort=sort, descending=desc, offset=max(offset, 0))
            )

        found[label] = view
    for label, flt in {
        "overdue filter": ReviewFilter(overdue=True),
        "department 工程部": ReviewFilter(department="工程部"),
        "severity serious": ReviewFilter(severity="serious"),
        "one project": ReviewFilter(project_id=project),
        "extension requested": ReviewFilter(status="extension-requested"),
        "text search 责任人12": ReviewFilter(text="责任人12"),
        "text search 漏": ReviewFilter(text="漏"),
        "text search 漏 + 工程部": ReviewFilter(text="漏", department="工程部"),
        "text search qq (no match)": ReviewFilter(text="qq"),
    }.items():

        def header(db: Database, flt=flt) -> float:  # type: ignore[no-untyped-def]
            if flt.text:
                page(db, flt, today)  # what the review reads first
            return _timed(lambda: counts(db, flt, today))

        found[f"header counts ({label})"] = header
    return found


def bench_queries(path: Path, runs: int, state: str) -> None:
    """Each view: the median of ``runs`` on one connection, and its first use on a new
    one; ``state`` names the planner's statistics (keys of the figures)."""
    opened = _times_ms(lambda: _timed(lambda: connect(path, actor="bench").conn.close()), runs)
    name = "a new connection (the review's worker opens one)"
    print(f"  {name:45s} {statistics.median(opened):8.1f} ms")
    FIGURES.add(f"connect.{state}", f"{name} ({state})", statistics.median(opened), runs=runs)
    db = connect(path, actor="bench")
    print(f"  {'view (median of ' + str(runs) + ' · first use: of 3 new connections)':45s}")
    for label, view in views(db).items():
        first = _first_use(path, view)
        times = _times_ms(lambda view=view: float(view(db)), runs)
        ms = statistics.median(times)
        print(f"  {label:45s} {ms:8.1f} ms  first {first:6.1f} ms")
        name = f"{label} ({state})"
        FIGURES.add(f"view.{state}.{label}", name, ms, p95=_p95(times), runs=runs)
        FIGURES.add(f"first.{state}.{label}", f"{name}, first use", first, runs=3)
    db.conn.close()


STATES = {
    "none": "no statistics (a database PQM never closed)",
    "optimized": "after PQM closed a connection that used the review (PRAGMA optimize)",
    "partial": "statistics of every table but the review's (closed before any review)",
}


def set_statistics(path: Path, state: str) -> None:
    """Give the planner the statistics of ``state`` (see STATES)."""
    db = connect(path, actor="bench")
    has_stats = db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
    if state == "none":
        if has_stats.fetchone()[0]:
            db.execute("DELETE FROM sqlite_stat1")
        db.conn.close()
    elif state == "optimized":
        for view in views(db).values():  # the review used once, then PQM's close
            view(db)
        db.close()
    elif state == "partial":  # every table sampled as PQM's optimize samples, then
        db.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")  # the review's forgotten
        db.execute("ANALYZE")
        db.execute("DELETE FROM sqlite_stat1 WHERE tbl LIKE 'review_search%'")
        db.conn.commit()
        db.conn.close()


def _first_use(path: Path, view: Callable[[Database], float], runs: int = 3) -> float:
    """Milliseconds of ``view`` as the first use of a new connection (what the review's
    worker meets: the file is in the OS cache, SQLite's own cache is empty), the median
    of ``runs`` new connections."""
    times = []
    for _ in range(runs):
        db = connect(path, actor="bench")
        try:
            times.append(view(db))
        finally:
            db.conn.close()  # not PQM's close: the statistics stay as they are
    return statistics.median(times)


# The same workbook from one plain query: the floor of ``pqm items --overdue --format xlsx``.
ONE_QUERY_XLSX = """
import sqlite3, sys
from datetime import date
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
db, out, today = sys.argv[1], sys.argv[2], date.fromisoformat(sys.argv[3])
conn = sqlite3.connect(db)
book = Workbook(write_only=True)
sheet = book.create_sheet("items")
wrap, red = Alignment(wrap_text=True, vertical="top"), Font(color="C00000", bold=True)
SQL = '''SELECT coalesce(n.number, ''), i.code, p.name, a.name, f.location, i.standard, f.note,
          f.severity, f.department, f.responsible_person, r.deadline, r.status,
          r.escalation_level, coalesce(json_extract(e.data, '$.done'), e.reason, ''),
          json_extract(e.data, '$.date')
     FROM rectification_items r JOIN findings f ON f.id = r.finding_id
     JOIN areas a ON a.id = f.area_id JOIN items i ON i.id = f.item_id
     JOIN projects p ON p.id = r.project_id LEFT JOIN notices n ON n.id = r.notice_id
     LEFT JOIN rectification_events e ON e.rowid = (
          SELECT x.rowid FROM rectification_events x WHERE x.item_id = r.id
             AND x.action = 'reply' ORDER BY x.at DESC, x.rowid DESC LIMIT 1)
    WHERE r.status = 'open' AND r.deadline < ? AND r.id NOT IN (
          SELECT a.item_id FROM rectification_events a WHERE a.action = 'appeal-requested'
             AND NOT EXISTS (SELECT 1 FROM rectification_events d WHERE d.item_id = a.item_id
                 AND d.action IN ('appeal-upheld', 'appeal-rejected')
                 AND (d.at > a.at OR (d.at = a.at AND d.rowid > a.rowid))))
    ORDER BY r.deadline, r.rowid'''
def text(value, wrapped=False):
    cell = WriteOnlyCell(sheet, value=value)
    if wrapped:
        cell.alignment = wrap
    return cell
def day(iso):
    cell = WriteOnlyCell(sheet, value=date.fromisoformat(iso) if iso else None)
    cell.number_format = "yyyy-mm-dd"
    return cell
for row in conn.execute(SQL, [today.isoformat()]):
    number, code, project, area, location, standard, note = row[:7]
    severity, department, person, deadline, status, level, reply, done = row[7:]
    days = WriteOnlyCell(sheet, value=(date.fromisoformat(deadline) - today).days)
    days.font = red
    sheet.append([
        f"{number} {code} {area}", number, project, area, location or "", code,
        text(standard, True), text(note, True), severity, department, person, day(deadline),
        days, "x", status, level, text(reply, True), day(done),
    ])
book.save(out)
"""


def bench_xlsx(path: Path, runs: int) -> None:
    """``pqm items --overdue --format xlsx`` as a whole process against the one-query script,
    interleaved."""
    import subprocess
    import sys
    import tempfile

    today = _clock().today().isoformat()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "items.xlsx"
        commands = {
            "pqm items --overdue --format xlsx": [
                sys.executable, "-m", "pqm_tui", "--db", str(path), "items", "--overdue",
                "--format", "xlsx",
                "-o", str(out),
            ],
            "one-query script, same workbook": [
                sys.executable, "-c", ONE_QUERY_XLSX, str(path), str(out), today,
            ],
        }  # fmt: skip
        times: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(runs):  # interleaved: the machine's load weighs on both alike
            for label, command in commands.items():
                out.unlink(missing_ok=True)
                t = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True)
                times[label].append((time.perf_counter() - t) * 1000)
        medians = {label: statistics.median(values) for label, values in times.items()}
        for label, ms in medians.items():
            print(f"  {label:45s} {ms:8.1f} ms")
        pqm_ms, script_ms = medians.values()
        print(f"  {'pqm / one-query script':45s} {pqm_ms / script_ms:8.2f} x")
        name = "pqm items --overdue --format xlsx"
        FIGURES.add("xlsx", name, pqm_ms, baseline=script_ms, runs=runs)


async def _open_review(app: App[None], pilot: object) -> None:
    from pqm_tui.screens.review import ReviewScreen

    await app.push_screen(ReviewScreen())


def bench_screen(path: Path, runs: int = 5) -> None:
    times = [asyncio.run(first_paint_ms(path, "review-table", _open_review)) for _ in range(runs)]
    print(f"  {'review screen: push -> first rows':45s} {statistics.median(times):8.1f} ms")
    FIGURES.add("screen", "review screen: push → first rows", statistics.median(times), runs=runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/pqm-review-bench.sqlite3"))
    parser.add_argument("--findings", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--no-screen", action="store_true")
    parser.add_argument("--xlsx", action="store_true", help="also time the overdue xlsx export")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--statistics",
        choices=("each", "as-is"),
        default="each",
        help="the views under each state of the planner's statistics, or as they are",
    )
    args = parser.parse_args()
    print(machine())
    if args.regenerate or not args.db.exists():
        generate(args.db, args.findings, args.items)
    db = connect(args.db, actor="bench")
    if db.migration_backup is not None:  # a generated database needs no safety copy
        db.migration_backup.unlink(missing_ok=True)
        print("migrated to the current schema (the safety copy of this generated file removed)")
    n_f = db.execute("SELECT count(*) FROM findings").fetchone()[0]
    n_r = db.execute("SELECT count(*) FROM rectification_items").fetchone()[0]
    stats = db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
    analysed = "statistics present" if stats.fetchone()[0] else "no statistics"
    db.conn.close()  # not PQM's close: the queries below run on the statistics as they are
    print(f"database {args.db}: {n_f} findings, {n_r} rectification items; today {date.today()}")
    print(f"planner: {analysed} (PQM runs PRAGMA optimize when a connection closes)")
    if args.statistics == "as-is":
        bench_queries(args.db, args.runs, "as-is")
    else:
        for state, meaning in STATES.items():
            set_statistics(args.db, state)
            print(f"statistics: {meaning}")
            bench_queries(args.db, args.runs, state)
        set_statistics(args.db, "optimized")  # leave the database as PQM would
    if args.xlsx:
        bench_xlsx(args.db, min(args.runs, 5))
    if not args.no_screen:
        bench_screen(args.db)
    FIGURES.write(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
