"""What an Excel export of rectification items adds to the review's rows (整改项导出).

The review's table shows what fits on a screen; a workbook also carries the finding's
location (位置), the latest reply (整改回复) and the date it says the work was done
(完成日期). They are read for a batch of rows at a time, beside the review's own
query, so a 100,000-item export reads them in a few hundred small queries and holds
no more than one batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from sqlite_utils import Database

from pqm_tui.model.review import ReviewRow

BATCH = 500


@dataclass(frozen=True)
class ItemDetails:
    """An item's location, latest reply and completion date (ISO), or empty."""

    location: str = ""
    reply: str = ""
    done_on: str | None = None


def item_details(db: Database, ids: list[str]) -> dict[str, ItemDetails]:
    """The details of these rectification items, by item id."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    latest_reply = """SELECT e.rowid FROM rectification_events e
                       WHERE e.item_id = r.id AND e.action = 'reply'
                       ORDER BY e.at DESC, e.rowid DESC LIMIT 1"""
    rows = db.execute(
        f"""SELECT r.id, f.location, coalesce(json_extract(e.data, '$.done'), e.reason, ''),
                   json_extract(e.data, '$.date')
              FROM rectification_items r
              JOIN findings f ON f.id = r.finding_id
              LEFT JOIN rectification_events e ON e.rowid = ({latest_reply})
             WHERE r.id IN ({marks})""",
        ids,
    ).fetchall()
    return {r[0]: ItemDetails(r[1] or "", r[2] or "", r[3]) for r in rows}


def with_details(
    db: Database, rows: Iterable[ReviewRow]
) -> Iterator[tuple[ReviewRow, ItemDetails]]:
    """Each row with its details, read ``BATCH`` rows at a time."""
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        details = item_details(db, [row.id for row in batch])
        for row in batch:
            yield row, details.get(row.id, ItemDetails())
