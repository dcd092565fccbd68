"""Help (帮助): every key of the screen underneath, with what it does."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from pqm_tui.screens.base import PQMModal
from pqm_tui.widgets.footer import binding


class HelpScreen(PQMModal[None]):
    """Lists the bindings of ``target`` (the screen the help was asked from)."""

    BINDINGS = [
        binding("escape,question_mark,q", "close", "keys.help.close", "help.close"),
    ]

    def __init__(self, target: Screen[Any]) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="dialog wide tall"):
            yield Static(tr("walk.help.title"), classes="dialog-title")
            yield DataTable(id="keys", cursor_type="row", zebra_stripes=True)
            yield Static(tr("walk.help.footer"), classes="dialog-keys")

    def on_mount(self) -> None:
        tr = self.tr
        table = self.query_one("#keys", DataTable)
        table.add_columns(tr("walk.help.key"), tr("walk.help.action"))
        rows: list[tuple[bool, str, str]] = []
        seen: set[str] = set()
        for active in self.target.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            keys = [
                self.app.get_key_display(other.binding)
                for other in self.target.active_bindings.values()
                if other.binding.description == binding.description
            ]
            ours = binding.description in tr.messages  # PQM's keys first, Textual's after
            # a footer label is short; help may say more (``<id>_help``)
            long = tr.messages.get(f"{binding.description}_help")
            rows.append((not ours, " / ".join(keys), long or tr.key(binding.description)))
        for _, keys_text, description in sorted(rows, key=lambda row: row[0]):
            table.add_row(keys_text, description)
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
