"""Who a failure is put on (责任部门、责任人): names chosen from the organisation.

A finding's department and responsible person are what the by-department Pareto and the
Excel filters group by, so they are one of the project's names, never free text: the
project's active departments (and the company-wide ones), its active people. Typing the
start of a name completes it when only one name starts so.

A project whose organisation has no department entered yet takes the departments the
checklist's sections name: still one list of names (the ones the checklist already
pre-fills), rather than free text or an empty field nobody can fill.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from pqm_tui.model import organisation
from pqm_tui.model.errors import RuleError

SHOWN = 8  # names a refusal lists
# per field, the refusals: several names start so, nothing to choose from, not a name
REFUSALS = {
    "department": (
        "errors.finding.department_ambiguous",
        "errors.finding.no_department",
        "errors.finding.unknown_department",
    ),
    "person": (
        "errors.finding.person_ambiguous",
        "errors.finding.no_person",
        "errors.finding.unknown_person",
    ),
}


def _names(names: Iterable[str]) -> tuple[str, ...]:
    """Distinct, non-empty names in their first order."""
    return tuple(dict.fromkeys(n for n in names if n))


@dataclass(frozen=True)
class ResponsibleChoices:
    """The departments and people a project's failures may be put on."""

    departments: tuple[str, ...]
    people: tuple[str, ...]

    def department(self, text: str, *, kept: str = "") -> str:
        """The department ``text`` names (completed from its start); RuleError otherwise.
        Empty stays empty (not known yet); ``kept`` (the finding's own) is accepted as is."""
        return _choose(text, self.departments, kept, "department")

    def person(self, text: str, *, kept: str = "") -> str:
        """The responsible person ``text`` names (completed from its start); as
        ``department``."""
        return _choose(text, self.people, kept, "person")


def _choose(text: str, choices: tuple[str, ...], kept: str, what: str) -> str:
    typed = text.strip()
    if not typed or typed in choices or typed == kept:
        return typed
    starting = [c for c in choices if c.casefold().startswith(typed.casefold())]
    if len(starting) == 1:
        return starting[0]
    ambiguous, nothing, unknown = REFUSALS[what]
    if starting:
        raise RuleError(ambiguous, name=typed, choices=tuple(starting))
    if not choices:
        raise RuleError(nothing, name=typed)
    shown = choices[:SHOWN]  # a project's people can be many: some, for example
    raise RuleError(unknown, name=typed, choices=shown)


def responsible_choices(
    db: Database, project_id: str, section_departments: Iterable[str] = ()
) -> ResponsibleChoices:
    """The project's active departments (its own, then the company-wide ones) and active
    people; the checklist's ``section_departments`` when the organisation has none."""
    departments = organisation.list_departments(db, project_id)
    active = [d for d in departments if d.archived_at is None]
    own = [d.name for d in active if d.project_id == project_id]
    shared = [d.name for d in active if d.project_id is None]
    names = _names([*own, *shared]) or _names(section_departments)
    people = organisation.list_people(db, project_id)
    return ResponsibleChoices(names, _names(p.name for p in people if p.archived_at is None))
