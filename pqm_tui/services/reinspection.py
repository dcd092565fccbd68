"""Re-inspection (复检): check chosen rectification items again, then close or escalate.

A re-inspection is an ordinary inspection of kind ``re-inspection`` whose walk
plan holds only the (area, item) pairs of its target items, so the normal walk
screen walks just those. Signing it applies the verdicts: a pass closes the
item; a fail re-opens it one escalation level up with a new deadline, lists it
on the re-inspection's second notice (第二次整改通知, notices.sequence = 2; received
at the sign-off by its receiver, as a first notice is),
puts it in the month's circular (通报) and records a carry-over deduction
against the project's next monthly assessment. Applying is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import (
    amendments,
    carry_overs,
    findings,
    inspections,
    notices,
    organisation,
    reinspection_targets,
    review,
)
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import current_actor
from pqm_tui.model.entities import Inspection, InspectionKind, Notice, RectificationItem, Result
from pqm_tui.model.permissions import Action as Permission
from pqm_tui.model.permissions import require
from pqm_tui.model.rectification import awaiting_reinspection, get_item, record_transition
from pqm_tui.services.assessment_months import carry_over_month
from pqm_tui.services.rectification import (
    ALLOWED,
    PENALTY_LEVEL,
    Action,
    RectificationError,
    record_reinspection,
    state_of,
)
from pqm_tui.services.walk_plan import WalkPlan


@dataclass(frozen=True)
class Outcome:
    """What signing a re-inspection did."""

    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    penalty: list[str] = field(default_factory=list)
    notice_numbers: list[str] = field(default_factory=list)  # second notices issued
    carry_overs_recorded: int = 0

    @property
    def notice_number(self) -> str | None:
        return self.notice_numbers[0] if self.notice_numbers else None


def create_reinspection(
    db: Database,
    clock: Clock,
    item_ids: list[str],
    *,
    inspector_ids: list[str] | None = None,
    actor: str = "",
) -> Inspection:
    """A draft re-inspection of the given open/replied items (one project, one version).

    ``actor`` (a person's id; empty: the connection's) arranges it and, unless
    ``inspector_ids`` are given, walks it.
    """
    actor = actor or current_actor(db)
    require(db, actor, Permission.CREATE_REINSPECTION)
    if not item_ids:
        raise RectificationError("review.err.no_items")
    items = [get_item(db, i) for i in dict.fromkeys(item_ids)]
    for item in items:
        state = state_of(db, item)
        if Action.PASS_REINSPECTION not in ALLOWED[state]:
            raise RectificationError(
                "review.err.not_reinspectable",
                item=review.item_codes(db, [item.id]).get(item.id, ""),
                state=state,
            )
    projects = {i.project_id for i in items}
    if len(projects) > 1:
        raise RectificationError(
            "review.err.many_projects",
            count=len(projects),
        )
    originals = {findings.get_finding(db, i.finding_id).inspection_id for i in items}
    versions = {inspections.get_inspection(db, o).checklist_version_id for o in originals}
    if len(versions) > 1:
        raise RectificationError(
            "review.err.many_versions",
            count=len(versions),
        )
    who = inspector_ids or _default_inspectors(db, actor, sorted(originals)[0])
    with db.atomic():
        inspection = inspections.create_inspection(
            db, clock, projects.pop(), InspectionKind.REINSPECTION, versions.pop(), who
        )
        reinspection_targets.add_targets(db, inspection.id, [i.id for i in items])
    return inspection


def _default_inspectors(db: Database, actor: str, original_id: str) -> list[str]:
    """The acting person when they inspect, else the original inspection's inspectors."""
    if any(p.id == actor for p in organisation.inspectors(db)):
        return [actor]
    return inspections.get_inspection(db, original_id).inspector_ids


def awaiting(db: Database, project_id: str) -> list[str]:
    """The project's items a new re-inspection can take, the first group (one version) only.

    Empty when there is nothing to re-inspect: then no re-inspection is offered.
    """
    ids = [
        item.id
        for item in awaiting_reinspection(db, project_id)
        if Action.PASS_REINSPECTION in ALLOWED[state_of(db, item)]
    ]
    groups = group_by_version(db, ids)
    return groups[0] if groups else []


def group_by_version(db: Database, item_ids: list[str]) -> list[list[str]]:
    """Items split into groups that one re-inspection can take (project + version)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for item_id in item_ids:
        item = get_item(db, item_id)
        original = findings.get_finding(db, item.finding_id).inspection_id
        version = inspections.get_inspection(db, original).checklist_version_id
        groups.setdefault((item.project_id, version), []).append(item.id)
    return list(groups.values())


def restrict_plan(plan: WalkPlan, pairs: list[tuple[str, str]]) -> WalkPlan:
    """Only the target pairs of a re-inspection, in the plan's walking order."""
    wanted = set(pairs)
    areas = [a for a in plan.areas if any((a.id, i.id) in wanted for i in plan.items_by_area[a.id])]
    return WalkPlan(
        areas,
        {a.id: [i for i in plan.items_by_area[a.id] if (a.id, i.id) in wanted] for a in areas},
    )


