"""更正申请 dialog: which finding (item and area), what is right, and why.

Opened from the summary of a signed inspection on the highlighted failure. The
fields left as they are ("不变", empty) are not changed; ``save`` proposes and may
refuse (unsigned, nothing to change, a wrong value): the form stays open with the
reason and what was typed.
"""

from __future__ import annotations

from collections.abc import Callable

from pqm_tui.i18n import Translator
from pqm_tui.model.entities import Result
from pqm_tui.screens.dialogs.form import FormDialog, FormField

KEEP = "-"  # a choice that leaves the field as it is


class AmendDialog(FormDialog):
    """Propose a correction of one finding of a signed inspection."""

    def __init__(
        self,
        tr: Translator,
        areas: list[tuple[str, str]],
        code: str,
        area_id: str,
        save: Callable[[dict[str, str]], object],
    ) -> None:
        keep = tr("amend.form.keep")
        results = tuple((r.value, tr.enum(r)) for r in Result)
        super().__init__(
            tr("amend.form.title"),
            [
                FormField("item", tr("amend.form.item"), default=code),
                FormField("area", tr("amend.form.area"), "choice", area_id, choices=tuple(areas)),
                FormField(
                    "result",
                    tr("amend.form.result"),
                    "choice",
                    KEEP,
                    False,
                    ((KEEP, keep), *results),
                ),
                FormField("occurrences", tr("amend.form.occurrences"), required=False),
                FormField("note", tr("amend.form.note"), required=False),
                FormField(
                    "move", tr("amend.form.move"), "choice", KEEP, False, ((KEEP, keep), *areas)
                ),
                FormField("reason", tr("amend.form.reason")),
            ],
            tr("amend.form.hint"),
            save,
        )


def wanted(values: dict[str, str]) -> dict[str, str]:
    """The fields to set (``field → value``) from the form's values."""
    fields = {
        "result": values["result"],
        "occurrences": values["occurrences"],
        "note": values["note"],
        "area": values["move"],
    }
    return {k: v for k, v in fields.items() if v and v != KEEP}
