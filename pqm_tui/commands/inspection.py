"""``pqm inspection list``: recent inspections; amendments (更正) in ``commands.amend``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pqm_tui.commands import amend
from pqm_tui.commands.analysis import add_scope, run_export
from pqm_tui.commands.context import CommandContext
from pqm_tui.commands.table import format_table
from pqm_tui.model import bounds, inspections, organisation
from pqm_tui.model.ids import short_id


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("inspection", help="inspections")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    lst = actions.add_parser("list", help="recent inspections, newest first")
    lst.add_argument("--format", choices=("table", "json"), default="table")
    lst.add_argument("--project", help="only this project (name or id)")
    lst.add_argument("--limit", default="50", help="at most this many (1–100000; 50)")
    lst.set_defaults(func=run_list)
    amend.register(actions)
    export = actions.add_parser("export", help="findings of inspections to .xlsx or .csv")
    add_scope(export)
    export.add_argument("-o", "--output", type=Path, required=True, help="F.xlsx or F.csv")
    export.set_defaults(func=run_export)


def run_list(ctx: CommandContext, args: argparse.Namespace) -> int:
    db = ctx.db()
    project_id = organisation.find_project(db, args.project).id if args.project else None
    limit = bounds.parse_count(args.limit, minimum=1)
    rows = inspections.list_inspections(db, limit=limit, project_id=project_id)
    if args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "id": r.inspection.id,
                        "project": r.project_name,
                        "kind": r.inspection.kind.value,
                        "status": r.inspection.status.value,
                        "started_at": r.inspection.started_at,
                        "signed_at": r.inspection.signed_at,
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
            short_id(r.inspection.id),
            r.inspection.started_at[:16].replace("T", " "),
            r.project_name,
            tr.enum(r.inspection.kind),
            tr.enum(r.inspection.status),
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
