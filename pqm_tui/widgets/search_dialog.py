"""Jump to an item by code or text (按编号或内容查找检查项)."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pqm_tui.model.entities import Item

MAX_TEXT = 40


class SearchDialog(ModalScreen[str | None]):
    """Type to filter; ↑/↓ choose; Enter jumps to the item (returns its id)."""

    BINDINGS = [
        Binding("escape", "cancel", "keys.panel.cancel", id="search.cancel"),
        Binding("down", "move(1)", show=False, id="search.down", priority=True),
        Binding("up", "move(-1)", show=False, id="search.up", priority=True),
    ]

    def __init__(self, search: Callable[[str], list[Item]]) -> None:
        super().__init__()
        self.search = search

    def compose(self) -> ComposeResult:
        tr = self.app.tr  # type: ignore[attr-defined]
        with Vertical(classes="dialog wide"):
            yield Static(tr("walk.search.title"), classes="dialog-title")
            yield Input(id="query", compact=True, placeholder=tr("walk.search.hint"))
            yield OptionList(id="results")
            yield Static("", id="error", classes="dialog-error")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#query", Input).focus()

    def _fill(self, query: str) -> None:
        results = self.query_one("#results", OptionList)
        results.clear_options()
        items = self.search(query)
        for item in items:
            text = (
                item.standard if len(item.standard) <= MAX_TEXT else item.standard[:MAX_TEXT] + "…"
            )
            results.add_option(Option(f"{item.code}  {text}", id=item.id))
        if items:
            results.highlighted = 0
        none = self.app.tr("walk.search.none") if not items else ""  # type: ignore[attr-defined]
        self.query_one("#error", Static).update(none)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        results = self.query_one("#results", OptionList)
        if results.highlighted is not None:
            self.dismiss(results.get_option_at_index(results.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        results = self.query_one("#results", OptionList)
        if results.option_count:
            current = results.highlighted or 0
            results.highlighted = max(0, min(results.option_count - 1, current + step))

    def action_cancel(self) -> None:
        self.dismiss(None)
