"""Help (帮助): every key of the screen underneath, with what it does."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from pqm_tui.screens.base import PQMModal
from pqm_tui.widgets.footer import binding

KEY_WIDTH = 14  # columns of the key column at most; a longer list of keys wraps


def key_list(keys: list[str]) -> str:
    """Keys shown together: ``p / space``; a run of three or more digits as ``1–9``."""
    runs: list[list[str]] = []
    for key in keys:
        last = runs[-1][-1] if runs else ""
        if key.isdigit() and last.isdigit() and int(last) + 1 == int(key):
            runs[-1].append(key)
        else:
            runs.append([key])
    return " / ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else " / ".join(r) for r in runs)


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
        self.rows = self._rows()
        self.call_after_refresh(self._fill)
        self.query_one("#keys", DataTable).focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill)

    def _rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) of the target's bindings: PQM's first, Textual's after."""
        tr = self.tr
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
            rows.append((not ours, key_list(keys), long or tr.key(binding.description)))
        return [(keys, text) for _, keys, text in sorted(rows, key=lambda row: row[0])]

    def _fill(self) -> None:
        """The table at the dialog's width: the key column as wide as its widest entry
        (at most ``KEY_WIDTH``), what a key does in the rest, wrapped, never cut."""
        tr = self.tr
        table = self.query_one("#keys", DataTable)
        key_width = min(KEY_WIDTH, max((cell_len(k) for k, _ in self.rows), default=4))
        padding = 2 * table.cell_padding * 2  # either side of both columns
        width = max(12, table.scrollable_content_region.width - key_width - padding - 2)
        if table.columns and list(table.columns.values())[-1].width == width:
            return
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_column(tr("walk.help.key"), width=key_width)
        table.add_column(tr("walk.help.action"), width=width)
        for keys, text in self.rows:
            table.add_row(Text(keys), Text(text), height=None)
        table.move_cursor(row=cursor)

    def action_close(self) -> None:
        self.dismiss(None)
