"""The rectification state machine (整改流程): which move is allowed from which state.

States: 待整改 open → 已回复 replied → 已关闭 closed (re-inspection passed); a
failed re-inspection (复检不通过) re-opens the item one escalation level up with
a new deadline. Pending requests are states too: an extension request
(延期申请, only before the deadline) waits for approval or rejection; an
appeal (申诉) waits to be upheld (the finding is voided by an amendment, the
item voided, its deductions removed) or rejected. Every move is written by
``model.rectification.record_transition`` with who, when and why; an illegal
move raises ``TransitionError`` naming the current state and the allowed moves.

Pending requests are not a column: they are read from the item's latest
request/decision event, so data written by older code keeps its meaning.

Who may make each move is ``model.permissions``' table: the project replies and asks,
the quality department decides extensions, and an appeal is decided in two recorded
steps — the quality manager's first review (初审, ``review_appeal``), then the city
general manager's final decision (终审, ``decide_appeal``); only the final decision
voids a finding. ``actor`` is always the acting person's id.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import amendments, bounds, carry_overs, findings, notices
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import RectificationItem, RectificationStatus
from pqm_tui.model.errors import NotFoundError, RuleError
from pqm_tui.model.permissions import Action as Permission
from pqm_tui.model.permissions import require
from pqm_tui.model.rectification import (
    RectificationEvent,
    get_item,
    last_request_action,
    list_events,
    record_transition,
)
from pqm_tui.services.deadlines import days_left, deadline_from_receipt

PENALTY_LEVEL = 2  # the third lapse (004 篇4: reminder, public notice, penalty)


class State(StrEnum):
    """Where an item is in its lifecycle (整改状态, pending requests included)."""

    OPEN = "open"
    REPLIED = "replied"
    CLOSED = "closed"
    VOIDED = "voided"
    EXTENSION_REQUESTED = "extension-requested"
    APPEAL_REQUESTED = "appeal-requested"


class Action(StrEnum):
    """A move of the state machine; the value is the event's ``action``."""

    REPLY = "reply"
    REQUEST_EXTENSION = "extension-requested"
    APPROVE_EXTENSION = "extension-approved"
    REJECT_EXTENSION = "extension-rejected"
    REQUEST_APPEAL = "appeal-requested"
    REVIEW_APPEAL = "appeal-reviewed"
    UPHOLD_APPEAL = "appeal-upheld"
    REJECT_APPEAL = "appeal-rejected"
    PASS_REINSPECTION = "reinspection-passed"
    FAIL_REINSPECTION = "reinspection-failed"


ALLOWED: dict[State, tuple[Action, ...]] = {
    State.OPEN: (
        Action.REPLY,
        Action.REQUEST_EXTENSION,
        Action.REQUEST_APPEAL,
        Action.PASS_REINSPECTION,
        Action.FAIL_REINSPECTION,
    ),
    State.REPLIED: (Action.REQUEST_APPEAL, Action.PASS_REINSPECTION, Action.FAIL_REINSPECTION),
    State.EXTENSION_REQUESTED: (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION),
    State.APPEAL_REQUESTED: (Action.REVIEW_APPEAL, Action.UPHOLD_APPEAL, Action.REJECT_APPEAL),
    State.CLOSED: (),
    State.VOIDED: (),
}

REQUEST_ACTIONS = {Action.REQUEST_EXTENSION.value, Action.REQUEST_APPEAL.value}


class RectificationError(RuleError):
    """A refused move of the state machine (message ids ``review.err.*``)."""


class TransitionError(RectificationError):
    """The move is not allowed from the item's current state."""

    def __init__(self, state: State, action: Action) -> None:
        allowed = ALLOWED[state]
        key = "review.err.transition" if allowed else "review.err.transition_final"
        super().__init__(key, state=state, action=action, allowed=allowed)
        self.state = state
        self.action = action
        self.allowed = allowed


