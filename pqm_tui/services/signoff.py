"""Finishing and signing an inspection (检查签字确认): the rules around the model's write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from pqm_tui.config import ScoreBand, Settings
from pqm_tui.model import amendments, checklists, inspections, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import Finding, Inspection, InspectionKind, InspectionStatus
from pqm_tui.model.errors import RuleError
from pqm_tui.services import reinspection
from pqm_tui.services.deadlines import deadline_from_receipt
from pqm_tui.services.scoring import ScoreCard, band_for, score
from pqm_tui.services.walk_plan import WalkPlan, build_plan

ISSUING_DEPARTMENT = "品质管理部"


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


def load_state(db: Database, settings: Settings, inspection_id: str) -> InspectionState:
    """Everything the summary screen and the reports need about one inspection."""
    inspection = inspections.get_inspection(db, inspection_id)
    content = checklists.load_version(db, inspection.checklist_version_id)
    plan = build_plan(content, organisation.list_areas(db, inspection.project_id))
    if inspection.kind == InspectionKind.REINSPECTION:  # only the items being re-checked
        plan = reinspection.restrict_plan(plan, reinspection.target_pairs(db, inspection.id))
    findings = amendments.effective_findings(db, inspection.id)
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


def sign_off(
    db: Database,
    clock: Clock,
    settings: Settings,
    inspection_id: str,
    *,
    receiver_name: str,
    receiver_role: str,
    issuing_department: str = ISSUING_DEPARTMENT,
) -> str | None:
    """Sign and lock an inspection; return the rectification notice number if any.

    Refused while (area, item) pairs are unanswered: mark them N/A explicitly.
    The deadline is the receipt date (today, local) + ``settings.deadline_days``.
    """
    if not receiver_name.strip():
        raise RuleError("the project's receiver must be named to sign off")
    state = load_state(db, settings, inspection_id)
    if state.inspection.status == InspectionStatus.SIGNED:
        raise RuleError("the inspection is already signed")
    if state.unanswered:
        raise RuleError(
            f"{len(state.unanswered)} items are unanswered; answer them or mark them N/A"
        )
    if state.inspection.kind == InspectionKind.REINSPECTION:  # close or escalate its targets
        return reinspection.sign_reinspection(
            db,
            clock,
            settings,
            inspection_id,
            actor="",
            receiver_name=receiver_name.strip(),
            receiver_role=receiver_role.strip(),
            issuing_department=issuing_department,
        ).notice_number
    deadline: date = deadline_from_receipt(clock.today(), settings.deadline_days)
    return inspections.sign_inspection(
        db,
        clock,
        inspection_id,
        receiver_name=receiver_name.strip(),
        receiver_role=receiver_role.strip(),
        issuing_department=issuing_department,
        deadline=deadline,
    )
