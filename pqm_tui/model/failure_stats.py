"""Failure statistics (不合格统计): the Pareto of failed findings and repeat offenders.

Both read signed inspections (已签字检查) started in a period of local days and a scope
(the company, a city company or a project), with their findings as amended: inspections
without amendments are counted by SQL, the few with amendments through
``amendments.effective_findings`` (a voided finding counts as a pass).

- **Pareto** (柏拉图): failed findings (不合格处) grouped by checklist item, by section or
  by responsible department, most frequent first, with each group's share and the
  cumulative share (the last group reaches 100 %).
- **Repeat offenders** (重复不合格): the same checklist item failing in consecutive
  signed inspections of a project. Re-inspections (复检) are left out (they re-check the
  same finding, whose failure has its own carry-over); an inspection that did not check
  the item, or found it N/A, neither extends nor breaks a run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from sqlite_utils import Database

from pqm_tui.model.amendments import effective_findings
from pqm_tui.model.entities import InspectionKind, Result
from pqm_tui.model.errors import RuleError
from pqm_tui.model.rows import points

HUNDRED = Decimal(100)
# stamps carry their own offset (−12:00 … +14:00): the index range is widened by this
# much, then julianday() compares the exact instants
OFFSET_SLACK = timedelta(hours=15)


class Grouping(StrEnum):
    """What the Pareto groups failed findings by (分组)."""

    ITEM = "item"  # 检查项
    SECTION = "section"  # 板块
    DEPARTMENT = "department"  # 责任部门


@dataclass(frozen=True)
class Scope:
    """A period of local days (inclusive) in ``tz`` and a company, city or project (范围)."""

    start: date
    end: date
    tz: tzinfo
    project_id: str | None = None
    city_id: str | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise RuleError(
                "errors.analysis.period", start=self.start.isoformat(), end=self.end.isoformat()
            )

    def instants(self) -> tuple[str, str]:
        """The period as [first instant, instant after the last day) in ISO-8601."""
        first = datetime.combine(self.start, time(0), tzinfo=self.tz)
        after = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=self.tz)
        return first.isoformat(), after.isoformat()


@dataclass(frozen=True)
class ParetoRow:
    """One group of the Pareto: failed findings (处), their share and the cumulative share."""

    key: str  # item or section code, or department name ("" = none recorded)
    label: str  # item standard or section name ("" for a department)
    count: int
    occurrences: int
    deduction: Decimal
    share: Decimal  # percent of all failed findings, one decimal
    cumulative: Decimal  # percent up to and including this row


@dataclass(frozen=True)
class Pareto:
    """Failed findings of a scope grouped, most frequent first (柏拉图)."""

    grouping: Grouping
    rows: list[ParetoRow]
    total: int  # failed findings
    inspections: int  # signed inspections in the scope


@dataclass(frozen=True)
class RepeatOffender:
    """An item failing in ``run`` consecutive signed inspections of a project (重复不合格)."""

    project_id: str
    project_name: str
    code: str
    standard: str
    run: int
    dates: list[date]  # local start dates of the run's inspections, oldest first
    ongoing: bool  # the project's latest check of the item (in the period) failed


@dataclass
class _Group:
    label: str = ""
    count: int = 0
    occurrences: int = 0
    deduction: Decimal = field(default_factory=Decimal)


def period_where(scope: Scope, *, signed_only: bool = True) -> tuple[str, list[Any]]:
    """SQL condition on ``inspections i`` of the scope (signed ones: by the index
    inspections_status; all: by the start time's own range)."""
    alias = "i"
    first, after = scope.instants()
    wide_first = (datetime.fromisoformat(first) - OFFSET_SLACK).isoformat()[:19]
    wide_after = (datetime.fromisoformat(after) + OFFSET_SLACK).isoformat()[:19]
    clauses = [
        f"{alias}.status = 'signed'" if signed_only else "1",
        f"{alias}.started_at >= ?",
        f"{alias}.started_at < ?",
        f"julianday({alias}.started_at) >= julianday(?)",
        f"julianday({alias}.started_at) < julianday(?)",
    ]
    params: list[Any] = [wide_first, wide_after, first, after]
    if scope.project_id:
        clauses.append(f"{alias}.project_id = ?")
        params.append(scope.project_id)
    if scope.city_id:
        clauses.append(f"{alias}.project_id IN (SELECT id FROM projects WHERE city_company_id = ?)")
        params.append(scope.city_id)
    return " AND ".join(clauses), params


def _amended(db: Database, scope: Scope) -> list[dict[str, Any]]:
    """Signed inspections of the scope that have amendments (read through Python)."""
    where, params = period_where(scope)
    return list(
        db.query(
            f"""SELECT i.id, i.project_id, i.kind, i.started_at, v.checklist_id
                FROM inspections i JOIN checklist_versions v ON v.id = i.checklist_version_id
                WHERE {where}
                  AND EXISTS (SELECT 1 FROM amendments a WHERE a.inspection_id = i.id)""",
            params,
        )
    )


def _item_info(db: Database, item_ids: set[str]) -> dict[str, dict[str, Any]]:
    """Item id → code, standard and its section's code, name and department."""
    if not item_ids:
        return {}
    marks = ",".join("?" * len(item_ids))
    return {
        r["id"]: r
        for r in db.query(
            f"""SELECT it.id, it.code, it.standard, s.code AS section_code,
                       s.name AS section_name, s.department AS section_department
                FROM items it JOIN sections s ON s.id = it.section_id
                WHERE it.id IN ({marks})""",
            sorted(item_ids),
        )
    }


GROUP_SQL = {
    Grouping.ITEM: ("v.checklist_id || char(31) || it.code", "it.code", "max(it.standard)"),
    Grouping.SECTION: ("v.checklist_id || char(31) || s.code", "s.code", "max(s.name)"),
    Grouping.DEPARTMENT: (
        "coalesce(nullif(f.department, ''), s.department)",
        "coalesce(nullif(f.department, ''), s.department)",
        "''",
    ),
}


def pareto(db: Database, scope: Scope, grouping: Grouping = Grouping.ITEM) -> Pareto:
    """Failed findings of ``scope`` grouped by ``grouping``, most frequent first."""
    where, params = period_where(scope)
    group_key, key, label = GROUP_SQL[grouping]
    groups: dict[str, _Group] = {}
    keys: dict[str, str] = {}
    for r in db.query(
        f"""SELECT {group_key} AS grp, {key} AS key, {label} AS label, count(*) AS n,
                   sum(f.occurrences) AS occurrences, sum(f.deduction) AS deduction
            FROM inspections i
            JOIN checklist_versions v ON v.id = i.checklist_version_id
            JOIN findings f ON f.inspection_id = i.id
            JOIN items it ON it.id = f.item_id
            JOIN sections s ON s.id = it.section_id
            WHERE {where} AND f.result = 'fail'
              AND NOT EXISTS (SELECT 1 FROM amendments a WHERE a.inspection_id = i.id)
            GROUP BY grp""",
        params,
    ):
        keys[r["grp"]] = r["key"]
        groups[r["grp"]] = _Group(
            r["label"], r["n"], r["occurrences"] or 0, _decimal(r["deduction"])
        )
    amended = _amended(db, scope)
    for inspection in amended:
        failed = [f for f in effective_findings(db, inspection["id"]) if f.result == Result.FAIL]
        info = _item_info(db, {f.item_id for f in failed})
        for f in failed:
            it = info[f.item_id]
            checklist = inspection["checklist_id"]
            if grouping == Grouping.ITEM:
                grp, k, lab = f"{checklist}\x1f{it['code']}", it["code"], it["standard"]
            elif grouping == Grouping.SECTION:
                grp, k = f"{checklist}\x1f{it['section_code']}", it["section_code"]
                lab = it["section_name"]
            else:
                grp = k = f.department or it["section_department"]
                lab = ""
            keys.setdefault(grp, k)
            group = groups.setdefault(grp, _Group(lab))
            group.count += 1
            group.occurrences += f.occurrences
            group.deduction += f.deduction
    total = sum(g.count for g in groups.values())
    ordered = sorted(groups.items(), key=lambda kv: (-kv[1].count, keys[kv[0]], kv[1].label))
    rows, running = [], 0
    for grp, g in ordered:
        running += g.count
        rows.append(
            ParetoRow(
                keys[grp],
                g.label,
                g.count,
                g.occurrences,
                points(g.deduction),
                _percent(g.count, total),
                _percent(running, total),
            )
        )
    return Pareto(grouping, rows, total, _count_inspections(db, scope))


def _count_inspections(db: Database, scope: Scope) -> int:
    where, params = period_where(scope)
    rows = list(db.query(f"SELECT count(*) AS n FROM inspections i WHERE {where}", params))
    return int(rows[0]["n"])


def _percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal(0)
    return (Decimal(part) * HUNDRED / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _decimal(value: float | None) -> Decimal:
    """A SUM of REAL deductions as a Decimal to two places (floats add up unevenly)."""
    return points(value or 0)


Series = tuple[str, str, str]  # project id, checklist id, item code


def _checks(db: Database, scope: Scope) -> Iterator[tuple[Series, str, bool]]:
    """Each (inspection, item) answered pass or fail in the scope, re-inspections left out:
    the project and item, the inspection's start and whether it failed in any area."""
    where, params = period_where(scope)
    codes: dict[str, tuple[str, str]] = {}  # item id → checklist id, item code
    for project_id, started_at, version_id, item_id, failed in db.execute(
        f"""SELECT i.project_id, i.started_at, i.checklist_version_id, f.item_id,
                   max(f.result = 'fail')
            FROM inspections i JOIN findings f ON f.inspection_id = i.id
            WHERE {where} AND i.kind != ? AND f.result != 'na'
              AND NOT EXISTS (SELECT 1 FROM amendments a WHERE a.inspection_id = i.id)
            GROUP BY f.inspection_id, f.item_id""",
        [*params, InspectionKind.REINSPECTION.value],
    ):
        if item_id not in codes:
            codes.update(_version_codes(db, version_id))
        checklist_id, code = codes[item_id]
        yield (project_id, checklist_id, code), started_at, bool(failed)
    for inspection in _amended(db, scope):
        if inspection["kind"] == InspectionKind.REINSPECTION:
            continue
        findings = [f for f in effective_findings(db, inspection["id"]) if f.result != Result.NA]
        info = _item_info(db, {f.item_id for f in findings})
        by_code: dict[str, bool] = defaultdict(bool)
        for f in findings:
            by_code[info[f.item_id]["code"]] |= f.result == Result.FAIL
        for code, failed in by_code.items():
            key = (inspection["project_id"], inspection["checklist_id"], code)
            yield key, inspection["started_at"], failed


def _version_codes(db: Database, version_id: str) -> dict[str, tuple[str, str]]:
    """Item id → (checklist id, item code) for every item of a checklist version."""
    return {
        r["id"]: (r["checklist_id"], r["code"])
        for r in db.query(
            """SELECT it.id, it.code, v.checklist_id FROM items it
               JOIN checklist_versions v ON v.id = it.version_id WHERE it.version_id = ?""",
            [version_id],
        )
    }


def repeat_offenders(db: Database, scope: Scope, minimum: int = 2) -> list[RepeatOffender]:
    """Items failing in at least ``minimum`` consecutive signed inspections of a project
    in ``scope``: each project and item's latest such run, longest runs first."""
    series: dict[Series, list[tuple[datetime, bool]]] = defaultdict(list)
    moments: dict[str, datetime] = {}  # each inspection's start parsed once
    for key, started_at, failed in _checks(db, scope):
        moment = moments.get(started_at)
        if moment is None:
            moment = moments[started_at] = datetime.fromisoformat(started_at)
        series[key].append((moment, failed))
    found: list[tuple[Series, list[datetime], bool]] = []
    for key, checks in series.items():
        checks.sort()
        run: list[datetime] = []
        latest: list[datetime] = []
        for moment, failed in checks:
            run = [*run, moment] if failed else []
            if len(run) >= minimum:
                latest = run
        if latest:
            found.append((key, latest, bool(run) and run[-1] == latest[-1]))
    names = _names(db, {key[0] for key, _, _ in found}, {key[1:] for key, _, _ in found})
    result = [
        RepeatOffender(
            project_id=project_id,
            project_name=names[0][project_id],
            code=code,
            standard=names[1].get((checklist_id, code), ""),
            run=len(run),
            dates=[m.astimezone(scope.tz).date() for m in run],
            ongoing=ongoing,
        )
        for (project_id, checklist_id, code), run, ongoing in found
    ]
    result.sort(key=lambda r: (-r.run, -r.dates[-1].toordinal(), r.project_name, r.code))
    return result


def _names(
    db: Database, project_ids: set[str], items: set[tuple[str, str]]
) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Project names, and the latest version's standard of each (checklist, item code)."""
    projects: dict[str, str] = {}
    if project_ids:
        marks = ",".join("?" * len(project_ids))
        projects = {
            r["id"]: r["name"]
            for r in db.query(
                f"SELECT id, name FROM projects WHERE id IN ({marks})", sorted(project_ids)
            )
        }
    standards: dict[tuple[str, str], str] = {}
    for checklist_id in {c for c, _ in items}:
        for r in db.query(
            """SELECT it.code, it.standard FROM items it
               JOIN checklist_versions v ON v.id = it.version_id
               WHERE v.checklist_id = ? ORDER BY v.version""",
            [checklist_id],
        ):
            standards[(checklist_id, r["code"])] = r["standard"]  # later versions win
    return projects, standards
