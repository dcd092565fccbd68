"""The review of rectification items (整改跟踪): filtered, sorted, paged queries.

Built for large databases: the page of item ids is chosen first (``LIMIT`` in
a subquery, joining only what the filters and the sort need, so the partial
index ``rect_open_deadline`` serves the usual open/overdue-by-deadline view),
and names are joined for those rows only. Text search reads the narrow
``review_search`` table (migration m006) instead of joining findings, areas,
items and projects for every item.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlite_utils import Database

ACTIVE = ("open", "replied")
STATUSES = (
    "active",
    "open",
    "replied",
    "closed",
    "voided",
    "extension-requested",
    "appeal-requested",
    "all",
)
SEVERITIES = ("normal", "serious", "red-line")

# column id -> (SQL expression, tie-breaker in insertion order). Names and the finding's
# fields are read from review_search ``s`` (m017: copied there and indexed), the item's
# own state from rectification_items ``r``: no sort or filter joins the findings.
SORTS: dict[str, tuple[str, str]] = {
    "project": ("s.project_name", "s.item_rowid"),
    "area": ("s.area_name", "s.item_rowid"),
    "item": ("s.item_code", "s.item_rowid"),
    "severity": ("s.severity", "s.item_rowid"),
    "department": ("s.department", "s.item_rowid"),
    "person": ("s.person", "s.item_rowid"),
    "deadline": ("r.deadline", "r.rowid"),
    "days": ("r.deadline", "r.rowid"),
    "status": ("r.status", "r.rowid"),
    "level": ("r.escalation_level", "r.rowid"),
}
COLUMNS = tuple(SORTS)
LAST_REQUEST = """(SELECT e.action FROM rectification_events e WHERE e.item_id = r.id
    AND e.action IN ('extension-requested', 'extension-approved', 'extension-rejected',
                     'appeal-requested', 'appeal-upheld', 'appeal-rejected')
    ORDER BY e.at DESC, e.rowid DESC LIMIT 1)"""


@dataclass(frozen=True)
class ReviewFilter:
    """What the review shows; ``status`` is one of ``STATUSES``."""

    project_id: str | None = None
    department: str | None = None
    status: str = "active"
    overdue: bool = False
    severity: str | None = None
    text: str = ""


@dataclass(frozen=True)
class ReviewRow:
    """One rectification item with everything the review table shows."""

    id: str
    project_id: str
    project_name: str
    area_name: str
    item_code: str
    item_standard: str
    severity: str
    department: str
    person: str
    note: str
    deadline: str | None
    status: str
    pending: str | None  # 'extension-requested' / 'appeal-requested' while undecided
    escalation_level: int
    notice_id: str | None
    inspection_id: str
    notice_number: str = ""

    @property
    def code(self) -> str:
        """How people name the item (编号): its notice number and checklist item code."""
        return f"{self.notice_number} {self.item_code}".strip()

    def days_left(self, today: date) -> int | None:
        """Days to the deadline; negative = days overdue."""
        return None if self.deadline is None else (date.fromisoformat(self.deadline) - today).days

    def overdue(self, today: date) -> bool:
        left = self.days_left(today)
        return self.status == "open" and left is not None and left < 0


def _where(flt: ReviewFilter, today: date) -> tuple[list[str], list[Any], set[str]]:
    """WHERE terms, parameters and the tables they need."""
    where: list[str] = []
    params: list[Any] = []
    need: set[str] = set()
    status = flt.status
    if status in ("active", "extension-requested", "appeal-requested") or flt.overdue:
        where.append("r.status IN ('open', 'replied')")  # lets SQLite use rect_open_deadline
    if status in ("open", "replied", "closed", "voided"):
        where.append("r.status = ?")
        params.append(status)
    elif status in ("extension-requested", "appeal-requested"):
        where.append(f"{LAST_REQUEST} = ?")
        params.append(status)
    elif status not in ("active", "all"):
        raise ValueError(f"unknown status filter {status!r}; use one of {', '.join(STATUSES)}")
    if flt.overdue:
        where.append("r.status = 'open' AND r.deadline < ?")
        params.append(today.isoformat())
    if flt.project_id:
        where.append("r.project_id = ?")
        params.append(flt.project_id)
    if flt.department:
        where.append("s.department = ?")
        params.append(flt.department)
        need.add("s")
    if flt.severity:
        where.append("s.severity = ?")
        params.append(flt.severity)
        need.add("s")
    if flt.text.strip():
        sql, text_params = _matching(flt.text.strip())
        where.append(f"r.rowid IN ({sql})")
        params.extend(text_params)
    return where, params, need


FTS_MIN = 3  # the trigram index serves queries of at least this many characters
SEPARATOR = "\x1f"  # joins note and person in review_search.text (schema.SEARCH_TEXT)
# CROSS JOIN keeps review_search the outer loop (else SQLite may walk all items first)
VIA_SEARCH = (
    "SELECT r2.rowid FROM review_search s CROSS JOIN rectification_items r2 ON r2.id = s.item_id"
)
CONTAINS = "instr(lower({}), lower(?)) > 0"  # = `{} LIKE '%q%'`: ASCII case folded, no wildcards
FOLLOW_UP_NUMBER = "coalesce(json_extract(data, '$.notice_number'), '')"  # 复检整改通知单


def _matching(text: str) -> tuple[str, list[Any]]:
    """Rowids of the items whose project, area, item code/standard, note, person or notice
    number holds text.

    The finding's own text is read from the narrow ``review_search`` table (through its
    trigram index for 3+ characters, checked exactly by ``instr``); names are matched in
    their small tables and joined by the indexed ids.
    """
    parts: list[str] = []
    params: list[Any] = []
    if SEPARATOR not in text:
        own = "instr(s.text, lower(?)) > 0"
        if len(text) >= FTS_MIN:
            own = (
                "s.k IN (SELECT rowid FROM review_search_fts WHERE review_search_fts MATCH ?) AND "
                + own
            )
            params.append('"' + text.replace('"', '""') + '"')
        parts.append(f"{VIA_SEARCH} WHERE {own}")
        params.append(text)
    parts += [
        "SELECT r3.rowid FROM rectification_items r3 WHERE r3.project_id IN "
        f"(SELECT id FROM projects WHERE {CONTAINS.format('name')})",
        f"{VIA_SEARCH} WHERE s.area_id IN (SELECT id FROM areas WHERE {CONTAINS.format('name')})",
        f"{VIA_SEARCH} WHERE s.checklist_item_id IN (SELECT id FROM items "
        f"WHERE {CONTAINS.format('code')} OR {CONTAINS.format('standard')})",
        # the number on the paper in hand (整改通知单编号): the first notice or a follow-up
        "SELECT r4.rowid FROM rectification_items r4 WHERE r4.notice_id IN "
        f"(SELECT id FROM notices WHERE {CONTAINS.format('number')})",
        "SELECT r5.rowid FROM rectification_items r5 WHERE r5.id IN (SELECT item_id FROM "
        "rectification_events WHERE action = 'reinspection-failed' AND "
        f"{CONTAINS.format(FOLLOW_UP_NUMBER)})",
    ]
    params += [text] * 6
    return " UNION ".join(parts), params


def _from(need: set[str], *, by_search: bool = False) -> str:
    """The items ``r``, with their review_search row ``s`` when ``need`` names it.

    ``by_search`` (a sort on an ``s`` column) walks ``s`` in its index order first, so
    the LIMIT stops the walk after one page instead of sorting every matching item.
    """
    if by_search:
        return "FROM review_search s CROSS JOIN rectification_items r ON r.id = s.item_id"
    if "s" in need:
        return "FROM rectification_items r JOIN review_search s ON s.item_id = r.id"
    return "FROM rectification_items r"


def page(
    db: Database,
    flt: ReviewFilter,
    today: date,
    *,
    sort: str = "deadline",
    descending: bool = False,
    limit: int = 200,
    offset: int = 0,
) -> list[ReviewRow]:
    """One page of items: filter, sort (stable: ties by insertion), then join names."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort column {sort!r}; use one of {', '.join(COLUMNS)}")
    where, params, need = _where(flt, today)
    expr, tie = SORTS[sort]
    by_search = expr.startswith("s.")
    direction = "DESC" if descending else "ASC"
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    inner = f"""SELECT r.rowid AS rid, {expr} AS sort_key, {tie} AS tie
                {_from(need, by_search=by_search)} {clause}
                ORDER BY {expr} {direction}, {tie} {direction} LIMIT ? OFFSET ?"""
    sql = f"""SELECT r.id, r.project_id, p.name AS project_name, a.name AS area_name,
                  i.code AS item_code, i.standard AS item_standard, f.severity, f.department,
                  f.responsible_person AS person, f.note, r.deadline, r.status,
                  CASE WHEN r.status IN ('open', 'replied') THEN {LAST_REQUEST} END
                    AS last_request,
                  r.escalation_level, r.notice_id, f.inspection_id, n.number
              FROM ({inner}) page
              JOIN rectification_items r ON r.rowid = page.rid
              JOIN findings f ON f.id = r.finding_id
              JOIN areas a ON a.id = f.area_id
              JOIN items i ON i.id = f.item_id
              JOIN projects p ON p.id = r.project_id
              LEFT JOIN notices n ON n.id = r.notice_id
              ORDER BY page.sort_key {direction}, page.tie {direction}"""
    rows = db.execute(sql, [*params, limit, offset]).fetchall()
    return [
        ReviewRow(
            id=r[0],
            project_id=r[1],
            project_name=r[2],
            area_name=r[3],
            item_code=r[4],
            item_standard=r[5],
            severity=r[6],
            department=r[7],
            person=r[8],
            note=r[9],
            deadline=r[10],
            status=r[11],
            pending=r[12] if r[12] in ("extension-requested", "appeal-requested") else None,
            escalation_level=r[13],
            notice_id=r[14],
            inspection_id=r[15],
            notice_number=r[16] or "",
        )
        for r in rows
    ]


