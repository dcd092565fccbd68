"""Document kinds (文书种类): notice, second notice, report, circular, blank form and the
assessment documents (考核表, 考核汇总, 季度汇总, 考核结果通报).

A kind says how the reference a user types resolves to the document's subject (the
id its verification code is stored under), what must exist before it is issued (a
second notice gets its number), how its context is built from the subject (reads
only) and which template prints it. Issuing a document, building one and checking a
printed code all dispatch through ``KINDS``.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pqm_tui.model import bounds, findings, inspections, notices, organisation, rectification
from pqm_tui.model.circulars import failed_reinspections
from pqm_tui.model.entities import Notice
from pqm_tui.model.errors import NotFoundError, RuleError
from pqm_tui.reports import blank
from pqm_tui.reports.build import Builder
from pqm_tui.reports.svg import bar_chart

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

Resolve = Callable[[Builder, str], str]
Build = Callable[[Builder, str], tuple[str, Any]]


def _later(module: str, name: str) -> Callable[..., Any]:
    """``pqm_tui.reports.<module>.<name>``, imported when first called: the assessment and
    Pareto documents pull in services a notice or a report does not need (~0.1 s)."""

    def call(*args: Any) -> Any:
        return getattr(importlib.import_module(f"pqm_tui.reports.{module}"), name)(*args)

    return call


def _nothing(builder: Builder, subject: str) -> None:
    """Most documents need nothing written before they are issued."""


@dataclass(frozen=True)
class DocumentKind:
    """One kind of document: how to find its subject, build its context, print it."""

    name: str  # stored with its verification codes (``report_codes.document``)
    template: str
    title: str  # message id of its title (the reason given when it is signed)
    resolve: Resolve  # the reference a user typed → the subject
    build: Build  # subject → (document number, context); reads only
    prepare: Callable[[Builder, str], None] = _nothing  # writes issuing needs first
    # refuses a document with nothing to print (RuleError); produce skips it when forced
    check: Callable[[Builder, str], None] = _nothing
    verified: bool = True  # carries a verification code (a blank form records nothing)


# 整改通知单 ------------------------------------------------------------------------
def _inspection(builder: Builder, ref: str) -> str:
    return inspections.get_inspection(builder.db, ref).id


def _notice_subject(builder: Builder, ref: str) -> str:
    """The inspection of a first notice: its printed number (整改通知单编号, what is on the
    paper) or the inspection's id. A follow-up notice's number is refused naming notice2."""
    text = ref.strip()
    if not text.upper().startswith("ZG-"):
        return _inspection(builder, text)
    notice = notices.get_notice_by_number(builder.db, text)
    if notice.sequence >= 2:
        raise RuleError("reports.err.follow_up_number", number=notice.number, n=notice.sequence)
    return notice.inspection_id


def _notice(builder: Builder, inspection_id: str) -> tuple[str, Any]:
    notice, items = builder.first_notice(inspection_id)
    return notice.number, builder.notice(notice, items)


# 第二次整改通知单 ------------------------------------------------------------------
def _first_notice_of(builder: Builder, ref: str) -> Notice:
    """The first notice behind a notice number, a rectification item or an inspection."""
    text = ref.strip()
    if text.upper().startswith("ZG-"):
        notice = notices.get_notice_by_number(builder.db, text)
        if notice.sequence == 1:
            return notice
        return builder.first_notice(notice.inspection_id)[0]
    try:
        item = rectification.get_item(builder.db, text)
        inspection_id = findings.get_finding(builder.db, item.finding_id).inspection_id
    except NotFoundError:
        inspection_id = inspections.get_inspection(builder.db, text).id
    return builder.first_notice(inspection_id)[0]


def _escalated_inspection(builder: Builder, ref: str) -> str:
    """The inspection whose first notice has items that failed re-inspection."""
    first = _first_notice_of(builder, ref)
    if not notices.escalated_items(builder.db, first.inspection_id):
        raise RuleError("reports.err.no_escalated", number=first.number)
    return first.inspection_id


def _issue_second_notice(builder: Builder, inspection_id: str) -> None:
    """The second notice gets its number when it is first issued."""
    first, _ = builder.first_notice(inspection_id)
    notices.ensure_second_notice(builder.db, builder.clock, first, first.issuing_department)


def _notice2(builder: Builder, inspection_id: str) -> tuple[str, Any]:
    first, _ = builder.first_notice(inspection_id)
    later = [n for n in notices.notices_of_inspection(builder.db, inspection_id) if n.sequence >= 2]
    if not later:
        raise NotFoundError("reports.err.no_second_notice", number=first.number)
    second = later[-1]  # the latest: highest sequence, then latest issued
    items = notices.escalated_items(builder.db, inspection_id)
    return second.number, builder.notice(second, items, first)


# 检查报告 --------------------------------------------------------------------------
def _report(builder: Builder, inspection_id: str) -> tuple[str, Any]:
    context = builder.report(inspection_id)
    chart = bar_chart(context.sections, builder.tr("reports.report.chart"))
    return context.letterhead.number, dataclasses.replace(context, chart_svg=chart)


# 通报 ------------------------------------------------------------------------------
def _month(builder: Builder, ref: str) -> str:
    if not MONTH.match(ref):
        raise RuleError("reports.err.bad_month", month=ref)
    return bounds.check_month(ref, builder.clock.today())


def _month_has_failures(builder: Builder, month: str) -> None:
    """An empty month (本月无复检不合格项) gives no circular unless forced."""
    if not failed_reinspections(builder.db, builder.clock, month):
        raise RuleError("reports.err.empty_month", month=month)


def _circular(builder: Builder, month: str) -> tuple[str, Any]:
    return month, builder.circular(month)


NOTICE = DocumentKind("notice", "notice.html", "reports.notice.title", _notice_subject, _notice)
NOTICE2 = DocumentKind(
    "notice2",
    "notice.html",
    "reports.notice2.title",
    _escalated_inspection,
    _notice2,
    _issue_second_notice,
)
REPORT = DocumentKind("report", "report.html", "reports.report.title", _inspection, _report)
CIRCULAR = DocumentKind(
    "circular",
    "circular.html",
    "reports.circular.title",
    _month,
    _circular,
    check=_month_has_failures,
)


# 考核文书: 考核表, 考核汇总, 季度汇总, 考核结果通报 ------------------------------------
def _month_scope(builder: Builder, ref: str) -> str:
    """``2026-11`` or ``2026-11@<city company or project, name or id>``."""
    month, _, scope = ref.partition("@")
    if not MONTH.match(month):
        raise RuleError("reports.err.bad_month", month=month)
    from pqm_tui.reports import assessment_docs

    return assessment_docs.month_subject(builder, month, scope or None)


def _project_month(builder: Builder, ref: str) -> str:
    from pqm_tui.reports import assessment_docs

    subject = _month_scope(builder, ref)
    scope = assessment_docs.split(subject)[1]
    if scope is None or scope in {c.id for c in organisation.list_city_companies(builder.db)}:
        raise RuleError("assess.err.project_needed")
    return subject


def _quarter_scope(builder: Builder, ref: str) -> str:
    from pqm_tui.reports import assessment_docs

    quarter, _, scope = ref.partition("@")
    return assessment_docs.quarter_subject(builder, quarter, scope or None)


def _computed(builder: Builder, subject: str) -> None:
    """A month or quarter without any computed assessment gives no document unless forced."""
    from pqm_tui.reports import assessment_docs
    from pqm_tui.services import assessment

    period = assessment_docs.split(subject)[0]
    months = [period] if MONTH.match(period) else assessment.quarter_months(period)
    if not assessment.computed_any(builder.db, months):
        raise RuleError("assess.err.not_computed_month", month=period)


ASSESSMENT = DocumentKind(
    "assessment",
    "assessment.html",
    "assess.doc.sheet.title",
    _project_month,
    _later("assessment_docs", "project_sheet"),
)
ASSESSMENT_SUMMARY = DocumentKind(
    "assessment-summary",
    "assessment_summary.html",
    "assess.doc.summary.title",
    _month_scope,
    _later("assessment_docs", "month_summary"),
    check=_computed,
)
QUARTER = DocumentKind(
    "quarter",
    "assessment_quarter.html",
    "assess.doc.quarter.title",
    _quarter_scope,
    _later("assessment_docs", "quarter_summary"),
    check=_computed,
)
RESULTS = DocumentKind(
    "results",
    "assessment_results.html",
    "assess.doc.results.title",
    _month_scope,
    _later("assessment_docs", "results"),
    check=_computed,
)
# 空白检查表 ------------------------------------------------------------------------
BLANK = DocumentKind(
    "blank", "blank.html", "reports.blank.title", blank.resolve, blank.build, verified=False
)
# 不合格项统计分析 ------------------------------------------------------------------
PARETO = DocumentKind(
    "pareto",
    "pareto.html",
    "analysis.document_title",
    _later("pareto_document", "resolve"),
    _later("pareto_document", "build"),
    verified=False,
)
KINDS: dict[str, DocumentKind] = {
    k.name: k
    for k in (
        NOTICE,
        NOTICE2,
        REPORT,
        CIRCULAR,
        BLANK,
        ASSESSMENT,
        ASSESSMENT_SUMMARY,
        QUARTER,
        RESULTS,
        PARETO,
    )
}
