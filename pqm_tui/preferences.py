"""What the app remembers per OS user between runs (偏好): who you are, theme, filters, folders.

One small JSON file in the user's state directory (platformdirs), keyed by the database
file, so two databases on one laptop keep their own choices. Preferences are conveniences,
never facts: an unreadable or foreign file is ignored (the defaults apply) and rewritten
on the next save. Writes go through a temporary file and a rename, so a crash leaves the
old file or the new one, never half of either.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

from pqm_tui.paths import APP_NAME

MAX_BYTES = 256 * 1024  # a preferences file is a few hundred bytes; anything bigger is not ours


def preferences_path() -> Path:
    """``<user state dir>/preferences.json`` (``PQM_PREFERENCES`` overrides, for tests)."""
    override = os.environ.get("PQM_PREFERENCES")
    if override:
        return Path(override)
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / "preferences.json"


class Preferences:
    """The remembered choices for one database: ``get``/``set`` by a dotted key.

    Keys are named by who reads them, e.g. ``identity.person``, ``app.theme``,
    ``review.filters``, ``documents.folder``. Values are JSON (str, number, bool, list, dict).
    """

    def __init__(self, db_path: Path, path: Path | None = None) -> None:
        self.path = path or preferences_path()
        self.scope = str(Path(db_path).resolve())

    def _read_all(self) -> dict[str, Any]:
        try:
            if self.path.stat().st_size > MAX_BYTES:
                return {}
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str, default: Any = None) -> Any:
        """The remembered value of ``key`` for this database, else ``default``."""
        scoped = self._read_all().get(self.scope)
        if not isinstance(scoped, dict):
            return default
        return scoped.get(key, default)

    def set(self, key: str, value: Any) -> None:
        """Remember ``value`` under ``key`` (``None`` forgets it); written at once.

        A preferences file that cannot be written is not an error the user must act on:
        the choice simply is not remembered (returns quietly).
        """
        data = self._read_all()
        scoped = data.get(self.scope)
        scoped = dict(scoped) if isinstance(scoped, dict) else {}
        if value is None:
            scoped.pop(key, None)
        else:
            scoped[key] = value
        data[self.scope] = scoped
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".preferences-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1)
            os.replace(temp, self.path)
        except OSError:
            return
