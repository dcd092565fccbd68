"""``pqm inspection list``: recent inspections; amendments (更正) in ``commands.amend``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pqm_tui.commands.context import CommandContext
from pqm_tui.commands.parser import add_scope, lazy
from pqm_tui.commands.table import format_table
from pqm_tui.model import bounds, inspection_list, plain_connection
from pqm_tui.model.ids import short_id


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("inspection", help="inspections")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    lst = actions.add_parser("list", help="recent inspections, newest first")
    lst.add_argument("--format", choices=("table", "json"), default="table")
    lst.add_argument("--project", help="only this project (name or id)")
    lst.add_argument("--limit", default="50", help="at most this many (1–100000; 50)")
    lst.set_defaults(func=run_list)
    _register_amendments(actions)
    export = actions.add_parser("export", help="findings of inspections to .xlsx or .csv")
    add_scope(export)
    export.add_argument("-o", "--output", type=Path, required=True, help="F.xlsx or F.csv")
    export.set_defaults(func=lazy("pqm_tui.commands.analysis:run_export"))


def _register_amendments(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = actions.add_parser("amend", help="propose a correction of a signed inspection")
    p.add_argument("inspection", help="inspection id or short id")
    p.add_argument("--item", required=True, help="checklist item code")
    p.add_argument("--area", default="", help="area name (when the item is in several)")
    p.add_argument(
        "--set",
        dest="changes",
        action="append",
        required=True,
        metavar="FIELD=VALUE",
        help="a field and its corrected value (repeatable)",
    )
    p.add_argument("--reason", required=True, help="why the record is wrong")
    p.set_defaults(func=lazy("pqm_tui.commands.amend:run_amend"))
    p = actions.add_parser("amendments", help="amendment proposals and their states")
    p.add_argument("inspection", nargs="?", help="only this inspection")
    p.add_argument("--pending", action="store_true", help="only those waiting for approval")
    p.set_defaults(func=lazy("pqm_tui.commands.amend:run_list"))
    p = actions.add_parser("approve-amendment", help="approve a proposal: it takes effect")
    p.add_argument("id", help="proposal id or short id")
    p.add_argument("--reason", default="", help="a remark (optional)")
    p.set_defaults(func=lazy("pqm_tui.commands.amend:run_approve"))
    p = actions.add_parser("reject-amendment", help="reject a proposal, saying why")
    p.add_argument("id", help="proposal id or short id")
    p.add_argument("--reason", required=True, help="why it is rejected")
    p.set_defaults(func=lazy("pqm_tui.commands.amend:run_reject"))


def run_list(ctx: CommandContext, args: argparse.Namespace) -> int:
    """The list read on a plain connection when the database needs nothing else (no
    migration, nobody named, no project to find): no sqlite-utils, no pydantic."""
    quick = None
    if args.project or ctx.who:
        from pqm_tui.model import organisation

        db = ctx.db()
        project_id = organisation.find_project(db, args.project).id if args.project else None
        conn = db.conn
    else:
        project_id = None
        quick = plain_connection.open_current(ctx.db_path)
        conn = quick if quick is not None else ctx.db().conn
    limit = bounds.parse_count(args.limit, minimum=1)
    try:
        rows = inspection_list.recent_inspections(conn, project_id, limit)
    finally:
        if quick is not None:
            plain_connection.close_reading(quick)
    if args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "project": r.project_name,
                        "kind": r.kind.value,
                        "status": r.status.value,
                        "started_at": r.started_at,
                        "signed_at": r.signed_at,
                        "checklist": r.checklist_name,
                        "checklist_version": r.checklist_version,
                        "inspectors": r.inspector_names,
                        "answered": r.answered,
                        "failed": r.failed,
                    }
                    for r in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    tr = ctx.tr
    table = [
        (
            short_id(r.id),
            r.started_at[:16].replace("T", " "),
            r.project_name,
            tr.enum(r.kind),
            tr.enum(r.status),
            "、".join(r.inspector_names),
            r.answered,
            r.failed,
        )
        for r in rows
    ]
    headers = [
        tr(f"cli.inspection.col_{c}")
        for c in ("id", "started", "project", "kind", "status", "inspectors", "answered", "failed")
    ]
    print(format_table(headers, table))
    return 0
