"""``pqm checklist list|show|import|export``: the company's checklists (检查表)."""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.commands.table import format_table
from pqm_tui.model import checklists
from pqm_tui.model.checklist_file import dump_checklist, load_checklist_file
from pqm_tui.model.errors import os_storage_error
from pqm_tui.model.ids import short_id
from pqm_tui.services.points import format_points


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("checklist", help="list, show, import and export checklists")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="all checklists with their latest version").set_defaults(
        func=run_list
    )
    show = actions.add_parser("show", help="sections and items of a checklist")
    show.add_argument("id", help="checklist id, name or version id")
    show.add_argument("--version", type=int, help="version number (default: latest)")
    show.set_defaults(func=run_show)
    imp = actions.add_parser("import", help="import a checklist YAML file (all-or-nothing)")
    imp.add_argument("file", type=Path)
    imp.set_defaults(func=run_import)
    exp = actions.add_parser("export", help="write a checklist back to YAML")
    exp.add_argument("id", help="checklist id, name or version id")
    exp.add_argument("-o", "--output", type=Path, required=True)
    exp.add_argument("--version", type=int, help="version number (default: latest)")
    exp.set_defaults(func=run_export)


def _ensure_builtins(ctx: CommandContext) -> None:
    checklists.install_builtins(ctx.db(), ctx.clock)


def run_list(ctx: CommandContext, args: argparse.Namespace) -> int:
    _ensure_builtins(ctx)
    tr = ctx.tr
    rows = [
        (
            short_id(s.latest_version_id),
            s.checklist.name,
            f"v{s.latest_version}",
            s.item_count,
            "、".join(tr.enum(k) for k in s.checklist.project_kinds),
        )
        for s in checklists.list_checklists(ctx.db())
    ]
    headers = [tr(f"cli.checklist.col_{c}") for c in ("id", "name", "version", "items", "kinds")]
    print(format_table(headers, rows))
    return 0


def _version_id(ctx: CommandContext, ident: str, number: int | None) -> str:
    db = ctx.db()
    found = checklists.find_checklist(db, _expand(ctx, ident))
    versions = checklists.list_versions(db, found.id)
    if number is None:
        by_id = [v for v in versions if v.id == _expand(ctx, ident)]
        return (by_id or versions)[-1].id
    for version in versions:
        if version.version == number:
            return version.id
    raise UserError(ctx.tr("cli.checklist.no_version", name=found.name, version=number))


def _expand(ctx: CommandContext, ident: str) -> str:
    """Accept the short id printed by ``list`` (the id's tail)."""
    return checklists.expand_short_id(ctx.db(), ident)


def run_show(ctx: CommandContext, args: argparse.Namespace) -> int:
    _ensure_builtins(ctx)
    tr = ctx.tr
    content = checklists.load_version(ctx.db(), _version_id(ctx, args.id, args.version))
    print(
        f"{content.checklist.name}  v{content.version.version}  ({content.version.created_at[:10]})"
    )
    if content.checklist.description:
        print(content.checklist.description)
    for section in content.sections:
        items = content.items_by_section[section.id]
        total = format_points(sum((i.points for i in items), Decimal(0)))
        where = "、".join(tr.enum(t) for t in section.area_types) or tr("cli.checklist.all_areas")
        print(f"\n[{section.code}] {section.name} — {total} {tr('cli.checklist.points')} · {where}")
        rows = [
            (
                i.code,
                format_points(i.points),
                format_points(i.per_occurrence),
                tr.enum(i.severity),
                "📷" if i.photo_required else "",
                "、".join(tr.enum(t) for t in i.area_types),  # empty: the section's
                i.standard,
            )
            for i in items
        ]
        headers = [
            tr(f"cli.checklist.col_{c}")
            for c in ("code", "points", "per", "severity", "photo", "areas", "standard")
        ]
        print(format_table(headers, rows))
    return 0


def run_import(ctx: CommandContext, args: argparse.Namespace) -> int:
    spec = load_checklist_file(args.file)  # raises with file / path / field
    version, created = checklists.import_spec(ctx.db(), spec, ctx.clock)
    key = "cli.checklist.imported" if created else "cli.checklist.unchanged"
    print(ctx.tr(key, name=spec.name, version=version.version, id=short_id(version.id)))
    return 0


def run_export(ctx: CommandContext, args: argparse.Namespace) -> int:
    _ensure_builtins(ctx)
    content = checklists.load_version(ctx.db(), _version_id(ctx, args.id, args.version))
    text = dump_checklist(checklists.version_to_spec(content))
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise os_storage_error(exc, args.output) from None
    print(
        ctx.tr(
            "cli.checklist.exported",
            name=content.checklist.name,
            version=content.version.version,
            path=args.output,
        )
    )
    return 0
