"""An inspection with its walk plan, findings (as amended) and score (检查状态与得分).

What the summary screen, the walk and the reports read about one inspection.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from pqm_tui.config import ScoreBand, Settings
from pqm_tui.model import amendments, checklists, inspections, organisation
from pqm_tui.model.entities import Area, Finding, Inspection, InspectionKind
from pqm_tui.services import reinspection
from pqm_tui.services.scoring import ScoreCard, band_for, score
from pqm_tui.services.walk_plan import WalkPlan, build_plan


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
