"""The Pareto of failed findings and repeat offenders (不合格统计) on a known fixture."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from pqm_tui.model import amendments, failure_stats
from pqm_tui.model.db import connect
from pqm_tui.model.errors import RuleError
from pqm_tui.model.failure_stats import Grouping, Scope
from tests.analysis_fixture import SHANGHAI, Fixture, _at, build

NOVEMBER = Scope(date(2026, 11, 1), date(2026, 11, 30), SHANGHAI)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return connect(tmp_path / "analysis.sqlite3")


@pytest.fixture
def fixture(db: Database) -> Fixture:
    return build(db)


def test_pareto_by_item_counts_shares_and_reaches_100(db: Database, fixture: Fixture) -> None:
    result = failure_stats.pareto(db, NOVEMBER, Grouping.ITEM)
    assert result.total == 9 and result.inspections == 4
    assert [(r.key, r.count) for r in result.rows] == [("KF-01", 5), ("HJ-01", 2), ("KF-02", 2)]
    assert [r.share for r in result.rows] == [Decimal("55.6"), Decimal("22.2"), Decimal("22.2")]
    assert [r.cumulative for r in result.rows] == [
        Decimal("55.6"),
        Decimal("77.8"),
        Decimal("100.0"),
    ]
    assert result.rows[0].label.startswith("客服中心工作时间内有人值守")
    assert result.rows[0].deduction == Decimal("2.5")  # 5 × 0.5


def test_pareto_by_section_and_department(db: Database, fixture: Fixture) -> None:
    sections = failure_stats.pareto(db, NOVEMBER, Grouping.SECTION)
    assert [(r.key, r.label, r.count) for r in sections.rows] == [
        ("KF", "客户服务", 7),
        ("HJ", "环境卫生", 2),
    ]
    departments = failure_stats.pareto(db, NOVEMBER, Grouping.DEPARTMENT)
    # a finding's own department, else its section's
    assert [(r.key, r.count) for r in departments.rows] == [("客服部", 7), ("环境部", 2)]
    assert departments.rows[-1].cumulative == Decimal("100.0")


def test_pareto_scope_period_and_project(db: Database, fixture: Fixture) -> None:
    second = Scope(date(2026, 11, 1), date(2026, 11, 30), SHANGHAI, project_id=fixture.second_id)
    assert failure_stats.pareto(db, second).total == 2
    city = Scope(date(2026, 11, 1), date(2026, 11, 30), SHANGHAI, city_id=fixture.city_id)
    assert failure_stats.pareto(db, city).total == 9
    # 11-10 10:00 in Shanghai is 02:00 UTC: the day is the local one
    one_day = Scope(date(2026, 11, 10), date(2026, 11, 10), SHANGHAI)
    assert failure_stats.pareto(db, one_day).total == 3
    empty = failure_stats.pareto(db, Scope(date(2026, 10, 1), date(2026, 10, 31), SHANGHAI))
    assert empty.total == 0 and empty.rows == [] and empty.inspections == 0
    with pytest.raises(RuleError):
        Scope(date(2026, 11, 30), date(2026, 11, 1), SHANGHAI)


def test_pareto_and_repeats_read_findings_as_amended(db: Database, fixture: Fixture) -> None:
    """An upheld appeal voids a finding: it no longer counts, nor continues a run."""
    last = fixture.inspection_ids[2]  # 甲 11-20
    hj = next(
        f
        for f in amendments.effective_findings(db, last)
        if f.department == "" and f.result.value == "fail" and f.occurrences == 1
        and f.item_id in {r["id"] for r in db.query("SELECT id FROM items WHERE code = 'HJ-01'")}
    )  # fmt: skip
    amendments.add_amendment(db, _at(25), fixture.inspector_id, hj, "voided", "1", "申诉成立")
    result = failure_stats.pareto(db, NOVEMBER)
    assert result.total == 8
    assert [(r.key, r.count) for r in result.rows] == [("KF-01", 5), ("KF-02", 2), ("HJ-01", 1)]
    repeats = failure_stats.repeat_offenders(db, NOVEMBER)
    assert [(r.code, r.run) for r in repeats] == [("KF-01", 3)]


def test_repeat_offenders(db: Database, fixture: Fixture) -> None:
    repeats = failure_stats.repeat_offenders(db, NOVEMBER)
    assert [(r.project_name, r.code, r.run, r.ongoing) for r in repeats] == [
        ("甲项目", "KF-01", 3, True),
        ("甲项目", "HJ-01", 2, True),
    ]
    assert repeats[0].dates == [date(2026, 11, 3), date(2026, 11, 10), date(2026, 11, 20)]
    assert repeats[1].dates == [date(2026, 11, 10), date(2026, 11, 20)]
    assert failure_stats.repeat_offenders(db, NOVEMBER, minimum=3)[0].code == "KF-01"
    assert len(failure_stats.repeat_offenders(db, NOVEMBER, minimum=3)) == 1
    # until 11-15 KF-01 failed twice in a row in 甲; 乙 failed it once
    early = Scope(date(2026, 11, 1), date(2026, 11, 15), SHANGHAI)
    assert [(r.code, r.run) for r in failure_stats.repeat_offenders(db, early)] == [("KF-01", 2)]


def test_local_day_boundaries(db: Database, fixture: Fixture) -> None:
    """23:30 on 30 November in Shanghai (15:30 UTC) is November; 00:30 on 1 December
    (16:30 UTC on 30 November) is December."""
    from datetime import datetime

    from pqm_tui.model import inspections
    from pqm_tui.model.entities import InspectionKind, Result

    version_id, item_id, area_id = next(
        db.query(
            """SELECT i.checklist_version_id, f.item_id, f.area_id FROM findings f
               JOIN inspections i ON i.id = f.inspection_id
               WHERE f.result = 'fail' AND i.project_id = ? LIMIT 1""",
            [fixture.second_id],
        )
    ).values()
    for moment in (datetime(2026, 11, 30, 23, 30), datetime(2026, 12, 1, 0, 30)):
        at = _at(1)
        stamp = moment.replace(tzinfo=SHANGHAI).isoformat(timespec="milliseconds")
        inspection = inspections.create_inspection(
            db, at, fixture.second_id, InspectionKind.MONTHLY, version_id,
            [fixture.inspector_id], stamp,
        )  # fmt: skip
        inspections.record_finding(
            db, at, inspection.id, item_id, area_id, Result.FAIL, occurrences=1
        )
        inspections.sign_inspection(
            db, at, inspection.id, receiver_name="张经理", receiver_role="项目经理",
            issuing_department="品质管理部", deadline=at.today(),
        )  # fmt: skip
    assert failure_stats.pareto(db, NOVEMBER).total == 9 + 1
    december = Scope(date(2026, 12, 1), date(2026, 12, 31), SHANGHAI)
    assert failure_stats.pareto(db, december).total == 1
    in_utc = Scope(date(2026, 11, 1), date(2026, 11, 30), ZoneInfo("UTC"))
    assert failure_stats.pareto(db, in_utc).total == 9 + 2  # both are 30 November in UTC
