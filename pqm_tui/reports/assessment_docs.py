"""Assessment documents (考核文书): the 品质检查考核表 of a project, the month's summary of
a company or city company, the quarterly summary (季度汇总) and the results circular
(考核结果通报). Built from what ``services.assessment`` stored (current figures, with
revisions); reads only. The subject of each is its month or quarter, with ``@`` and a
project or city company id when it is about one (``2026-11@<project id>``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pqm_tui.model import failure_stats, organisation
from pqm_tui.model.bounds import check_month
from pqm_tui.model.circulars import failed_reinspections
from pqm_tui.model.errors import NotFoundError, RuleError
from pqm_tui.model.failure_stats import Grouping, Scope
from pqm_tui.reports.build import Builder
from pqm_tui.reports.context import Letterhead, Verification
from pqm_tui.reports.svg import pareto_chart, trend_chart
from pqm_tui.services import assessment
from pqm_tui.services.assessment_months import previous_month
from pqm_tui.services.points import format_points

VITAL_FEW = 10  # the Pareto's groups listed in the circular at most (the chart has 15)
NONE = "—"  # no score: not assessed (未考核), or a month not computed


@dataclass(frozen=True)
class CountedRow:
    """An inspection counted in the month (计入考核的检查)."""

    day: str
    kind: str
    score: str
    red_lines: int


@dataclass(frozen=True)
class CarryRow:
    """A carry-over deducted in the month (结转扣分)."""

    item: str  # the item's code and standard
    failed_on: str
    points: str


@dataclass(frozen=True)
class RevisionRow:
    """A revision of the published month (考核修订)."""

    at: str
    by: str
    old_score: str
    new_score: str
    reason: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class ProjectSheetContext:
    """品质检查考核表: one project's month."""

    letterhead: Letterhead
    month: str
    project: str
    state: str
    flagged: bool
    inspections: tuple[CountedRow, ...]
    base: str
    carry_overs: tuple[CarryRow, ...]
    carry_over_total: str
    red_line_total: str
    score: str
    band: str
    pay: str
    combine: str
    revisions: tuple[RevisionRow, ...]
    published_by: str
    published_on: str
    generated_at: str
    verification: Verification | None = None
    trend_svg: str = ""  # the project's last 12 months beside the company average


@dataclass(frozen=True)
class SummaryRow:
    """One project's line in a month's summary or the results circular."""

    rank: int  # 0: not ranked (no score)
    project: str
    city: str
    checks: int
    base: str
    carry_over: str
    red_line: str
    score: str
    band: str
    pay: str
    state: str


@dataclass(frozen=True)
class MonthSummaryContext:
    """考核汇总表: the month for all projects of a company or city company."""

    letterhead: Letterhead
    month: str
    scope: str
    rows: tuple[SummaryRow, ...]
    average: str
    flagged: int
    drafts: int
    generated_at: str
    verification: Verification | None = None


@dataclass(frozen=True)
class QuarterRow:
    """One project's quarter: three monthly scores, total, average, band."""

    rank: int
    project: str
    city: str
    scores: tuple[str, ...]
    total: str
    average: str
    band: str
    pay: str
    missing: tuple[str, ...]  # the months without a score


@dataclass(frozen=True)
class QuarterContext:
    """季度考核汇总表."""

    letterhead: Letterhead
    quarter: str
    months: tuple[str, ...]
    scope: str
    rows: tuple[QuarterRow, ...]
    generated_at: str
    verification: Verification | None = None
    trend_svg: str = ""  # the scope's monthly average over the 12 months to the quarter's end


@dataclass(frozen=True)
class RepeatRow:
    """An item that failed re-inspection again (屡改不合格)."""

    project: str
    item: str
    lapses: int
    notice_number: str


@dataclass(frozen=True)
class ParetoItem:
    """A failed item of the month's Pareto as printed in the circular."""

    code: str
    standard: str
    count: int
    cumulative: str


@dataclass(frozen=True)
class OffenderRow:
    """The same item failing in consecutive checks of a project (重复不合格)."""

    project: str
    item: str
    run: int
    dates: str
    ongoing: bool


@dataclass(frozen=True)
class ResultsContext:
    """考核结果通报: ranking, best and worst, repeated failures."""

    letterhead: Letterhead
    month: str
    scope: str
    ranking: tuple[SummaryRow, ...]
    best: tuple[str, ...]
    worst: tuple[str, ...]
    unassessed: tuple[str, ...]
    below_twice: tuple[str, ...]  # projects with a pay cut this month and the one before
    repeated: tuple[RepeatRow, ...]
    generated_at: str
    verification: Verification | None = None
    pareto_svg: str = ""  # the month's failed items (柏拉图), most frequent first
    failures: int = 0  # failed findings of the month's signed inspections
    top_items: tuple[ParetoItem, ...] = ()  # the Pareto's groups up to 80 % (the vital few)
    offenders: tuple[OffenderRow, ...] = ()  # failure_stats.repeat_offenders of the month
    offenders_from: str = ""  # the first month the runs are looked for in