def state_of(db: Database, item: RectificationItem) -> State:
    """The item's state: its status, or the request waiting for a decision."""
    if item.status in (RectificationStatus.CLOSED, RectificationStatus.VOIDED):
        return State(item.status.value)
    pending = last_request_action(db, item.id)
    if pending is not None and pending in REQUEST_ACTIONS:
        return State(pending)
    return State(item.status.value)


def allowed_actions(db: Database, item: RectificationItem) -> tuple[Action, ...]:
    return ALLOWED[state_of(db, item)]


def check(db: Database, item: RectificationItem, action: Action) -> State:
    """The item's state, or TransitionError when ``action`` is not allowed from it."""
    state = state_of(db, item)
    if action not in ALLOWED[state]:
        raise TransitionError(state, action)
    return state


def _required(value: str, missing: str) -> str:
    """``value`` stripped; RectificationError ``missing`` (a message id) when it is blank."""
    if not value.strip():
        raise RectificationError(missing)
    return value.strip()


def pending_decision(db: Database, item: RectificationItem) -> Action | None:
    """The decision the item waits for: an extension's, an appeal's first-level review
    (初审) or its final decision (终审, as ``UPHOLD_APPEAL``); None when nothing waits."""
    state = state_of(db, item)
    if state == State.EXTENSION_REQUESTED:
        return Action.APPROVE_EXTENSION
    if state == State.APPEAL_REQUESTED:
        reviewed = appeal_review(db, item.id) is not None
        return Action.UPHOLD_APPEAL if reviewed else Action.REVIEW_APPEAL
    return None


def require_move(db: Database, actor: str, item: RectificationItem, action: Action) -> None:
    """PermissionDenied (or IdentityError) unless ``actor`` may make ``action`` on ``item``:
    the same rule the move itself applies, asked before a form is filled in for nothing."""
    project = item.project_id
    if action in (Action.REPLY, Action.REQUEST_EXTENSION, Action.REQUEST_APPEAL):
        permission = {
            Action.REPLY: Permission.REPLY,
            Action.REQUEST_EXTENSION: Permission.REQUEST_EXTENSION,
            Action.REQUEST_APPEAL: Permission.REQUEST_APPEAL,
        }[action]
        require(db, actor, permission, project_id=project)
    elif action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION):
        asked = requester(db, item.id, Action.REQUEST_EXTENSION)
        require(db, actor, Permission.DECIDE_EXTENSION, project_id=project, requester_id=asked)
    elif action in (Action.REVIEW_APPEAL, Action.UPHOLD_APPEAL, Action.REJECT_APPEAL):
        step = Permission.REVIEW_APPEAL if action == Action.REVIEW_APPEAL else None
        asked = requester(db, item.id, Action.REQUEST_APPEAL)
        require(
            db,
            actor,
            step or Permission.DECIDE_APPEAL,
            project_id=project,
            requester_id=asked,
        )
    else:  # a re-inspection's verdicts: the quality department arranges it
        require(db, actor, Permission.CREATE_REINSPECTION)


def is_overdue(item: RectificationItem, today: date) -> bool:
    """Open (not replied) and past its deadline in local dates."""
    return (
        item.status == RectificationStatus.OPEN
        and item.deadline is not None
        and date.fromisoformat(item.deadline) < today
    )


def item_days_left(item: RectificationItem, today: date) -> int | None:
    """Days until the deadline (negative: days overdue); None without a deadline."""
    if item.deadline is None:
        return None
    return days_left(date.fromisoformat(item.deadline), today)


def earliest_reply(db: Database, clock: Clock, item: RectificationItem) -> date:
    """The earliest completion date (完成日期) a reply may give, in local dates: the day
    the finding was recorded, or the day of the failed re-inspection that re-opened the
    item (the work reported is what was done after it). Work may start before the
    notice is received (an inspector's finding is often put right at once)."""
    recorded = findings.get_finding(db, item.finding_id).created_at
    days = [clock.local_date_of(recorded)]
    failed = notices.last_failed_reinspection(db, item.id)
    if failed is not None:
        days.append(clock.local_date_of(failed[2]))
    return max(days)


