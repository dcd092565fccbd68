"""The review's sorts and filters read copied keys (m017): same order as the joined data.

Every sort column, both directions, with and without filters, is compared with a plain
Python sort of the rows the page joins (stable: ties in insertion order); then the copies
follow a renamed area and project and an edited finding, and ``db check`` stays clean.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlite_utils import Database

from pqm_tui.model import review
from pqm_tui.model.db import check_integrity, connect

TODAY = date(2026, 11, 23)
KEY = {
    "project": lambda r: r.project_name,
    "area": lambda r: r.area_name,
    "item": lambda r: r.item_code,
    "severity": lambda r: r.severity,
    "department": lambda r: r.department,
    "person": lambda r: r.person,
}


def _everything(db: Database, flt: review.ReviewFilter) -> list[review.ReviewRow]:
    """The filtered rows in insertion order (the reference for stable Python sorts)."""
    rows = review.page(db, flt, TODAY, sort="status", limit=1_000_000)
    inserted = db.execute("SELECT id FROM rectification_items ORDER BY rowid").fetchall()
    order = {item_id: n for n, (item_id,) in enumerate(inserted)}
    return sorted(rows, key=lambda r: order[r.id])


@pytest.mark.parametrize("sort", sorted(KEY))
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize(
    "flt",
    [
        review.ReviewFilter(),
        review.ReviewFilter(status="all"),
        review.ReviewFilter(status="all", department="工程部"),
        review.ReviewFilter(severity="red-line", status="all"),
        review.ReviewFilter(overdue=True),
    ],
    ids=["active", "all", "department", "severity", "overdue"],
)
def test_sorted_like_the_joined_data(
    demo_db_path: Path, sort: str, descending: bool, flt: review.ReviewFilter
) -> None:
    db = connect(demo_db_path)
    rows = _everything(db, flt)
    expected = sorted(rows, key=KEY[sort], reverse=descending)
    if descending:  # ties stay in insertion order reversed, as the page gives them
        expected = sorted(reversed(rows), key=KEY[sort], reverse=True)
    got = review.page(db, flt, TODAY, sort=sort, descending=descending, limit=1_000_000)
    assert [r.id for r in got] == [r.id for r in expected]
    assert got, "the demo has items for every filter here"
    assert review.count(db, flt, TODAY) == len(got)


def test_copies_follow_renames_and_edits(demo_db_path: Path) -> None:
    db = connect(demo_db_path)
    first = review.page(db, review.ReviewFilter(status="all"), TODAY, sort="area")[0]
    area_id, finding_id = db.execute(
        """SELECT f.area_id, f.id FROM rectification_items r JOIN findings f
           ON f.id = r.finding_id WHERE r.id = ?""",
        [first.id],
    ).fetchone()
    locks = db.execute(
        """SELECT name FROM sqlite_master WHERE type = 'trigger' AND (name LIKE 'findings_lock%'
           OR name LIKE 'areas_lock%' OR name LIKE 'projects_lock%')"""
    ).fetchall()
    for (name,) in locks:  # signed records are locked; the copies must follow any edit anyway
        db.execute(f"DROP TRIGGER {name}")
    db.execute("UPDATE areas SET name = '龙湖' WHERE id = ?", [area_id])
    db.execute("UPDATE projects SET name = '龙湖项目' WHERE id = ?", [first.project_id])
    rows = review.page(db, review.ReviewFilter(status="all"), TODAY, sort="area", limit=10_000)
    moved = next(r for r in rows if r.id == first.id)
    assert moved.area_name == "龙湖" and rows.index(moved) > 0
    by_project = review.page(
        db, review.ReviewFilter(status="all"), TODAY, sort="project", descending=True
    )
    assert by_project[0].project_name == "龙湖项目"
    keys = db.execute(
        "SELECT area_name, project_name FROM review_search WHERE item_id = ?", [first.id]
    ).fetchone()
    assert tuple(keys) == ("龙湖", "龙湖项目")
    db.execute("UPDATE findings SET responsible_person = 'Ａ先生' WHERE id = ?", [finding_id])
    # a full-width letter sorts after every CJK character: first when descending
    assert (
        review.page(db, review.ReviewFilter(status="all"), TODAY, sort="person", descending=True)[
            0
        ].id
        == first.id
    )


def test_integrity_after_migration(demo_db_path: Path) -> None:
    db = connect(demo_db_path)
    report = check_integrity(db)
    assert report.ok, report
    assert db.execute("SELECT count(*) FROM review_search WHERE area_name = ''").fetchone()[0] == 0
