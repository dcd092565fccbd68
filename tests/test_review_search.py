"""Text search of the review (整改搜索): substring matches exactly like before, but fast.

The reference is a plain Python substring test over every item's project, area,
item code and standard, note, responsible person and notice number, ASCII case folded (what
SQLite's ``LIKE`` did), so any query the narrow search table or its trigram
index gets wrong shows up as a difference.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlite_utils import Database

from pqm_tui.model import checklists, findings, inspections, organisation, review
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import check_integrity, connect
from pqm_tui.model.entities import InspectionKind, ProjectKind, Result
from pqm_tui.model.ids import new_id
from pqm_tui.model.item_story import item_story
from pqm_tui.model.schema import migrate, migrations
from pqm_tui.services import rectification as rect_service

TODAY = date(2026, 11, 23)
ALL = review.ReviewFilter(status="all")
FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _numbers(db: Database, row: review.ReviewRow) -> tuple[str, ...]:
    """Every notice number of the item: the first and the follow-ups (复检整改通知单)."""
    return tuple(n.number for n in item_story(db, row.id).notices)


def _fields(db: Database, row: review.ReviewRow) -> tuple[str, ...]:
    return (
        *_numbers(db, row),
        row.project_name,
        row.area_name,
        row.item_code,
        row.item_standard,
        row.note,
        row.person,
    )


def expected(db: Database, text: str, status: str = "all") -> list[str]:
    """Ids the search must return, in the page's order, by a Python substring test."""
    rows = review.page(db, review.ReviewFilter(status=status), TODAY, limit=1_000_000)
    needle = text.strip().translate(FOLD)
    return [r.id for r in rows if any(needle in f.translate(FOLD) for f in _fields(db, r))]


def found(db: Database, text: str, status: str = "all") -> list[str]:
    flt = review.ReviewFilter(status=status, text=text)
    return [r.id for r in review.page(db, flt, TODAY, limit=1_000_000)]