def reply(
    db: Database,
    clock: Clock,
    item_id: str,
    *,
    actor: str,
    done: str,
    done_on: date | None = None,
    evidence: list[dict[str, str]] | None = None,
) -> RectificationItem:
    """整改回复: what was done, when, evidence photos (already in the media store)."""
    item = get_item(db, item_id)
    require(db, actor, Permission.REPLY, project_id=item.project_id)
    check(db, item, Action.REPLY)
    text = _required(done, "review.err.missing.done")
    when = bounds.check_date(done_on or clock.today(), clock.today())
    if when > clock.today():
        raise RectificationError("review.err.future_date", date=when.isoformat())
    earliest = earliest_reply(db, clock, item)
    if when < earliest:
        raise RectificationError(
            "review.err.reply_too_early", date=when.isoformat(), earliest=earliest.isoformat()
        )
    return record_transition(
        db,
        clock,
        item,
        actor=actor,
        action=Action.REPLY.value,
        to_status=RectificationStatus.REPLIED,
        reason=text,
        data={"done": text, "date": when.isoformat(), "evidence": evidence or []},
    )


def request_extension(
    db: Database,
    clock: Clock,
    item_id: str,
    *,
    actor: str,
    reason: str,
    measures: str,
    proposed: date,
) -> RectificationItem:
    """延期申请: in writing, in advance (on or before the deadline), with measures."""
    item = get_item(db, item_id)
    require(db, actor, Permission.REQUEST_EXTENSION, project_id=item.project_id)
    check(db, item, Action.REQUEST_EXTENSION)
    why = _required(reason, "review.err.missing.reason")
    how = _required(measures, "review.err.missing.measures")
    today = clock.today()
    bounds.check_date(proposed, today)
    if item.deadline is not None:
        deadline = date.fromisoformat(item.deadline)
        if today > deadline:
            raise RectificationError(
                "review.err.extension_late",
                deadline=deadline.isoformat(),
            )
        if proposed <= deadline:
            raise RectificationError(
                "review.err.extension_date",
                proposed=proposed.isoformat(),
                deadline=deadline.isoformat(),
            )
    return record_transition(
        db,
        clock,
        item,
        actor=actor,
        action=Action.REQUEST_EXTENSION.value,
        reason=why,
        data={"reason": why, "measures": how, "proposed": proposed.isoformat()},
    )


def _latest_request(db: Database, item_id: str, action: Action) -> dict[str, Any]:
    event = _latest_event(db, item_id, action)
    return {} if event is None else event.data


def _latest_event(db: Database, item_id: str, action: Action) -> RectificationEvent | None:
    for event in reversed(list_events(db, item_id)):
        if event.action == action.value:
            return event
    return None


def requester(db: Database, item_id: str, action: Action) -> str | None:
    """Who made the item's latest ``action`` request (a person's id)."""
    event = _latest_event(db, item_id, action)
    return None if event is None else event.actor


def appeal_review(db: Database, item_id: str) -> RectificationEvent | None:
    """The first-level review (初审) of the item's pending appeal, once it is recorded."""
    for event in reversed(list_events(db, item_id)):
        if event.action == Action.REVIEW_APPEAL.value:
            return event
        if event.action == Action.REQUEST_APPEAL.value:
            return None
    return None


def decide_extension(
    db: Database,
    clock: Clock,
    item_id: str,
    *,
    actor: str,
    approve: bool,
    reason: str = "",
    new_deadline: date | None = None,
) -> RectificationItem:
    """Approve (new deadline: the given date, else the proposed one) or reject."""
    item = get_item(db, item_id)
    action = Action.APPROVE_EXTENSION if approve else Action.REJECT_EXTENSION
    require(
        db,
        actor,
        Permission.DECIDE_EXTENSION,
        project_id=item.project_id,
        requester_id=requester(db, item.id, Action.REQUEST_EXTENSION),
    )
    check(db, item, action)
    if not approve:
        why = _required(reason, "review.err.missing.reason")
        return record_transition(db, clock, item, actor=actor, action=action.value, reason=why)
    request = _latest_request(db, item.id, Action.REQUEST_EXTENSION)
    deadline = new_deadline or date.fromisoformat(request["proposed"])
    bounds.check_date(deadline, clock.today())
    if deadline < clock.today():
        raise RectificationError("review.err.extension_past", date=str(deadline))
    return record_transition(
        db,
        clock,
        item,
        actor=actor,
        action=action.value,
        reason=reason.strip(),
        data={"old_deadline": item.deadline, "new_deadline": deadline.isoformat()},
        deadline=deadline.isoformat(),
    )