def target_pairs(db: Database, inspection_id: str) -> list[tuple[str, str]]:
    return [(t.area_id, t.item_id) for t in reinspection_targets.targets(db, inspection_id)]


def sign_reinspection(
    db: Database,
    clock: Clock,
    settings: Settings,
    inspection_id: str,
    *,
    actor: str,
    receiver_name: str,
    receiver_role: str,
) -> Outcome:
    """Lock the re-inspection and apply its verdicts, in one transaction.

    An empty ``actor`` means the connection's actor (the one in the audit log); only
    the re-inspection's inspectors sign it.
    """
    actor = actor or current_actor(db)
    require(db, actor, Permission.SIGN_REINSPECTION, inspection_id=inspection_id)
    with db.atomic():
        reinspection_targets.lock_inspection(
            db, clock, inspection_id, receiver_name=receiver_name, receiver_role=receiver_role
        )
        outcome = apply_outcome(db, clock, settings, inspection_id, actor=actor)
        receive_at_signing(db, clock, outcome.notice_numbers, receiver_name)
        return outcome


def receive_at_signing(db: Database, clock: Clock, numbers: list[str], receiver_name: str) -> None:
    """The follow-up notices a re-inspection's sign-off issued count as received (签收) by
    the receiver who signed with it, now — as the first notice does at an inspection's
    sign-off; the failed items' deadlines already count from today. A notice received
    before (one shared within a day) keeps its receipt."""
    if not receiver_name.strip():
        return
    for number in numbers:
        notice = notices.get_notice_by_number(db, number)
        if not notice.received_at:
            notices.set_notice_receipt(db, notice.id, clock.now_iso(), receiver_name.strip())


def apply_outcome(
    db: Database,
    clock: Clock,
    settings: Settings,
    inspection_id: str,
    *,
    actor: str,
) -> Outcome:
    """Close passed items, escalate failed ones; items already done are left alone."""
    inspection = inspections.get_inspection(db, inspection_id)
    if inspection.kind != InspectionKind.REINSPECTION:
        raise RectificationError("review.err.not_reinspection")
    results = {(f.area_id, f.item_id): f for f in amendments.effective_findings(db, inspection_id)}
    outcome = Outcome()
    today = clock.today()
    circular = f"{today.year:04d}-{today.month:02d}"
    month = carry_over_month(today)
    amount = Decimal(settings.carry_over_points)
    recorded = 0
    numbers: list[str] = []
    with db.atomic():
        for target in reinspection_targets.targets(db, inspection_id):
            item = get_item(db, target.rectification_item_id)
            base: dict[str, object] = {"reinspection_id": inspection_id}
            if reinspection_targets.has_outcome(db, item.id, inspection_id):
                continue
            finding = results.get((target.area_id, target.item_id))
            state = state_of(db, item)
            verdict = finding.result if finding else Result.NA
            if verdict == Result.NA or Action.PASS_REINSPECTION not in ALLOWED[state]:
                record_transition(
                    db,
                    clock,
                    item,
                    actor=actor,
                    action="reinspection-skipped",
                    reason=state.value if verdict != Result.NA else Result.NA.value,
                    data={**base, "state": state.value, "result": verdict.value},
                )
                outcome.skipped.append(item.id)
                continue
            assert finding is not None
            base["reinspection_finding_id"] = finding.id
            if verdict == Result.PASS:
                record_reinspection(db, clock, settings, item, actor=actor, passed=True, data=base)
                outcome.passed.append(item.id)
                continue
            notice = _second_notice(db, clock, item, inspection, settings.issuing_department)
            if notice.number not in numbers:
                numbers.append(notice.number)
            escalated = record_reinspection(
                db,
                clock,
                settings,
                item,
                actor=actor,
                passed=False,
                data={
                    **base,
                    "note": finding.note,
                    "notice_id": notice.id,
                    "notice_number": notice.number,
                    "circular_month": circular,
                    "assessment_month": month,
                    "carry_over_points": str(amount),
                },
            )
            if carry_overs.record_carry_over(
                db,
                clock,
                item_id=item.id,
                reinspection_id=inspection_id,
                project_id=item.project_id,
                assessment_month=month,
                amount=amount,
            ):
                recorded += 1
            outcome.failed.append(item.id)
            if escalated.escalation_level >= PENALTY_LEVEL:
                outcome.penalty.append(item.id)
    return Outcome(
        outcome.passed, outcome.failed, outcome.skipped, outcome.penalty, numbers, recorded
    )


def _second_notice(
    db: Database,
    clock: Clock,
    item: RectificationItem,
    reinspection: Inspection,
    issuing_department: str,
) -> Notice:
    """A new follow-up notice after the item's first notice (shared within one signing)."""
    if item.notice_id:
        first = notices.get_notice(db, item.notice_id)
        return notices.ensure_second_notice(db, clock, first, issuing_department, reissue=True)
    orphan = Notice(  # an item without a first notice: the re-inspection issues one
        id="",
        number="",
        inspection_id=reinspection.id,
        project_id=reinspection.project_id,
        issued_at=clock.now_iso(),
        issuing_department=issuing_department,
    )
    return notices.ensure_second_notice(db, clock, orphan, issuing_department, reissue=True)
