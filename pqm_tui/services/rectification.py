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
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import amendments, bounds, carry_overs, findings, notices
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import RectificationItem, RectificationStatus
from pqm_tui.model.errors import NotFoundError, RuleError
from pqm_tui.model.rectification import (
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
    State.APPEAL_REQUESTED: (Action.UPHOLD_APPEAL, Action.REJECT_APPEAL),
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
    check(db, item, Action.REPLY)
    text = _required(done, "review.err.missing.done")
    when = bounds.check_date(done_on or clock.today(), clock.today())
    if when > clock.today():
        raise RectificationError("review.err.future_date", date=when.isoformat())
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
    for event in reversed(list_events(db, item_id)):
        if event.action == action.value:
            return event.data
    return {}


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


def decide_appeal(
    db: Database, clock: Clock, item_id: str, *, actor: str, uphold: bool, reason: str
) -> RectificationItem:
    """Uphold (void the finding by an amendment, void the item and its carry-overs) or reject."""
    item = get_item(db, item_id)
    action = Action.UPHOLD_APPEAL if uphold else Action.REJECT_APPEAL
    check(db, item, action)
    why = _required(reason, "review.err.missing.reason")
    if not uphold:
        return record_transition(db, clock, item, actor=actor, action=action.value, reason=why)
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

    A pending appeal is upheld (``approve``) or rejected; otherwise the extension
    request is approved (``new_deadline``, else the date asked) or rejected, and
    the state machine refuses when nothing is pending.
    """
    item = get_item(db, item_id)
    if state_of(db, item) == State.APPEAL_REQUESTED:
        return decide_appeal(db, clock, item.id, actor=actor, uphold=approve, reason=reason)
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

    Returns how many items got a new deadline. A notice is received once.
    """
    try:
        notice = notices.get_notice(db, notice_id)
    except NotFoundError:
        raise RectificationError("review.err.no_notice", notice=notice_id) from None
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