def request_appeal(
    db: Database, clock: Clock, item_id: str, *, actor: str, grounds: str
) -> RectificationItem:
    """申诉: the project disputes the finding, giving its grounds."""
    item = get_item(db, item_id)
    require(db, actor, Permission.REQUEST_APPEAL, project_id=item.project_id)
    check(db, item, Action.REQUEST_APPEAL)
    text = _required(grounds, "review.err.missing.grounds")
    return record_transition(
        db,
        clock,
        item,
        actor=actor,
        action=Action.REQUEST_APPEAL.value,
        reason=text,
        data={"grounds": text},
    )


def review_appeal(
    db: Database, clock: Clock, item_id: str, *, actor: str, uphold: bool, reason: str
) -> RectificationItem:
    """申诉初审: the quality manager's first-level opinion (uphold or reject), recorded in
    the item's history; the finding stays as it is until the final decision."""
    item = get_item(db, item_id)
    require(
        db,
        actor,
        Permission.REVIEW_APPEAL,
        project_id=item.project_id,
        requester_id=requester(db, item.id, Action.REQUEST_APPEAL),
    )
    check(db, item, Action.REVIEW_APPEAL)
    if appeal_review(db, item.id) is not None:
        raise RectificationError("review.err.appeal_reviewed")
    why = _required(reason, "review.err.missing.reason")
    return record_transition(
        db,
        clock,
        item,
        actor=actor,
        action=Action.REVIEW_APPEAL.value,
        reason=why,
        data={"uphold": uphold},
    )


def decide_appeal(
    db: Database, clock: Clock, item_id: str, *, actor: str, uphold: bool, reason: str
) -> RectificationItem:
    """申诉终审: the city general manager's final decision, after the first-level review.

    Upheld: the finding is voided by an amendment, the item and its carry-overs voided;
    rejected: the item goes on, its deadline moved on by the days the appeal was pending
    (a pending appeal suspends the deadline: not overdue meanwhile, ``model.rectification
    .APPEALED``).
    """
    item = get_item(db, item_id)
    action = Action.UPHOLD_APPEAL if uphold else Action.REJECT_APPEAL
    require(
        db,
        actor,
        Permission.DECIDE_APPEAL,
        project_id=item.project_id,
        requester_id=requester(db, item.id, Action.REQUEST_APPEAL),
    )
    check(db, item, action)
    if appeal_review(db, item.id) is None:
        raise RectificationError("review.err.appeal_not_reviewed")
    why = _required(reason, "review.err.missing.reason")
    if not uphold:
        resumed = _resumed(db, clock, item)
        return record_transition(
            db, clock, item, actor=actor, action=action.value, reason=why, **resumed
        )
    finding = findings.get_finding(db, item.finding_id)
    with db.atomic():
        amendment = amendments.add_amendment(db, clock, actor, finding, "voided", "1", why)
        voided = carry_overs.void_carry_overs(db, clock, item.id, why)
        return record_transition(
            db,
            clock,
            item,
            actor=actor,
            action=action.value,
            to_status=RectificationStatus.VOIDED,
            reason=why,
            data={"amendment_id": amendment.id, "carry_overs_voided": voided},
        )


def _resumed(db: Database, clock: Clock, item: RectificationItem) -> dict[str, Any]:
    """A rejected appeal's deadline (期限顺延): the deadline was suspended while the appeal
    was pending, so it moves on by the days from the request to today (the item is late
    by as much as it was when it appealed). The event's data says old and new."""
    request = _latest_event(db, item.id, Action.REQUEST_APPEAL)
    if item.deadline is None or request is None:
        return {}
    paused = (clock.today() - clock.local_date_of(request.at)).days
    if paused <= 0:
        return {}
    deadline = (date.fromisoformat(item.deadline) + timedelta(days=paused)).isoformat()
    data = {"old_deadline": item.deadline, "new_deadline": deadline, "suspended_days": paused}
    return {"data": data, "deadline": deadline}


