"""The monthly assessment (品质检查考核表): counted checks, carry-overs, bands, publishing."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from pqm_tui.config import AssessmentRules, ScoreBand, Settings
from pqm_tui.model import assessments, carry_overs, inspections, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import InspectionKind, Item, Project, Result
from pqm_tui.model.errors import LockedError, RuleError, translate_locks
from pqm_tui.model.schema import migrate
from pqm_tui.services import assessment, signoff
from pqm_tui.services.assessment_months import next_month
from pqm_tui.services.demo import seed_demo
from pqm_tui.services.inspection_state import load_state
from pqm_tui.services.scoring import band_for
from tests.people import uphold_appeal

SHANGHAI = ZoneInfo("Asia/Shanghai")
DECEMBER = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)  # November has closed


def at(moment: datetime) -> Clock:
    return Clock(tz=SHANGHAI, source=lambda: moment)


@pytest.fixture
def db(demo_db_path: Path) -> Database:
    return connect(demo_db_path)


def person(db: Database, name: str) -> str:
    return organisation.find_person(db, name).id


def project(db: Database, name: str) -> Project:
    return organisation.find_project(db, name)


def monthly_check(
    db: Database, settings: Settings, project: Project, when: datetime, fails: int
) -> tuple[str, Decimal]:
    """A signed monthly check at ``when`` failing the first ``fails`` items once each;
    returns its id and its score computed by hand (applicable − deducted) / applicable."""
    clock = at(when)
    (version,) = db.execute(  # the checklist version its last monthly check used
        """SELECT checklist_version_id FROM inspections WHERE project_id = ? AND kind = ?
           ORDER BY started_at DESC LIMIT 1""",
        [project.id, InspectionKind.MONTHLY.value],
    ).fetchone()
    created = inspections.create_inspection(
        db,
        clock,
        project.id,
        InspectionKind.MONTHLY,
        version,
        [person(db, "王丽华")],
        started_at=when.isoformat(timespec="milliseconds"),
    )
    plan = load_state(db, settings, created.id).plan
    failed: dict[str, Decimal] = {}
    for area_id, item_id in plan.pairs:
        item = next(i for i in plan.items_by_area[area_id] if i.id == item_id)
        fail = len(failed) < fails and item_id not in failed
        if fail:
            failed[item_id] = min(item.per_occurrence, item.points)
        inspections.record_finding(
            db,
            clock,
            created.id,
            item_id,
            area_id,
            Result.FAIL if fail else Result.PASS,
            occurrences=1 if fail else 0,
            deduction=failed[item_id] if fail else Decimal(0),
        )
    signoff.sign_off(
        db,
        clock,
        settings,
        created.id,
        receiver_name="张经理",
        receiver_role="经理",
        actor=person(db, "王丽华"),
    )
    applicable = sum((i.points for i in {i.id: i for i in _items(plan)}.values()), Decimal(0))
    deducted = sum(failed.values(), Decimal(0))
    hand = ((applicable - deducted) / applicable * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return created.id, hand


def _items(plan: object) -> list[Item]:
    return [i for items in plan.items_by_area.values() for i in items]  # type: ignore[attr-defined]


def line(db: Database, month: str, name: str) -> assessment.MonthLine:
    return next(x for x in assessment.month_lines(db, month) if x.project.name == name)


def compute(db: Database, settings: Settings, month: str, **kw: object) -> None:
    actor = person(db, "王丽华")
    assessment.compute_month(db, at(DECEMBER), settings, month, actor=actor, **kw)  # type: ignore[arg-type]


MONTHS = ("2026-10", "2026-11")  # October: no counted check in the demo's projects here


# which inspections count -------------------------------------------------------------
def test_an_inspection_at_2330_on_the_31st_counts_in_that_month(
    db: Database, settings: Settings
) -> None:
    park = project(db, "锦程国际中心")  # no signed monthly check in October or November
    late = datetime(2026, 10, 31, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC, still 31 October
    _, october = monthly_check(db, settings, park, late, fails=1)
    # 07:30 on 1 November in Shanghai is 23:30 on 31 October in UTC: November here
    early = datetime(2026, 10, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    _, november = monthly_check(db, settings, park, early, fails=2)
    compute(db, settings, "2026-10")
    compute(db, settings, "2026-11")
    oct_line, nov_line = line(db, "2026-10", park.name), line(db, "2026-11", park.name)
    assert [i["day"] for i in oct_line.detail["inspections"]] == ["2026-10-31"]
    assert [i["day"] for i in nov_line.detail["inspections"]] == ["2026-11-01"]
    assert Decimal(oct_line.detail["base"]) == october
    assert Decimal(nov_line.detail["base"]) == november


def test_one_counted_check_and_three(db: Database, settings: Settings) -> None:
    """One: 锦程·天府花园 has one signed monthly check in November (3 Nov; the draft of
    23 Nov does not count). Three: 锦程国际中心 gets three (its completed but unsigned
    check of 21 Nov does not count); each scores (applicable − deducted) / applicable
    × 100 to 0.1 (monthly_check), the base is their mean to 0.01, less 2 points per
    carry-over filed under November."""
    garden, centre = project(db, "锦程·天府花园"), project(db, "锦程国际中心")
    scores = [
        monthly_check(db, settings, centre, datetime(2026, 11, day, 10, tzinfo=SHANGHAI), n)[1]
        for day, n in ((3, 0), (12, 2), (26, 5))
    ]
    compute(db, settings, "2026-11")
    one, three = line(db, "2026-11", garden.name), line(db, "2026-11", centre.name)
    assert [i["day"] for i in one.detail["inspections"]] == ["2026-11-03"]
    assert (one.detail["base"], one.detail["inspections"][0]["score"]) == ("88.80", "88.8")
    mean = (sum(scores, Decimal(0)) / 3).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert [i["day"] for i in three.detail["inspections"]] == [
        "2026-11-03",
        "2026-11-12",
        "2026-11-26",
    ]
    assert Decimal(three.detail["base"]) == mean
    # its October had no counted check: October's carry-overs are deducted in November too
    filed = [carry_overs.carry_overs(db, project_id=centre.id, month=m) for m in MONTHS]
    carry = Decimal(2) * sum(len(f) for f in filed)
    assert carry == Decimal(8) and three.score == mean - carry
    # the lowest instead of the mean, when configured so
    lowest = replace(settings, assessment=AssessmentRules(combine="min"))
    compute(db, lowest, "2026-11")
    assert line(db, "2026-11", centre.name).score == min(scores) - carry


def test_demo_november_by_hand(db: Database, settings: Settings) -> None:
    """锦程·天府花园, November 2026 on the demo data: one monthly check (3 Nov), 98.5
    points applicable, 11.0 deducted: (98.5 − 11) / 98.5 × 100 = 88.83 → 88.8; three
    items failed re-inspection on 5 October, filed under November (下月考核) at 2 points
    each, and October had no counted check, so the two carry-overs filed under October
    are taken here (none is lost): 5 × 2 = 10 → 88.8 − 10 = 78.80, band 待改进
    (75 ≤ s < 80), pay −5 %.
    锦程国际中心's only November check is not signed: flagged, not 100."""
    compute(db, settings, "2026-11")
    garden = line(db, "2026-11", "锦程·天府花园")
    assert [(i["day"], i["score"]) for i in garden.detail["inspections"]] == [
        ("2026-11-03", "88.8")
    ]
    assert garden.detail["carry_over_total"] == "10"
    assert (
        sorted(c["month"] for c in garden.detail["carry_overs"])
        == ["2026-10"] * 2 + ["2026-11"] * 3
    )
    assert garden.score == Decimal("78.80")
    assert (garden.band["label_zh"], garden.band["pay_adjust_percent"]) == ("待改进", -5)
    centre = line(db, "2026-11", "锦程国际中心")
    assert centre.score is None and centre.detail["flag"] == assessment.NO_INSPECTION
    assert centre.band == {}


