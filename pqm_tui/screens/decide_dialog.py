"""Decision dialog: approve/uphold or reject the pending extension or appeal."""

from __future__ import annotations

from pqm_tui.i18n import Translator
from pqm_tui.screens.form_dialog import FormDialog, FormField


class DecideDialog(FormDialog):
    """Decide pending requests; an approved extension may get another date than asked."""

    def __init__(self, tr: Translator, extensions: int, appeals: int) -> None:
        super().__init__(
            tr("review.decide.title", extensions=extensions, appeals=appeals),
            [
                FormField(
                    "decision",
                    tr("review.decide.decision"),
                    "choice",
                    "approve",
                    choices=(
                        ("approve", tr("review.decide.approve")),
                        ("reject", tr("review.decide.reject")),
                    ),
                ),
                FormField("reason", tr("review.decide.reason")),
                FormField("deadline", tr("review.decide.deadline"), "date", required=False),
            ],
            tr("review.decide.hint"),
        )
