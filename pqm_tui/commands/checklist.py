"""``pqm checklist list|show|import|export|template|update-builtins``: the company's
checklists (检查表).

Checklists come as YAML (the format of the built-ins) or as a spreadsheet, ``.xlsx``
or ``.csv`` (``model/checklist_sheet.py``): one row per item.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.commands.table import format_table
from pqm_tui.i18n import Translator
from pqm_tui.model import checklists
from pqm_tui.model.checklist_file import (
    ChecklistSpec,
    ItemSpec,
    SectionSpec,
    dump_checklist,
    load_checklist_file,
)
from pqm_tui.model.checklist_sheet import (
    Words,
    read_checklist_sheet,
    write_checklist_csv,
    write_checklist_xlsx,
)
from pqm_tui.model.entities import AreaType, ProjectKind, Severity
from pqm_tui.model.errors import os_storage_error
from pqm_tui.model.file_limits import Limits
from pqm_tui.model.ids import short_id
from pqm_tui.model.permissions import Action
from pqm_tui.output_files import atomic_output
from pqm_tui.services.builtin_checklists import BuiltinUpdate, apply_updates, plan_updates
from pqm_tui.services.points import format_points

# Words people write in a spreadsheet beside the labels (住宅 for 住宅小区, √ for 是 …).
SYNONYMS: dict[str, dict[str, StrEnum]] = {
    "project_kinds": {"住宅": ProjectKind.RESIDENTIAL, "写字楼项目": ProjectKind.OFFICE}
}
YES = ("y", "yes", "true", "1", "√", "✓", "✔", "需要", "要", "需")
NO = ("n", "no", "false", "0", "×", "✗", "不需要", "不要", "无", "-")
# Spreadsheets of other programs (and old Excel): to be saved as .xlsx first
OTHER_SPREADSHEETS = (".xls", ".xlsm", ".xlsb", ".ods", ".et", ".numbers")
NOTES = 6  # lines of advice on the template's About sheet (cli.checklist.notes.n1 …)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("checklist", help="list, show, import and export checklists")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    # every checklist action may start a new database: it answers from the built-in
    # checklists, which a new database is given
    parser.set_defaults(creates_database=True)
    actions.add_parser("list", help="all checklists with their latest version").set_defaults(
        func=run_list
    )
    show = actions.add_parser("show", help="sections and items of a checklist")
    show.add_argument("id", help="checklist id, name or version id")
    show.add_argument("--version", type=int, help="version number (default: latest)")
    show.set_defaults(func=run_show)
    imp = actions.add_parser(
        "import", help="import a checklist from .yaml, .xlsx or .csv (all-or-nothing)"
    )
    imp.add_argument("file", type=Path, help="FILE.yaml, FILE.xlsx or FILE.csv")
    imp.add_argument("--name", help="the checklist's name (default: the file's, or its About)")
    imp.set_defaults(func=run_import)
    exp = actions.add_parser("export", help="write a checklist to .yaml, .xlsx or .csv")
    exp.add_argument("id", help="checklist id, name or version id")
    exp.add_argument("-o", "--output", type=Path, required=True, help="FILE.yaml/.xlsx/.csv")
    exp.add_argument("--version", type=int, help="version number (default: latest)")
    exp.set_defaults(func=run_export)
    template = actions.add_parser("template", help="write an example workbook to fill in")
    template.add_argument("-o", "--output", type=Path, required=True, help="FILE.xlsx")
    template.add_argument("--force", action="store_true", help="replace an existing file")
    template.set_defaults(func=run_template)
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


def sheet_words(tr: Translator) -> Words:
    """The words a spreadsheet may use (values, labels in both languages) and the labels
    written, in ``tr``'s language."""
    other = Translator("en" if tr.lang == "zh" else "zh")
    choices: dict[str, dict[str, StrEnum]] = {}
    labels: dict[str, dict[str, str]] = {}
    for name, enum in (
        ("area_types", AreaType),
        ("severity", Severity),
        ("project_kinds", ProjectKind),
    ):
        choices[name] = {w.lower(): m for w, m in SYNONYMS.get(name, {}).items()}
        for member in enum:
            for word in (member.value, tr.enum(member), other.enum(member)):
                choices[name][word.lower()] = member
        labels[name] = {m.value: tr.enum(m) for m in enum}
    yes = {tr("common.answer_yes"), other("common.answer_yes"), *YES}
    no = {tr("common.answer_no"), other("common.answer_no"), *NO}
    return Words(
        choices,
        labels,
        frozenset(w.lower() for w in yes),
        frozenset(w.lower() for w in no),
        tr("common.answer_yes"),
        tr("common.answer_no"),
        tr("common.list_sep"),
    )


