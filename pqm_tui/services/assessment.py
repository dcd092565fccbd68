"""The monthly assessment (月度考核, 品质检查考核表) and the quarterly summary (季度汇总).

Rules (000 篇1 §4, 篇4 §四):
- Counted: the project's signed inspections of the configured kinds (by default the
  quality group's monthly checks, 城市公司月检) whose start falls in the month, in the
  configured timezone (an inspection at 23:30 local on the 31st is the 31st's month).
- Several counted checks combine into one score (mean by default, or the lowest, or
  the last); a project without a counted check is flagged (未考核), never given 100.
- Deducted from it: the carry-overs filed under the month (下月考核扣分: a re-inspection
  failed in the month before; each carry-over is filed under exactly one month, and a
  recomputation replaces the figures, never adds to them) and, if configured, extra
  points per red-line finding (红线) of a counted check. The score is not below 0.
- The band and pay adjustment come from the bands (≥ min_score, highest first).
- A draft is recomputed at will; publishing (发布, the quality manager) freezes it.
  Recomputing a published month uses the rules it was published with (a configuration
  change rewrites nothing published) and, when its figures moved (an upheld appeal,
  an approved amendment), records a revision with the old and new score and what
  changed; it is never silently rewritten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlite_utils import Database

from pqm_tui.config import AssessmentRules, ScoreBand, Settings, rules_from_record
from pqm_tui.model import amendments, assessments, carry_overs, organisation
from pqm_tui.model.assessments import Assessment, GridCell
from pqm_tui.model.bounds import check_month
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import Project
from pqm_tui.model.errors import RuleError
from pqm_tui.model.permissions import Action as Permission
from pqm_tui.model.permissions import require
from pqm_tui.model.rows import points
from pqm_tui.services.assessment_months import close_date, month_of, previous_month
from pqm_tui.services.scoring import HUNDRED, band_for

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
NO_INSPECTION = "no-inspection"  # the flag of a month without a counted check (未考核)
RECOMPUTED = "recomputed"  # a revision's reason when the user gave none: its changes say why


def quarter_months(quarter: str) -> list[str]:
    """``2026Q4`` → its three months; a malformed quarter is refused."""
    text = quarter.strip().upper()
    if len(text) != 6 or text[4] != "Q" or not text[:4].isdigit() or text[5] not in "1234":
        raise RuleError("assess.err.bad_quarter", quarter=quarter[:20])
    year, number = int(text[:4]), int(text[5])
    return [f"{year:04d}-{3 * (number - 1) + m:02d}" for m in (1, 2, 3)]


# the rules as recorded with each assessment -------------------------------------
def rules_record(rules: AssessmentRules, bands: list[ScoreBand]) -> dict[str, Any]:
    """The rules a month was computed with, as stored in its detail (JSON-ready)."""
    return {
        "kinds": list(rules.kinds),
        "combine": rules.combine,
        "close_day": rules.close_day,
        "red_line_points": str(rules.red_line_points),
        "bands": [band_record(b) for b in bands],
    }


def band_record(band: ScoreBand) -> dict[str, Any]:
    return {
        "min_score": str(band.min_score),
        "label_zh": band.label_zh,
        "label_en": band.label_en,
        "pay_adjust_percent": band.pay_adjust_percent,
    }


def recorded_rules(record: dict[str, Any]) -> tuple[AssessmentRules, list[ScoreBand]]:
    return rules_from_record(record)


# computing one project's month ----------------------------------------------------
@dataclass(frozen=True)
class Figures:
    """One project's month as computed: score, band and what it was made of."""

    project_id: str
    month: str
    score: Decimal | None
    band: dict[str, Any]
    detail: dict[str, Any]