# carry-overs ---------------------------------------------------------------------------
def test_a_carry_over_is_applied_once_even_when_recomputed(
    db: Database, settings: Settings
) -> None:
    garden = project(db, "锦程·天府花园")
    filed = [c for m in MONTHS for c in carry_overs.carry_overs(db, project_id=garden.id, month=m)]
    for _ in range(3):
        compute(db, settings, "2026-11")
    found = line(db, "2026-11", garden.name)
    assert sorted(c["id"] for c in found.detail["carry_overs"]) == sorted(c.id for c in filed)
    assert Decimal(found.detail["base"]) - found.score == Decimal(2) * len(filed)  # type: ignore[operator]
    # and not again in December: each is filed under one month
    compute(db, settings, "2026-12")
    december = line(db, "2026-12", garden.name).detail["carry_overs"]
    assert not {c["id"] for c in december} & {c.id for c in filed}


def test_an_upheld_appeal_removes_a_carry_over_by_a_revision(
    db: Database, settings: Settings
) -> None:
    garden = project(db, "锦程·天府花园")
    compute(db, settings, "2026-11")
    manager = person(db, "黄建国")
    assessment.publish_month(db, at(DECEMBER), settings, "2026-11", actor=manager, city=None)
    published = line(db, "2026-11", garden.name)
    assert published.assessment is not None and published.assessment.published
    carry = carry_overs.carry_overs(db, project_id=garden.id, month="2026-11")[0]
    clock = at(datetime(2026, 12, 3, 10, tzinfo=SHANGHAI))
    uphold_appeal(db, clock, carry.rectification_item_id, "属实")
    # not applied silently: the published month still says what was published
    assert line(db, "2026-11", garden.name).score == published.score
    assessment.compute_month(db, clock, settings, "2026-11", actor=manager)
    after = line(db, "2026-11", garden.name)
    assert after.assessment is not None
    assert after.assessment.score == published.score  # the published row is frozen
    (revision,) = after.assessment.revisions
    assert revision.old_score == published.score
    assert revision.new_score == after.score and revision.actor == manager
    assert revision.reason == assessment.RECOMPUTED
    removed = [c for c in revision.changes if c["what"] == "carry-over"]
    assert removed == [
        {
            "what": "carry-over",
            "id": carry.id,
            "item_id": carry.rectification_item_id,
            "old": "2",
            "new": None,
            "why": ["属实"],
        }
    ]
    voided_finding = [c for c in revision.changes if c["what"] == "inspection"]
    assert all(c["why"] == ["属实"] for c in voided_finding)
    # the voided finding's deduction comes back too when it was in a counted check
    gained = sum(
        (Decimal(c["new"]) - Decimal(c["old"]) for c in voided_finding), Decimal(0)
    ).quantize(Decimal("0.01"))
    assert after.score == published.score + 2 + gained  # type: ignore[operator]
    # recomputing again records nothing more
    assessment.compute_month(db, clock, settings, "2026-11", actor=manager)
    assert len(line(db, "2026-11", garden.name).assessment.revisions) == 1  # type: ignore[union-attr]


