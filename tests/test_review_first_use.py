"""The review's plans (整改跟踪查询计划) do not depend on the planner's statistics (m019).

At 1 M findings (bench/review.py) a page whose plan the statistics could turn took
165–335 ms instead of 2–10 ms: a database closed before the review was ever opened
has statistics of every table but review_search (``PRAGMA optimize`` analyses the
tables a connection queried), and the planner then scanned the projects and every
item before the page. The sort by level sorted every open item (no index), and the
pending-request filters ran a subquery on each open item.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pqm_tui.model import review
from pqm_tui.model.db import connect

TODAY = date(2026, 11, 23)
# what sqlite_stat1 held at 1 M findings after a close that never queried the review
BIG_TABLES = [
    ("areas", "sqlite_autoindex_areas_1", "320 1"),
    ("projects", "sqlite_autoindex_projects_1", "40 1"),
    ("rectification_items", "rect_status_deadline", "89060 401 115"),
    ("rectification_items", "rect_open_deadline", "30858 401"),
    ("rectification_items", "rect_project", "107568 401"),
    ("rectification_items", "sqlite_autoindex_rectification_items_1", "99600 1"),
    ("items", "sqlite_autoindex_items_1", "191 1"),
    ("findings", "sqlite_autoindex_findings_1", "504000 1"),
    ("rectification_events", "rect_events_item", "64925 1 1"),
    ("rectification_events", "rect_events_action", "63168 401 101"),
    ("notices", "sqlite_autoindex_notices_1", "1909 1"),
]


def _plan(db: Database, flt: review.ReviewFilter, sort: str) -> list[tuple[int, str]]:
    """(parent, detail) of each step of the plan of the page ``page()`` asks for."""
    asked: list[tuple[str, Any]] = []
    execute = db.execute

    def spy(sql: str, params: Any = None) -> Any:
        asked.append((sql, params))
        return execute(sql, params)

    db.execute = spy  # type: ignore[method-assign]
    try:
        review.page(db, flt, TODAY, sort=sort)
    finally:
        del db.execute
    sql, params = asked[-1]
    return [(r[1], r[3]) for r in db.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]


def _statistics_of_every_table_but_the_review(path: Path) -> Database:
    db = connect(path)
    db.execute("ANALYZE sqlite_schema")  # creates sqlite_stat1
    db.execute("DELETE FROM sqlite_stat1")
    db.conn.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", BIG_TABLES)
    db.conn.commit()
    db.conn.close()
    return connect(path)  # statistics are read when a connection opens


def test_a_page_starts_from_its_rows_whatever_the_statistics(demo_db_path: Path) -> None:
    db = _statistics_of_every_table_but_the_review(demo_db_path)
    for flt, sort in (
        (review.ReviewFilter(), "project"),
        (review.ReviewFilter(status="all"), "deadline"),
        (review.ReviewFilter(), "area"),
    ):
        outer = [detail for parent, detail in _plan(db, flt, sort) if parent == 0]
        scans = [d for d in outer if d.startswith("SCAN")]
        assert scans == ["SCAN page"], (flt, sort, outer)  # every name found by its key


def test_the_sort_by_level_walks_its_index(demo_db_path: Path) -> None:
    db = _statistics_of_every_table_but_the_review(demo_db_path)
    for flt in (review.ReviewFilter(), review.ReviewFilter(status="all")):
        details = [detail for _, detail in _plan(db, flt, "level")]
        assert any("INDEX rect_level" in d for d in details), details
        page_steps = details[: details.index("SCAN page")]
        assert not any("TEMP B-TREE" in d for d in page_steps), details  # nothing sorted


def test_a_pending_request_filter_reads_the_requested_items_only(demo_db_path: Path) -> None:
    db = connect(demo_db_path)
    flt = review.ReviewFilter(status="extension-requested")
    details = [detail for _, detail in _plan(db, flt, "deadline")]
    # the requested items listed once, then found by id (no walk of every open item)
    at = details.index("SEARCH e USING INDEX rect_events_action (action=?)")
    assert details[at - 1].startswith("LIST SUBQUERY"), details
    assert details[1] == "SEARCH r USING INDEX sqlite_autoindex_rectification_items_1 (id=?)"
