"""The failure analysis on paper (不合格项统计分析): the Pareto chart and table, and the
repeat offenders, of a period and scope, for the monthly quality meeting.

An analysis of signed inspections, not a record of its own: like the blank form it
carries no verification code (the inspections it counts carry theirs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pqm_tui.model import failure_stats, organisation
from pqm_tui.model.errors import RuleError
from pqm_tui.model.failure_stats import Grouping, Scope
from pqm_tui.reports.build import Builder
from pqm_tui.reports.context import Letterhead, Verification
from pqm_tui.reports.svg import pareto_chart

SEPARATOR = "\x1f"  # between the parts of the reference: start, end, grouping, project, city


@dataclass(frozen=True)
class ParetoLine:
    """One group of the Pareto as printed."""

    rank: int
    key: str
    label: str
    count: int
    deduction: str
    share: str
    cumulative: str


@dataclass(frozen=True)
class RepeatLine:
    """One repeat offender as printed."""

    project: str
    code: str
    standard: str
    run: int
    dates: str
    ongoing: bool


@dataclass(frozen=True)
class ParetoContext:
    """不合格项统计分析: period, scope, chart, the Pareto's groups and the repeats."""

    letterhead: Letterhead
    start: str
    end: str
    scope: str
    grouping: str  # the grouping's name in the user's language
    by_department: bool
    inspections: int
    total: int
    chart_svg: str
    rows: tuple[ParetoLine, ...]
    repeats: tuple[RepeatLine, ...]
    generated_at: str
    verification: Verification | None = None  # never: an analysis, not a record


def pareto_reference(
    start: date, end: date, grouping: Grouping, project_id: str | None, city_id: str | None
) -> str:
    """The reference of the document service for a period, grouping and scope."""
    parts = (start.isoformat(), end.isoformat(), grouping.value, project_id or "", city_id or "")
    return SEPARATOR.join(parts)


def _scope(builder: Builder, subject: str) -> tuple[Scope, Grouping]:
    try:
        start, end, grouping, project_id, city_id = subject.split(SEPARATOR)
        scope = Scope(
            date.fromisoformat(start),
            date.fromisoformat(end),
            builder.clock.tz,
            project_id=project_id or None,
            city_id=city_id or None,
        )
        return scope, Grouping(grouping)
    except ValueError:  # not made by pareto_reference
        raise RuleError("errors.analysis.reference", reference=subject[:60]) from None


def resolve(builder: Builder, reference: str) -> str:
    """A reference is its own subject once it reads as a period, grouping and scope."""
    _scope(builder, reference)
    return reference


def build(builder: Builder, subject: str) -> tuple[str, ParetoContext]:
    tr, db = builder.tr, builder.db
    scope, grouping = _scope(builder, subject)
    pareto = failure_stats.pareto(db, scope, grouping)
    repeats = failure_stats.repeat_offenders(db, scope)
    department = grouping == Grouping.DEPARTMENT
    if scope.project_id:
        project = organisation.get_project(db, scope.project_id)
        where = tr("analysis.scope_project", name=project.name)
        letterhead = builder.letterhead(project.id, tr("analysis.document_title"), "")
    else:
        if scope.city_id:
            city = organisation.get_city_company(db, scope.city_id)
            where = tr("analysis.scope_city", name=city.name)
        else:
            where = tr("analysis.scope_company")
        letterhead = builder.letterhead(None, tr("analysis.document_title"), "")
    by = tr(f"analysis.by.{grouping.value}")
    names = [(r.key or tr("analysis.no_department")) if department else r.key for r in pareto.rows]
    chart = pareto_chart(
        names,
        [r.count for r in pareto.rows],
        [float(r.cumulative) for r in pareto.rows],
        title=tr("analysis.chart_title", by=by),
        count_axis=tr("analysis.chart_count"),
        cumulative_axis=tr("analysis.chart_cumulative"),
    )
    sep = tr("common.list_sep")
    return "", ParetoContext(
        letterhead=letterhead,
        start=scope.start.isoformat(),
        end=scope.end.isoformat(),
        scope=where,
        grouping=by,
        by_department=department,
        inspections=pareto.inspections,
        total=pareto.total,
        chart_svg=chart if pareto.rows else "",
        rows=tuple(
            ParetoLine(
                n, name, r.label, r.count, str(r.deduction), f"{r.share}%", f"{r.cumulative}%"
            )
            for n, (name, r) in enumerate(zip(names, pareto.rows, strict=True), start=1)
        ),
        repeats=tuple(
            RepeatLine(
                r.project_name,
                r.code,
                r.standard,
                r.run,
                sep.join(d.isoformat() for d in r.dates),
                r.ongoing,
            )
            for r in repeats
        ),
        generated_at=builder.clock.now_iso(),
    )
