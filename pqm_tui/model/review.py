"""The review of rectification items (整改跟踪): filtered, sorted, paged queries.

Built for large databases: the page of item ids is chosen first (``LIMIT`` in a
subquery, walking an index in the page's order so the walk stops at the page's end),
and names are joined for those rows only, in a fixed order (``CROSS JOIN``: no
statistics, or their absence, can make the planner read every item first). The item's
sort keys, status and deadline are copied into the narrow ``review_search`` table (m017,
m018), so a department or severity filter and its header counts read one table through
one index.

A text search first probes its matches (``LIMIT SMALL_SET + 1``, the trigram FTS for
3+ characters, a covering index over the text otherwise): a rare text's few matches
are sorted whole; a common one walks the page's order testing each row. Counts of a
common text add up disjoint parts (own text, each kind of name), each from a covering
index.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from sqlite_utils import Database

from pqm_tui.model.rectification import APPEALED

ACTIVE = ("open", "replied")
STATUSES = (
    "active",
    "open",
    "replied",
    "closed",
    "voided",
    "extension-requested",
    "appeal-requested",
    "appeal-review",
    "appeal-final",
    "all",
)
# a pending appeal by its stage: waiting for the first review (初审) or the final decision (终审)
APPEAL_STAGES = ("appeal-review", "appeal-final")
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
EVER_REQUESTED = "SELECT e.item_id FROM rectification_events e WHERE e.action = ?"
# the latest step of the item's appeals: 'appeal-reviewed' while the final decision waits
LAST_APPEAL_STEP = """(SELECT e.action FROM rectification_events e WHERE e.item_id = r.id
    AND e.action IN ('appeal-requested', 'appeal-reviewed', 'appeal-upheld', 'appeal-rejected')
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
    appeal_reviewed: bool = False  # the pending appeal has its first review (待终审)

    @property
    def pending_stage(self) -> str | None:
        """What the item waits for: 'extension-requested', 'appeal-review' (申诉待初审),
        'appeal-final' (申诉待终审), or None."""
        if self.pending == "appeal-requested":
            return APPEAL_STAGES[1] if self.appeal_reviewed else APPEAL_STAGES[0]
        return self.pending

    @property
    def key(self) -> str:
        """The item's unique human key: notice number, item code and area (as
        ``item_codes`` names it) — one notice may list an item code in several areas."""
        return f"{self.notice_number} {self.item_code} {self.area_name}".strip()

    def days_left(self, today: date) -> int | None:
        """Days to the deadline; negative = days overdue."""
        return None if self.deadline is None else (date.fromisoformat(self.deadline) - today).days

    @property
    def suspended(self) -> bool:
        """Its deadline waits (期限暂停): an appeal against it is pending."""
        return self.pending == "appeal-requested"

    def overdue(self, today: date) -> bool:
        """Open and past its deadline, unless an appeal is pending (its deadline waits)."""
        left = self.days_left(today)
        return self.status == "open" and left is not None and left < 0 and not self.suspended


def _where(
    flt: ReviewFilter, today: date, *, on_s: bool = False, text: str = ""
) -> tuple[list[str], list[Any], set[str]]:
    """WHERE terms, parameters and the tables they need (``r``: the item's own table).

    ``on_s`` reads the item's status and deadline from their copies in review_search
    ``s`` (m018), so a department or severity filter is served by one narrow index.
    ``text`` is the text term already chosen by ``_text_plan`` (without parameters).
    """
    where: list[str] = []
    params: list[Any] = []
    need: set[str] = set()
    status_col, deadline_col = ("s.status", "s.deadline") if on_s else ("r.status", "r.deadline")
    status = flt.status
    if _pending(flt):  # not from an index: the few requested items are read first
        where.append(f"+{status_col} IN ('open', 'replied')")
    elif status == "active" or flt.overdue:
        where.append(f"{status_col} IN ('open', 'replied')")  # rect_open_deadline serves it
    if status in ("open", "replied", "closed", "voided"):
        where.append(f"{status_col} = ?")
        params.append(status)
    elif status in ("extension-requested", "appeal-requested"):
        # the few items that ever had such a request (rect_events_action), then the last
        where.append(f"r.id IN ({EVER_REQUESTED}) AND {LAST_REQUEST} = ?")
        params += [status, status]
        need.add("r")
    elif status in APPEAL_STAGES:  # a pending appeal, reviewed or not
        test = "=" if status == "appeal-final" else "!="
        where.append(
            f"r.id IN ({EVER_REQUESTED}) AND {LAST_REQUEST} = ? "
            f"AND {LAST_APPEAL_STEP} {test} 'appeal-reviewed'"
        )
        params += ["appeal-requested", "appeal-requested"]
        need.add("r")
    elif status not in ("active", "all"):
        raise ValueError(f"unknown status filter {status!r}; use one of {', '.join(STATUSES)}")
    if flt.overdue:  # a pending appeal suspends the deadline: not overdue
        id_col = "s.item_id" if on_s else "r.id"
        where.append(
            f"{status_col} = 'open' AND {deadline_col} < ? AND {id_col} NOT IN ({APPEALED})"
        )
        params.append(today.isoformat())
    if flt.project_id:
        where.append("r.project_id = ?")
        params.append(flt.project_id)
        need.add("r")
    if flt.department:
        where.append("s.department = ?")
        params.append(flt.department)
        need.add("s")
    if flt.severity:
        where.append("s.severity = ?")
        params.append(flt.severity)
        need.add("s")
    if text:
        where.append(text)
    return where, params, need


FTS_MIN = 3  # the trigram index serves queries of at least this many characters
SEPARATOR = "\x1f"  # joins note and person in review_search.text (schema.SEARCH_TEXT)
CONTAINS = "instr(lower({}), lower(?)) > 0"  # = `{} LIKE '%q%'`: ASCII case folded, no wildcards
# A text search matching at most this many items is answered from the set of matches
# (sorted whole); a more common one walks the page's order testing each row and stops at
# the page's end. About sqrt(page × items) at 100 k items, where both cost the same.
SMALL_SET = 5000
IN_JSON = "{} IN (SELECT value FROM json_each(?))"
OWN_TEXT = "instr(s.text, lower(?)) > 0"
NAME_INDEX = {  # the index of review_search by each kind of name
    "s.project_name": "review_search_project_name",
    "s.area_id": "review_search_area",
    "s.checklist_item_id": "review_search_checklist_item",
    "s.item_id": "sqlite_autoindex_review_search_1",  # items found by their notice number
}


@dataclass(frozen=True)
class _TextPlan:
    """How a text search is answered (整改搜索): the names that hold the text (project
    names, area and checklist item ids: small tables, matched first), and the matching
    item ids when they are few (None: common, each walked row is tested)."""

    text: str
    projects: tuple[str, ...]
    areas: tuple[str, ...]
    checklist_items: tuple[str, ...]
    ids: tuple[str, ...] | None
    numbered: tuple[str, ...] = ()  # items listed on a notice whose number holds the text

    def name_terms(self) -> list[tuple[str, str]]:
        """(column of ``s``, JSON list) for every kind of name that matched."""
        kinds = (
            ("s.project_name", self.projects),
            ("s.area_id", self.areas),
            ("s.checklist_item_id", self.checklist_items),
            ("s.item_id", self.numbered),
        )
        return [(column, json.dumps(values)) for column, values in kinds if values]

    def own_text(self) -> bool:
        """Whether the finding's own text (note, person) is searched."""
        return SEPARATOR not in self.text

    def sources(self) -> list[tuple[str, str, list[Any]]]:
        """(index hint, test, parameters) of each way a row of ``s`` can match: its own
        text through the covering text index, or one kind of name through its index."""
        found: list[tuple[str, str, list[Any]]] = []
        if self.own_text():
            found.append(("INDEXED BY review_search_text", OWN_TEXT, [self.text]))
        for column, values in self.name_terms():
            hint = f"INDEXED BY {NAME_INDEX[column]}"  # not a filter's index (statistics)
            found.append((hint, IN_JSON.format(column), [values]))
        return found

    def row_test(self) -> tuple[str, list[Any]]:
        """The text test of one review_search row ``s``."""
        terms = [OWN_TEXT] if self.own_text() else []
        params: list[Any] = [self.text] if self.own_text() else []
        for column, values in self.name_terms():
            terms.append(IN_JSON.format(column))
            params.append(values)
        return "(" + (" OR ".join(terms) or "0") + ")", params


def _names(db: Database, text: str) -> tuple[tuple[str, ...], ...]:
    """Project names, area ids and checklist item ids whose names hold ``text``."""
    found = []
    for sql, n in (
        (f"SELECT DISTINCT name FROM projects WHERE {CONTAINS.format('name')}", 1),
        (f"SELECT id FROM areas WHERE {CONTAINS.format('name')}", 1),
        (
            f"SELECT id FROM items WHERE {CONTAINS.format('code')} "
            f"OR {CONTAINS.format('standard')}",
            2,
        ),
    ):
        found.append(tuple(r[0] for r in db.execute(sql, [text] * n)))
    return tuple(found)


def _numbered(db: Database, text: str) -> tuple[str, ...]:
    """Items listed on a notice whose number (整改通知单编号, the number on the paper in
    hand) holds ``text``: the first notice, or a follow-up issued by a re-inspection."""
    numbers = [
        r[0]
        for r in db.execute(f"SELECT number FROM notices WHERE {CONTAINS.format('number')}", [text])
    ]
    if not numbers:
        return ()
    listed = json.dumps(numbers)
    rows = db.execute(
        """SELECT r.id FROM notices n JOIN rectification_items r ON r.notice_id = n.id
           WHERE n.number IN (SELECT value FROM json_each(?))
           UNION SELECT item_id FROM rectification_events
           WHERE action = 'reinspection-failed'
             AND json_extract(data, '$.notice_number') IN (SELECT value FROM json_each(?))""",
        [listed, listed],
    )
    return tuple(r[0] for r in rows)


# the last plan per connection: the page and its header counts probe the same text once
_LAST_PLAN: WeakKeyDictionary[Database, tuple[str, int, tuple[int, int], _TextPlan]] = (
    WeakKeyDictionary()
)


def _text_plan(db: Database, text: str) -> _TextPlan:
    """``_probe`` of the text, reused while the database is unchanged."""
    mark = change_mark(db)
    last = _LAST_PLAN.get(db)
    if last is not None and last[:3] == (text, SMALL_SET, mark):
        return last[3]
    plan = _probe(db, text)
    _LAST_PLAN[db] = (text, SMALL_SET, mark, plan)
    return plan


def _probe(db: Database, text: str) -> _TextPlan:
    """Probe the matches with ``LIMIT SMALL_SET + 1``: a rare text's few matches are kept
    (a page then sorts only them), a common one stops the probe early.

    The finding's own text is read through the trigram index for 3+ characters (checked
    exactly by ``instr``), else through the covering index over the text.
    """
    projects, areas, checklist_items = _names(db, text)
    plan = _TextPlan(text, projects, areas, checklist_items, None, _numbered(db, text))
    parts: list[str] = []
    params: list[Any] = []
    if plan.own_text():
        if len(text) >= FTS_MIN:
            parts.append(
                "SELECT s.item_id FROM review_search_fts CROSS JOIN review_search s "
                "ON s.k = review_search_fts.rowid WHERE review_search_fts MATCH ? "
                "AND instr(s.text, lower(?)) > 0"
            )
            params += ['"' + text.replace('"', '""') + '"', text]
        else:
            parts.append(
                "SELECT s.item_id FROM review_search s INDEXED BY review_search_text "
                "WHERE instr(s.text, lower(?)) > 0"
            )
            params.append(text)
    for column, values in plan.name_terms():
        parts.append(f"SELECT s.item_id FROM review_search s WHERE {IN_JSON.format(column)}")
        params.append(values)
    if not parts:
        return replace(plan, ids=())
    sql = " UNION ALL ".join(parts)
    rows = db.execute(f"SELECT * FROM ({sql}) LIMIT {SMALL_SET + 1}", params).fetchall()
    if len(rows) > SMALL_SET:
        return plan
    return replace(plan, ids=tuple(dict.fromkeys(r[0] for r in rows)))


MATCHED = "WITH m(id) AS MATERIALIZED (SELECT value FROM json_each(?)) "
DEADLINE_SORTS = ("deadline", "days")


@dataclass(frozen=True)
class _Query:
    """The items a filter selects: ``WITH`` prefix, ``FROM … WHERE …``, parameters, the
    sort's columns, and the table (``r`` or ``s``) whose status and deadline are read."""

    with_: str
    body: str
    params: list[Any]
    expr: str
    tie: str
    first: str


def _query(db: Database, flt: ReviewFilter, today: date, sort: str | None) -> _Query:
    """Choose the plan: the item table ``r`` or the search table ``s`` (m018 copies the
    status and deadline there) as the walked one, and for a text search its few matches
    first or a test of each walked row; ``sort`` None: for counting."""
    text = flt.text.strip()
    plan = _text_plan(db, text) if text else None
    walk = plan is not None and plan.ids is None
    expr, tie = SORTS[sort] if sort is not None else ("", "")
    if walk and sort is None and not flt.project_id and not _pending(flt) and plan:
        return _union_query(plan, flt, today)
    if flt.project_id:  # a project's few thousand items, found by rect_project
        on_s = False
    elif sort is None:  # counts: one narrow table when it holds every filter
        on_s = bool(flt.department or flt.severity) or walk
    elif sort == "level":  # walks rect_level (m019), testing the other filters on each row
        on_s = False
    else:
        on_s = (
            expr.startswith("s.")
            or bool(flt.department or flt.severity)
            or (flt.status == "all" and sort in DEADLINE_SORTS)
        )
    matched = plan is not None and plan.ids is not None  # a rare text's few matches
    text_term, text_params = plan.row_test() if plan is not None and walk else ("", [])
    where, params, need = _where(flt, today, on_s=on_s, text=text_term)
    params += text_params
    if on_s:
        expr = {"r.deadline": "s.deadline", "r.status": "s.status"}.get(expr, expr)
        tie = "s.item_rowid" if tie == "r.rowid" else tie
        if expr.startswith("r."):
            need.add("r")
        first, table, key = "s", "review_search", "item_id"
        joins = " CROSS JOIN rectification_items r ON r.id = s.item_id" if "r" in need else ""
    else:
        first, table, key = "r", "rectification_items", "id"
        if "s" in need or walk or expr.startswith("s."):
            joins = " CROSS JOIN review_search s ON s.item_id = r.id"
        else:
            joins = ""
        own_plan = flt.status == "all" or flt.project_id or _pending(flt)
        if walk and sort in DEADLINE_SORTS and not own_plan:
            # a row test hides the page's order from the planner: name the index that has it
            open_only = flt.overdue or flt.status not in ("open", "replied", "closed", "voided")
            index = "rect_open_deadline" if open_only else "rect_status_deadline"
            joins = f" INDEXED BY {index}{joins}"
        elif sort == "level" and not (flt.project_id or _pending(flt)) and not matched:
            joins = f" INDEXED BY rect_level{joins}"  # the planner would sort the open items
    with_ = ""
    if matched and plan is not None:  # the few matches, then their rows
        with_ = MATCHED
        params = [json.dumps(plan.ids), *params]
        source = f"m CROSS JOIN {table} {first} ON {first}.{key} = m.id{joins}"
    else:
        source = f"{table} {first}{joins}"
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    return _Query(with_, f"FROM {source} {clause}", params, expr, tie, first)


def _pending(flt: ReviewFilter) -> bool:
    return flt.status in ("extension-requested", "appeal-requested", *APPEAL_STAGES)


def _union_query(plan: _TextPlan, flt: ReviewFilter, today: date) -> _Query:
    """Every item holding a common text, for counting: the matches of its own text
    (a scan of the covering text index, the floor) and of each kind of name (their
    indexes), each with the other filters; each part leaves out the rows an earlier one
    counted, so no repeats need sorting out. ``body`` is a ``UNION ALL`` of the parts
    with ``{select}`` and ``{group}`` to fill in (each part counts on its own)."""
    where, params, _ = _where(flt, today, on_s=True)
    parts, all_params = [], []
    earlier: list[tuple[str, list[Any]]] = []
    for hint, test, test_params in plan.sources():
        terms = [test, *(f"NOT {t}" for t, _ in earlier), *where]
        parts.append(
            f"SELECT {{select}} FROM review_search s {hint} WHERE {' AND '.join(terms)} {{group}}"
        )
        all_params.append([*test_params, *(p for _, ps in earlier for p in ps), *params])
        earlier.append((test, test_params))
    return _Query("", " UNION ALL ".join(parts), all_params, "", "", "union")


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
    return list(_rows(db, flt, today, sort, descending, limit, offset))


def _rows(
    db: Database,
    flt: ReviewFilter,
    today: date,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
) -> Iterator[ReviewRow]:
    """The rows of one query (``limit`` -1: all of them, read as they come)."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort column {sort!r}; use one of {', '.join(COLUMNS)}")
    q = _query(db, flt, today, sort)
    direction = "DESC" if descending else "ASC"
    rowid = "s.item_rowid" if q.first == "s" else "r.rowid"
    inner = f"""SELECT {rowid} AS rid, {q.expr} AS sort_key, {q.tie} AS tie {q.body}
                ORDER BY {q.expr} {direction}, {q.tie} {direction} LIMIT ? OFFSET ?"""
    sql = f"""{q.with_}SELECT r.id, r.project_id, p.name AS project_name, a.name AS area_name,
                  i.code AS item_code, i.standard AS item_standard, f.severity, f.department,
                  f.responsible_person AS person, f.note, r.deadline, r.status,
                  CASE WHEN r.status IN ('open', 'replied') THEN {LAST_REQUEST} END
                    AS last_request,
                  r.escalation_level, r.notice_id, f.inspection_id, n.number,
                  CASE WHEN r.status IN ('open', 'replied') THEN {LAST_APPEAL_STEP} END
              FROM ({inner}) page
              CROSS JOIN rectification_items r ON r.rowid = page.rid
              CROSS JOIN findings f ON f.id = r.finding_id
              CROSS JOIN areas a ON a.id = f.area_id
              CROSS JOIN items i ON i.id = f.item_id
              CROSS JOIN projects p ON p.id = r.project_id
              LEFT JOIN notices n ON n.id = r.notice_id
              ORDER BY page.sort_key {direction}, page.tie {direction}"""
    for r in db.execute(sql, [*q.params, limit, offset]):
        yield ReviewRow(
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
            appeal_reviewed=r[12] == "appeal-requested" and r[17] == "appeal-reviewed",
        )


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
    q = _query(db, flt, today, None)
    if q.first == "union":
        sql = q.body.format(select="count(*)", group="")
        params = [p for part in q.params for p in part]
        return sum(int(n) for (n,) in db.execute(sql, params))
    return int(db.execute(f"{q.with_}SELECT count(*) {q.body}", q.params).fetchone()[0])


def counts(db: Database, flt: ReviewFilter, today: date) -> dict[str, int]:
    """Counts by status and overdue under the filter's other conditions, plus 'matching'."""
    q = _query(db, replace(flt, status="all", overdue=False), today, None)
    first = "s" if q.first == "union" else q.first
    status, deadline = f"{first}.status", f"{first}.deadline"
    select = f"{status}, count(*), sum({status} = 'open' AND {deadline} < ?)"
    if q.first == "union":  # each part counted on its own, then added up
        named = f"{status} AS st, count(*) AS n, sum({status} = 'open' AND {deadline} < ?) AS late"
        sql = q.body.format(select=named, group=f"GROUP BY {status}")
        params = [p for part in q.params for p in [today.isoformat(), *part]]
        sql = f"SELECT st, sum(n), sum(late) FROM ({sql}) GROUP BY st"
    else:
        head = q.params[:1] if q.with_ else []  # the matches' ids come before the SELECT's
        params = [*head, today.isoformat(), *q.params[len(head) :]]
        sql = f"{q.with_}SELECT {select} {q.body} GROUP BY {status}"
    result = {s: 0 for s in ("open", "replied", "closed", "voided", "overdue")}
    for state, n, late in db.execute(sql, params):
        result[state] = n
        result["overdue"] += late or 0
    if result["overdue"]:  # a pending appeal suspends the deadline (期限暂停)
        result["overdue"] -= _late_appeals(db, flt, today)
    result["matching"] = _matching_from(result, flt)
    if result["matching"] < 0:  # pending requests: ask the database
        result["matching"] = count(db, flt, today)
    return result


def _late_appeals(db: Database, flt: ReviewFilter, today: date) -> int:
    """How many items under the filter's other conditions are open and past their deadline
    while an appeal is pending (the few appealed items, read first)."""
    q = _query(db, replace(flt, status="appeal-requested", overdue=False), today, None)
    sql = f"{q.with_}SELECT count(*) {q.body} AND r.status = 'open' AND r.deadline < ?"
    return int(db.execute(sql, [*q.params, today.isoformat()]).fetchone()[0])


def _matching_from(result: dict[str, int], flt: ReviewFilter) -> int:
    """``count(flt)`` derived from the counts by status, or -1 when they cannot tell."""
    if _pending(flt):
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
) -> Iterator[ReviewRow]:
    """All matching rows (at most ``limit``; 0 = all), from one query read as it comes
    (pages by OFFSET would walk the skipped rows again for every page)."""
    return _rows(db, flt, today, sort, descending, limit or -1, 0)


def change_mark(db: Database) -> tuple[int, int]:
    """What changes when the database is written (数据变化): rows written on this
    connection (``total_changes``) and commits by any other (``PRAGMA data_version``)."""
    return int(db.conn.total_changes), int(db.execute("PRAGMA data_version").fetchone()[0])
