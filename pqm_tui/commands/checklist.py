"""``pqm checklist list|show|import|export|update-builtins``: the company's checklists (检查表)."""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.commands.table import format_table
from pqm_tui.model import checklists
from pqm_tui.model.checklist_file import dump_checklist, load_checklist_file
from pqm_tui.model.ids import short_id
from pqm_tui.output_files import write_atomic
from pqm_tui.services.builtin_checklists import BuiltinUpdate, apply_updates, plan_updates
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
    upd = actions.add_parser(
        "update-builtins",
        help="update the built-in checklists to this PQM's versions (shows what, then asks)",
    )
    upd.add_argument("--yes", action="store_true", help="apply without asking (scripts)")
    upd.add_argument(
        "--replace-own",
        action="store_true",
        help="also replace checklists your company imported under a built-in's name",
    )
    upd.set_defaults(func=run_update_builtins)


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
        write_atomic(args.output, text.encode("utf-8"))
    except OSError as exc:
        raise UserError(f"{args.output}: {exc.strerror}") from None
    print(
        ctx.tr(
            "cli.checklist.exported",
            name=content.checklist.name,
            version=content.version.version,
            path=args.output,
        )
    )
    return 0


def _change_line(ctx: CommandContext, update: BuiltinUpdate) -> str:
    tr = ctx.tr
    changes = update.changes
    if changes.items_differ:
        what = tr(
            "builtins.items",
            added=changes.added,
            removed=changes.removed,
            changed=changes.changed,
        )
    else:
        what = tr("builtins.items_same")
    before = (
        tr("builtins.absent") if update.current_version is None else f"v{update.current_version}"
    )
    key = "builtins.line_own" if update.company_own else "builtins.line"
    return tr(key, name=update.spec.name, before=before, after=f"v{update.new_version}", what=what)


def _confirmed(ctx: CommandContext) -> bool:
    try:
        answer = input(ctx.tr("builtins.ask"))
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes", "是", "是的", "好"}


def run_update_builtins(ctx: CommandContext, args: argparse.Namespace) -> int:
    tr = ctx.tr
    updates, kept = plan_updates(ctx.db(), replace_own=args.replace_own)
    if kept:
        print(tr("builtins.kept_heading"))
        for update in kept:
            print("  " + _change_line(ctx, update))
        print(tr("builtins.kept_hint"))
    if not updates:
        print(tr("builtins.up_to_date"))
        return 0
    print(tr("builtins.heading"))
    for update in updates:
        print("  " + _change_line(ctx, update))
    if not args.yes and not _confirmed(ctx):
        print(tr("builtins.declined"))
        return 1
    for version in apply_updates(ctx.db(), ctx.clock, updates):
        name = checklists.find_checklist(ctx.db(), version.checklist_id).name
        print(tr("builtins.applied", name=name, version=version.version, id=short_id(version.id)))
    return 0
