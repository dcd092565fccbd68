"""Decision dialog: approve/uphold or reject the pending extension or appeal."""

from __future__ import annotations

from collections.abc import Callable

from pqm_tui.i18n import Translator
from pqm_tui.screens.dialogs.form import FormDialog, FormField


class DecideDialog(FormDialog):
    """Decide pending requests; an approved extension may get another date than asked.

    The words follow what is pending (批准延期 / 申诉成立), the new-deadline field
    is there only for extension requests, and ``request`` (the project's request,
    when one item is decided) is shown so the decision is not taken blind. The decider
    types his sign-off PIN (签字密码); ``check_pin`` refuses a wrong one and the form
    stays open with what was typed, the PIN emptied.
    """

    def __init__(
        self,
        tr: Translator,
        extensions: int,
        appeals: int,
        request: str = "",
        *,
        decider: str = "",
        check_pin: Callable[[str], object] | None = None,
    ) -> None:
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
        fields.append(
            FormField(
                "pin",
                tr("review.decide.pin"),
                "password",
                placeholder=tr("review.decide.pin_of", person=decider),
            )
        )
        super().__init__(
            tr("review.decide.title", extensions=extensions, appeals=appeals),
            fields,
            "\n".join(hints),
            save=(lambda values: check_pin(values["pin"])) if check_pin else None,
        )
