"""A small form in a modal dialog: labelled inputs, checked as they are typed.

The review's dialogs (reply, extension, appeal, decision) are forms like this;
each declares its fields. Fields are checked as they are typed (a date as
YYYY-MM-DD, and whatever a dialog adds in ``problem``) and again on saving; a
problem is said on the line under its field and nothing is saved. ``save``
writes the values and may refuse them with a ``PQMError`` or by returning the
reason (a ``str``); the form shows it in the user's language and stays open with
what was typed (输入不丢失).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Input, Select, SelectionList, Static

from pqm_tui.model.errors import PQMError
from pqm_tui.screens.base import PQMModal
from pqm_tui.widgets.footer import binding
from pqm_tui.widgets.typing_guard import fast_tab

Problem = tuple[str, str]
"""A field's name and what is wrong with it, in the user's language."""


@dataclass(frozen=True)
class FormField:
    """One field: ``kind`` is text, date, password (not shown, emptied when refused),
    choice or many (``choices``: value, label).

    A ``many`` field ticks several choices; its value (and default) is their values
    separated by commas.
    """

    name: str
    label: str
    kind: str = "text"
    default: str = ""
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    placeholder: str = ""


class FormDialog(PQMModal[dict[str, str] | None]):
    """Fill the fields; Ctrl+S or Enter in the last field saves, Escape cancels."""

    BINDINGS = [
        binding("ctrl+s", "save", "review.key.save", "form.save", priority=True),
        binding("escape", "cancel", "review.key.cancel", "form.cancel"),
        *fast_tab("form"),
    ]

    def __init__(
        self,
        title: str,
        fields: list[FormField],
        hint: str = "",
        save: Callable[[dict[str, str]], object] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.hint = hint
        self.save = save
        self.subject = ""  # which items the form is about (set by the caller)
        self.said: dict[str, str] = {}  # field → the value whose problem is shown under it
        self.opened_with: dict[str, str] = {}  # the values as the form opened

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="dialog wide"):
            yield Static(self.title_text, classes="dialog-title")
            if self.subject:
                yield Static(self.subject, id="subject", classes="dialog-subject")
            if self.hint:
                yield Static(self.hint, classes="dialog-hint")
            with Grid(classes="form"):
                for field in self.fields:
                    yield Static(field.label)
                    if field.kind == "choice":
                        yield Select(
                            [(label, value) for value, label in field.choices],
                            value=field.default or field.choices[0][0],
                            allow_blank=False,
                            id=f"field-{field.name}",
                            compact=True,
                        )
                    elif field.kind == "many":
                        ticked = set(field.default.split(","))
                        yield SelectionList[str](
                            *((label, value, value in ticked) for value, label in field.choices),
                            id=f"field-{field.name}",
                        )
                    else:
                        placeholder = "YYYY-MM-DD" if field.kind == "date" else field.placeholder
                        yield Input(
                            field.default,
                            placeholder=placeholder,
                            id=f"field-{field.name}",
                            compact=True,
                            password=field.kind == "password",
                        )
                    # the line under the field that says what is wrong with it (hidden if nothing)
                    yield Static("", id=f"gap-{field.name}", classes="field-error")
                    yield Static("", id=f"error-{field.name}", classes="dialog-error field-error")
            yield Static("", id="error", classes="dialog-error")
            dated = any(field.kind == "date" for field in self.fields)
            keys = tr("review.form.keys" if dated else "review.form.keys_plain")
            yield Static(keys, classes="dialog-keys")

    def on_mount(self) -> None:
        """The cursor starts in the first field, where the eye starts (a choice too)."""
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()
        self.opened_with = self.values()

    def unsaved_typing(self) -> str:
        """Quitting asks while a field differs from what the form opened with."""
        if not self.is_mounted or self.values() == self.opened_with:
            return ""
        return self.tr("walk.quit.form", title=self.title_text)

    def save_typing(self) -> None:
        self.action_save()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        if inputs and event.input is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Check the field being typed in: its problem shows under it at once."""
        name = (event.input.id or "").removeprefix("field-")
        field = next((f for f in self.fields if f.name == name), None)
        if field is None or self.said.get(name) == event.value.strip():
            return  # not a field, or the value whose problem is said (saving said it)
        self.said.pop(name, None)
        if event.input.has_focus:
            partial = field.kind == "date" and len(event.value.strip()) < len("YYYY-MM-DD")
            found = None if partial else self.field_problem(name, self.values())
            self.show_problem((name, found) if found else None, only=name)

    def show_problem(self, found: Problem | None, only: str | None = None) -> None:
        """Say ``found`` under its field and clear the other fields' lines (or only ``only``'s)."""
        for field in self.fields:
            if only is not None and field.name != only:
                continue
            text = found[1] if found and found[0] == field.name else ""
            if text:
                self.said[field.name] = self.values()[field.name]
            self.query_one(f"#error-{field.name}", Static).update(text)
            for line in ("gap", "error"):
                self.query_one(f"#{line}-{field.name}").set_class(bool(text), "shown")

    def values(self) -> dict[str, str]:
        result = {}
        for field in self.fields:
            widget = self.query_one(f"#field-{field.name}")
            if isinstance(widget, SelectionList):
                result[field.name] = ",".join(str(v) for v in widget.selected)
                continue
            value = widget.value if isinstance(widget, Input | Select) else ""
            result[field.name] = str(value).strip() if value is not Select.NULL else ""
        return result

    def field_problem(self, name: str, values: dict[str, str]) -> str | None:
        """What is wrong with one field's value as typed (checked at each key), or None.

        Dialogs add their own checks (a reply dated in the future …) by overriding this.
        """
        tr = self.tr
        field = next(f for f in self.fields if f.name == name)
        value = values[name]
        if field.kind == "date" and value:
            try:
                date.fromisoformat(value)
            except ValueError:
                return str(tr("review.form.bad_date", field=field.label, value=value))
        return None

    def problem(self, values: dict[str, str]) -> Problem | None:
        """The first problem with the values (field, reason), or None."""
        tr = self.tr
        for field in self.fields:
            if field.required and not values[field.name]:
                return field.name, str(tr("review.form.required", field=field.label))
            found = self.field_problem(field.name, values)
            if found:
                return field.name, found
        return None

    def action_save(self) -> None:
        values = self.values()
        found = self.problem(values)
        self.show_problem(found)
        error = self.query_one("#error", Static)
        if found:
            error.update("")
            self.query_one(f"#field-{found[0]}").focus()
            return
        if self.save is not None:
            try:
                refusal = self.save(values)
            except PQMError as exc:
                refusal = self.tr.error(exc)
            if isinstance(refusal, str) and refusal:
                error.update(refusal)
                for field in self.fields:
                    if field.kind == "password":  # a refused PIN is typed again
                        self.query_one(f"#field-{field.name}", Input).value = ""
                return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
