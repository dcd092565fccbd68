"""``pqm db check``: integrity, foreign keys, schema version, lock triggers, audit chain, seals."""

from __future__ import annotations

import argparse

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.model.db import SYSTEM_ACTOR, IntegrityReport, check_integrity, connect
from pqm_tui.model.schema import latest_version, schema_version


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("db", help="database maintenance")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser(
        "check", help="integrity_check, foreign_key_check, schema version"
    ).set_defaults(func=run_check)


def run_check(ctx: CommandContext, args: argparse.Namespace) -> int:
    tr = ctx.tr
    if not ctx.db_path.is_file():
        raise UserError(tr("cli.db.missing", path=ctx.db_path))
    db = connect(ctx.db_path, actor=SYSTEM_ACTOR, migrate_schema=False)
    report = check_integrity(db)
    integrity, foreign = report.integrity, report.foreign_keys
    version, latest = schema_version(db), latest_version()
    ok = report.ok and version == latest
    print(tr("cli.db.integrity", result=", ".join(integrity[:5])))
    print(tr("cli.db.foreign_keys", count=len(foreign)))
    for row in foreign[:10]:
        print(f"  {row[0]} rowid={row[1]} → {row[2]}")
    print(tr("cli.db.schema", version=version, latest=latest))
    for key, names in (
        ("cli.db.missing_triggers", report.missing_triggers),
        ("cli.db.changed_triggers", report.changed_triggers),
        ("cli.db.extra_triggers", report.extra_triggers),
    ):
        if names:
            print(tr(key, count=len(names), names=", ".join(names)))
    _print_tamper_evidence(ctx, report)
    print(tr("cli.db.ok") if ok else tr("cli.db.problems"))
    return 0 if ok else 1


def _print_tamper_evidence(ctx: CommandContext, report: IntegrityReport) -> None:
    """The audit chain and the seals of signed inspections: what was altered, by name."""
    tr, chain = ctx.tr, report.chain
    if chain is None:  # an older schema: nothing chained or sealed yet
        return
    if chain.ok:
        print(tr("cli.db.chain_ok", rows=chain.rows))
    if chain.altered:
        rows = ", ".join(f"#{r.seq} {r.table_name}/{r.row_id}" for r in chain.altered[:10])
        more = " …" if len(chain.altered) > 10 else ""
        print(tr("cli.db.chain_altered", count=len(chain.altered), rows=rows + more))
    for first, last in chain.deleted:
        print(tr("cli.db.chain_deleted", first=first, last=last))
    if not report.seals:
        print(tr("cli.db.seals_ok"))
    for seal in report.seals:
        date = ctx.clock.local_date_of(seal.started_at).isoformat() if seal.started_at else "?"
        values = {"inspection": seal.inspection_id, "project": seal.project or "?", "date": date}
        print(tr(f"cli.db.seal_{seal.problem}", **values))
