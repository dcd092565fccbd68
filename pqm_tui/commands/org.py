"""``pqm org template|import|export``: the organisation from and to a workbook (组织架构).

City companies, projects, areas, departments and people in one Excel workbook
(one sheet each) or one YAML file. Import is all or nothing: every problem of the
file is listed with its sheet, row and column, and nothing is written unless
there is none. Re-importing the same file changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from enum import StrEnum
from pathlib import Path

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.i18n import Translator
from pqm_tui.model.entities import AreaType, ProjectKind, Role
from pqm_tui.model.errors import os_storage_error
from pqm_tui.model.org_file import (
    SHEETS,
    Choices,
    OrgFileError,
    Problem,
    read_org_file,
    write_org_xlsx,
    write_org_yaml,
)
from pqm_tui.model.org_import import (
    ImportPlan,
    Vocabulary,
    apply_plan,
    example_rows,
    export_rows,
    plan_import,
)
from pqm_tui.model.permissions import Action
from pqm_tui.model.schema import ROLE_TITLES
from pqm_tui.output_files import atomic_output, check_output

# Words people write for a kind beside its labels (住宅 for 住宅小区 …).
SYNONYMS: dict[str, dict[str, StrEnum]] = {
    "kind": {"住宅": ProjectKind.RESIDENTIAL, "写字楼项目": ProjectKind.OFFICE},
    "roles": {t: Role(role) for role, titles in ROLE_TITLES.items() for t in titles},
}
ACTIONS = ("add", "change", "restore", "move", "rename")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "org", help="the organisation: template, import and export (.xlsx or .yaml)"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    template = actions.add_parser("template", help="write an empty workbook to fill in")
    template.add_argument("-o", "--output", type=Path, required=True, help="FILE.xlsx")
    template.add_argument("--force", action="store_true", help="replace an existing file")
    template.set_defaults(func=run_template)
    imp = actions.add_parser("import", help="import a workbook or YAML file (all-or-nothing)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="say what would change, write nothing")
    imp.add_argument("--yes", action="store_true", help="confirm moves and renames")
    imp.set_defaults(func=run_import, creates_database=True)
    exp = actions.add_parser("export", help="write the organisation to .xlsx or .yaml")
    exp.add_argument("-o", "--output", type=Path, required=True, help="FILE.xlsx or FILE.yaml")
    exp.add_argument("--force", action="store_true", help="replace an existing file")
    exp.set_defaults(func=run_export)


def vocabulary(tr: Translator) -> Vocabulary:
    """The words a file may use for kinds, area types and roles; labels in ``tr``'s language."""
    other = Translator("en" if tr.lang == "zh" else "zh")
    enums: dict[str, type[StrEnum]] = {"kind": ProjectKind, "area_type": AreaType, "roles": Role}
    words: dict[str, dict[str, StrEnum]] = {}
    labels: dict[str, dict[str, str]] = {}
    for field, enum in enums.items():
        words[field] = {w.lower(): m for w, m in SYNONYMS.get(field, {}).items()}
        for member in enum:
            for word in (member.value, tr.enum(member), other.enum(member)):
                words[field][word.lower()] = member
        labels[field] = {m.value: tr.enum(m) for m in enum}
    return Vocabulary(words, labels, "、" if tr.lang == "zh" else ", ")


def _choices(words: Vocabulary) -> Choices:
    return Choices(
        kinds=list(words.labels["kind"].values()),
        area_types=list(words.labels["area_type"].values()),
        roles=list(words.labels["roles"].values()),
    )


def _check_output(ctx: CommandContext, path: Path, force: bool, suffixes: tuple[str, ...]) -> None:
    if path.suffix.lower() not in suffixes:
        raise UserError(ctx.tr("org.cli.suffix", path=path, suffixes=" / ".join(suffixes)))
    check_output(path)  # a regular file or nothing, in an existing folder
    if path.exists() and not force:
        raise UserError(ctx.tr("org.cli.exists", path=path))


def run_template(ctx: CommandContext, args: argparse.Namespace) -> int:
    _check_output(ctx, args.output, args.force, (".xlsx",))
    words = vocabulary(ctx.tr)
    try:
        with atomic_output(args.output) as temporary:
            write_org_xlsx(
                temporary, example_rows(words, ctx.tr.lang), _choices(words), ctx.tr.lang
            )
    except OSError as exc:
        raise os_storage_error(exc, args.output) from None
    print(ctx.tr("org.cli.template", path=args.output))
    return 0


