"""Amendments (更正记录) to signed inspections, and findings as amended.

A signed inspection never changes in place: a correction is an amendment with
who, when, why and old → new; readers use ``effective_findings``.
"""

from __future__ import annotations

from sqlite_utils import Database

from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import Amendment, Finding
from pqm_tui.model.errors import RuleError
from pqm_tui.model.findings import list_findings
from pqm_tui.model.ids import new_id

AMENDABLE_FIELDS = (
    "result",
    "occurrences",
    "deduction",
    "note",
    "severity",
    "department",
    "responsible_person",
    "location",
    "voided",
    "area_id",
)


def current_value(db: Database, finding: Finding, field: str) -> str:
    """The field's value now: its latest amendment, else as recorded (``voided``: "0")."""
    for a in reversed(list_amendments(db, finding.inspection_id)):
        if a.finding_id == finding.id and a.field == field:
            return a.new_value or ""
    if field == "voided":
        return "0"
    value = getattr(finding, field, "")
    return str(value.value if hasattr(value, "value") else value)


def add_amendment(
    db: Database,
    clock: Clock,
    actor: str,
    finding: Finding,
    field: str,
    new_value: str,
    reason: str,
) -> Amendment:
    """Amend a finding of a signed inspection: a trace, never an edit in place."""
    if field not in AMENDABLE_FIELDS:
        raise RuleError("errors.amendment.field", field=field, allowed=", ".join(AMENDABLE_FIELDS))
    if not reason.strip():
        raise RuleError("errors.amendment.no_reason")
    old = current_value(db, finding, field)
    amendment = Amendment(
        id=new_id(),
        inspection_id=finding.inspection_id,
        finding_id=finding.id,
        at=clock.now_iso(),
        actor=actor,
        reason=reason,
        field=field,
        old_value=old,
        new_value=new_value,
    )
    with db.atomic():
        db.table("amendments").insert(amendment.model_dump())
    return amendment


def record_amendment(db: Database, amendment: Amendment) -> None:
    """Write an amendment made elsewhere (an approved proposal's change)."""
    db.table("amendments").insert(amendment.model_dump())


def list_amendments(db: Database, inspection_id: str) -> list[Amendment]:
    return [
        Amendment.model_validate(r)
        for r in db.query(
            "SELECT * FROM amendments WHERE inspection_id = ? ORDER BY at, rowid",
            [inspection_id],
        )
    ]


def effective_findings(db: Database, inspection_id: str) -> list[Finding]:
    """Findings with amendments applied; a voided finding counts as a pass, no deduction."""
    changes: dict[str, dict[str, str | None]] = {}
    for a in list_amendments(db, inspection_id):
        if a.finding_id:
            changes.setdefault(a.finding_id, {})[a.field] = a.new_value
    result = []
    for finding in list_findings(db, inspection_id):
        fields = dict(changes.get(finding.id, {}))
        if fields.pop("voided", "0") == "1":
            fields.update(result="pass", deduction="0", occurrences="0")
        result.append(
            finding.model_copy(
                update=Finding.model_validate({**finding.model_dump(), **fields}).model_dump(
                    include=set(fields)
                )
            )
        )
    return result