def _queries_from_data(db: Database) -> list[str]:
    """1-, 2- and 3+-character pieces of real notes, standards, areas and people."""
    rows = review.page(db, ALL, TODAY, limit=1_000_000)
    queries: list[str] = []
    for row in rows[:: max(len(rows) // 12, 1)]:
        for value in (row.note, row.item_standard, row.area_name, row.person):
            if len(value) >= 4:
                queries += [value[1], value[1:3], value[:4], value]
    return queries


def test_search_matches_substrings_of_every_length_like_before(demo_db_path: Path) -> None:
    db = connect(demo_db_path)
    total = len(review.page(db, ALL, TODAY, limit=1_000_000))
    queries = [*_queries_from_data(db), "垃圾", "消防", "漏", "地面", "清", "zzz-no-such"]
    assert any(len(q) == 1 for q in queries) and any(len(q) >= 3 for q in queries)
    narrowing = 0
    for query in queries:
        want = expected(db, query)
        assert found(db, query) == want, query
        assert found(db, query, "active") == expected(db, query, "active"), query
        narrowing += 0 < len(want) < total
    assert narrowing >= len(queries) // 2  # the queries really select something


def test_item_codes_and_latin_case(demo_db_path: Path) -> None:
    db = connect(demo_db_path)
    code = review.page(db, ALL, TODAY, limit=1)[0].item_code
    assert any(c.isalpha() for c in code)
    for query in (code, code.lower(), code.upper(), code[:2].lower(), f"  {code}  "):
        ids = found(db, query)
        assert ids and ids == expected(db, query), query
    assert found(db, "_") == expected(db, "_")  # a literal underscore, not a wildcard
    assert found(db, "%") == expected(db, "%")


def test_a_notice_number_finds_its_items(demo_db_path: Path) -> None:
    """The number on the paper notice (整改通知单编号) finds the items it lists."""
    db = connect(demo_db_path)
    number = next(r.notice_number for r in review.page(db, ALL, TODAY, limit=50) if r.notice_number)
    for query in (number, number.lower(), number[3:]):
        ids = found(db, query)
        assert ids and ids == expected(db, query), query
    assert all(
        r.notice_number == number
        for r in review.page(db, review.ReviewFilter(status="all", text=number), TODAY, limit=1000)
    )


def test_counts_agree_with_the_page(demo_db_path: Path) -> None:
    db = connect(demo_db_path)
    for text in ("", "漏", "地面"):
        for status in review.STATUSES:
            for overdue in (False, True):
                flt = review.ReviewFilter(status=status, overdue=overdue, text=text)
                rows = review.page(db, flt, TODAY, limit=1_000_000)
                assert review.counts(db, flt, TODAY)["matching"] == len(rows), flt
                assert review.count(db, flt, TODAY) == len(rows), flt


def _organisation(db: Database, clock: Clock) -> tuple[str, str, str, str]:
    # a sales checklist: its items have no area types, so it also suits a schema-5 database
    version = checklists.import_spec(db, checklists.builtin_specs()[2], clock)[0]
    company = organisation.add_company(db, "公司")
    city = organisation.add_city_company(db, company.id, "城市")
    project = organisation.add_project(db, city.id, "幸福里", ProjectKind.RESIDENTIAL)
    area = organisation.add_area(db, project.id, "地下车库", "car-park", 0)
    return version.id, project.id, area.id, organisation.add_person(db, "王丽华", "品质督导").id


def _inspection_with_failures(
    db: Database, clock: Clock, notes: list[tuple[str, str]], *, sign: bool = True
) -> str:
    version, project, area, inspector = _organisation(db, clock)
    inspection = inspections.create_inspection(
        db, clock, project, InspectionKind.MONTHLY, version, [inspector]
    )
    items = checklists.load_version(db, version).items
    for item, (note, person) in zip(items, notes, strict=False):
        inspections.record_finding(
            db,
            clock,
            inspection.id,
            item.id,
            area,
            Result.FAIL,
            occurrences=1,
            deduction=Decimal("0.5"),
            note=note,
            responsible_person=person,
        )
    if sign:
        inspections.sign_inspection(
            db,
            clock,
            inspection.id,
            receiver_name="张经理",
            receiver_role="项目经理",
            issuing_department="品质部",
            deadline=clock.today(),
        )
    return inspection.id


NOTES = [("墙面渗漏，需修补", "李工"), ("Water LEAK at B2", "Zhang Wei"), ("垃圾桶满溢", "")]


def test_a_replied_item_is_still_found_under_its_new_status(tmp_path: Path, clock: Clock) -> None:
    db = connect(tmp_path / "pqm.sqlite3")
    _inspection_with_failures(db, clock, NOTES)
    [leak] = found(db, "渗漏")
    project = db.execute("SELECT id FROM projects").fetchone()[0]
    manager = organisation.add_person(db, "李工", "项目经理", project_id=project)  # replies
    rect_service.reply(db, clock, leak, actor=manager.id, done="已修补")
    assert found(db, "漏", "replied") == [leak]
    assert leak not in found(db, "漏", "open") == expected(db, "漏", "open")
    assert found(db, "leak") == found(db, "Leak") == expected(db, "leak") != []
    assert found(db, "zhang w") == expected(db, "zhang w") != []


def test_search_follows_a_changed_note_and_a_removed_item(tmp_path: Path, clock: Clock) -> None:
    db = connect(tmp_path / "pqm.sqlite3")
    inspection = _inspection_with_failures(db, clock, NOTES[:1], sign=False)
    finding = findings.list_findings(db, inspection)[0]
    item_id = new_id()
    row = {"id": item_id, "finding_id": finding.id, "project_id": finding_project(db, finding.id)}
    now = clock.now_iso()
    db.table("rectification_items").insert({**row, "created_at": now, "updated_at": now})
    assert found(db, "渗漏") == [item_id]
    inspections.record_finding(
        db,
        clock,
        inspection,
        finding.item_id,
        finding.area_id,
        Result.FAIL,
        occurrences=1,
        deduction=Decimal("0.5"),
        note="消防通道堵塞",
        responsible_person="赵六",
    )
    assert found(db, "渗漏") == [] and found(db, "漏") == []
    assert found(db, "消防") == found(db, "消防通道") == found(db, "赵") == [item_id]
    db.execute("DELETE FROM rectification_items WHERE id = ?", [item_id])
    assert db.execute("SELECT count(*) FROM review_search").fetchone()[0] == 0
    assert found(db, "消防") == []


def finding_project(db: Database, finding_id: str) -> str:
    return str(
        db.execute(
            "SELECT i.project_id FROM findings f JOIN inspections i ON i.id = f.inspection_id "
            "WHERE f.id = ?",
            [finding_id],
        ).fetchone()[0]
    )


@pytest.mark.parametrize("query", ["漏", "渗漏", "墙面渗漏", "leak", "LEAK", "李工", "地下车库"])
def test_a_database_of_schema_version_5_is_migrated_and_searchable(
    tmp_path: Path, clock: Clock, query: str
) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.create_function("pqm_actor", 0, lambda: "test")
    old = Database(conn)
    migrate(old, stop_before="m006_review_search")
    assert old.execute("PRAGMA user_version").fetchone()[0] == 5
    assert "review_search" not in old.table_names()
    _inspection_with_failures(old, clock, NOTES)
    old.close()

    db = connect(path)
    assert "m006_review_search" in {m.name for m in migrations.applied(db)}
    assert db.execute("SELECT count(*) FROM review_search").fetchone()[0] == 3
    assert found(db, query) == expected(db, query) != []
    assert check_integrity(db).ok
