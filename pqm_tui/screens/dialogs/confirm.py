"""A yes/no question (确认) as a modal dialog."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from pqm_tui.screens.base import PQMModal
from pqm_tui.widgets.footer import binding


class ConfirmDialog(PQMModal[bool]):
    """Ask a question; y / Enter = yes, n / Escape = no."""

    BINDINGS = [
        binding("y,enter", "answer(True)", "keys.confirm.yes", "confirm.yes"),
        binding("n,escape", "answer(False)", "keys.confirm.no", "confirm.no"),
    ]

    def __init__(self, question: str, hint: str = "") -> None:
        super().__init__()
        self.question = question
        self.hint = hint

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-title")
            if self.hint:
                yield Static(self.hint, classes="dialog-hint")
            yield Static(tr("walk.confirm.keys"), classes="dialog-keys")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
