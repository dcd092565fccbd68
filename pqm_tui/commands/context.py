"""What every command gets: settings, translator, clock and a lazily opened database.

Nothing here loads the database layer (sqlite-utils, the pydantic entities) before a
command asks for the database: ``pqm`` reads its arguments without them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pqm_tui.config import Settings
from pqm_tui.i18n import Translator
from pqm_tui.model.clock import Clock, resolve_timezone
from pqm_tui.paths import default_db_path

if TYPE_CHECKING:
    from sqlite_utils import Database

    from pqm_tui.model.entities import Person
    from pqm_tui.model.permissions import Action


class UserError(Exception):
    """A mistake of the user's: printed as one line, exit status 2."""


@dataclass
class CommandContext:
    """``who`` is whom ``--as`` (or ``PQM_AS``) names: resolved to a known, active person
    when the database is opened (an unknown or archived name is refused then); ``actor``
    is that person's id, what the audit trail and the history record. Only a command
    that ``creates`` a company's data (an organisation or checklist import) opens a
    database file that is not there yet; the others say so (a mistyped ``--db`` would
    otherwise show an empty company, or take its data into a new file)."""

    settings: Settings
    who: str | None = None
    creates: bool = False
    _db: Database | None = None
    _person: Person | None = None

    @property
    def tr(self) -> Translator:
        return Translator(self.settings.lang)

    @property
    def clock(self) -> Clock:
        return Clock(resolve_timezone(self.settings.timezone))

    @property
    def db_path(self) -> Path:
        return self.settings.db or default_db_path()

    def close(self) -> None:
        """Close the database if a command opened it (SQLite refreshes its statistics)."""
        if self._db is not None:
            db, self._db = self._db, None
            db.close()

    def db(self) -> Database:
        if self._db is None:
            from pqm_tui.model.db import SYSTEM_ACTOR, connect, set_actor
            from pqm_tui.model.identity import IdentityError, resolve_person

            if not self.creates and not self.db_path.exists():
                raise UserError(self.tr("cli.db.not_found", path=self.db_path))
            db = connect(self.db_path, actor=SYSTEM_ACTOR)
            if db.migration_backup is not None:  # said once: the next open has nothing to do
                said = self.tr("common.db_backup", path=db.migration_backup)
                print(f"pqm: {said}", file=sys.stderr)
            if self.who:
                try:
                    self._person = resolve_person(db, self.who)
                except IdentityError:
                    db.close()
                    raise
                set_actor(db, self._person.id)
            self._db = db
        return self._db

    @property
    def actor(self) -> str:
        """The acting person's id ("" when nobody was named: such a command only reads)."""
        self.db()
        return self._person.id if self._person else ""

    def person(self) -> Person:
        """The acting person; IdentityError saying how to name oneself when nobody was."""
        self.db()
        if self._person is None:
            from pqm_tui.model.identity import IdentityError

            raise IdentityError("errors.identity.required")
        return self._person

    def require(self, action: Action, **scope: str | None) -> None:
        """PermissionDenied unless the acting person may do ``action`` (``permissions``)."""
        from pqm_tui.model.permissions import require

        require(self.db(), self._person, action, **scope)
