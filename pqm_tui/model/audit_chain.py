"""The audit trail's hash chain (审计链): each row's hash covers the one before it.

The audit triggers (m010 on) write ``hash = pqm_sha256(previous hash || content)``
(``schema.AUDIT_CONTENT``). Checking recomputes each link in SQL with the same
function: an edited row breaks its own link, a deleted row breaks the next row's
link and leaves a gap in ``seq`` (or, at the end, a ``seq`` lower than the one
SQLite remembers in ``sqlite_sequence``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from pqm_tui.model.schema import AUDIT_CONTENT


@dataclass(frozen=True)
class AlteredRow:
    """An audit row whose link does not hold: its number and what it says it is about."""

    seq: int
    table_name: str
    row_id: str


@dataclass(frozen=True)
class ChainReport:
    """What the chain check found: rows edited (or written without PQM), rows deleted."""

    rows: int
    altered: tuple[AlteredRow, ...] = ()  # rows whose hash does not match
    deleted: tuple[tuple[int, int], ...] = ()  # (first, last) seq of each run of missing rows

    @property
    def ok(self) -> bool:
        """True when every link holds and no row is missing."""
        return not self.altered and not self.deleted


def check_chain(db: Database) -> ChainReport:
    """Recompute every link of the audit chain in ``seq`` order."""
    content = AUDIT_CONTENT.format(ref="audit_log")
    rows = db.execute(
        f"""SELECT seq, table_name, row_id, hash IS NOT NULL AND hash = pqm_sha256(
                  coalesce(lag(hash) OVER (ORDER BY seq), '') || {content})
            FROM audit_log ORDER BY seq"""
    ).fetchall()
    altered: list[AlteredRow] = []
    deleted: list[tuple[int, int]] = []
    expected = 1
    for seq, table_name, row_id, link_holds in rows:
        if seq > expected:
            deleted.append((expected, seq - 1))  # this row's link breaks because of the gap
        elif not link_holds:
            altered.append(AlteredRow(seq, str(table_name), str(row_id)))
        expected = seq + 1
    remembered = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    if remembered is not None and int(remembered[0]) >= expected:
        deleted.append((expected, int(remembered[0])))
    return ChainReport(len(rows), tuple(altered), tuple(deleted))