# subjects -------------------------------------------------------------------------
def split(subject: str) -> tuple[str, str | None]:
    period, _, scope = subject.partition("@")
    return period, scope or None


def month_subject(builder: Builder, month: str, scope: str | None = None) -> str:
    """The subject of a month's document; the month checked, the scope resolved to its id."""
    check_month(month, builder.clock.today())
    if scope is None:
        return month
    cities = [c for c in organisation.list_city_companies(builder.db) if scope in (c.id, c.name)]
    if cities:
        return f"{month}@{cities[0].id}"
    return f"{month}@{organisation.find_project(builder.db, scope).id}"


def quarter_subject(builder: Builder, quarter: str, city: str | None = None) -> str:
    months = assessment.quarter_months(quarter)
    text = f"{months[0][:4]}Q{(int(months[0][5:]) - 1) // 3 + 1}"
    if city is None:
        return text
    return month_subject(builder, months[0], city).replace(months[0], text, 1)


def _city_name(builder: Builder, scope: str | None) -> str | None:
    """The city company's name for a city id; None for a project or no scope."""
    if scope is None:
        return None
    for city in organisation.list_city_companies(builder.db):
        if city.id == scope:
            return city.name
    return None


# formatting -------------------------------------------------------------------------
def _score(value: Decimal | str | None) -> str:
    return NONE if value is None else format_points(Decimal(value))


def _band(builder: Builder, band: dict[str, Any]) -> str:
    if not band:
        return NONE
    return str(band["label_en"] if builder.tr.lang == "en" else band["label_zh"])


def _pay(band: dict[str, Any]) -> str:
    if not band:
        return NONE
    percent = int(band["pay_adjust_percent"])
    return f"{percent:+d}%" if percent else "0%"


def _person(builder: Builder, person_id: str | None) -> str:
    """A person's name; the stored text itself when it is no person's id (older actors)."""
    if not person_id:
        return ""
    try:
        return organisation.get_person(builder.db, person_id).name
    except NotFoundError:
        return person_id


def _state(builder: Builder, line: assessment.MonthLine) -> str:
    if line.assessment is None:
        return builder.tr("assess.state.none")
    return builder.tr(f"assess.state.{line.assessment.state}")


def _summary_row(builder: Builder, rank: int, line: assessment.MonthLine, city: str) -> SummaryRow:
    detail = line.detail
    return SummaryRow(
        rank=rank,
        project=line.project.name,
        city=city,
        checks=len(detail.get("inspections", [])),
        base=_score(detail.get("base")),
        carry_over=_score(detail.get("carry_over_total")) if detail else NONE,
        red_line=_score(detail.get("red_line_total")) if detail else NONE,
        score=_score(line.score),
        band=_band(builder, line.band),
        pay=_pay(line.band),
        state=_state(builder, line),
    )


def _ranked(builder: Builder, lines: list[assessment.MonthLine]) -> list[SummaryRow]:
    cities = {c.id: c.name for c in organisation.list_city_companies(builder.db)}
    rows, rank, last = [], 0, None
    for index, line in enumerate(lines, start=1):
        if line.score is not None and line.score != last:
            rank, last = index, line.score
        city = cities.get(line.project.city_company_id, "")
        rows.append(_summary_row(builder, rank if line.score is not None else 0, line, city))
    return rows


def _letterhead(builder: Builder, scope: str | None, title: str, number: str) -> Letterhead:
    city = _city_name(builder, scope)
    head = builder.letterhead(None, builder.tr(title), number)
    return Letterhead(head.company, city or "", head.title, head.number)


def _lines(builder: Builder, month: str, scope: str | None) -> list[assessment.MonthLine]:
    return assessment.month_lines(builder.db, month, scope)