def counted_inspections(
    db: Database, clock: Clock, month: str, kinds: Iterable[str]
) -> dict[str, list[dict[str, Any]]]:
    """Project id → its signed inspections of ``kinds`` started in ``month`` (local date)."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in assessments.signed_inspections_near(db, month, list(kinds)):
        if month_of(clock.local_date_of(row["started_at"])) == month:
            found[row["project_id"]].append(row)
    return found


ROLL_BACK_MONTHS = 12  # how far back unscored months' carry-overs are looked for


def unscored_months_before(
    db: Database,
    clock: Clock,
    project_id: str,
    month: str,
    kinds: Iterable[str],
    cache: dict[tuple[str, frozenset[str]], dict[str, list[dict[str, Any]]]],
) -> list[str]:
    """The months just before ``month`` in which the project had no counted check, back to
    the last one it had (at most a year); ``cache`` keeps each month's counted checks."""
    wanted = frozenset(kinds)
    months: list[str] = []
    earlier = month
    for _ in range(ROLL_BACK_MONTHS):
        earlier = previous_month(earlier)
        key = (earlier, wanted)
        if key not in cache:
            cache[key] = counted_inspections(db, clock, earlier, wanted)
        if cache[key].get(project_id):
            break
        months.append(earlier)
    return months


def _combine(scores: list[Decimal], how: str) -> Decimal:
    if how == "min":
        return min(scores)
    if how == "last":
        return scores[-1]
    return (sum(scores, Decimal(0)) / len(scores)).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class CheckScore:
    """A counted check's score (检查得分) and its red-line failures."""

    score: Decimal
    red_lines: int


def check_scores(db: Database, inspection_ids: list[str]) -> dict[str, CheckScore]:
    """Each signed inspection's total as ``scoring.score`` gives it (amendments applied;
    an item's deductions capped at its points; N/A-only items out of the base), for many
    inspections in one query (a month of 500 projects)."""
    applicable: dict[str, Decimal] = defaultdict(Decimal)
    deducted: dict[str, Decimal] = defaultdict(Decimal)
    red_lines: dict[str, int] = defaultdict(int)
    for row in assessments.check_totals(db, inspection_ids):
        key = row["inspection_id"]
        applicable[key] = points(row["applicable"])
        deducted[key] = points(row["deducted"])
        red_lines[key] = int(row["red_lines"])
    result = {}
    for key in inspection_ids:
        base = applicable[key]
        total = HUNDRED
        if base:
            total = ((base - deducted[key]) / base * HUNDRED).quantize(TENTH, ROUND_HALF_UP)
        result[key] = CheckScore(total, red_lines[key])
    return result


def compute(
    db: Database,
    clock: Clock,
    project_id: str,
    month: str,
    rows: list[dict[str, Any]],
    rules: AssessmentRules,
    bands: list[ScoreBand],
    scores: dict[str, CheckScore],
    rolled: Iterable[str] = (),
) -> Figures:
    """The project's figures of ``month`` from its counted inspections ``rows``.

    ``rolled``: the months just before, back to the last one the project was scored in,
    without a counted check; their carry-overs, listed there but not deducted (no score
    to take them from), are deducted here, so none is lost and none is taken twice.
    """
    counted = [
        {
            "id": row["id"],
            "kind": row["kind"],
            "day": clock.local_date_of(row["started_at"]).isoformat(),
            "score": str(scores[row["id"]].score),
            "red_lines": scores[row["id"]].red_lines,
        }
        for row in rows
    ]
    carried = [
        {
            "id": c.id,
            "item_id": c.rectification_item_id,
            "reinspection_id": c.reinspection_id,
            "points": str(c.points),
            "recorded_at": c.created_at,
            "month": filed,
        }
        for filed in (*sorted(rolled), month)
        for c in carry_overs.carry_overs(db, project_id=project_id, month=filed)
    ]
    carry_total = sum((Decimal(c["points"]) for c in carried), Decimal(0))
    red_line_total = rules.red_line_points * sum(c["red_lines"] for c in counted)
    detail: dict[str, Any] = {
        "inspections": counted,
        "carry_overs": carried,
        "carry_over_total": str(carry_total),
        "red_line_total": str(red_line_total),
        "rules": rules_record(rules, bands),
        "flag": "",
        "base": None,
    }
    if not counted:  # nothing to deduct from: this month's own carry-overs roll forward
        own = [c for c in carried if c["month"] == month]
        total = str(sum((Decimal(c["points"]) for c in own), Decimal(0)))
        listed = {**detail, "carry_overs": own, "carry_over_total": total, "flag": NO_INSPECTION}
        return Figures(project_id, month, None, {}, listed)
    base = _combine([Decimal(c["score"]) for c in counted], rules.combine)
    score = max(base - carry_total - red_line_total, Decimal(0)).quantize(CENT, ROUND_HALF_UP)
    band = band_record(band_for(score, bands))
    return Figures(project_id, month, score, band, {**detail, "base": str(base)})


