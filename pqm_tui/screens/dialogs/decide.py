"""Decision dialog: approve/uphold or reject the pending extension or appeal."""

from __future__ import annotations

from collections.abc import Callable

from pqm_tui.i18n import Translator
from pqm_tui.screens.dialogs.form import FormDialog, FormField


class DecideDialog(FormDialog):
    """Decide pending requests; an approved extension may get another date than asked.

    The words follow what is pending (批准延期 / 申诉初审 / 申诉终审), the new-deadline field
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
        finals: int = 0,
        decider: str = "",
        check_pin: Callable[[str], object] | None = None,
    ) -> None:
        """``appeals`` pending appeals, ``finals`` of them with their first review (the
        rest wait for it): the hint says what this step does — a first review (初审)
        records an opinion and goes on to the city general manager's final decision
        (终审), which alone voids a finding."""
        reviews = appeals - finals
        if extensions and not appeals:
            approve = tr("review.decide.approve_extension")
        elif appeals and not extensions:
            approve = tr("review.decide.uphold")
        else:
            approve = tr("review.decide.approve")
        fields = [
            FormField(
                "decision",
                tr("review.decide.review_opinion" if reviews and not finals and not extensions
                   else "review.decide.decision"),
                "choice",
                "approve",
                choices=(("approve", approve), ("reject", tr("review.decide.reject"))),
            ),
            FormField("reason", tr("review.decide.reason")),
        ]  # fmt: skip
        hints = [request] if request else []
        if extensions:
            fields.append(
                FormField("deadline", tr("review.decide.new_deadline"), "date", required=False)
            )
            hints.append(tr("review.decide.hint_extension"))
        if reviews:
            hints.append(tr("review.decide.hint_review"))
        if finals:
            hints.append(tr("review.decide.hint"))
        fields.append(
            FormField(
                "pin",
                tr("review.decide.pin"),
                "password",
                placeholder=tr("review.decide.pin_of", person=decider),
            )
        )
        parts = [
            tr(f"review.decide.{kind}", count=n)
            for kind, n in (("extensions", extensions), ("reviews", reviews), ("finals", finals))
            if n
        ]
        super().__init__(
            tr("review.decide.title", what=" · ".join(parts)),
            fields,
            "\n".join(hints),
            save=(lambda values: check_pin(values["pin"])) if check_pin else None,
        )