def decide(
    db: Database,
    clock: Clock,
    item_id: str,
    *,
    actor: str,
    approve: bool,
    reason: str,
    new_deadline: date | None = None,
) -> RectificationItem:
    """裁决: decide the request the item waits for, the one rule of the CLI and the review.

    A pending appeal gets its first-level review (初审) when it has none yet, else its
    final decision (终审): upheld (``approve``) or rejected; otherwise the extension
    request is approved (``new_deadline``, else the date asked) or rejected, and
    the state machine refuses when nothing is pending.
    """
    item = get_item(db, item_id)
    if state_of(db, item) == State.APPEAL_REQUESTED:
        step = review_appeal if appeal_review(db, item.id) is None else decide_appeal
        return step(db, clock, item.id, actor=actor, uphold=approve, reason=reason)
    return decide_extension(
        db,
        clock,
        item.id,
        actor=actor,
        approve=approve,
        reason=reason,
        new_deadline=new_deadline,
    )


def record_reinspection(
    db: Database,
    clock: Clock,
    settings: Settings,
    item: RectificationItem,
    *,
    actor: str,
    passed: bool,
    data: dict[str, Any],
) -> RectificationItem:
    """A re-inspection's verdict: close, or re-open one level up with a new deadline."""
    action = Action.PASS_REINSPECTION if passed else Action.FAIL_REINSPECTION
    check(db, item, action)
    if passed:
        return record_transition(
            db,
            clock,
            item,
            actor=actor,
            action=action.value,
            to_status=RectificationStatus.CLOSED,
            data=data,
        )
    level = item.escalation_level + 1
    deadline = deadline_from_receipt(clock.today(), settings.deadline_days)
    return record_transition(
        db,
        clock,
        item,
        actor=actor,
        action=action.value,
        to_status=RectificationStatus.OPEN,
        reason=str(data.get("note", "")),
        data={**data, "escalation_level": level, "penalty": level >= PENALTY_LEVEL},
        deadline=deadline.isoformat(),
        escalation_level=level,
    )


def acknowledge_notice(
    db: Database,
    clock: Clock,
    settings: Settings,
    notice_id: str,
    *,
    actor: str,
    received_by: str,
    received_on: date | None = None,
) -> int:
    """签收: record a notice's receipt; its open items' deadlines count from that date.

    Returns how many items got a new deadline. A notice is received once, by the
    project's manager or a department head of the project (``actor``).
    """
    try:
        notice = notices.get_notice(db, notice_id)
    except NotFoundError:
        raise RectificationError("review.err.no_notice", notice=notice_id) from None
    require(db, actor, Permission.RECEIVE_NOTICE, project_id=notice.project_id)
    if notice.received_at:
        raise RectificationError(
            "review.err.already_received",
            number=notice.number,
            date=notice.received_at[:10],
        )
    who = _required(received_by, "review.err.missing.receiver")
    day = bounds.check_date(received_on or clock.today(), clock.today())
    if day > clock.today():
        raise RectificationError("review.err.future_date", date=str(day))
    deadline = deadline_from_receipt(day, settings.deadline_days).isoformat()
    changed = 0
    with db.atomic():
        notices.set_notice_receipt(db, notice.id, day.isoformat(), who)
        for item_id in notices.items_of_notice(db, notice):
            item = get_item(db, item_id)
            if item.status not in (RectificationStatus.OPEN, RectificationStatus.REPLIED):
                continue
            record_transition(
                db,
                clock,
                item,
                actor=actor,
                action="notice-received",
                reason=who,
                data={"notice_id": notice.id, "received_on": day.isoformat()},
                deadline=deadline,
            )
            changed += 1
    return changed
