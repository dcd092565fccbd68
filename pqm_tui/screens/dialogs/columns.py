"""选择列: which of the review's columns to show (the choice is remembered by the review)."""

from __future__ import annotations

from textual.widgets import SelectionList

from pqm_tui.i18n import Translator
from pqm_tui.screens.dialogs.form import FormDialog, FormField


class ColumnsDialog(FormDialog):
    """Tick the columns to show; dismisses with ``{"columns": "a,b,…"}`` or None."""

    def __init__(self, tr: Translator, choices: tuple[tuple[str, str], ...], shown: str) -> None:
        field = FormField("columns", tr("review.columns.label"), "many", shown, False, choices)
        super().__init__(tr("review.columns.title"), [field])

    def on_mount(self) -> None:
        super().on_mount()
        # every column in sight (a form keeps its lists short)
        self.query_one(SelectionList).styles.max_height = len(self.fields[0].choices) + 2
