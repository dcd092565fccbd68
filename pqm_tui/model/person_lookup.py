"""Whom ``--as`` names (操作人), found on a plain ``sqlite3`` connection at start.

The app paints its first screen before it loads the database layer; the header
already names who acts. Only the plain case is answered here: exactly one person,
active, with that exact id or name. Anything else (unknown, archived, ambiguous,
a short id) gives None, and ``identity.resolve_person`` decides and says why.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class NamedPerson:
    """The acting person's id, name and title (职务), as the header shows them."""

    id: str
    name: str
    role: str


def active_person_named(conn: sqlite3.Connection, who: str) -> NamedPerson | None:
    """The one person whose id or exact name is ``who`` when nobody else shares it
    and they are not archived, else None."""
    wanted = who.strip()
    if not wanted:
        return None
    rows = conn.execute(
        "SELECT id, name, role, archived_at FROM people WHERE id = ? OR name = ?",
        [wanted, wanted],
    ).fetchall()
    if len(rows) != 1 or rows[0][3] is not None:
        return None
    person_id, name, role, _ = rows[0]
    return NamedPerson(str(person_id), str(name), str(role))
