"""Demo data: deterministic, complete, relative to today."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.services.demo import seed_demo

CONTENT_QUERY = """
SELECT p.name AS project, i.kind, i.started_at, i.status, a.name AS area, it.code,
       f.result, f.occurrences, f.deduction, f.note
FROM findings f JOIN inspections i ON i.id = f.inspection_id
JOIN projects p ON p.id = i.project_id JOIN areas a ON a.id = f.area_id
JOIN items it ON it.id = f.item_id
ORDER BY i.started_at, a.position, it.code
"""


def _content(db: Database) -> list[tuple[object, ...]]:
    return [tuple(r.values()) for r in db.query(CONTENT_QUERY)]


def test_demo_is_deterministic(tmp_path: Path, clock: Clock) -> None:
    first, second = connect(tmp_path / "a.sqlite3"), connect(tmp_path / "b.sqlite3")
    settings = Settings(timezone="Asia/Shanghai")
    seed_demo(first, clock, settings)
    seed_demo(second, clock, settings)
    assert _content(first) == _content(second)
    people = "SELECT name, role FROM people ORDER BY name"
    assert list(first.query(people)) == list(second.query(people))


def test_demo_covers_what_the_issue_asks(demo_db_path: Path) -> None:
    db = connect(demo_db_path)
    kinds = dict(db.execute("SELECT kind, count(*) FROM projects GROUP BY kind").fetchall())
    assert {"residential", "office", "sales-site"} <= set(kinds) and sum(kinds.values()) >= 4
    area_counts = [r[0] for r in db.execute("SELECT count(*) FROM areas GROUP BY project_id")]
    assert all(6 <= n <= 12 for n in area_counts)
    assert db["inspections"].count >= 12
    assert len({r[0] for r in db.execute("SELECT kind FROM inspections")}) >= 4
    oldest = db.execute("SELECT min(started_at) FROM inspections").fetchone()[0]
    assert oldest.startswith(("2026-08", "2026-09"))  # within the last three months
    statuses = {r[0] for r in db.execute("SELECT DISTINCT status FROM rectification_items")}
    assert statuses == {"open", "replied", "closed", "voided"}
    levels = {r[0] for r in db.execute("SELECT DISTINCT escalation_level FROM rectification_items")}
    assert levels == {0, 1, 2}
    assert db.execute("SELECT count(*) FROM notices WHERE sequence = 2").fetchone()[0] > 0
    overdue = db.execute(
        "SELECT count(*) FROM rectification_items WHERE status = 'open' AND deadline < ?",
        ["2026-11-23"],
    ).fetchone()[0]
    assert overdue > 0
    assert db.execute("SELECT count(*) FROM findings WHERE result = 'fail'").fetchone()[0] > 20
    names = [r[0] for r in db.execute("SELECT name FROM people")]
    assert all("\u4e00" <= n[0] <= "\u9fff" for n in names)


def test_demo_seeded_early_in_the_morning_has_nothing_in_the_future(tmp_path: Path) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 11, 23, 7, 30, tzinfo=tz)
    db = connect(tmp_path / "early.sqlite3")
    seed_demo(db, Clock(tz=tz, source=lambda: now), Settings(timezone="Asia/Shanghai"))
    stamps = [
        ("inspections", "started_at"),
        ("findings", "updated_at"),
        ("walk_positions", "updated_at"),
    ]
    for table, column in stamps:
        latest = db.execute(f"SELECT max({column}) FROM {table}").fetchone()[0]
        assert datetime.fromisoformat(latest) <= now, (table, latest)


def test_demo_walks_are_paced_and_one_was_ticked_through_too_fast(demo_db_path: Path) -> None:
    from pqm_tui.model import amendments, inspections
    from pqm_tui.model.entities import InspectionKind
    from pqm_tui.services.walk_pace import walk_pace

    db = connect(demo_db_path)
    flagged = []
    for row in inspections.list_inspections(db, limit=100):
        if row.inspection.kind == InspectionKind.REINSPECTION:
            continue
        pace = walk_pace(amendments.effective_findings(db, row.inspection.id))
        assert pace is not None and pace.single > 0
        if pace.too_fast:
            flagged.append(row.inspection.kind.value)
        else:
            assert pace.median_seconds is not None and pace.median_seconds >= 3
    assert flagged == ["self"]
