"""What every command gets: settings, translator, clock and a lazily opened database."""

from __future__ import annotations

import getpass
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.i18n import Translator
from pqm_tui.model.clock import Clock, resolve_timezone
from pqm_tui.model.db import connect
from pqm_tui.paths import default_db_path


class UserError(Exception):
    """A mistake of the user's: printed as one line, exit status 2."""


@dataclass
class CommandContext:
    settings: Settings
    actor: str = field(default_factory=getpass.getuser)
    _db: Database | None = None

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
            db = self._db = connect(self.db_path, actor=self.actor)
            if db.migration_backup is not None:  # said once: the next open has nothing to do
                said = self.tr("common.db_backup", path=db.migration_backup)
                print(f"pqm: {said}", file=sys.stderr)
        return self._db
