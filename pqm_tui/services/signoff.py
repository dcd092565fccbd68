"""Finishing and signing an inspection (检查签字确认): the rules around the model's write."""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import inspections
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import current_actor
from pqm_tui.model.entities import InspectionKind, InspectionStatus
from pqm_tui.model.errors import RuleError
from pqm_tui.model.permissions import Action as Permission
from pqm_tui.model.permissions import require
from pqm_tui.services import reinspection
from pqm_tui.services.deadlines import deadline_from_receipt
from pqm_tui.services.inspection_state import load_state


def sign_off(
    db: Database,
    clock: Clock,
    settings: Settings,
    inspection_id: str,
    *,
    receiver_name: str,
    receiver_role: str,
    actor: str | None = None,
) -> str | None:
    """Sign and lock an inspection; return the rectification notice number if any.

    Only its inspectors sign (``actor``, a person's id; None: the connection's, the one
    the audit trail records). Refused while (area, item) pairs are unanswered: mark
    them N/A explicitly. The deadline is the receipt date (today, local) +
    ``settings.deadline_days``.
    """
    actor = actor or current_actor(db)
    if not receiver_name.strip():
        raise RuleError("errors.inspection.no_receiver")
    state = load_state(db, settings, inspection_id)
    reinspecting = state.inspection.kind == InspectionKind.REINSPECTION
    action = Permission.SIGN_REINSPECTION if reinspecting else Permission.SIGN_INSPECTION
    require(db, actor, action, inspection_id=inspection_id)
    if state.inspection.status == InspectionStatus.SIGNED:
        raise RuleError("errors.inspection.already_signed")
    if state.unanswered:
        raise RuleError("errors.inspection.unanswered", count=len(state.unanswered))
    if reinspecting:  # close or escalate its targets
        return reinspection.sign_reinspection(
            db,
            clock,
            settings,
            inspection_id,
            actor=actor,
            receiver_name=receiver_name.strip(),
            receiver_role=receiver_role.strip(),
        ).notice_number
    deadline: date = deadline_from_receipt(clock.today(), settings.deadline_days)
    return inspections.sign_inspection(
        db,
        clock,
        inspection_id,
        receiver_name=receiver_name.strip(),
        receiver_role=receiver_role.strip(),
        issuing_department=settings.issuing_department,
        deadline=deadline,
    )