# bands ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("score", "pay", "label"),
    [
        ("100", 10, "优秀"),
        ("95.0", 10, "优秀"),  # 95分（含95分）以上 +10%
        ("94.99", 5, "良好"),  # 高于90分（含90分）但低于95分 +5%
        ("90.0", 5, "良好"),
        ("89.99", 0, "合格"),
        ("80.0", 0, "合格"),
        ("79.99", -5, "待改进"),  # 低于80分但高于75分（含75分）−5%
        ("75.0", -5, "待改进"),
        ("74.99", -10, "不合格"),  # 75分（不含75分）以下 −10%
        ("0", -10, "不合格"),
    ],
)
def test_bands_at_their_edges(score: str, pay: int, label: str) -> None:
    band = band_for(Decimal(score), Settings().bands)
    assert (band.pay_adjust_percent, band.label_zh) == (pay, label)


# quarters --------------------------------------------------------------------------------
def test_a_quarter_with_a_month_missing(db: Database, settings: Settings) -> None:
    compute(db, settings, "2026-10")
    compute(db, settings, "2026-11")  # December is not computed
    months, lines = assessment.quarter_lines(db, settings, "2026Q4")
    assert months == ["2026-10", "2026-11", "2026-12"]
    garden = next(q for q in lines if q.project.name == "锦程·天府花园")
    assert garden.missing == (0, 2)  # no monthly check in October; December not computed
    assert garden.scores[1] == Decimal("78.80")
    assert garden.total == Decimal("78.80") and garden.average == Decimal("78.80")
    assert garden.band["label_zh"] == "待改进"
    with pytest.raises(RuleError):
        assessment.quarter_months("2026Q5")