def item_codes(db: Database, ids: list[str]) -> dict[str, str]:
    """How people name these items (编号): notice number, item code and area, by item id."""
    marks = ", ".join("?" for _ in ids)
    rows = db.execute(
        f"""SELECT r.id, coalesce(n.number, ''), i.code, a.name
              FROM rectification_items r
              JOIN findings f ON f.id = r.finding_id
              JOIN areas a ON a.id = f.area_id
              JOIN items i ON i.id = f.item_id
              LEFT JOIN notices n ON n.id = r.notice_id
             WHERE r.id IN ({marks})""",
        ids,
    ).fetchall()
    return {r[0]: f"{r[1]} {r[2]} {r[3]}".strip() for r in rows}


def is_quick(flt: ReviewFilter, sort: str) -> bool:
    """True when an index serves the page in milliseconds (every sort and filter but a
    text search, since m017)."""
    return not flt.text.strip()


def count(db: Database, flt: ReviewFilter, today: date) -> int:
    """How many items match the filter."""
    where, params, need = _where(flt, today)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    return int(db.execute(f"SELECT count(*) {_from(need)} {clause}", params).fetchone()[0])


def counts(db: Database, flt: ReviewFilter, today: date) -> dict[str, int]:
    """Counts by status and overdue under the filter's other conditions, plus 'matching'."""
    base = replace(flt, status="all", overdue=False)
    where, params, need = _where(base, today)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    result = {s: 0 for s in ("open", "replied", "closed", "voided", "overdue")}
    for status, n, late in db.execute(
        f"""SELECT r.status, count(*),
                   sum(r.status = 'open' AND r.deadline < ?) {_from(need)} {clause}
            GROUP BY r.status""",
        [today.isoformat(), *params],
    ):
        result[status] = n
        result["overdue"] += late or 0
    result["matching"] = _matching_from(result, flt)
    if result["matching"] < 0:  # pending requests: ask the database
        result["matching"] = count(db, flt, today)
    return result


