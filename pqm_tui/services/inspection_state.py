"""An inspection with its walk plan, findings (as amended) and score (检查状态与得分).

What the summary screen, the walk and the reports read about one inspection.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from pqm_tui.config import ScoreBand, Settings
from pqm_tui.model import amendments, checklists, inspections, organisation
from pqm_tui.model.entities import Area, Finding, Inspection, InspectionKind, Result
from pqm_tui.services import reinspection
from pqm_tui.services.scoring import ScoreCard, band_for, score
from pqm_tui.services.walk_plan import WalkPlan, build_plan


@dataclass(frozen=True)
class AnswerCounts:
    """How far an inspection got, counted once for the app and the documents.

    处 (answers): one checklist item in one area; 项 (items): checklist items, each
    counted once however many areas it has. "不合格 N 处（M 项）" everywhere.
    """

    answered: int  # 处 with a finding
    answered_items: int
    failed: int  # 处 answered fail: one rectification item each
    failed_items: int
    na: int  # 处 answered N/A
    unanswered: int  # 处 of the walk plan without a finding
    unanswered_items: int


def answer_counts(findings: list[Finding], unanswered: list[tuple[str, str]]) -> AnswerCounts:
    """Counts of ``findings`` and of the plan's ``unanswered`` (area, item) pairs."""
    failed = [f for f in findings if f.result == Result.FAIL]
    return AnswerCounts(
        answered=len(findings),
        answered_items=len({f.item_id for f in findings}),
        failed=len(failed),
        failed_items=len({f.item_id for f in failed}),
        na=sum(f.result == Result.NA for f in findings),
        unanswered=len(unanswered),
        unanswered_items=len({item_id for _, item_id in unanswered}),
    )


@dataclass(frozen=True)
class InspectionState:
    """An inspection with its plan, findings (amended) and score."""

    inspection: Inspection
    plan: WalkPlan
    content: checklists.VersionContent
    card: ScoreCard
    band: ScoreBand
    unanswered: list[tuple[str, str]]
    findings: list[Finding]  # as amended (effective_findings)

    @property
    def counts(self) -> AnswerCounts:
        """处 and 项 answered, failed, N/A and still to check (see AnswerCounts)."""
        return answer_counts(self.findings, self.unanswered)


def walked_areas(db: Database, inspection: Inspection, findings: list[Finding]) -> list[Area]:
    """The areas an inspection walks (检查区域): those not archived when it started, and
    any it recorded a finding in (an area archived later stays in old inspections)."""
    recorded = {f.area_id for f in findings}
    return [
        a
        for a in organisation.list_areas(db, inspection.project_id)
        if a.archived_at is None or a.archived_at > inspection.started_at or a.id in recorded
    ]


def load_state(db: Database, settings: Settings, inspection_id: str) -> InspectionState:
    """Everything the summary screen and the reports need about one inspection."""
    inspection = inspections.get_inspection(db, inspection_id)
    content = checklists.load_version(db, inspection.checklist_version_id)
    findings = amendments.effective_findings(db, inspection.id)
    plan = build_plan(content, walked_areas(db, inspection, findings))
    if inspection.kind == InspectionKind.REINSPECTION:  # only the items being re-checked
        plan = reinspection.restrict_plan(plan, reinspection.target_pairs(db, inspection.id))
    card = score(content, findings, plan.applicable_item_ids)
    return InspectionState(
        inspection,
        plan,
        content,
        card,
        band_for(card.total, settings.bands),
        plan.unanswered(findings),
        findings,
    )
