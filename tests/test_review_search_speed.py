"""The review's fast plans (m018) give exactly what the plain filters give.

A text search is answered two ways: from its few matches, or (common text) by walking
the page's order and testing each row. Both are compared, with every chip and several
sorts, with a Python substring test over the rows of the same filter without text; the
header counts with a count in Python; and the status and deadline copied into
review_search (m018) must follow every move of an item, with ``db check`` clean.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import organisation, review
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import check_integrity, connect
from pqm_tui.services import rectification as rect
from tests.people import manager_of, uphold_appeal

TODAY = date(2026, 11, 23)
FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
EVERYTHING = 1_000_000


@pytest.fixture(params=["few matches", "common text"])
def plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both plans of a text search: the set of matches, or the walk testing each row."""
    if request.param == "common text":
        monkeypatch.setattr(review, "SMALL_SET", 0)
    return str(request.param)


def _holds(row: review.ReviewRow, text: str) -> bool:
    needle = text.strip().translate(FOLD)
    fields = (
        row.project_name,
        row.area_name,
        row.item_code,
        row.item_standard,
        row.note,
        row.person,
    )
    return any(needle in f.translate(FOLD) for f in fields)


def _filters(db: Database) -> list[review.ReviewFilter]:
    project = db.execute("SELECT id FROM projects ORDER BY rowid LIMIT 1").fetchone()[0]
    department = db.execute(
        "SELECT department FROM findings WHERE department != '' LIMIT 1"
    ).fetchone()[0]
    return [
        review.ReviewFilter(),
        review.ReviewFilter(status="all"),
        review.ReviewFilter(overdue=True),
        review.ReviewFilter(status="replied"),
        review.ReviewFilter(status="closed"),
        review.ReviewFilter(status="all", department=department),
        review.ReviewFilter(department=department),
        review.ReviewFilter(status="all", severity="serious"),
        review.ReviewFilter(severity="normal", overdue=True),
        review.ReviewFilter(project_id=project),
        review.ReviewFilter(status="all", project_id=project, department=department),
        review.ReviewFilter(status="extension-requested"),
    ]


