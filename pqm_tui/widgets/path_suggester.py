"""Completion of file-system paths for an ``Input`` (照片路径补全)."""

from __future__ import annotations

import os
from pathlib import Path

from textual.suggester import Suggester


class PathSuggester(Suggester):
    """Suggests the first entry of the typed folder that starts with the typed name.

    Folders complete with a trailing ``/`` so the next name can follow.
    """

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        expanded = os.path.expanduser(value)
        folder, _, stem = expanded.rpartition(os.sep)
        base = Path(folder or ("/" if expanded.startswith(os.sep) else "."))
        try:
            names = sorted(
                entry.name
                for entry in os.scandir(base)
                if entry.name.startswith(stem) and not entry.name.startswith(".")
            )
        except OSError:
            return None
        for name in names:
            if name == stem:
                if (base / name).is_dir() and not value.endswith(os.sep):
                    return value + os.sep
                continue
            suffix = name[len(stem) :]
            if (base / name).is_dir():
                suffix += os.sep
            return value + suffix
        return None
