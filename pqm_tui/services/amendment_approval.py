"""Corrections of signed inspections by amendment, with approval (更正申请与审批).

An inspector proposes a set of changes to the findings of a signed inspection
(wrong area, wrong count, a finding that should be N/A or voided) with a reason;
nothing changes until another person approves. Approval writes the changes as
amendments (the original rows stay, sealed), so the score is recomputed from the
findings as amended, and the rectification items follow: an item of a finding
that is no longer a failure is voided (撤销) with a move saying why; a finding
that becomes a failure gets its item on the inspection's notice, as at sign-off.
A rejection is recorded with its reason. Every step is append-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import (
    amendment_proposals,
    amendments,
    carry_overs,
    checklists,
    findings,
    inspections,
    notices,
    organisation,
)
from pqm_tui.model.amendment_proposals import Change, Decision, Proposal, ProposalState
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import (
    Amendment,
    Finding,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Notice,
    RectificationStatus,
    Result,
    Severity,
)
from pqm_tui.model.errors import NotFoundError, RuleError
from pqm_tui.model.ids import new_id
from pqm_tui.model.permissions import Action as Permission
from pqm_tui.model.permissions import require
from pqm_tui.model.rectification import add_item, items_of_finding, record_transition
from pqm_tui.services.deadlines import deadline_from_receipt
from pqm_tui.services.scoring import rule_deduction

WITHDRAWN = "amendment-withdrawn"  # event: the item's finding is no longer a failure
ADDED = "amendment-added"  # event: the item's finding became a failure by amendment
TRUE_WORDS = {"1", "true", "yes", "y"}
FALSE_WORDS = {"0", "false", "no", "n"}
DECIDED_ALREADY = {
    ProposalState.APPROVED: "errors.amendment.approved_already",
    ProposalState.REJECTED: "errors.amendment.rejected_already",
}
# as typed: ``area`` is an area's name (stored as ``area_id``)
FIELDS = (*(f for f in amendments.AMENDABLE_FIELDS if f != "area_id"), "area")


def find_finding(db: Database, inspection_id: str, item_code: str, area: str = "") -> Finding:
    """The finding (as amended) of the item coded ``item_code`` in ``area`` (a name; may be
    left out when the item was answered in one area only)."""
    inspection = amendable(db, inspection_id)
    content = checklists.load_version(db, inspection.checklist_version_id)
    item = next((i for i in content.items if i.code == item_code.strip()), None)
    if item is None:
        raise NotFoundError("errors.amendment.no_item", code=item_code)
    names = {a.id: a.name for a in organisation.list_areas(db, inspection.project_id)}
    candidates = [
        f
        for f in amendments.effective_findings(db, inspection.id)
        if f.item_id == item.id and (not area.strip() or names.get(f.area_id) == area.strip())
    ]
    if not candidates:
        raise NotFoundError("errors.amendment.no_finding", code=item.code, area=area or "—")
    if len(candidates) > 1:
        areas = tuple(names.get(f.area_id, "?") for f in candidates)
        raise RuleError("errors.amendment.which_area", code=item.code, areas=areas)
    return candidates[0]


def _number(text: str, field: str, integer: bool) -> str:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise RuleError("errors.amendment.value", field=field, value=text) from None
    if value < 0 or value > 1000 or (integer and value != value.to_integral_value()):
        raise RuleError("errors.amendment.value", field=field, value=text)
    return str(int(value)) if integer else str(value.normalize())


def _normalise(
    db: Database, inspection_id: str, project_id: str, field: str, value: str
) -> tuple[str, str]:
    """(stored field, stored value) of a typed ``field=value``; RuleError when it is wrong."""
    if field not in FIELDS:
        raise RuleError("errors.amendment.field", field=field, allowed=", ".join(FIELDS))
    text = value.strip()
    if field == "result":
        if text not in {r.value for r in Result}:
            raise RuleError("errors.amendment.value", field=field, value=value)
    elif field == "severity":
        if text not in {s.value for s in Severity}:
            raise RuleError("errors.amendment.value", field=field, value=value)
    elif field == "voided":
        if text.lower() not in TRUE_WORDS | FALSE_WORDS:
            raise RuleError("errors.amendment.value", field=field, value=value)
        text = "1" if text.lower() in TRUE_WORDS else "0"
    elif field in ("occurrences", "deduction"):
        text = _number(text, field, integer=field == "occurrences")
    elif field == "area":
        areas = organisation.list_areas(db, project_id)
        area = next((a for a in areas if text in (a.name, a.id)), None)
        if area is None:
            raise RuleError("errors.amendment.no_area", area=value)
        return "area_id", area.id
    return field, text


def _changes_of(
    db: Database, finding: Finding, wanted: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """(field, old, new) for one finding: what was asked plus what follows from it (a pass
    or N/A counts no occurrence and no deduction; a failure's deduction follows the item's
    rule unless given), without what does not change."""
    inspection = inspections.get_inspection(db, finding.inspection_id)
    asked = dict(
        _normalise(db, inspection.id, inspection.project_id, field, value)
        for field, value in wanted.items()
    )
    result = asked.get("result", amendments.current_value(db, finding, "result"))
    if result != Result.FAIL.value:
        asked.update(occurrences="0", deduction="0")
    else:
        content = checklists.load_version(db, inspection.checklist_version_id)
        item = next(i for i in content.items if i.id == finding.item_id)
        was = amendments.current_value(db, finding, "result")
        if was != Result.FAIL.value and "occurrences" not in asked:
            asked["occurrences"] = "1"
        if "occurrences" in asked and "deduction" not in asked:
            asked["deduction"] = str(rule_deduction(item, int(asked["occurrences"])).normalize())
        if "deduction" in asked and Decimal(asked["deduction"]) > item.points:
            raise RuleError(
                "errors.amendment.deduction", deduction=asked["deduction"], points=item.points
            )
    changes = []
    for field, new in asked.items():
        old = amendments.current_value(db, finding, field)
        same = old == new
        if field == "deduction":
            same = Decimal(old or "0") == Decimal(new)
        if not same:
            changes.append((field, old, new))
    return changes


DETAILS = (
    "result",
    "occurrences",
    "deduction",
    "note",
    "severity",
    "department",
    "responsible_person",
    "location",
)


def amendable(db: Database, inspection_id: str) -> Inspection:
    """The inspection, when it can be amended: signed, and not a re-inspection."""
    inspection = inspections.get_inspection(db, inspection_id)
    if inspection.status != InspectionStatus.SIGNED:
        raise RuleError("errors.amendment.unsigned")
    if inspection.kind == InspectionKind.REINSPECTION:
        raise RuleError("errors.amendment.reinspection")
    return inspection


def _move(
    db: Database,
    project_id: str,
    current: dict[str, Finding],
    source: Finding,
    asked: dict[str, dict[str, str]],
) -> None:
    """Wrong area (区域记错): what ``source`` recorded belongs to the same item in another
    area. When that area has its own finding of the item, the two swap what they say
    (the failure moves there, the answer found there comes here), with the other fields
    asked applied where the failure goes; otherwise ``source`` moves to that area."""
    wanted = asked[source.id]
    _, target_area = _normalise(db, source.inspection_id, project_id, "area", wanted["area"])
    target = next(
        (
            f
            for f in current.values()
            if f.item_id == source.item_id and f.area_id == target_area and f.id != source.id
        ),
        None,
    )
    if target is None:
        return
    others = {k: v for k, v in wanted.items() if k != "area"}
    moved = {field: amendments.current_value(db, source, field) for field in DETAILS}
    if "occurrences" in others and "deduction" not in others:
        moved.pop("deduction")  # follows the item's rule for the count asked
    asked[source.id] = {field: amendments.current_value(db, target, field) for field in DETAILS}
    asked[target.id] = {**asked.get(target.id, {}), **moved, **others}


def propose(
    db: Database,
    clock: Clock,
    inspection_id: str,
    *,
    actor: str,
    reason: str,
    changes: Mapping[str, Mapping[str, str]],
) -> Proposal:
    """更正申请: ``changes`` maps a finding id to the fields to set (``field → value``, as
    typed: ``area`` by name). Recorded as pending; nothing else changes."""
    why = reason.strip()
    if not why:
        raise RuleError("errors.amendment.no_reason")
    inspection = amendable(db, inspection_id)
    require(db, actor, Permission.PROPOSE_AMENDMENT, inspection_id=inspection.id)
    current = {f.id: f for f in amendments.effective_findings(db, inspection.id)}
    asked: dict[str, dict[str, str]] = {}
    for finding_id, wanted in changes.items():
        if finding_id not in current:
            raise NotFoundError("errors.finding.not_found", id=finding_id)
        asked.setdefault(finding_id, {}).update(wanted)
    for finding_id, wanted in list(asked.items()):
        if "area" in wanted:
            _move(db, inspection.project_id, current, current[finding_id], asked)
    rows: list[Change] = []
    for finding_id, wanted in asked.items():
        finding = findings.get_finding(db, finding_id)
        rows += [
            Change(new_id(), finding.id, field, old, new)
            for field, old, new in _changes_of(db, finding, wanted)
        ]
    if not rows:
        raise RuleError("errors.amendment.nothing")
    proposal = Proposal(new_id(), inspection.id, clock.now_iso(), actor, why, tuple(rows))
    with db.atomic():
        amendment_proposals.insert_proposal(db, proposal)
    return proposal


def _pending(db: Database, proposal_id: str, actor: str) -> Proposal:
    proposal = amendment_proposals.get_proposal(db, proposal_id)
    if proposal.decision is not None:
        raise RuleError(
            DECIDED_ALREADY[proposal.decision.state],
            actor=organisation.names(db, "people").get(
                proposal.decision.actor, proposal.decision.actor
            ),
            at=proposal.decision.at[:16].replace("T", " "),
        )
    if proposal.actor == actor:
        raise RuleError("errors.amendment.own")
    project = inspections.get_inspection(db, proposal.inspection_id).project_id
    require(
        db, actor, Permission.APPROVE_AMENDMENT, project_id=project, requester_id=proposal.actor
    )
    return proposal


def reject(db: Database, clock: Clock, proposal_id: str, *, actor: str, reason: str) -> Proposal:
    """驳回: recorded with its reason; nothing else changes."""
    why = reason.strip()
    if not why:
        raise RuleError("errors.amendment.no_reason")
    with db.atomic():
        proposal = _pending(db, proposal_id, actor)
        decision = Decision(new_id(), ProposalState.REJECTED, clock.now_iso(), actor, why)
        amendment_proposals.insert_decision(db, proposal.id, decision)
    return amendment_proposals.get_proposal(db, proposal.id)


def approve(
    db: Database,
    clock: Clock,
    settings: Settings,
    proposal_id: str,
    *,
    actor: str,
    reason: str = "",
) -> Proposal:
    """批准: the changes become amendments and the rectification items follow, at once.

    Refused when a value changed since it was proposed (another amendment or an
    upheld appeal came first): the proposal would undo it blindly.
    """
    with db.atomic():
        proposal = _pending(db, proposal_id, actor)
        before = {f.id: f for f in amendments.effective_findings(db, proposal.inspection_id)}
        for change in proposal.changes:
            now = amendments.current_value(db, before[change.finding_id], change.field)
            if now != change.old_value:
                raise RuleError(
                    "errors.amendment.stale", field=change.field, old=change.old_value, now=now
                )
        at = clock.now_iso()
        for change in proposal.changes:
            amendments.record_amendment(
                db,
                Amendment(
                    id=change.id,
                    inspection_id=proposal.inspection_id,
                    finding_id=change.finding_id,
                    at=at,
                    actor=proposal.actor,
                    reason=proposal.reason,
                    field=change.field,
                    old_value=change.old_value,
                    new_value=change.new_value,
                ),
            )
        decision = Decision(new_id(), ProposalState.APPROVED, at, actor, reason.strip())
        amendment_proposals.insert_decision(db, proposal.id, decision)
        after = {f.id: f for f in amendments.effective_findings(db, proposal.inspection_id)}
        for finding_id in dict.fromkeys(c.finding_id for c in proposal.changes):
            _follow(db, clock, settings, proposal, before[finding_id], after[finding_id], actor)
    return amendment_proposals.get_proposal(db, proposal.id)


def _follow(
    db: Database,
    clock: Clock,
    settings: Settings,
    proposal: Proposal,
    before: Finding,
    after: Finding,
    actor: str,
) -> None:
    """The rectification items of one amended finding follow its new result."""
    was_failed, failed = before.result == Result.FAIL, after.result == Result.FAIL
    items = items_of_finding(db, after.id)
    data = {"proposal_id": proposal.id, "result": after.result.value}
    if was_failed and not failed:
        for item in items:
            if item.status in (RectificationStatus.OPEN, RectificationStatus.REPLIED):
                carry_overs.void_carry_overs(db, clock, item.id, proposal.reason)
                record_transition(
                    db,
                    clock,
                    item,
                    actor=actor,
                    action=WITHDRAWN,
                    to_status=RectificationStatus.VOIDED,
                    reason=proposal.reason,
                    data=data,
                )
    elif failed and not any(i.status != RectificationStatus.VOIDED for i in items):
        notice = _first_notice(db, clock, settings, proposal.inspection_id)
        deadline = None
        if notice.received_at:
            deadline = deadline_from_receipt(clock.today(), settings.deadline_days)
        item = add_item(db, clock, after.id, notice, deadline)
        why = proposal.reason
        record_transition(db, clock, item, actor=actor, action=ADDED, reason=why, data=data)


def _first_notice(db: Database, clock: Clock, settings: Settings, inspection_id: str) -> Notice:
    """The inspection's first notice, issued now (not yet received) when it had none."""
    first = [n for n in notices.notices_of_inspection(db, inspection_id) if n.sequence == 1]
    if first:
        return first[0]
    inspection = inspections.get_inspection(db, inspection_id)
    return notices.add_notice(db, clock, inspection, settings.issuing_department)
