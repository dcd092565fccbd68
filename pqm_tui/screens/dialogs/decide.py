"""Decision dialog: approve/uphold or reject the pending extension or appeal."""

from __future__ import annotations

from pqm_tui.i18n import Translator
from pqm_tui.screens.dialogs.form import FormDialog, FormField


class DecideDialog(FormDialog):
    """Decide pending requests; an approved extension may get another date than asked.

    The words follow what is pending (批准延期 / 申诉成立), the new-deadline field
    is there only for extension requests, and ``request`` (the project's request,
    when one item is decided) is shown so the decision is not taken blind.
    """

    def __init__(self, tr: Translator, extensions: int, appeals: int, request: str = "") -> None:
        if extensions and not appeals:
            approve = tr("review.decide.approve_extension")
        elif appeals and not extensions:
            approve = tr("review.decide.uphold")
        else:
            approve = tr("review.decide.approve")
        fields = [
            FormField(
                "decision",
                tr("review.decide.decision"),
                "choice",
                "approve",
                choices=(("approve", approve), ("reject", tr("review.decide.reject"))),
            ),
            FormField("reason", tr("review.decide.reason")),
        ]
        hints = [request] if request else []
        if extensions:
            fields.append(
                FormField("deadline", tr("review.decide.new_deadline"), "date", required=False)
            )
            hints.append(tr("review.decide.hint_extension"))
        if appeals:
            hints.append(tr("review.decide.hint"))
        super().__init__(
            tr("review.decide.title", extensions=extensions, appeals=appeals),
            fields,
            "\n".join(hints),
        )
