"""Jump to an item by code or text (按编号或内容查找检查项); each result names its area."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pqm_tui.model.entities import Item
from pqm_tui.screens.base import PQMModal
from pqm_tui.widgets.footer import binding
from pqm_tui.widgets.typing_guard import KeepTyping

DIALOG_MAX, FRAME = 100, 10  # .dialog.wide is 90% up to 100 columns; borders and padding


class SearchDialog(KeepTyping, PQMModal[str | None]):
    """Type to filter; ↑/↓ choose; Enter jumps to the item (returns its id).

    Focus stays on the query (the list is not a Tab stop), so typing is never lost,
    also what is typed right after ``/`` while the dialog opens.
    ``area_of`` names the area a jump to the item would land in.
    """

    TYPING_TARGET = "#query"
    AUTO_FOCUS = "#query"

    BINDINGS = [
        binding("escape", "cancel", "keys.panel.cancel", "search.cancel"),
        Binding("down", "move(1)", show=False, id="search.down", priority=True),
        Binding("up", "move(-1)", show=False, id="search.up", priority=True),
    ]

    def __init__(
        self, search: Callable[[str], list[Item]], area_of: Callable[[str], str] | None = None
    ) -> None:
        super().__init__()
        self.search = search
        self.area_of = area_of

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="dialog wide"):
            yield Static(tr("walk.search.title"), classes="dialog-title")
            yield Input(id="query", compact=True, placeholder=tr("walk.search.hint"))
            results = OptionList(id="results")
            results.can_focus = False  # ↑/↓ move it from the query; Tab has nowhere else to go
            yield results
            yield Static("", id="error", classes="dialog-error")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#query", Input).focus()

    def _fill(self, query: str) -> None:
        results = self.query_one("#results", OptionList)
        results.clear_options()
        items = self.search(query)
        room = min(self.app.size.width * 9 // 10, DIALOG_MAX) - FRAME  # one line per result
        for item in items:
            area = self.area_of(item.id) if self.area_of else ""
            prompt = Text.assemble((item.code, "bold"), "  ")
            if area:
                prompt.append(f"〔{area}〕", style="bold cyan")
                prompt.append(" ")
            prompt.append(item.standard)
            prompt.truncate(max(room, 20), overflow="ellipsis")
            results.add_option(Option(prompt, id=item.id))
        if items:
            results.highlighted = 0
        none = self.tr("walk.search.none") if not items else ""
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
