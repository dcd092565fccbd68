"""整改回复 dialog: what was done, the date, evidence photos (paths, ';'-separated)."""

from __future__ import annotations

from datetime import date

from pqm_tui.i18n import Translator
from pqm_tui.screens.form_dialog import FormDialog, FormField


class ReplyDialog(FormDialog):
    """Record the project's rectification reply for the selected items."""

    def __init__(self, tr: Translator, today: date, count: int) -> None:
        super().__init__(
            tr("review.reply.title", count=count),
            [
                FormField("done", tr("review.reply.done")),
                FormField("date", tr("review.reply.date"), "date", today.isoformat()),
                FormField(
                    "photos",
                    tr("review.reply.photos"),
                    required=False,
                    placeholder=tr("review.reply.photos_hint"),
                ),
            ],
            tr("review.reply.hint"),
        )
