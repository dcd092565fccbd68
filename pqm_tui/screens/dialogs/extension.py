"""延期申请 dialog: reason, remedial measures and the proposed new date."""

from __future__ import annotations

from datetime import date

from pqm_tui.i18n import Translator
from pqm_tui.screens.dialogs.form import FormDialog, FormField


class ExtensionDialog(FormDialog):
    """Ask, in writing and before the deadline, for more time.

    ``deadline`` is the current deadline (the latest of the selected items): the
    date asked must come after it, checked here so the typed text is kept.
    """

    def __init__(self, tr: Translator, proposed: date, count: int, deadline: date | None) -> None:
        hint = tr("review.extension.hint")
        if deadline is not None:
            hint += "\n" + tr("review.extension.current", deadline=deadline.isoformat())
        super().__init__(
            tr("review.extension.title", count=count),
            [
                FormField("reason", tr("review.extension.reason")),
                FormField("measures", tr("review.extension.measures")),
                FormField(
                    "proposed", tr("review.extension.proposed"), "date", proposed.isoformat()
                ),
            ],
            hint,
        )
        self.deadline = deadline
        self.translate = tr

    def field_problem(self, name: str, values: dict[str, str]) -> str | None:
        """A bad date, or a date asked that is not after the current deadline."""
        problem = super().field_problem(name, values)
        if problem or name != "proposed" or not values[name] or self.deadline is None:
            return problem
        proposed = date.fromisoformat(values["proposed"])
        if proposed <= self.deadline:
            return self.translate(
                "review.err.extension_date",
                proposed=proposed.isoformat(),
                deadline=self.deadline.isoformat(),
            )
        return None