def _matching_from(result: dict[str, int], flt: ReviewFilter) -> int:
    """``count(flt)`` derived from the counts by status, or -1 when they cannot tell."""
    if flt.status in ("extension-requested", "appeal-requested"):
        return -1
    if flt.overdue:  # overdue items are open ones
        return result["overdue"] if flt.status in ("active", "open", "all") else 0
    statuses = {"active": ACTIVE, "all": ("open", "replied", "closed", "voided")}
    return sum(result[s] for s in statuses.get(flt.status, (flt.status,)))


def departments(db: Database) -> list[str]:
    """Department names used by checklist sections (what findings carry)."""
    return [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT department FROM sections WHERE department != '' ORDER BY department"
        )
    ]


def iter_rows(
    db: Database,
    flt: ReviewFilter,
    today: date,
    *,
    sort: str = "deadline",
    descending: bool = False,
    limit: int = 0,
    batch: int = 1000,
) -> Iterator[ReviewRow]:
    """All matching rows (at most ``limit``; 0 = all), read a page at a time."""
    offset, left = 0, limit or -1
    while left != 0:
        size = batch if left < 0 else min(batch, left)
        rows = page(db, flt, today, sort=sort, descending=descending, limit=size, offset=offset)
        yield from rows
        if len(rows) < size:
            return
        offset += size
        left = left - size if left > 0 else left


def change_mark(db: Database) -> tuple[int, int]:
    """What changes when the database is written (数据变化): rows written on this
    connection (``total_changes``) and commits by any other (``PRAGMA data_version``)."""
    return int(db.conn.total_changes), int(db.execute("PRAGMA data_version").fetchone()[0])