# 品质检查考核表 -------------------------------------------------------------------
def project_sheet(builder: Builder, subject: str) -> tuple[str, ProjectSheetContext]:
    month, project_id = split(subject)
    assert project_id is not None
    project = organisation.get_project(builder.db, project_id)
    found = [x for x in _lines(builder, month, None) if x.project.id == project.id]
    stored = assessment.assessment_of(builder.db, project.id, month)
    if stored is None:
        raise RuleError("assess.err.not_computed", month=month, project=project.name)
    line = found[0] if found else assessment.MonthLine(project, stored)
    detail = line.detail
    tr = builder.tr
    counted = tuple(
        CountedRow(i["day"], tr(f"enum.InspectionKind.{i['kind']}"), i["score"], i["red_lines"])
        for i in detail.get("inspections", [])
    )
    items = assessment.carried_items(builder.db, [c["item_id"] for c in detail["carry_overs"]])
    carried = tuple(
        CarryRow(
            items.get(c["item_id"], ""),
            builder.day(c.get("recorded_at")),
            format_points(Decimal(c["points"])),
        )
        for c in detail.get("carry_overs", [])
    )
    revisions = tuple(
        RevisionRow(
            at=builder.when(r.at),
            by=_person(builder, r.actor),
            old_score=_score(r.old_score),
            new_score=_score(r.new_score),
            reason=tr("assess.revision.recomputed")
            if r.reason == assessment.RECOMPUTED
            else r.reason,
            changes=tuple(_change(builder, c) for c in r.changes),
        )
        for r in stored.revisions
    )
    head = builder.letterhead(project.id, tr("assess.doc.sheet.title"), f"{month}")
    return month, ProjectSheetContext(
        letterhead=head,
        month=month,
        project=project.name,
        state=_state(builder, line),
        flagged=detail.get("flag") == assessment.NO_INSPECTION,
        inspections=counted,
        base=_score(detail.get("base")),
        carry_overs=carried,
        carry_over_total=_score(detail.get("carry_over_total")),
        red_line_total=_score(detail.get("red_line_total")),
        score=_score(line.score),
        band=_band(builder, line.band),
        pay=_pay(line.band),
        combine=tr(f"assess.combine.{detail['rules']['combine']}"),
        revisions=revisions,
        published_by=_person(builder, stored.published_by),
        published_on=builder.day(stored.published_at),
        generated_at=builder.clock.now_iso(),
        trend_svg=_project_trend(builder, project.id, month),
    )


def _thresholds(builder: Builder) -> list[tuple[float, int]]:
    return [(float(b.min_score), b.pay_adjust_percent) for b in builder.settings.bands]


def _floats(values: list[Decimal | None]) -> list[float | None]:
    return [None if v is None else float(v) for v in values]


def _project_trend(builder: Builder, project_id: str, month: str) -> str:
    """The project's twelve months to ``month`` beside the company average (考核趋势)."""
    tr = builder.tr
    months = assessment.months_ending(month)
    found = assessment.trend(builder.db, project_id, months)
    return trend_chart(
        [m[2:] for m in months],
        [
            (tr("assess.trend.project"), _floats(found.scores)),
            (tr("assess.trend.average"), _floats(found.average)),
        ],
        _thresholds(builder),
        title=tr("assess.trend.chart"),
    )


def _change(builder: Builder, change: dict[str, Any]) -> str:
    """One change of a revision in words, with the recorded reasons behind it."""
    said = builder.tr(
        f"assess.change.{change['what']}",
        day=change.get("day", ""),
        old=_score(change.get("old")),
        new=_score(change.get("new")),
    )
    why = [w for w in change.get("why") or [] if w]
    if not why:
        return said
    sep = builder.tr("common.list_sep")
    return builder.tr("assess.change.because", change=said, why=sep.join(why))


# 考核汇总表 -----------------------------------------------------------------------
def month_summary(builder: Builder, subject: str) -> tuple[str, MonthSummaryContext]:
    month, scope = split(subject)
    lines = _lines(builder, month, scope)
    scored = [x.score for x in lines if x.score is not None]
    average = sum(scored, Decimal(0)) / len(scored) if scored else None
    title = "assess.doc.summary.title"
    return month, MonthSummaryContext(
        letterhead=_letterhead(builder, scope, title, month),
        month=month,
        scope=_city_name(builder, scope) or "",
        rows=tuple(_ranked(builder, lines)),
        average=_score(average.quantize(Decimal("0.01")) if average is not None else None),
        flagged=sum(1 for x in lines if x.assessment and x.score is None),
        drafts=sum(1 for x in lines if x.assessment is None or not x.assessment.published),
        generated_at=builder.clock.now_iso(),
    )


# 季度汇总 -------------------------------------------------------------------------
def quarter_summary(builder: Builder, subject: str) -> tuple[str, QuarterContext]:
    quarter, scope = split(subject)
    months, lines = assessment.quarter_lines(builder.db, builder.settings, quarter, scope)
    cities = {c.id: c.name for c in organisation.list_city_companies(builder.db)}
    rows = []
    for index, q in enumerate(lines, start=1):
        rows.append(
            QuarterRow(
                rank=index if q.average is not None else 0,
                project=q.project.name,
                city=cities.get(q.project.city_company_id, ""),
                scores=tuple(_score(s) for s in q.scores),
                total=_score(q.total) if q.average is not None else NONE,
                average=_score(q.average),
                band=_band(builder, q.band),
                pay=_pay(q.band),
                missing=tuple(months[i] for i in q.missing),
            )
        )
    return quarter, QuarterContext(
        letterhead=_letterhead(builder, scope, "assess.doc.quarter.title", quarter),
        quarter=quarter,
        months=tuple(months),
        scope=_city_name(builder, scope) or "",
        rows=tuple(rows),
        generated_at=builder.clock.now_iso(),
        trend_svg=_scope_trend(builder, months[-1], scope),
    )