def run_export(ctx: CommandContext, args: argparse.Namespace) -> int:
    _check_output(ctx, args.output, args.force, (".xlsx", ".yaml", ".yml"))
    words = vocabulary(ctx.tr)
    rows = export_rows(ctx.db(), words)
    try:
        with atomic_output(args.output) as temporary:
            if args.output.suffix.lower() == ".xlsx":
                write_org_xlsx(temporary, rows, _choices(words), ctx.tr.lang)
            else:
                write_org_yaml(temporary, rows)
    except OSError as exc:
        raise os_storage_error(exc, args.output) from None
    counts = ctx.tr("org.cli.separator").join(
        f"{ctx.tr(f'org.sheet.{s.key}')} {len(rows[s.key])}" for s in SHEETS if rows[s.key]
    )
    print(ctx.tr("org.cli.exported", path=args.output, counts=counts or "—"))
    return 0


def describe_problem(tr: Translator, problem: Problem) -> str:
    """One problem as the user reads it: where, then what."""
    what = tr(problem.key, **problem.params)
    if problem.sheet and problem.row is not None and problem.column:
        where = tr(
            "org.where.cell",
            sheet=problem.sheet,
            row=problem.row,
            column=problem.column,
            header=problem.header,
        )
    elif problem.sheet and problem.row is not None and problem.header:
        where = tr("org.where.field", sheet=problem.sheet, row=problem.row, field=problem.header)
    elif problem.sheet and problem.row is not None:
        where = tr("org.where.row", sheet=problem.sheet, row=problem.row)
    elif problem.sheet and problem.column:
        where = tr("org.where.range", sheet=problem.sheet, range=problem.column)
    elif problem.sheet:
        where = tr("org.where.sheet", sheet=problem.sheet)
    else:
        return what
    return tr("org.where.line", where=where, what=what)


def _print_problems(tr: Translator, error: OrgFileError) -> None:
    print(f"pqm: {tr.error(error)}", file=sys.stderr)
    for problem in error.problems:
        print(f"  {describe_problem(tr, problem)}", file=sys.stderr)


def summary(tr: Translator, plan: ImportPlan) -> list[str]:
    """What an import does: counts per sheet, then each move and rename."""
    counts = plan.counts()
    lines = []
    for key in ("companies", *(s.key for s in SHEETS)):
        done = [
            tr(f"org.action.{a}", count=counts[key, a]) for a in ACTIONS if counts.get((key, a))
        ]
        if done:
            sheet = tr(f"org.sheet.{key}")
            lines.append(tr("org.cli.line", sheet=sheet, done=tr("org.cli.separator").join(done)))
    for change in plan.moves:
        lines.append(
            tr(
                f"org.{change.action}.{change.sheet}",
                name=change.name,
                **{k: str(v) for k, v in change.params.items()},
            )
        )
    return lines


def run_import(ctx: CommandContext, args: argparse.Namespace) -> int:
    tr = ctx.tr
    org_file = read_org_file(args.file)
    if org_file.problems and not any(org_file.rows.values()):  # nothing to check further
        _print_problems(tr, OrgFileError(args.file, org_file.problems))
        return 2
    db = ctx.db()
    plan = plan_import(db, org_file, vocabulary(tr))
    if plan.problems:
        _print_problems(tr, OrgFileError(args.file, plan.problems))
        return 2
    lines = summary(tr, plan)
    if not plan.changes:
        print(tr("org.cli.unchanged", path=args.file))
        return 0
    if args.dry_run:
        print(tr("org.cli.dry_run", path=args.file))
        print("\n".join(f"  {line}" for line in lines))
        return 0
    if plan.moves and not args.yes:
        print(tr("org.cli.confirm", path=args.file), file=sys.stderr)
        print("\n".join(f"  {line}" for line in lines), file=sys.stderr)
        return 2
    ctx.require(Action.EDIT_ORGANISATION)
    apply_plan(db, plan)
    print(tr("org.cli.imported", path=args.file))
    print("\n".join(f"  {line}" for line in lines))
    return 0
