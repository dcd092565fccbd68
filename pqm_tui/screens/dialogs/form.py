"""A small form in a modal dialog: labelled inputs, checked before it closes.

The review's dialogs (reply, extension, appeal, decision) are forms like this;
each declares its fields. Dates are typed as YYYY-MM-DD and checked here, so a
bad date is named in the dialog and nothing is saved. The organisation's forms pass
``save``: it writes the values and may refuse them with a ``PQMError``, which the
form shows in the user's language while it stays open with what was typed.
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
            yield Static("", id="error", classes="dialog-error")
            dated = any(field.kind == "date" for field in self.fields)
            keys = tr("review.form.keys" if dated else "review.form.keys_plain")
            yield Static(keys, classes="dialog-keys")

    def on_mount(self) -> None:
        """The cursor starts in the first field, where the eye starts (a choice too)."""
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        if inputs and event.input is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

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

    def problem(self, values: dict[str, str]) -> str | None:
        """The first problem with the values, said in the user's language, or None."""
        tr = self.tr
        for field in self.fields:
            value = values[field.name]
            if field.required and not value:
                return str(tr("review.form.required", field=field.label))
            if field.kind == "date" and value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    return str(tr("review.form.bad_date", field=field.label, value=value))
        return None

    def action_save(self) -> None:
        values = self.values()
        problem = self.problem(values)
        if problem:
            self.query_one("#error", Static).update(problem)
            return
        if self.save is not None:
            try:
                self.save(values)
            except PQMError as exc:
                self.query_one("#error", Static).update(self.tr.error(exc))
                for field in self.fields:
                    if field.kind == "password":  # a refused PIN is typed again
                        self.query_one(f"#field-{field.name}", Input).value = ""
                return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
