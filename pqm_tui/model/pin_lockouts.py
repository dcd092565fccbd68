"""Wrong-PIN counts and locks per person (签字密码锁定), table ``pin_lockouts`` (m012)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database


@dataclass(frozen=True)
class PinLockout:
    """Wrong tries since the last right PIN, and the lock's end (UTC ISO-8601) if any."""

    failures: int = 0
    locked_until: str | None = None


def get_lockout(db: Database, person_id: str) -> PinLockout:
    row = db.execute(
        "SELECT failures, locked_until FROM pin_lockouts WHERE person_id = ?", [person_id]
    ).fetchone()
    return PinLockout(int(row[0]), row[1]) if row else PinLockout()


def record_failure(db: Database, person_id: str, *, restart: bool) -> int:
    """Count one wrong PIN (from zero when ``restart``: a lock has ended); the new count."""
    with db.atomic():
        db.execute(
            """INSERT INTO pin_lockouts (person_id, failures, locked_until) VALUES (?, 1, NULL)
               ON CONFLICT(person_id) DO UPDATE SET
                 failures = CASE WHEN ? THEN 1 ELSE failures + 1 END, locked_until = NULL""",
            [person_id, restart],
        )
        return get_lockout(db, person_id).failures


def lock(db: Database, person_id: str, until: str) -> None:
    """Lock the person's PIN until ``until`` (UTC ISO-8601); the count starts again after."""
    db.execute(
        "UPDATE pin_lockouts SET failures = 0, locked_until = ? WHERE person_id = ?",
        [until, person_id],
    )


def clear(db: Database, person_id: str) -> None:
    """A right PIN (or a new one): no count, no lock."""
    db.execute("DELETE FROM pin_lockouts WHERE person_id = ?", [person_id])
