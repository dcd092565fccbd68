"""申诉 dialog: the project's grounds for disputing the finding."""

from __future__ import annotations

from pqm_tui.i18n import Translator
from pqm_tui.screens.dialogs.form import FormDialog, FormField


class AppealDialog(FormDialog):
    """File an appeal against the selected findings."""

    def __init__(self, tr: Translator, count: int) -> None:
        super().__init__(
            tr("review.appeal.title", count=count),
            [FormField("grounds", tr("review.appeal.grounds"))],
            tr("review.appeal.hint"),
        )
