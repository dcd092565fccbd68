"""Quitting or closing a form still typed in (未保存的填写): save, discard or stay."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from pqm_tui.screens.base import PQMModal
from pqm_tui.widgets.footer import binding


class QuitDialog(PQMModal[str]):
    """Asks what to do with what was typed: ``save``, ``discard`` (and quit) or ``stay``."""

    BINDINGS = [
        binding("s", "choose('save')", "keys.quit.save", "quit.save"),
        binding("d", "choose('discard')", "keys.quit.discard", "quit.discard"),
        binding("escape", "choose('stay')", "keys.quit.stay", "quit.stay"),
    ]

    def __init__(self, what: str, *, closing: bool = False) -> None:
        """``closing``: the form itself is being closed (Esc), not the app."""
        super().__init__()
        self.what = what
        self.closing = closing

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="dialog"):
            asked = "walk.quit.close_" if self.closing else "walk.quit."
            yield Static(tr(asked + "question", what=self.what), classes="dialog-title")
            yield Static(tr(asked + "keys"), classes="dialog-keys")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
