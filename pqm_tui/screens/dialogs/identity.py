"""Who are you (选择身份): the active people, filtered as you type; Enter chooses.

Shown on start when the app does not know who acts, and from the palette (切换用户).
Returns the chosen person's id, or None (Esc: nobody new chosen).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pqm_tui.model import organisation
from pqm_tui.model.entities import Person
from pqm_tui.model.identity import active_people
from pqm_tui.screens.base import PQMModal
from pqm_tui.widgets.footer import binding


class IdentityDialog(PQMModal[str | None]):
    """Type to filter by name, title or project; ↑/↓ choose; Enter confirms."""

    BINDINGS = [
        binding("escape", "cancel", "keys.panel.cancel", "identity.cancel"),
        Binding("down", "move(1)", show=False, id="identity.down", priority=True),
        Binding("up", "move(-1)", show=False, id="identity.up", priority=True),
    ]

    def __init__(self, notice: str = "") -> None:
        super().__init__()
        self.notice = notice

    def compose(self) -> ComposeResult:
        tr = self.tr
        db = self.pqm.db
        projects = {p.id: p.name for p in organisation.list_projects(db)}
        self.people: list[tuple[Person, str]] = [
            (p, f"{p.name} {p.role} {projects.get(p.project_id or '', '')}".lower())
            for p in active_people(db)
        ]
        self.projects = projects
        with Vertical(classes="dialog wide"):
            yield Static(tr("identity.title"), classes="dialog-title")
            yield Static(self.notice or tr("identity.hint"), classes="dialog-hint")
            yield Input(id="who", compact=True, placeholder=tr("identity.filter"))
            people = OptionList(id="people")
            people.can_focus = False  # ↑/↓ move it from the filter: typing is never lost
            yield people
            yield Static("", id="error", classes="dialog-error")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#who", Input).focus()

    def _fill(self, text: str) -> None:
        people = self.query_one("#people", OptionList)
        people.clear_options()
        words = text.lower().split()
        for person, haystack in self.people:
            if all(w in haystack for w in words):
                where = self.projects.get(person.project_id or "", "")
                label = f"{person.name}  {person.role}" + (f"  · {where}" if where else "")
                people.add_option(Option(label, id=person.id))
        if people.option_count:
            people.highlighted = 0
        none = self.tr("identity.none") if not people.option_count else ""
        self.query_one("#error", Static).update(none)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        people = self.query_one("#people", OptionList)
        if people.highlighted is not None:
            self.dismiss(people.get_option_at_index(people.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        people = self.query_one("#people", OptionList)
        if people.option_count:
            current = people.highlighted or 0
            people.highlighted = max(0, min(people.option_count - 1, current + step))

    def action_cancel(self) -> None:
        self.dismiss(None)
