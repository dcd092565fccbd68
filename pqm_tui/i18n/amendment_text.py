"""Amendments as people read them (更正内容): field names and values in their language.

The CLI, the app and the inspection report say a change the same way: the field's
name, the old and the new value (a result or severity by its label, an area by its
name, voided as yes/no), and people by name where an id was recorded.
"""

from __future__ import annotations

from pqm_tui.i18n import Translator
from pqm_tui.model.entities import Result, Severity

FIELD_KEYS = {
    "result": "amend.field.result",
    "occurrences": "amend.field.occurrences",
    "deduction": "amend.field.deduction",
    "note": "amend.field.note",
    "severity": "amend.field.severity",
    "department": "amend.field.department",
    "responsible_person": "amend.field.responsible_person",
    "location": "amend.field.location",
    "voided": "amend.field.voided",
    "area_id": "amend.field.area",
    "area": "amend.field.area",
}


def field_label(tr: Translator, field: str) -> str:
    return tr(FIELD_KEYS[field]) if field in FIELD_KEYS else field


def value_shown(tr: Translator, field: str, value: str | None, areas: dict[str, str]) -> str:
    """A stored value as printed: labels for results and severities, names for areas."""
    if value is None or value == "":
        return "—"
    if field == "result" and value in {r.value for r in Result}:
        return tr.enum(Result(value))
    if field == "severity" and value in {s.value for s in Severity}:
        return tr.enum(Severity(value))
    if field == "voided":
        return tr("amend.voided_yes") if value == "1" else tr("amend.voided_no")
    if field == "area_id":
        return areas.get(value, value)
    return value


def change_text(
    tr: Translator, field: str, old: str | None, new: str | None, areas: dict[str, str]
) -> str:
    """「结果：不合格 → 不适用」."""
    return tr(
        "amend.change",
        field=field_label(tr, field),
        old=value_shown(tr, field, old, areas),
        new=value_shown(tr, field, new, areas),
    )


def person_name(people: dict[str, str], actor: str) -> str:
    """A recorded actor by name: a person's id becomes the name, free text stays."""
    return people.get(actor, actor)