# a month for all projects -------------------------------------------------------
@dataclass(frozen=True)
class MonthResult:
    """What ``compute_month`` did: drafts written, published ones revised or unchanged."""

    month: str
    drafts: int
    revised: int
    unchanged: int  # published months whose figures did not move


def projects_in_scope(
    db: Database, city: str | None = None, assessed: Iterable[str] = ()
) -> list[Project]:
    """Active projects, and archived ones with an assessment among ``assessed`` (project
    ids: an old month still lists them); of one city company (name or id) when given."""
    kept = set(assessed)
    projects = [p for p in organisation.list_projects(db) if p.archived_at is None or p.id in kept]
    if city is None:
        return projects
    cities = [c for c in organisation.list_city_companies(db) if city in (c.id, c.name)]
    if not cities:
        raise RuleError("assess.err.unknown_city", city=city[:40])
    return [p for p in projects if p.city_company_id == cities[0].id]


def what_changed(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The differences between two details: inspections and carry-overs (JSON-ready)."""
    changes: list[dict[str, Any]] = []
    before = {i["id"]: i for i in old.get("inspections", [])}
    after = {i["id"]: i for i in new.get("inspections", [])}
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was is None or now is None or was["score"] != now["score"]:
            changes.append(
                {
                    "what": "inspection",
                    "id": key,
                    "day": (now or was or {}).get("day", ""),
                    "old": was["score"] if was else None,
                    "new": now["score"] if now else None,
                }
            )
    before = {c["id"]: c for c in old.get("carry_overs", [])}
    after = {c["id"]: c for c in new.get("carry_overs", [])}
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was is None or now is None:
            changes.append(
                {
                    "what": "carry-over",
                    "id": key,
                    "item_id": (now or was or {}).get("item_id", ""),
                    "old": was["points"] if was else None,
                    "new": now["points"] if now else None,
                }
            )
    if old.get("red_line_total") != new.get("red_line_total"):
        changes.append(
            {
                "what": "red-line",
                "old": old.get("red_line_total"),
                "new": new.get("red_line_total"),
            }
        )
    return changes


def compute_month(
    db: Database,
    clock: Clock,
    settings: Settings,
    month: str,
    *,
    actor: str,
    city: str | None = None,
    reason: str = "",
) -> MonthResult:
    """Compute ``month`` for every project in scope (计算考核; quality department).

    Drafts are (re)written with the current settings. A published month is recomputed
    with the rules it was published with; when its figures moved, a revision is
    recorded (``reason``: the user's words, else what changed says why).
    """
    check_month(month, clock.today())
    require(db, actor, Permission.COMPUTE_ASSESSMENT)
    stored = {a.project_id: a for a in assessments.assessments(db, months=[month])}
    current = (settings.assessment, settings.bands)
    kinds = set(settings.assessment.kinds)
    for a in stored.values():
        if a.published:
            kinds.update(a.detail["rules"]["kinds"])
    found = counted_inspections(db, clock, month, kinds)
    projects = projects_in_scope(db, city, {*stored, *found})  # archived since: still scored
    scores = check_scores(db, [r["id"] for rows in found.values() for r in rows])
    earlier: dict[tuple[str, frozenset[str]], dict[str, list[dict[str, Any]]]] = {}
    drafts = revised = unchanged = 0
    with db.atomic():
        for project in projects:
            existing = stored.get(project.id)
            rules, bands = current
            if existing is not None and existing.published:
                rules, bands = recorded_rules(existing.detail["rules"])
            rows = [r for r in found.get(project.id, []) if r["kind"] in rules.kinds]
            rolled = unscored_months_before(db, clock, project.id, month, rules.kinds, earlier)
            figures = compute(db, clock, project.id, month, rows, rules, bands, scores, rolled)
            if existing is None or not existing.published:
                assessments.save_draft(
                    db,
                    clock,
                    project_id=project.id,
                    month=month,
                    score=figures.score,
                    band=figures.band,
                    detail=figures.detail,
                    actor=actor,
                )
                drafts += 1
                continue
            changes = what_changed(existing.current_detail, figures.detail)
            if figures.score == existing.current_score and not changes:
                unchanged += 1
                continue
            assessments.add_revision(
                db,
                clock,
                existing,
                actor=actor,
                reason=reason or RECOMPUTED,
                score=figures.score,
                band=figures.band,
                detail=figures.detail,
                changes=[_why(db, existing, change) for change in changes],
            )
            revised += 1
    return MonthResult(month, drafts, revised, unchanged)


def _why(db: Database, published: Assessment, change: dict[str, Any]) -> dict[str, Any]:
    """A change with the recorded reasons behind it: the inspection's amendments since
    publication (an upheld appeal, an approved amendment), a carry-over's voiding."""
    since = published.revisions[-1].at if published.revisions else published.published_at or ""
    if change["what"] == "inspection":
        reasons = [
            a.reason
            for a in amendments.list_amendments(db, change["id"])
            if a.at > since and a.reason
        ]
        return {**change, "why": sorted(set(reasons))}
    if change["what"] == "carry-over":
        voided = [
            c.voided_reason or ""
            for c in carry_overs.carry_overs(db, item_id=change["item_id"], include_voided=True)
            if c.id == change["id"] and c.voided_at
        ]
        return {**change, "why": voided}
    return {**change, "why": []}


def publish_month(
    db: Database, clock: Clock, settings: Settings, month: str, *, actor: str, city: str | None
) -> int:
    """Publish the month's drafts in scope (发布考核; the quality manager, ``actor``).

    The one place where publishing is authorised (the permission table). A month is
    published on or after its close day, in the configured timezone.
    """
    require(db, actor, Permission.PUBLISH_ASSESSMENT)
    if clock.today() < close_date(month, settings.assessment.close_day):
        raise RuleError(
            "assess.err.not_closed",
            month=month,
            day=close_date(month, settings.assessment.close_day).isoformat(),
        )
    scope = {p.id for p in projects_in_scope(db, city)}
    drafts = [
        a.id
        for a in assessments.assessments(db, months=[month])
        if a.project_id in scope and not a.published
    ]
    if not drafts:
        raise RuleError("assess.err.nothing_to_publish", month=month)
    return assessments.publish(db, clock, drafts, actor)


# reading what is stored -----------------------------------------------------------
def assessment_of(db: Database, project_id: str, month: str) -> Assessment | None:
    """The project's stored assessment of ``month`` (None: not computed)."""
    return assessments.find_assessment(db, project_id, month)


def computed_any(db: Database, months: list[str]) -> bool:
    """Whether any project's assessment of ``months`` was computed."""
    return bool(assessments.assessments(db, months=months))


def carried_items(db: Database, item_ids: list[str]) -> dict[str, str]:
    """Rectification item id → its checklist item's code and standard."""
    return carry_overs.item_labels(db, item_ids)


@dataclass(frozen=True)
class MonthLine:
    """One project's assessment of a month as shown and printed (current figures)."""

    project: Project
    assessment: Assessment | None  # None: not computed

    @property
    def score(self) -> Decimal | None:
        return self.assessment.current_score if self.assessment else None

    @property
    def band(self) -> dict[str, Any]:
        return self.assessment.current_band if self.assessment else {}

    @property
    def detail(self) -> dict[str, Any]:
        return self.assessment.current_detail if self.assessment else {}


def month_lines(db: Database, month: str, city: str | None = None) -> list[MonthLine]:
    """The month's assessments of the projects in scope, best score first, flagged last."""
    stored = {a.project_id: a for a in assessments.assessments(db, months=[month])}
    lines = [MonthLine(p, stored.get(p.id)) for p in projects_in_scope(db, city, stored)]
    return sorted(
        lines, key=lambda line: (line.score is None, -(line.score or 0), line.project.name)
    )


@dataclass(frozen=True)
class QuarterLine:
    """One project's quarter (季度汇总): three months, total, average and band."""

    project: Project
    scores: tuple[Decimal | None, ...]  # per month; None: missing (未考核 or not computed)
    states: tuple[str, ...]  # draft | published | "" per month
    total: Decimal
    average: Decimal | None
    band: dict[str, Any]

    @property
    def missing(self) -> tuple[int, ...]:
        """Indexes (0–2) of the months without a score."""
        return tuple(i for i, s in enumerate(self.scores) if s is None)


def quarter_lines(
    db: Database, settings: Settings, quarter: str, city: str | None = None
) -> tuple[list[str], list[QuarterLine]]:
    """The quarter's months and each project's line, best average first.

    The total is the sum of the months scored; the average is over those months and
    gives the quarter's band (current bands); a missing month is said, not counted as 0.
    """
    months = quarter_months(quarter)
    stored = {(a.project_id, a.month): a for a in assessments.assessments(db, months=months)}
    lines = []
    for project in projects_in_scope(db, city, {p for p, _ in stored}):
        found = [stored.get((project.id, m)) for m in months]
        scores = tuple(a.current_score if a else None for a in found)
        present = [s for s in scores if s is not None]
        total = sum(present, Decimal(0))
        average = (total / len(present)).quantize(CENT, ROUND_HALF_UP) if present else None
        band = band_record(band_for(average, settings.bands)) if average is not None else {}
        states = tuple(a.state if a else "" for a in found)
        lines.append(QuarterLine(project, scores, states, total, average, band))
    lines.sort(key=lambda q: (q.average is None, -(q.average or 0), q.project.name))
    return months, lines


# the assessment screen (考核一览) ---------------------------------------------------
def recent_months(today: date, count: int = 12) -> list[str]:
    """The ``count`` months ending with ``today``'s, oldest first."""
    return months_ending(month_of(today), count)


@dataclass(frozen=True)
class Grid:
    """Projects × months (考核一览): each project's current score and band per month."""

    months: list[str]
    projects: list[Project]
    cells: dict[tuple[str, str], GridCell]  # (project id, month) → its assessment

    def cell(self, project_id: str, month: str) -> GridCell | None:
        return self.cells.get((project_id, month))

    def scores(self, project_id: str) -> list[Decimal | None]:
        """The project's current score per month (None: not computed or 未考核)."""
        found = [self.cell(project_id, m) for m in self.months]
        return [c.score if c else None for c in found]

    def averages(self) -> list[Decimal | None]:
        """Per month, the mean of the scores of the projects in scope (平均分; None when
        none was scored), two decimals."""
        scope = {p.id for p in self.projects}
        sums: dict[str, list[Decimal]] = defaultdict(list)
        for cell in self.cells.values():
            if cell.score is not None and cell.project_id in scope:
                sums[cell.month].append(cell.score)
        return [_mean(sums[m]) if sums[m] else None for m in self.months]


def _mean(values: list[Decimal]) -> Decimal:
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, ROUND_HALF_UP)


def grid(db: Database, months: list[str], city: str | None = None) -> Grid:
    """The assessments of ``months`` for the projects in scope (one query)."""
    cells = {(c.project_id, c.month): c for c in assessments.grid_cells(db, months)}
    return Grid(months, projects_in_scope(db, city, {p for p, _ in cells}), cells)


def project_months(db: Database, project_id: str) -> list[Assessment]:
    """A project's stored assessments, oldest month first (项目考核明细)."""
    return assessments.assessments(db, project_id=project_id)


@dataclass(frozen=True)
class Trend:
    """A project's monthly scores beside the average of the projects in scope (考核趋势)."""

    project: Project
    months: list[str]
    scores: list[Decimal | None]
    average: list[Decimal | None]


def trend(db: Database, project_id: str, months: list[str], city: str | None = None) -> Trend:
    """The project's scores of ``months`` and, per month, the company's (or ``city``'s)
    average of the projects scored."""
    data = grid(db, months, city)
    project = organisation.get_project(db, project_id)
    return Trend(project, months, data.scores(project_id), data.averages())


def months_ending(month: str, count: int = 12) -> list[str]:
    """The ``count`` months ending with ``month`` (YYYY-MM), oldest first."""
    months = [month]
    while len(months) < count:
        months.insert(0, previous_month(months[0]))
    return months
