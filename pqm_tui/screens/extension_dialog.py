"""延期申请 dialog: reason, remedial measures and the proposed new date."""

from __future__ import annotations

from datetime import date

from pqm_tui.i18n import Translator
from pqm_tui.screens.form_dialog import FormDialog, FormField


class ExtensionDialog(FormDialog):
    """Ask, in writing and before the deadline, for more time."""

    def __init__(self, tr: Translator, proposed: date, count: int) -> None:
        super().__init__(
            tr("review.extension.title", count=count),
            [
                FormField("reason", tr("review.extension.reason")),
                FormField("measures", tr("review.extension.measures")),
                FormField(
                    "proposed", tr("review.extension.proposed"), "date", proposed.isoformat()
                ),
            ],
            tr("review.extension.hint"),
        )
