"""``pqm seed-demo``: fill a database with the demo company."""

from __future__ import annotations

import argparse
import os

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.model.db import SYSTEM_ACTOR, close_whole, connect, is_empty
from pqm_tui.model.errors import StorageError
from pqm_tui.model.identity import resolve_person
from pqm_tui.model.permissions import Action, require


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("seed-demo", help="fill the database with demo data")
    parser.add_argument(
        "--force", action="store_true", help="replace the contents of a non-empty database"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.set_defaults(func=run)


def run(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.services.demo import seed_demo

    path = ctx.db_path
    path.parent.mkdir(parents=True, exist_ok=True)
    db = connect(path, actor=SYSTEM_ACTOR)
    if is_empty(db):
        summary = seed_demo(db, ctx.clock, ctx.settings, seed=args.seed)  # one transaction
    elif not args.force:
        raise UserError(ctx.tr("cli.demo.not_empty", path=path))
    else:  # seeded beside, then put in place: a failure (disk full) keeps the old database
        try:  # replacing a company's data is the administrator's (anyone's before there is one)
            person = resolve_person(db, ctx.who) if ctx.who else None
            require(db, person, Action.EDIT_ORGANISATION)
        finally:
            db.close()
        fresh = path.with_name(f".{path.name}.{os.getpid()}.seeding")
        try:
            db = connect(fresh, actor=SYSTEM_ACTOR)
            summary = seed_demo(db, ctx.clock, ctx.settings, seed=args.seed)
            close_whole(db)
            for suffix in ("-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            os.replace(fresh, path)
        except StorageError as exc:  # said of the database asked for, not the hidden copy
            raise StorageError(exc.key, **{**exc.params, "path": path}) from None
        finally:
            db.close()
            for suffix in ("", "-wal", "-shm"):
                fresh.with_name(fresh.name + suffix).unlink(missing_ok=True)
    print(
        ctx.tr(
            "cli.demo.done",
            path=path,
            projects=summary.projects,
            inspections=summary.inspections,
            findings=summary.findings,
            items=summary.rectification_items,
        )
    )
    return 0