def _queries(db: Database) -> list[str]:
    rows = review.page(db, review.ReviewFilter(status="all"), TODAY, limit=EVERYTHING)
    row = rows[len(rows) // 2]
    return [
        "漏",
        "地面",
        "消防",
        row.note[:4],
        row.area_name,
        row.project_name[:2],
        row.item_code.lower(),
        row.person,
        "zzz-no-such",
    ]


@pytest.mark.parametrize("sort", ["deadline", "project", "area", "status", "level"])
def test_every_chip_and_sort_finds_what_the_substring_test_finds(
    demo_db_path: Path, plan: str, sort: str
) -> None:
    _check_search(connect(demo_db_path), sort)


def _check_search(db: Database, sort: str) -> None:
    queries = _queries(db)
    for flt in _filters(db):
        for descending in (False, True):
            plain = review.page(db, flt, TODAY, sort=sort, descending=descending, limit=EVERYTHING)
            for text in queries:
                got = review.page(
                    db,
                    replace(flt, text=text),
                    TODAY,
                    sort=sort,
                    descending=descending,
                    limit=EVERYTHING,
                )
                want = [r.id for r in plain if _holds(r, text)]
                assert [r.id for r in got] == want, (flt, text, sort, descending)
    # a page is a slice of the same order, and a deep page too
    flt = review.ReviewFilter(status="all", text="地面")
    whole = [r.id for r in review.page(db, flt, TODAY, sort=sort, limit=EVERYTHING)]
    assert len(whole) > 8
    assert [r.id for r in review.page(db, flt, TODAY, sort=sort, limit=4, offset=4)] == whole[4:8]


def test_counts_equal_a_count_in_python(demo_db_path: Path, plan: str) -> None:
    db = connect(demo_db_path)
    for flt in _filters(db):
        for text in ("", *_queries(db)):
            with_text = replace(flt, text=text)
            base = replace(flt, status="all", overdue=False, project_id=flt.project_id)
            rows = [
                r
                for r in review.page(db, base, TODAY, limit=EVERYTHING)
                if not text or _holds(r, text)
            ]
            want = Counter(r.status for r in rows)
            got = review.counts(db, with_text, TODAY)
            for status in ("open", "replied", "closed", "voided"):
                assert got[status] == want[status], (with_text, status)
            assert got["overdue"] == sum(r.overdue(TODAY) for r in rows), with_text
            matching = len(review.page(db, with_text, TODAY, limit=EVERYTHING))
            assert got["matching"] == matching == review.count(db, with_text, TODAY), with_text


def _copies_differ(db: Database) -> int:
    return int(
        db.execute(
            """SELECT count(*) FROM rectification_items r
               LEFT JOIN review_search s ON s.item_id = r.id
               WHERE s.item_id IS NULL OR s.status IS NOT r.status
                  OR s.deadline IS NOT r.deadline"""
        ).fetchone()[0]
    )


def test_status_and_deadline_copies_follow_every_move(demo_db_path: Path, clock: Clock) -> None:
    db = connect(demo_db_path)
    settings = Settings(timezone="Asia/Shanghai")
    leader = organisation.find_person(db, "陈志强").id
    inspector = organisation.find_person(db, "王丽华").id
    assert _copies_differ(db) == 0
    open_ids = [
        r.id
        for r in review.page(db, review.ReviewFilter(status="open"), TODAY, limit=EVERYTHING)
        if r.deadline and r.deadline >= TODAY.isoformat() and r.pending is None
    ]
    assert len(open_ids) >= 4
    replied, extended, voided, closed = open_ids[:4]
    project_of = {i: rect.get_item(db, i).project_id for i in open_ids[:4]}
    rect.reply(db, clock, replied, actor=manager_of(db, project_of[replied]), done="已整改")
    deadline = rect.get_item(db, extended).deadline
    assert deadline is not None
    later = date.fromisoformat(deadline) + timedelta(days=20)
    rect.request_extension(
        db,
        clock,
        extended,
        actor=manager_of(db, project_of[extended]),
        reason="材料未到",
        measures="临时围挡",
        proposed=later,
    )
    rect.decide(db, clock, extended, actor=leader, approve=True, reason="同意")
    uphold_appeal(db, clock, voided, "业主私占")  # both levels: the finding is voided
    data = {"reinspection_id": "x"}
    item = rect.get_item(db, closed)
    rect.record_reinspection(db, clock, settings, item, actor=inspector, passed=True, data=data)
    assert _copies_differ(db) == 0
    states = {i: rect.get_item(db, i).status for i in (replied, extended, voided, closed)}
    assert [s.value for s in states.values()] == ["replied", "open", "voided", "closed"]
    assert rect.get_item(db, extended).deadline == later.isoformat()
    # what the review then shows under each chip agrees with the items themselves
    department = dict(db.execute("SELECT item_id, department FROM review_search").fetchall())
    for status in ("open", "replied", "closed", "voided"):
        for chosen in (None, department[voided]):
            flt = review.ReviewFilter(status=status, department=chosen)
            shown = {r.id for r in review.page(db, flt, TODAY, limit=EVERYTHING)}
            want = {
                i
                for i, s in states.items()
                if s.value == status and chosen in (None, department[i])
            }
            assert shown & set(states) == want, flt
    # a raw change of the item table (an import, a repair) is followed too
    db.execute("UPDATE rectification_items SET deadline = NULL WHERE id = ?", [replied])
    db.execute("UPDATE rectification_items SET status = 'closed' WHERE id = ?", [extended])
    db.conn.commit()
    assert _copies_differ(db) == 0
    assert check_integrity(db).ok


def test_closing_gathers_statistics_and_the_plans_stay_right(demo_db_path: Path) -> None:
    db = connect(demo_db_path)
    department = db.execute("SELECT department FROM review_search LIMIT 1").fetchone()[0]
    for flt in (review.ReviewFilter(department=department), review.ReviewFilter(text="漏")):
        review.page(db, flt, TODAY)
        review.counts(db, flt, TODAY)
    db.close()  # PRAGMA optimize: what the CLI and the app do on the way out
    db = connect(demo_db_path)
    analysed = {r[0] for r in db.execute("SELECT DISTINCT tbl FROM sqlite_stat1")}
    assert {"review_search", "rectification_items"} <= analysed
    assert check_integrity(db).ok
    db.execute("ANALYZE")  # every table, as a long-used database would have
    db.conn.commit()
    db.close()
    db = connect(demo_db_path)
    for sort in ("deadline", "area", "status"):
        _check_search(db, sort)
