"""整改回复 dialog: what was done, the date, evidence photos (paths, ';'-separated).

The date is checked as it is typed (not after today, not before the problem was
recorded: ``earliest``, from ``rectification.earliest_reply``); the photos are copied
into the media store when the form is saved; a missing or unreadable file is
said under its field, and the form stays open with what was typed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pqm_tui.i18n import Translator
from pqm_tui.screens.dialogs.form import FormDialog, FormField
from pqm_tui.services import photos


class ReplyDialog(FormDialog):
    """Record the project's rectification reply for the selected items."""

    def __init__(
        self,
        tr: Translator,
        today: date,
        count: int,
        db_path: Path | None,
        earliest: date | None = None,
    ) -> None:
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
        self.db_path = db_path
        self.today = today
        self.earliest = earliest
        self.evidence: list[photos.StoredPhoto] = []  # the stored photos, once saved

    def field_problem(self, name: str, values: dict[str, str]) -> str | None:
        """A bad date, a date after today (a reply reports what was already done) or before
        the problem was recorded."""
        problem = super().field_problem(name, values)
        if problem or name != "date" or not values["date"]:
            return problem
        when = date.fromisoformat(values["date"])
        if when > self.today:
            return str(self.tr("review.err.future_date", date=when.isoformat()))
        if self.earliest is not None and when < self.earliest:
            return str(
                self.tr(
                    "review.err.reply_too_early",
                    date=when.isoformat(),
                    earliest=self.earliest.isoformat(),
                )
            )
        return None

    def problem(self, values: dict[str, str]) -> tuple[str, str] | None:
        """The form's checks, then every photo stored (or the first that cannot be)."""
        problem = super().problem(values)
        text = values["photos"].replace("；", ";")
        paths = [p.strip() for p in text.split(";") if p.strip()]
        if problem or not paths:
            return problem
        tr = self.tr
        if self.db_path is None:
            return "photos", str(tr("review.reply.no_store"))
        try:
            self.evidence = [photos.store_photo(self.db_path, path) for path in paths]
        except photos.PhotoError as exc:
            return "photos", str(tr.error(exc))
        return None