def _scope_trend(builder: Builder, month: str, scope: str | None) -> str:
    """The average of the projects in scope, month by month, over the twelve months to
    ``month`` (the company's or the city company's trend)."""
    months = assessment.months_ending(month)
    average = assessment.grid(builder.db, months, scope).averages()
    tr = builder.tr
    return trend_chart(
        [m[2:] for m in months],
        [(tr("assess.trend.average"), _floats(average))],
        _thresholds(builder),
        title=tr("assess.trend.quarter_chart", month=month),
    )


# 考核结果通报 ---------------------------------------------------------------------
def results(builder: Builder, subject: str) -> tuple[str, ResultsContext]:
    month, scope = split(subject)
    lines = _lines(builder, month, scope)
    ranking = _ranked(builder, lines)
    scored = [x for x in lines if x.score is not None]
    best = tuple(x.project.name for x in scored if x.score == scored[0].score) if scored else ()
    worst = tuple(x.project.name for x in scored if x.score == scored[-1].score) if scored else ()
    if len(scored) < 2:
        worst = ()
    before = {x.project.id: x for x in _lines(builder, previous_month(month), scope)}
    below_twice = tuple(
        x.project.name
        for x in scored
        if _cut(x.band) and x.project.id in before and _cut(before[x.project.id].band)
    )
    in_scope = {x.project.name for x in lines}
    repeated = tuple(
        RepeatRow(
            e.project_name, f"{e.item_code} {e.item_standard}", e.lapses, e.notice_number or ""
        )
        for e in failed_reinspections(builder.db, builder.clock, month)
        if e.lapses >= 2 and e.project_name in in_scope
    )
    return month, ResultsContext(
        letterhead=_letterhead(builder, scope, "assess.doc.results.title", month),
        month=month,
        scope=_city_name(builder, scope) or "",
        ranking=tuple(ranking),
        best=best,
        worst=worst,
        unassessed=tuple(x.project.name for x in lines if x.score is None),
        below_twice=below_twice,
        repeated=repeated,
        generated_at=builder.clock.now_iso(),
        **_failures(builder, month, scope),
    )


def _failure_scope(builder: Builder, months: list[str], scope: str | None) -> Scope:
    """The local days of ``months`` (consecutive) and the circular's scope (company, city
    company or project)."""
    year, number = (int(part) for part in months[0].split("-"))
    first = date(year, number, 1)
    year, number = (int(part) for part in months[-1].split("-"))
    last = date(year, number, calendar.monthrange(year, number)[1])
    city = _city_name(builder, scope) is not None
    return Scope(
        first,
        last,
        builder.clock.tz,
        project_id=None if city else scope,
        city_id=scope if city else None,
    )


def _failures(builder: Builder, month: str, scope: str | None) -> dict[str, Any]:
    """The month's Pareto of failed items (chart and the first groups up to 80 %, at
    most ``VITAL_FEW``) and the repeat offenders whose run, over the three months to
    ``month``, reaches into it; from the failure statistics (model/failure_stats.py)."""
    tr = builder.tr
    where = _failure_scope(builder, [month], scope)
    pareto = failure_stats.pareto(builder.db, where, Grouping.ITEM)
    chart = pareto_chart(
        [r.key for r in pareto.rows],
        [r.count for r in pareto.rows],
        [float(r.cumulative) for r in pareto.rows],
        title=tr("assess.doc.results.pareto_chart", month=month),
        count_axis=tr("analysis.chart_count"),
        cumulative_axis=tr("analysis.chart_cumulative"),
    )
    vital: list[ParetoItem] = []
    for r in pareto.rows:
        vital.append(ParetoItem(r.key, r.label, r.count, f"{r.cumulative}%"))
        if r.cumulative >= 80 or len(vital) == VITAL_FEW:
            break
    sep = tr("common.list_sep")
    offenders = tuple(
        OffenderRow(
            o.project_name,
            f"{o.code} {o.standard}",
            o.run,
            sep.join(d.isoformat() for d in o.dates),
            o.ongoing,
        )
        for o in failure_stats.repeat_offenders(
            builder.db, _failure_scope(builder, assessment.months_ending(month, 3), scope)
        )
        if o.dates[-1] >= where.start
    )
    return {
        "pareto_svg": chart if pareto.rows else "",
        "failures": pareto.total,
        "top_items": tuple(vital),
        "offenders": offenders,
        "offenders_from": assessment.months_ending(month, 3)[0],
    }


def _cut(band: dict[str, Any]) -> bool:
    """A band that cuts pay (扣减绩效)."""
    return bool(band) and int(band["pay_adjust_percent"]) < 0
