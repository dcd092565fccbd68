"""``pqm items`` (list rectification items) and ``pqm item …`` (move one along).

pqm items [--open|--overdue|--all] [--project NAME] [--department NAME]
          [--format table|csv|json|xlsx] [-o FILE]
pqm item reply ID --done TEXT [--date YYYY-MM-DD] [--photo FILE …]
pqm item extend ID --reason TEXT --measures TEXT --until YYYY-MM-DD
pqm item appeal ID --grounds TEXT
pqm item decide ID (--approve|--reject) --reason TEXT [--deadline YYYY-MM-DD]
pqm item reinspect [ID …] [--project NAME]
pqm item receive NOTICE_NUMBER --by NAME [--date YYYY-MM-DD]
pqm item show ID
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.commands.table import format_table
from pqm_tui.model import bounds, notices, organisation, review
from pqm_tui.model.errors import ModelError, os_storage_error
from pqm_tui.model.identity import actor_names
from pqm_tui.model.ids import short_id
from pqm_tui.model.rectification import get_item, list_events
from pqm_tui.services import rectification, reinspection

FIELDS = (
    "id",
    "project",
    "area",
    "item",
    "severity",
    "department",
    "person",
    "deadline",
    "days",
    "status",
    "level",
)


def _day(ctx: CommandContext, text: str | None) -> date | None:
    """A typed date within the bounds (``model.bounds``), or None when not given."""
    return None if text is None else bounds.parse_date(text, ctx.clock.today())


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lst = sub.add_parser("items", help="rectification items (整改项), open ones by default")
    which = lst.add_mutually_exclusive_group()
    which.add_argument("--open", dest="which", action="store_const", const="active")
    which.add_argument("--overdue", dest="which", action="store_const", const="overdue")
    which.add_argument("--all", dest="which", action="store_const", const="all")
    lst.add_argument("--status", choices=review.STATUSES, help="one state only")
    lst.add_argument("--project", help="project name or id")
    lst.add_argument("--department", help="responsible department")
    lst.add_argument("--severity", choices=review.SEVERITIES)
    lst.add_argument("--search", default="", help="text in project, area, item, note, person")
    lst.add_argument("--sort", choices=review.COLUMNS, default="deadline")
    lst.add_argument("--desc", action="store_true", help="sort descending")
    lst.add_argument("--limit", default="0", help="at most this many (0 = all)")
    lst.add_argument("--format", choices=("table", "csv", "json", "xlsx"), default="table")
    lst.add_argument("-o", "--output", type=Path, help="file to write (needed for xlsx)")
    lst.set_defaults(func=run_list, which="active")

    item = sub.add_parser("item", help="move a rectification item along (reply, extend …)")
    actions = item.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("reply", help="整改回复: what was done")
    p.add_argument("id")
    p.add_argument("--done", required=True, help="what was done")
    p.add_argument("--date", help="when (default today)")
    p.add_argument("--photo", action="append", default=[], help="evidence photo (repeatable)")
    p.set_defaults(func=run_reply)
    p = actions.add_parser("extend", help="延期申请: before the deadline")
    p.add_argument("id")
    p.add_argument("--reason", required=True)
    p.add_argument("--measures", required=True, help="remedial measures meanwhile")
    p.add_argument("--until", required=True, help="proposed new deadline")
    p.set_defaults(func=run_extend)
    p = actions.add_parser("appeal", help="申诉 against the finding")
    p.add_argument("id")
    p.add_argument("--grounds", required=True)
    p.set_defaults(func=run_appeal)
    p = actions.add_parser("decide", help="decide the pending extension request or appeal")
    p.add_argument("id")
    verdict = p.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--approve", dest="approve", action="store_true", help="approve/uphold")
    verdict.add_argument("--reject", dest="approve", action="store_false")
    p.add_argument("--reason", required=True)
    p.add_argument("--deadline", help="approved deadline (default: the one asked)")
    p.set_defaults(func=run_decide)
    p = actions.add_parser("reinspect", help="create re-inspections (复检) of open items")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--project", help="all open/replied items of this project")
    p.set_defaults(func=run_reinspect)
    p = actions.add_parser("receive", help="签收: the project received a notice")
    p.add_argument("notice", metavar="NOTICE_NUMBER")
    p.add_argument("--by", required=True, help="who received it")
    p.add_argument("--date", help="receipt date (default today)")
    p.set_defaults(func=run_receive)
    p = actions.add_parser("show", help="an item's state and history")
    p.add_argument("id")
    p.set_defaults(func=run_show)


def _filter(ctx: CommandContext, args: argparse.Namespace) -> review.ReviewFilter:
    db = ctx.db()
    project = organisation.find_project(db, args.project).id if args.project else None
    status = args.status or ("all" if args.which == "all" else "active")
    return review.ReviewFilter(
        project_id=project,
        department=args.department,
        status=status,
        overdue=args.which == "overdue",
        severity=args.severity,
        text=args.search,
    )


def _rows(ctx: CommandContext, args: argparse.Namespace) -> Iterator[review.ReviewRow]:
    """All matching rows, read a batch at a time (never the whole table at once)."""
    return review.iter_rows(
        ctx.db(),
        _filter(ctx, args),
        ctx.clock.today(),
        sort=args.sort,
        descending=args.desc,
        limit=bounds.parse_count(args.limit),
    )


def _record(ctx: CommandContext, row: review.ReviewRow, today: date) -> dict[str, Any]:
    state = row.pending or row.status
    return {
        "id": row.id,
        "project": row.project_name,
        "area": row.area_name,
        "item": f"{row.item_code} {row.item_standard}",
        "severity": row.severity,
        "department": row.department,
        "person": row.person,
        "deadline": row.deadline,
        "days": row.days_left(today) if row.status in ("open", "replied") else None,
        "overdue": row.overdue(today),
        "status": state,
        "level": row.escalation_level,
    }


def run_list(ctx: CommandContext, args: argparse.Namespace) -> int:
    today = ctx.clock.today()
    tr = ctx.tr
    if args.format == "json":
        records = [_record(ctx, r, today) for r in _rows(ctx, args)]
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    if args.format == "xlsx":
        from pqm_tui.model.review_export import with_details
        from pqm_tui.output_files import OutputError
        from pqm_tui.reports.items_xlsx import write_items

        if args.output is None:
            raise UserError(tr("export.needs_output"))
        try:
            count = write_items(args.output, with_details(ctx.db(), _rows(ctx, args)), today, tr)
        except OutputError as exc:  # not a regular file, or no such folder
            raise UserError(tr("export.failed", error=tr.error(exc))) from None
        except OSError as exc:  # disk full, read-only, folder gone: said as such
            said = tr.error(os_storage_error(exc, args.output))
            raise UserError(tr("export.failed", error=said)) from None
        print(tr("export.written", count=count, path=args.output))
        return 0
    if args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=[*FIELDS, "overdue"])
        writer.writeheader()
        for r in _rows(ctx, args):
            writer.writerow(_record(ctx, r, today))
        return 0
    table = []
    for r in _rows(ctx, args):
        rec = _record(ctx, r, today)
        days = rec["days"]
        key = "review.days_overdue" if rec["overdue"] else "review.days_left"
        if days is not None and days < 0 and not rec["overdue"]:
            key = "review.days_past"
        left = "" if days is None else tr(key, n=abs(days))
        if days is not None and r.suspended:
            left = tr("review.days_suspended")
        table.append(
            (
                short_id(r.id),
                r.project_name,
                r.area_name,
                f"{r.item_code} {r.item_standard[:16]}",
                tr(f"enum.Severity.{r.severity}"),
                r.department,
                r.person,
                r.deadline or "",
                left,
                tr(f"review.state.{r.pending_stage or r.status}"),
                r.escalation_level,
            )
        )
    headers = [tr("items.col.id"), *(tr(f"review.col.{c}") for c in FIELDS[1:])]
    print(format_table(headers, table))
    print(tr("items.total", count=len(table)))
    return 0


def _run(ctx: CommandContext, move: Callable[[], object]) -> int:
    try:
        move()
    except ModelError as exc:
        raise UserError(ctx.tr.error(exc)) from None
    return 0


def _say(ctx: CommandContext, item_id: str) -> None:
    db = ctx.db()
    item = get_item(db, item_id)
    state = rectification.state_of(db, item)
    print(
        ctx.tr(
            "items.state",
            id=short_id(item.id),
            state=ctx.tr(f"review.state.{state.value}"),
            deadline=item.deadline or "-",
            level=item.escalation_level,
        )
    )


def run_reply(ctx: CommandContext, args: argparse.Namespace) -> int:
    def move() -> None:
        evidence = []
        if args.photo:
            from pqm_tui.services.photos import store_photo

            for path in args.photo:
                stored = store_photo(ctx.db_path, path)
                evidence.append(
                    {
                        "sha256": stored.sha256,
                        "name": stored.original_name,
                        "path": str(stored.stored_path),
                    }
                )
        item = rectification.reply(
            ctx.db(),
            ctx.clock,
            args.id,
            actor=ctx.actor,
            done=args.done,
            done_on=_day(ctx, args.date),
            evidence=evidence,
        )
        _say(ctx, item.id)

    return _run(ctx, move)


def run_extend(ctx: CommandContext, args: argparse.Namespace) -> int:
    def move() -> None:
        item = rectification.request_extension(
            ctx.db(),
            ctx.clock,
            args.id,
            actor=ctx.actor,
            reason=args.reason,
            measures=args.measures,
            proposed=bounds.parse_date(args.until, ctx.clock.today()),
        )
        _say(ctx, item.id)

    return _run(ctx, move)


def run_appeal(ctx: CommandContext, args: argparse.Namespace) -> int:
    def move() -> None:
        item = rectification.request_appeal(
            ctx.db(), ctx.clock, args.id, actor=ctx.actor, grounds=args.grounds
        )
        _say(ctx, item.id)

    return _run(ctx, move)


def run_decide(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.commands.pin_input import acting_person, confirm_pin

    def move() -> None:
        item = get_item(ctx.db(), args.id)  # an unknown item is said before the PIN
        item_id = item.id
        pending = rectification.pending_decision(ctx.db(), item)
        if pending is not None:  # who may not decide is told so, not asked a PIN first
            rectification.require_move(ctx.db(), ctx.actor, item, pending)
        confirm_pin(ctx, acting_person(ctx))  # a decision is signed with the decider's PIN
        item = rectification.decide(
            ctx.db(),
            ctx.clock,
            item_id,
            actor=ctx.actor,
            approve=args.approve,
            reason=args.reason,
            new_deadline=_day(ctx, args.deadline),
        )
        _say(ctx, item.id)

    return _run(ctx, move)


def run_reinspect(ctx: CommandContext, args: argparse.Namespace) -> int:
    db = ctx.db()
    ids = [get_item(db, i).id for i in args.ids]
    if args.project:
        project = organisation.find_project(db, args.project)
        flt = review.ReviewFilter(project_id=project.id)
        ids += [
            r.id
            for r in review.page(db, flt, ctx.clock.today(), limit=100_000)
            if r.pending is None
        ]
    if not ids:
        raise UserError(ctx.tr("review.err.no_items"))

    def move() -> None:
        for group in reinspection.group_by_version(db, ids):
            created = reinspection.create_reinspection(db, ctx.clock, group, actor=ctx.actor)
            print(ctx.tr("items.reinspection", id=short_id(created.id), count=len(group)))

    return _run(ctx, move)


def run_receive(ctx: CommandContext, args: argparse.Namespace) -> int:
    db = ctx.db()
    notice_id = notices.notice_id_by_number(db, args.notice.strip())
    if notice_id is None:
        raise UserError(ctx.tr("review.err.no_notice", notice=args.notice))

    def move() -> None:
        n = rectification.acknowledge_notice(
            db,
            ctx.clock,
            ctx.settings,
            notice_id,
            actor=ctx.actor,
            received_by=args.by,
            received_on=_day(ctx, args.date),
        )
        print(ctx.tr("items.received", number=args.notice, count=n))

    return _run(ctx, move)


def _status(ctx: CommandContext, status: str | None) -> str:
    """A stored status in the user's language, as the review says it (待整改 …)."""
    return ctx.tr(f"enum.RectificationStatus.{status}") if status else ""


def run_show(ctx: CommandContext, args: argparse.Namespace) -> int:
    db = ctx.db()
    item = get_item(db, args.id)
    _say(ctx, item.id)
    names = actor_names(db)
    table = [
        (
            ctx.clock.local_time_of(e.at),
            names.get(e.actor, e.actor),
            ctx.tr.messages.get(f"review.action.{e.action}", e.action),
            _status(ctx, e.from_status),
            _status(ctx, e.to_status),
            e.reason,
        )
        for e in list_events(db, item.id)
    ]
    headers = [ctx.tr(f"items.event.{c}") for c in ("at", "actor", "action", "from", "to", "why")]
    print(format_table(headers, table))
    return 0
