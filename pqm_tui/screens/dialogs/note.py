"""Supervision-log note (品质监督记录): kind and free text, returned as a pair."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.widgets import Select, Static, TextArea

from pqm_tui.model.entities import NoteKind
from pqm_tui.screens.base import PQMModal
from pqm_tui.widgets.footer import binding
from pqm_tui.widgets.typing_guard import KeepTyping


class NoteText(TextArea):
    """A few wrapped lines for a sentence or two; Enter saves (a note is one paragraph)."""

    DEFAULT_CSS = """
    NoteText {
        height: 4;  /* a sentence of Chinese visible at once, wrapped */
    }
    """
    BINDINGS = [Binding("enter", "screen.save", show=False, id="note.enter_saves", priority=True)]


class NoteDialog(KeepTyping, PQMModal[tuple[NoteKind, str] | None]):
    """Choose the kind, type the note; Enter saves, Escape cancels.

    Tab moves between the kind and the text; text typed on the kind goes to the text.
    """

    AUTO_FOCUS = "#text"  # from the first moment: keys typed as it opens land in the text

    BINDINGS = [
        binding("ctrl+s", "save", "keys.panel.save", "note.save", priority=True),
        binding("escape", "cancel", "keys.panel.cancel", "note.cancel"),
    ]

    def __init__(self, area_name: str) -> None:
        super().__init__()
        self.area_name = area_name

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="dialog wide"):
            yield Static(tr("walk.note.title", area=self.area_name), classes="dialog-title")
            with Grid(classes="form"):
                yield Static(tr("walk.note.kind"))
                yield Select(
                    [(tr.enum(k), k) for k in NoteKind],
                    value=NoteKind.DIFFICULTY,
                    allow_blank=False,
                    id="kind",
                    compact=True,
                )
            yield Static(tr("walk.note.text"))  # the text below, full width: a sentence shows
            yield NoteText(id="text", soft_wrap=True, compact=True, tab_behavior="focus")
            yield Static("", id="error", classes="dialog-error")
            yield Static(tr("walk.note.keys"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#text", TextArea).focus()

    def unsaved_typing(self) -> str:
        if not self.is_mounted or not self.query_one("#text", TextArea).text.strip():
            return ""
        return self.tr("walk.quit.note")

    def save_typing(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        text = " ".join(self.query_one("#text", TextArea).text.split("\n")).strip()
        if not text:
            self.query_one("#error", Static).update(self.tr("walk.note.empty"))
            return
        kind = self.query_one("#kind", Select).value
        self.dismiss((kind if isinstance(kind, NoteKind) else NoteKind.DIFFICULTY, text))

    def action_cancel(self) -> None:
        self.dismiss(None)