# publishing --------------------------------------------------------------------------------
def test_a_configuration_change_does_not_rewrite_a_published_month(
    db: Database, settings: Settings
) -> None:
    compute(db, settings, "2026-11")
    manager = person(db, "黄建国")
    assessment.publish_month(db, at(DECEMBER), settings, "2026-11", actor=manager, city=None)
    before = {x.project.name: (x.score, x.band) for x in assessment.month_lines(db, "2026-11")}
    stricter = replace(
        settings,
        bands=[ScoreBand(min_score=Decimal(0), label_zh="差", label_en="Poor")],
        carry_over_points=Decimal(5),
        assessment=AssessmentRules(kinds=["monthly", "self"], red_line_points=Decimal(3)),
    )
    result = assessment.compute_month(db, at(DECEMBER), stricter, "2026-11", actor=manager)
    assert (result.drafts, result.revised) == (0, 0)
    after = {x.project.name: (x.score, x.band) for x in assessment.month_lines(db, "2026-11")}
    assert after == before
    # an unpublished month is computed with the settings of today
    assessment.compute_month(db, at(DECEMBER), stricter, "2026-10", actor=manager)
    assert {x.band.get("label_zh") for x in assessment.month_lines(db, "2026-10")} <= {"差", None}


def test_a_published_assessment_is_frozen(db: Database, settings: Settings) -> None:
    compute(db, settings, "2026-11")
    with pytest.raises(RuleError) as early:
        assessment.publish_month(
            db,
            at(datetime(2026, 11, 29, 9, tzinfo=SHANGHAI)),
            settings,
            "2026-11",
            actor=person(db, "黄建国"),
            city=None,
        )
    assert early.value.key == "assess.err.not_closed"
    manager = person(db, "黄建国")
    assert (
        assessment.publish_month(db, at(DECEMBER), settings, "2026-11", actor=manager, city=None)
        == 4
    )
    stored = assessments.assessments(db, months=["2026-11"])
    assert {a.published_by for a in stored} == {manager}
    for sql in (
        "UPDATE assessments SET score = '100' WHERE id = ?",
        "DELETE FROM assessments WHERE id = ?",
    ):
        with pytest.raises(LockedError) as refused, translate_locks(), db.atomic():
            db.execute(sql, [stored[0].id])
        assert refused.value.key == "errors.db.locked_assessment"
    with pytest.raises(RuleError):
        assessment.publish_month(db, at(DECEMBER), settings, "2026-11", actor=manager, city=None)


def test_m015_moves_carry_overs_to_the_month_after_they_were_recorded(
    tmp_path: Path, clock: Clock
) -> None:
    path = tmp_path / "m014.sqlite3"
    old = connect(path, migrate_schema=False)  # PQM's connection, at an older schema
    migrate(old, stop_before="m015_assessments")
    seed_demo(old, clock, Settings(timezone="Asia/Shanghai"))
    # as PQM filed them before: under the month they were recorded in
    old.execute("UPDATE carry_over_deductions SET assessment_month = substr(created_at, 1, 7)")
    old.conn.commit()
    before = {
        r["id"]: r["created_at"][:7] for r in old.query("SELECT * FROM carry_over_deductions")
    }
    assert before and "assessments" not in old.table_names()
    old.close()
    db = connect(path)
    after = {c.id: c.assessment_month for c in carry_overs.carry_overs(db, include_voided=True)}
    assert after == {key: next_month(month) for key, month in before.items()}