def _limits(ctx: CommandContext) -> Limits:
    return Limits.of_megabytes(ctx.settings.checklist_max_mb)


def run_import(ctx: CommandContext, args: argparse.Namespace) -> int:
    path: Path = args.file
    if path.suffix.lower() in OTHER_SPREADSHEETS:
        raise UserError(ctx.tr("cli.checklist.other_spreadsheet", path=path))
    if path.suffix.lower() in (".xlsx", ".csv"):
        spec = read_checklist_sheet(path, sheet_words(ctx.tr), _limits(ctx), args.name)
    else:
        spec = load_checklist_file(path, _limits(ctx))  # raises with file / path / field
        if args.name:
            spec = spec.model_copy(update={"name": args.name})
    ctx.require(Action.MANAGE_CHECKLISTS)
    version, created = checklists.import_spec(ctx.db(), spec, ctx.clock)
    key = "cli.checklist.imported" if created else "cli.checklist.unchanged"
    print(ctx.tr(key, name=spec.name, version=version.version, id=short_id(version.id)))
    return 0


def _write(
    ctx: CommandContext, spec: ChecklistSpec, path: Path, notes: tuple[str, ...] = ()
) -> None:
    """``spec`` to ``path`` in the format its suffix names (.yaml, .xlsx or .csv)."""
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".xlsx", ".csv"):
        raise UserError(ctx.tr("cli.checklist.suffix", path=path))
    try:
        with atomic_output(path) as temporary:  # a regular file, replaced only when written
            if suffix == ".xlsx":
                write_checklist_xlsx(temporary, spec, sheet_words(ctx.tr), ctx.tr.lang, notes)
            elif suffix == ".csv":
                write_checklist_csv(temporary, spec, sheet_words(ctx.tr), ctx.tr.lang)
            else:
                temporary.write_text(dump_checklist(spec), encoding="utf-8")
    except OSError as exc:  # disk full, read-only, folder gone: said as such
        raise os_storage_error(exc, path) from None


def example_spec(tr: Translator) -> ChecklistSpec:
    """The template's example: two sections, three items, 100 points, in ``tr``'s language."""

    def item(n: int, points: int, per: int, **more: object) -> ItemSpec:
        words = {
            f: tr(f"cli.checklist.example.item{n}_{f}") for f in ("code", "standard", "method")
        }
        return ItemSpec.model_validate({**words, "points": points, "per_occurrence": per, **more})

    return ChecklistSpec(
        name=tr("cli.checklist.example.name"),
        description=tr("cli.checklist.example.description"),
        project_kinds=[ProjectKind.RESIDENTIAL, ProjectKind.OFFICE],
        sections=[
            SectionSpec(
                code=tr("cli.checklist.example.section1_code"),
                name=tr("cli.checklist.example.section1_name"),
                department=tr("cli.checklist.example.section1_department"),
                area_types=[AreaType.LOBBY, AreaType.SERVICE_CENTER],
                items=[
                    item(1, 40, 2, photo_required=True),
                    item(2, 20, 5, severity=Severity.SERIOUS, area_types=[AreaType.SERVICE_CENTER]),
                ],
            ),
            SectionSpec(
                code=tr("cli.checklist.example.section2_code"),
                name=tr("cli.checklist.example.section2_name"),
                department=tr("cli.checklist.example.section2_department"),
                items=[item(3, 40, 2)],
            ),
        ],
    )


def run_template(ctx: CommandContext, args: argparse.Namespace) -> int:
    path: Path = args.output
    if path.suffix.lower() != ".xlsx":
        raise UserError(ctx.tr("cli.checklist.template_suffix", path=path))
    if path.exists() and not args.force:
        raise UserError(ctx.tr("cli.checklist.exists", path=path))
    notes = tuple(ctx.tr(f"cli.checklist.notes.n{n}") for n in range(1, NOTES + 1))
    _write(ctx, example_spec(ctx.tr), path, notes)
    print(ctx.tr("cli.checklist.template", path=path))
    return 0


def run_export(ctx: CommandContext, args: argparse.Namespace) -> int:
    _ensure_builtins(ctx)
    content = checklists.load_version(ctx.db(), _version_id(ctx, args.id, args.version))
    _write(ctx, checklists.version_to_spec(content), args.output)
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
    ctx.require(Action.MANAGE_CHECKLISTS)
    for version in apply_updates(ctx.db(), ctx.clock, updates):
        name = checklists.find_checklist(ctx.db(), version.checklist_id).name
        print(tr("builtins.applied", name=name, version=version.version, id=short_id(version.id)))
    return 0
