"""Sign-off form (签字确认): the inspectors confirm, the project's receiver is named."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, SelectionList, Static

from pqm_tui.model.entities import Person


@dataclass(frozen=True)
class SignOffForm:
    """What the dialog returns: the receiver (接收人) and his role."""

    receiver_name: str
    receiver_role: str


class SignOffDialog(ModalScreen[SignOffForm | None]):
    """Tick every inspector (space), name the receiver, ctrl+s signs."""

    BINDINGS = [
        Binding("ctrl+s", "save", "keys.signoff.sign", id="signoff.sign", priority=True),
        Binding("escape", "cancel", "keys.panel.cancel", id="signoff.cancel"),
    ]

    def __init__(self, inspectors: list[Person], people: list[Person], failures: int) -> None:
        super().__init__()
        self.inspectors = inspectors
        self.people = {p.name: p for p in people}
        self.failures = failures

    def compose(self) -> ComposeResult:
        tr = self.app.tr  # type: ignore[attr-defined]
        with Vertical(classes="dialog wide"):
            yield Static(tr("walk.signoff.title"), classes="dialog-title")
            yield Static(tr("walk.signoff.inspectors"))
            yield SelectionList[str](
                *((f"{p.name}（{p.role}）", p.id) for p in self.inspectors), id="inspectors"
            )
            with Grid(classes="form"):
                yield Static(tr("walk.signoff.receiver"))
                yield Input(
                    id="receiver",
                    compact=True,
                    suggester=SuggestFromList(list(self.people), case_sensitive=False),
                    placeholder=tr("walk.signoff.receiver_hint"),
                )
                yield Static(tr("walk.signoff.role"))
                yield Input(id="role", compact=True)
            yield Static(tr("walk.signoff.effect", failures=self.failures), classes="dialog-hint")
            yield Static("", id="error", classes="dialog-error")
            yield Static(tr("walk.signoff.keys"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#inspectors", SelectionList).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "receiver" and event.value.strip() in self.people:
            self.query_one("#role", Input).value = self.people[event.value.strip()].role

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "receiver":
            self.query_one("#role", Input).focus()
        else:
            self.action_save()

    def action_save(self) -> None:
        tr = self.app.tr  # type: ignore[attr-defined]
        ticked = set(self.query_one("#inspectors", SelectionList).selected)
        missing = [p.name for p in self.inspectors if p.id not in ticked]
        error = self.query_one("#error", Static)
        if missing:
            error.update(tr("walk.signoff.unconfirmed", names="、".join(missing)))
            self.query_one("#inspectors", SelectionList).focus()
            return
        name = self.query_one("#receiver", Input).value.strip()
        if not name:
            error.update(tr("walk.signoff.no_receiver"))
            self.query_one("#receiver", Input).focus()
            return
        self.dismiss(SignOffForm(name, self.query_one("#role", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