def test_a_project_archived_later_keeps_its_months(db: Database, settings: Settings) -> None:
    compute(db, settings, "2026-11")
    garden = project(db, "锦程·天府花园")
    organisation.archive(db, at(DECEMBER), "projects", garden.id)
    compute(db, settings, "2026-11")
    assert line(db, "2026-11", garden.name).score == Decimal("78.80")
    _, lines = assessment.quarter_lines(db, settings, "2026Q4")
    assert garden.name in {q.project.name for q in lines}
    compute(db, settings, "2026-12")  # no check in December: not listed any more
    assert garden.name not in {x.project.name for x in assessment.month_lines(db, "2026-12")}


def test_check_scores_agree_with_the_inspection_summary(db: Database, settings: Settings) -> None:
    """The month's one-query scores equal each check's own (load_state), amendments and an
    upheld appeal included, for every signed inspection of the demo."""
    item = db.execute(
        """SELECT r.id FROM rectification_items r JOIN findings f ON f.id = r.finding_id
           JOIN inspections i ON i.id = f.inspection_id
           WHERE r.status = 'open' AND i.kind = 'monthly' LIMIT 1"""
    ).fetchone()[0]
    clock = at(DECEMBER)
    uphold_appeal(db, clock, item, "属实")
    signed = [r[0] for r in db.execute("SELECT id FROM inspections WHERE status = 'signed'")]
    fast = assessment.check_scores(db, signed)
    for inspection_id in signed:
        state = load_state(db, settings, inspection_id)
        red = sum(1 for f in state.findings if f.result == "fail" and f.severity == "red-line")
        assert (fast[inspection_id].score, fast[inspection_id].red_lines) == (
            state.card.total,
            red,
        ), inspection_id


def test_a_carry_over_of_an_unscored_month_is_deducted_in_the_next_scored_one(
    db: Database, settings: Settings
) -> None:
    """锦程国际中心 has no counted November check: a carry-over filed under November is
    listed there, deducted in December, once however often December is recomputed; a
    late-signed November check takes it back to November."""
    centre = project(db, "锦程国际中心")
    item_id, inspection_id = db.execute(
        """SELECT r.id, f.inspection_id FROM rectification_items r
           JOIN findings f ON f.id = r.finding_id WHERE r.project_id = ? LIMIT 1""",
        [centre.id],
    ).fetchone()
    assert carry_overs.record_carry_over(
        db,
        at(DECEMBER),
        item_id=item_id,
        reinspection_id=inspection_id,
        project_id=centre.id,
        assessment_month="2026-11",
        amount=Decimal(2),
    )
    compute(db, settings, "2026-11")
    november = line(db, "2026-11", centre.name)
    listed = {c["item_id"] for c in november.detail["carry_overs"]}
    assert november.score is None and item_id in listed
    monthly_check(db, settings, centre, datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI), 0)
    for _ in range(2):
        compute(db, settings, "2026-12")
        december = line(db, "2026-12", centre.name)
        rolled = december.detail["carry_overs"]  # November's and October's: both unscored
        assert item_id in {c["item_id"] for c in rolled if c["month"] == "2026-11"}
        assert {c["month"] for c in rolled} == {"2026-10", "2026-11"}
        assert december.score == Decimal(december.detail["base"]) - 2 * len(rolled)
    monthly_check(db, settings, centre, datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI), 0)
    compute(db, settings, "2026-11")
    compute(db, settings, "2026-12")
    late = line(db, "2026-11", centre.name)
    assert late.score is not None and item_id in {c["item_id"] for c in late.detail["carry_overs"]}
    assert line(db, "2026-12", centre.name).detail["carry_overs"] == []
