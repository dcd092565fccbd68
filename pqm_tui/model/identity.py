"""Who acts (操作人): the known, active person every change is recorded against.

The CLI's ``--as NAME`` (or ``PQM_AS``) and the app's "who are you" dialog name a
person of the organisation; ``resolve_person`` finds them by exact name or id
and refuses an unknown, archived or ambiguous name. The audit trail and the
rectification history record the person's id; ``actor_names`` turns those ids
back into names wherever the trail is shown (rows written before people were
known keep their free text).
"""

from __future__ import annotations

from sqlite_utils import Database

from pqm_tui.model.entities import Person
from pqm_tui.model.errors import RuleError
from pqm_tui.model.ids import SHORT_LENGTH, short_id


class IdentityError(RuleError):
    """The acting person is unknown, archived, ambiguous or not given (message ids
    ``errors.identity.*``)."""


def resolve_person(db: Database, who: str) -> Person:
    """The active person called ``who`` (exact name), or with that id (or short id).

    IdentityError when nobody is called so, when only archived people are, or when
    several active people share the name (they are then told apart by their ids).
    """
    wanted = who.strip()
    if not wanted:
        raise IdentityError("errors.identity.required")
    rows = list(db.query("SELECT * FROM people WHERE id = ? OR name = ?", [wanted, wanted]))
    if not rows and len(wanted) >= SHORT_LENGTH:
        rows = list(db.query("SELECT * FROM people WHERE id LIKE ?", ["%" + wanted]))
    people = [Person.model_validate(r) for r in rows]
    active = [p for p in people if p.archived_at is None]
    if not people:
        raise IdentityError("errors.identity.unknown", name=wanted)
    if not active:
        raise IdentityError("errors.identity.archived", name=wanted, date=people[0].archived_at)
    if len(active) > 1:
        ids = tuple(short_id(p.id) for p in active)
        raise IdentityError("errors.identity.ambiguous", name=wanted, count=len(active), ids=ids)
    return active[0]


def active_person(db: Database, person_id: str) -> Person:
    """The person acting with this id, refused when unknown or archived since (离职/停用)."""
    rows = list(db.query("SELECT * FROM people WHERE id = ?", [person_id]))
    if not rows:
        raise IdentityError("errors.identity.unknown", name=person_id)
    person = Person.model_validate(rows[0])
    if person.archived_at is not None:
        raise IdentityError("errors.identity.archived", name=person.name, date=person.archived_at)
    return person


def active_people(db: Database) -> list[Person]:
    """Everybody who may act: the people not archived, by name."""
    return [
        Person.model_validate(r)
        for r in db.query("SELECT * FROM people WHERE archived_at IS NULL ORDER BY name")
    ]


def actor_names(db: Database) -> dict[str, str]:
    """Person id → name, for showing who did what in a trail."""
    return {str(r["id"]): str(r["name"]) for r in db.query("SELECT id, name FROM people")}


def actor_name(db: Database, actor: str) -> str:
    """The name of the person ``actor`` (an id); a free-text actor of older rows as it is."""
    row = db.execute("SELECT name FROM people WHERE id = ?", [actor]).fetchone()
    return str(row[0]) if row else actor
