"""Sign-off form (签字确认): the inspectors confirm, the project's receiver is named.

Every inspector types his sign-off PIN (签字密码), checked by ``pins.check_pin``
(wrong tries counted, five lock him for 15 minutes); an inspector without a PIN sets
one here first (typed twice). The receiver types his when he has one. A refused PIN
keeps the form as it is, only that PIN is emptied. PINs are never kept or logged.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Input, SelectionList, Static

from pqm_tui.model.entities import Person
from pqm_tui.model.errors import PQMError
from pqm_tui.screens.base import PQMModal
from pqm_tui.services.pins import check_format, check_pin, set_first_pin
from pqm_tui.widgets.footer import binding
from pqm_tui.widgets.typing_guard import fast_tab


@dataclass(frozen=True)
class SignOffForm:
    """What the dialog returns: the receiver (接收人) and his role."""

    receiver_name: str
    receiver_role: str


class SignOffDialog(PQMModal[SignOffForm | None]):
    """Tick every inspector (space; Enter goes on to the receiver), name the receiver,
    type the PINs (Tab between fields), ctrl+s signs."""

    BINDINGS = [
        binding("ctrl+s", "save", "keys.signoff.sign", "signoff.sign", priority=True),
        binding("escape", "cancel", "keys.panel.cancel", "signoff.cancel"),
        # the list's keys at once (priority): a terminal delivers "space enter 孔静 tab …"
        # in one burst, and a plain binding would act after the focus has moved on
        Binding("enter", "enter", show=False, priority=True, id="signoff.enter"),
        Binding("space", "in_list('select')", show=False, priority=True, id="signoff.tick"),
        Binding("down", "in_list('cursor_down')", show=False, priority=True, id="signoff.down"),
        Binding("up", "in_list('cursor_up')", show=False, priority=True, id="signoff.up"),
        *fast_tab("signoff"),
    ]

    def __init__(
        self,
        inspectors: list[Person],
        people: list[Person],
        effect: str,
        receiver: Person | None = None,
        sign: Callable[[SignOffForm], str | None] | None = None,
    ) -> None:
        """``effect`` says what signing will do (lock, notices, closing …); ``receiver``,
        the project's receiver of notices (通知接收人), fills the receiver when there is one."""
        super().__init__()
        self.inspectors = inspectors
        # managers first: completion offers the likely receiver (项目经理) before others
        ordered = sorted(people, key=lambda p: ("经理" not in p.role, p.name))
        self.people = {p.name: p for p in ordered}
        self.receiver = receiver
        if receiver is not None:
            self.people.setdefault(receiver.name, receiver)
        self.effect = effect
        self.sign = sign  # signs; returns why it was refused (the form then stays open)
        self._filled_role = ""  # the role last filled in from a known receiver
        self.with_pin = [p for p in inspectors if p.pin_hash]
        self.without_pin = [p for p in inspectors if not p.pin_hash]

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="dialog wide"):
            yield Static(tr("walk.signoff.title"), classes="dialog-title")
            yield Static(tr("walk.signoff.inspectors"))
            yield SelectionList[str](
                *((tr("walk.signoff.inspector", name=p.name, role=p.role), p.id)
                  for p in self.inspectors),
                id="inspectors",
            )  # fmt: skip
            yield Static(self._ticked_line(), id="ticked", classes="dialog-hint")
            with Grid(classes="form"):
                yield Static(tr("walk.signoff.receiver"))
                yield Input(
                    self.receiver.name if self.receiver else "",
                    id="receiver",
                    compact=True,
                    suggester=SuggestFromList(list(self.people), case_sensitive=False),
                    placeholder=self._receiver_hint(),
                )
                yield Static(tr("walk.signoff.role"))
                yield Input(self.receiver.role if self.receiver else "", id="role", compact=True)
                for person in self.with_pin:
                    yield Static(person.name)
                    yield Input(
                        id=f"pin-{person.id}",
                        compact=True,
                        password=True,
                        max_length=8,
                        placeholder=tr("walk.signoff.pin", person=person.name),
                    )
                for person in self.without_pin:
                    for field, label in (("new", "walk.signoff.new_pin"), ("again", "")):
                        yield Static(person.name if field == "new" else "")
                        yield Input(
                            id=f"{field}-pin-{person.id}",
                            compact=True,
                            password=True,
                            max_length=8,
                            placeholder=tr(
                                label or "walk.signoff.new_pin_again", person=person.name
                            ),
                        )
            with Grid(classes="form", id="receiver-pin-row"):
                yield Static(tr("walk.signoff.receiver_pin"))
                yield Input(id="receiver-pin", compact=True, password=True, max_length=8)
            yield Static(self.effect, classes="dialog-hint")
            yield Static("", id="error", classes="dialog-error")
            yield Static(tr("walk.signoff.keys"), classes="dialog-keys")

    def _ticked_line(self, ticked: Collection[str] = ()) -> str:
        """Who has confirmed so far, in words (the tick marks look alike without colour)."""
        tr = self.tr
        names = [p.name for p in self.inspectors if p.id in ticked]
        return str(
            tr(
                "walk.signoff.ticked",
                count=len(names),
                total=len(self.inspectors),
                names="、".join(names) or tr("common.none"),
            )
        )

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        ticked = event.selection_list.selected
        self.query_one("#ticked", Static).update(self._ticked_line(ticked))
        self.query_one("#error", Static).update("")

    def action_enter(self) -> None:
        """Enter on the inspectors goes on to the receiver: it never unticks anyone (a
        SelectionList toggles on Enter, which people press to go on)."""
        if self.focused is not self.query_one("#inspectors", SelectionList):
            raise SkipAction()  # Enter in a field: submitted as usual
        self.set_focus(self.query_one("#receiver", Input))

    def action_in_list(self, action: str) -> None:
        """Space (tick), down, up on the inspectors, done now; elsewhere the key is typed."""
        inspectors = self.query_one("#inspectors", SelectionList)
        if self.focused is not inspectors:
            raise SkipAction()
        if action == "select":
            if inspectors.highlighted is not None:
                inspectors.toggle(inspectors.get_option_at_index(inspectors.highlighted))
        elif action == "cursor_down":
            inspectors.action_cursor_down()
        else:
            inspectors.action_cursor_up()

    def _receiver_hint(self) -> str:
        tr = self.tr
        first = next(iter(self.people.values()), None)
        if first is None:
            return str(tr("walk.signoff.receiver_hint"))
        return str(tr("walk.signoff.receiver_example", name=first.name, role=first.role))

    def on_mount(self) -> None:
        self._show_receiver_pin()
        self.query_one("#inspectors", SelectionList).focus()

    def _receiver(self) -> Person | None:
        """The receiver when he is a known person of the project."""
        return self.people.get(self.query_one("#receiver", Input).value.strip())

    def _show_receiver_pin(self) -> None:
        """The receiver's PIN field is always there (Tab order must not change while
        keys typed ahead are on their way); its hint says whether it is needed."""
        receiver = self._receiver()
        field = self.query_one("#receiver-pin", Input)
        if receiver is not None and receiver.pin_hash:
            field.placeholder = self.tr("walk.signoff.pin", person=receiver.name)
        else:
            field.placeholder = self.tr("walk.signoff.receiver_pin_none")

    def on_input_changed(self, event: Input.Changed) -> None:
        """A known receiver fills his role (unless one was typed) and says if his PIN is needed."""
        if event.input.id != "receiver":
            return
        receiver = self._receiver()
        role = self.query_one("#role", Input)
        if receiver is not None and role.value.strip() in ("", self._filled_role):
            role.value = self._filled_role = receiver.role
        self._show_receiver_pin()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "receiver":
            self.query_one("#role", Input).focus()
        else:
            self.action_save()

    def _new_pin_refusal(self) -> tuple[str, Input] | None:
        """The first inspector without a PIN whose new one is missing, malformed or typed
        differently twice; None when every new PIN can be set."""
        tr = self.tr
        for person in self.without_pin:
            new = self.query_one(f"#new-pin-{person.id}", Input)
            again = self.query_one(f"#again-pin-{person.id}", Input)
            if not new.value:
                return tr("walk.signoff.pin_first", person=person.name), new
            try:
                check_format(new.value)
            except PQMError as exc:
                return tr.error(exc), new
            if new.value != again.value:
                again.value = ""
                return tr("walk.signoff.pin_mismatch", person=person.name), again
        return None

    def _pin_refusal(self) -> tuple[str, Input] | None:
        """The first missing or refused PIN, as (message, its input); None when all match.

        New PINs are checked first and set last, when every other PIN was right.
        """
        tr = self.tr
        refusal = self._new_pin_refusal()
        if refusal is not None:
            return refusal
        checks = [(p, self.query_one(f"#pin-{p.id}", Input)) for p in self.with_pin]
        receiver = self._receiver()
        if receiver is not None and receiver.pin_hash:
            checks.append((receiver, self.query_one("#receiver-pin", Input)))
        app = self.pqm
        for person, field in checks:
            if not field.value:
                return tr("walk.signoff.pin_missing", person=person.name), field
            try:
                check_pin(app.db, app.clock, person.id, field.value)
            except PQMError as exc:
                field.value = ""
                return tr.error(exc), field
        for person in self.without_pin:
            set_first_pin(app.db, person.id, self.query_one(f"#new-pin-{person.id}", Input).value)
        return None

    def action_save(self) -> None:
        tr = self.tr
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
        refusal = self._pin_refusal()
        if refusal is not None:
            error.update(refusal[0])
            refusal[1].focus()
            return
        form = SignOffForm(name, self.query_one("#role", Input).value.strip())
        refused = self.sign(form) if self.sign is not None else None
        if refused:
            error.update(refused)  # what was typed (receiver, PINs) stays
            return
        self.dismiss(form)

    def action_cancel(self) -> None:
        self.dismiss(None)
