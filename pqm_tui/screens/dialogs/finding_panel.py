"""The finding panel (不合格记录): occurrences, deduction, note, who, severity, photos.

Returns a ``FailureDetails`` or None (cancelled). The deduction follows the
item's rule as occurrences change until the inspector types one himself; it
is refused above the item's remaining cap (deductions of other areas count).
Photos are copied into the media store as soon as they are named, so a bad
path is reported at once and nothing is recorded for it. The note (说明) has
the focus when the panel opens, new or edited: it is what is typed most.

A walk builds its panel once and reuses it (``fill`` then push; it stays
installed): composing and styling a dozen fields on every ``f`` was most of the
time before the panel showed.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Input, Select, Static

from pqm_tui.model.entities import Item, Severity
from pqm_tui.model.errors import RuleError
from pqm_tui.screens.base import PQMModal
from pqm_tui.screens.dialogs.photos import PhotoListDialog
from pqm_tui.screens.dialogs.quit import QuitDialog
from pqm_tui.services import photos
from pqm_tui.services.points import format_points, parse_points
from pqm_tui.services.responsible_choices import ResponsibleChoices
from pqm_tui.services.scoring import rule_deduction
from pqm_tui.services.walk_session import FailureDetails
from pqm_tui.widgets.field_select import FieldSelect
from pqm_tui.widgets.footer import binding
from pqm_tui.widgets.path_suggester import PathSuggester
from pqm_tui.widgets.typing_guard import KeepTyping, fast_tab


class FindingPanel(KeepTyping, PQMModal[FailureDetails | None]):
    """Details of a failed item; Enter (in any field but the photo) or ctrl+s saves, Escape cancels
    (asking first when something was typed).

    Text typed on the severity (a Select) goes to the note rather than being lost.
    """

    TYPING_TARGET = "#note"
    AUTO_FOCUS = "#note"  # from the first moment: keys typed as it opens land in the note

    # opaque, unlike the other dialogs: drawing the walk dimmed beneath it on every
    # refresh cost ~10 ms of each `f` in a 500-item area (bench/walk.py; goal p95 ≤ 50 ms)
    DEFAULT_CSS = """
    FindingPanel {
        background: $background;
    }
    """
    BINDINGS = [
        binding("ctrl+s", "save", "keys.panel.save", "panel.save", priority=True),
        binding("escape", "cancel", "keys.panel.cancel", "panel.cancel"),
        binding("ctrl+r", "repeat_note", "keys.panel.repeat_note", "panel.repeat_note"),
        binding("ctrl+o", "import_folder", "keys.panel.import", "panel.import"),
        binding("ctrl+t", "photos", "keys.panel.photos", "panel.photos"),
        Binding("down", "app.focus_next", show=False, id="panel.next_field"),
        Binding("up", "app.focus_previous", show=False, id="panel.previous_field"),
        *fast_tab("panel.tab"),
    ]

    def __init__(
        self,
        db_path: Path,
        choices: ResponsibleChoices,
        attached_photos: Callable[[], dict[str, str]],
    ) -> None:
        """The panel of one walk: ``db_path`` says where photos are stored, ``choices`` the
        departments and people a failure may be put on, ``attached_photos`` the photos on
        the inspection's findings (id → SHA-256; a folder import leaves those out). ``fill``
        says what it is about before each push."""
        super().__init__()
        self.db_path = db_path
        self.choices = choices
        self.attached_photos = attached_photos
        self._lines: dict[str, str] = {}  # the text of each line as last drawn
        self._styled_for: str | None = None  # the theme its styles were worked out for

    def fill(
        self,
        item: Item,
        area_name: str,
        details: FailureDetails,
        cap: Decimal,
        used_elsewhere: Decimal,
        *,
        last_note: str = "",
        existing_photos: int = 0,
        saved_photos: list[photos.PhotoRef] | None = None,
    ) -> None:
        """Make the panel about ``item`` in ``area_name``, its fields pre-filled with
        ``details``: everything typed or chosen the last time it was open is gone."""
        self.item = item
        self.area_name = area_name
        self.details = details
        self.cap = cap
        self.used_elsewhere = used_elsewhere
        self.last_note = last_note
        self.saved_photos = list(saved_photos or [])  # already attached (with their row ids)
        self.existing_photos = len(self.saved_photos) if saved_photos else existing_photos
        self.removed_photos: list[str] = []  # ids of saved photos to take off when saved
        self.deduction_typed = False
        self.photo_warned = False
        self.over_cap_said = False  # the line says the deduction typed is above the cap
        self.stored: list[photos.StoredPhoto] = list(details.photos)
        self.kept = (details.department, details.responsible_person)  # the finding's own
        self.refused = ""  # the field whose name the error line refuses, if any
        self.import_marks: dict[Path, float] = {}  # remembered only when saved
        self.opened_with: tuple[object, ...] = ()  # the fields as the panel opened
        if self.is_mounted:
            self._show()

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="dialog wide"):
            yield Static("", id="title", classes="dialog-title")
            yield Static("", id="rule", classes="dialog-hint")
            with Grid(classes="form"):
                yield Static(tr("walk.panel.occurrences"))
                yield Input(id="occurrences", type="integer", compact=True)
                yield Static(tr("walk.panel.deduction"))
                yield Input(id="deduction", type="number", compact=True)
                yield Static(tr("walk.panel.note"))
                yield Input(
                    id="note",
                    compact=True,
                    placeholder=tr("walk.panel.note_hint"),
                    select_on_focus=False,  # editing adds to the note, never replaces it
                )
                yield Static(tr("walk.panel.location"))
                yield Input(id="location", compact=True)
                yield Static(tr("walk.panel.department"))
                yield Input(
                    id="department",
                    compact=True,
                    placeholder=tr("walk.panel.choice_hint"),
                    suggester=SuggestFromList(self.choices.departments, case_sensitive=False),
                )
                yield Static(tr("walk.panel.person"))
                yield Input(
                    id="person",
                    compact=True,
                    placeholder=tr("walk.panel.choice_hint"),
                    suggester=SuggestFromList(self.choices.people, case_sensitive=False),
                )
                yield Static(tr("walk.panel.severity"))
                yield FieldSelect(
                    [(tr.enum(s), s) for s in Severity],
                    value=Severity.NORMAL,  # the item's, from _show
                    allow_blank=False,
                    id="severity",
                    compact=True,
                )
                yield Static(tr("walk.panel.photo"))
                yield Input(
                    id="photo",
                    compact=True,
                    suggester=PathSuggester(),
                    placeholder=tr("walk.panel.photo_hint"),
                )
            yield Static("", id="photos", classes="dialog-hint")
            yield Static("", id="error", classes="dialog-error")
            yield Static(tr("walk.panel.keys"), classes="dialog-keys")

    def on_mount(self) -> None:
        self._show()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Shown again: Textual works out the styles of every widget of a pushed screen
        anew (a third of the time to show the panel); here only after a change of theme."""
        if self._styled_for == self.app.theme:
            event.refresh_styles = False
        self._styled_for = self.app.theme

    def _show(self) -> None:
        """Put the item's title, rule and pre-filled values in the widgets; the note has the
        focus, its cursor at the end (a value set here is no typing: no Changed events)."""
        tr, d = self.tr, self.details
        self._line("#title", tr("walk.panel.title", code=self.item.code, area=self.area_name))
        rule = tr(
            "walk.panel.rule",
            points=format_points(self.item.points),
            per=format_points(self.item.per_occurrence),
            cap=format_points(self.cap),
            used=format_points(self.used_elsewhere),
        )
        self._line("#rule", rule)
        values = {
            "occurrences": str(d.occurrences),
            "deduction": format_points(d.deduction),
            "note": d.note,
            "location": d.location,
            "department": d.department,
            "person": d.responsible_person,
            "photo": "",
        }
        with self.prevent(Input.Changed, Select.Changed):
            for field in self.query(Input):
                field.value = values[field.id or ""]
                field.cursor_position = len(field.value)
            self.query_one("#severity", Select).value = d.severity
        self._line("#photos", self._photo_line())
        self._error("")
        self.query_one("#note", Input).focus()
        self.opened_with = self._typed()

    def _typed(self) -> tuple[object, ...]:
        """What the inspector can change here: the fields and the photos."""
        fields = tuple(w.value for w in self.query(Input))
        chosen = (len(self.stored), len(self.removed_photos))
        return (*fields, self.query_one("#severity", Select).value, *chosen)

    def unsaved_typing(self) -> str:
        """The panel holds typing when a field or the photos changed since it opened."""
        if not self.is_mounted or self._typed() == self.opened_with:
            return ""
        return self.tr("walk.quit.finding", code=self.item.code)

    def save_typing(self) -> None:
        self.action_save()

    def _photo_line(self) -> str:
        names = "、".join(p.original_name for p in self.stored) or self.tr("common.none")
        count = self.existing_photos - len(self.removed_photos) + len(self.stored)
        line = self.tr("walk.panel.photos", count=count)
        line += f"  {names}" if self.stored else ""
        if self.item.photo_required:
            line += "  " + self.tr("walk.panel.photo_required")
        return line

    def _line(self, selector: str, text: str) -> None:
        """Draw a line of the panel (title, rule, photos, error) when its text changed:
        each change lays the panel out again."""
        if self._lines.get(selector) != text:
            self._lines[selector] = text
            self.query_one(selector, Static).update(text)

    def _error(self, message: str) -> None:
        self._line("#error", message)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "deduction" and event.input.has_focus:
            self.deduction_typed = True
            self._check_deduction(event.value)
        if event.input.id == "occurrences" and not self.deduction_typed:
            try:
                count = int(event.value)
            except ValueError:
                return
            value = min(rule_deduction(self.item, max(count, 0)), self.cap)
            self.query_one("#deduction", Input).value = format_points(value)

    def _check_deduction(self, text: str) -> None:
        """As it is typed: a deduction above the item's remaining cap is said at once."""
        deduction = parse_points(text or "")
        over = deduction is not None and deduction > self.cap
        if over and deduction is not None:
            self._error(self._over_cap(deduction))
            self.over_cap_said = True
        elif self.over_cap_said:
            self._error("")
            self.over_cap_said = False

    def _over_cap(self, deduction: Decimal) -> str:
        return self.tr(
            "walk.panel.over_cap",
            value=format_points(deduction),
            cap=format_points(self.cap),
            points=format_points(self.item.points),
            used=format_points(self.used_elsewhere),
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "photo" and event.value.strip():
            self._add_photo(event.value)
        else:  # Enter in an empty photo field saves too (after the missing-photo warning)
            self.action_save()

    def _add_photo(self, text: str) -> None:
        if not text.strip():
            return
        path = Path(text.strip()).expanduser()
        if path.is_dir():
            self._import(path)
            return
        try:
            self.stored.append(photos.store_photo(self.db_path, path))
        except photos.PhotoError as exc:
            self._error(self._photo_error(exc))
            return
        self.query_one("#photo", Input).value = ""
        self._error("")
        self._line("#photos", self._photo_line())

    def _import(self, folder: Path) -> None:
        """The folder's new photos, less those already on a finding of this inspection
        (or already chosen here): the same picture, whatever its file name."""
        attached = self.attached_photos()
        used = {sha for photo_id, sha in attached.items() if photo_id not in self.removed_photos}
        used.update(p.sha256 for p in self.stored)
        try:
            stored, problems, mark, left_out = photos.import_folder(
                self.db_path, folder, remember=False, leave_out=used
            )
        except photos.PhotoError as exc:
            self._error(self._photo_error(exc))
            return
        self.stored.extend(stored)
        if mark is not None:
            self.import_marks[folder] = mark
        self.query_one("#photo", Input).value = ""  # done: saving must not import again
        self._line("#photos", self._photo_line())
        message = self.tr("walk.panel.imported", count=len(stored), folder=folder)
        if left_out:
            message += self.tr("walk.panel.left_out", count=left_out)
        if problems:
            message += "\n" + "\n".join(self._photo_error(p) for p in problems[:3])
        self._error(message)

    def _refuse(self, selector: str, exc: RuleError) -> None:
        """A name the organisation does not have: said, and its field has the focus."""
        self._error(self.tr.error(exc))
        self.refused = selector
        self.query_one(selector, Input).focus()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """Leaving the department or person field completes a name typed by its start
        (what is saved is what is seen; a refusal of it is then taken back); a wrong name
        is said only when saving."""
        field = event.widget
        if not isinstance(field, Input) or field.id not in ("department", "person"):
            return
        choose = self.choices.department if field.id == "department" else self.choices.person
        kept = self.kept[0] if field.id == "department" else self.kept[1]
        try:
            field.value = choose(field.value, kept=kept)
        except RuleError:
            return
        if self.refused == f"#{field.id}":
            self.refused = ""
            self._error("")

    def _photo_error(self, exc: photos.PhotoError) -> str:
        return str(self.tr.error(exc))

    def action_import_folder(self) -> None:
        text = self.query_one("#photo", Input).value.strip()
        if not text:
            self._error(self.tr("walk.panel.folder_needed"))
            return
        folder = Path(text).expanduser()
        self._import(folder if folder.is_dir() else folder.parent)

    def action_photos(self) -> None:
        """ctrl+t: the finding's photos, to see in the system viewer or take off (x)."""
        tr = self.tr
        kept = [p for p in self.saved_photos if p.photo_id not in self.removed_photos]
        entries = [(tr("walk.photos.finding", name=p.name), p.path) for p in kept]
        entries += [
            (tr("walk.photos.new", name=p.original_name), p.stored_path) for p in self.stored
        ]
        if not entries:
            self._error(tr("walk.photos.none"))
            return

        def removed(indexes: list[int] | None) -> None:
            for index in sorted(indexes or [], reverse=True):
                if index < len(kept):
                    self.removed_photos.append(kept[index].photo_id)
                else:
                    del self.stored[index - len(kept)]
            self._line("#photos", self._photo_line())

        title = tr("walk.photos.title", code=self.item.code)
        self.app.push_screen(PhotoListDialog(title, entries, removable=True), removed)

    def action_repeat_note(self) -> None:
        if self.last_note:
            note = self.query_one("#note", Input)
            note.value = self.last_note
            note.cursor_position = len(note.value)

    def action_cancel(self) -> None:
        """Esc: closes at once when nothing was typed, else asks (save / discard / stay)."""
        what = self.unsaved_typing()
        if not what:
            self.dismiss(None)
            return

        def chosen(choice: str | None) -> None:
            if choice == "save":
                self.action_save()  # a refusal keeps the panel open with its reason
            elif choice == "discard":
                self.dismiss(None)

        self.app.push_screen(QuitDialog(what, closing=True), chosen)

    def action_save(self) -> None:
        tr = self.tr
        values = {w.id: w.value for w in self.query(Input)}
        try:
            occurrences = int(values["occurrences"] or "0")
        except ValueError:
            occurrences = 0
        if occurrences < 1:
            self._error(tr("walk.panel.bad_occurrences", value=values["occurrences"]))
            self.query_one("#occurrences", Input).focus()
            return
        deduction = parse_points(values["deduction"] or "")
        if deduction is None or deduction < 0:
            self._error(tr("walk.panel.bad_deduction", value=values["deduction"]))
            self.query_one("#deduction", Input).focus()
            return
        if deduction > self.cap:
            self._error(self._over_cap(deduction))
            self.query_one("#deduction", Input).focus()
            return
        try:
            department = self.choices.department(values["department"], kept=self.kept[0])
        except RuleError as exc:
            self._refuse("#department", exc)
            return
        try:
            person = self.choices.person(values["person"], kept=self.kept[1])
        except RuleError as exc:
            self._refuse("#person", exc)
            return
        if values["photo"].strip():
            self._add_photo(values["photo"])
            if self.query_one("#photo", Input).value:
                return  # the path was refused; the message is shown
        left = self.existing_photos - len(self.removed_photos)
        missing = self.item.photo_required and not (self.stored or left)
        if missing and not self.photo_warned:
            self.photo_warned = True
            self._error(tr("walk.panel.photo_missing"))
            self.query_one("#photo", Input).focus()
            return
        severity = self.query_one("#severity", Select).value
        for folder, mark in self.import_marks.items():
            photos.remember_import(self.db_path, folder, mark)
        self.dismiss(
            FailureDetails(
                occurrences,
                deduction,
                values["note"],
                severity if isinstance(severity, Severity) else self.details.severity,
                department,
                person,
                values["location"],
                list(self.stored),
                list(self.removed_photos),
            )
        )
