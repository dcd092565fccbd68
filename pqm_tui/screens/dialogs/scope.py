"""Choose what the analysis covers (统计范围): the company, a city company or a project."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pqm_tui.screens.base import PQMModal
from pqm_tui.widgets.footer import binding


@dataclass(frozen=True)
class ScopeChoice:
    """The whole company (both None), one city company or one project, and its name."""

    label: str
    city_id: str | None = None
    project_id: str | None = None


class ScopeDialog(PQMModal[ScopeChoice | None]):
    """Type to filter; ↑/↓ choose; Enter takes the highlighted scope, Esc keeps the old one."""

    BINDINGS = [
        binding("escape", "cancel", "keys.panel.cancel", "scope.cancel"),
        Binding("down", "move(1)", show=False, id="scope.down", priority=True),
        Binding("up", "move(-1)", show=False, id="scope.up", priority=True),
    ]

    def __init__(self, choices: list[ScopeChoice]) -> None:
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(self.tr("analysis.scope_title"), classes="dialog-title")
            yield Input(id="query", compact=True, placeholder=self.tr("analysis.scope_hint"))
            results = OptionList(id="results")
            results.can_focus = False  # ↑/↓ move it from the query
            yield results

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#query", Input).focus()

    def _fill(self, query: str) -> None:
        results = self.query_one("#results", OptionList)
        results.clear_options()
        words = query.split()
        for index, choice in enumerate(self.choices):
            if all(w.lower() in choice.label.lower() for w in words):
                results.add_option(Option(choice.label, id=str(index)))
        if results.option_count:
            results.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        results = self.query_one("#results", OptionList)
        if results.highlighted is not None:
            self._choose(results.get_option_at_index(results.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        if option_id is not None:
            self.dismiss(self.choices[int(option_id)])

    def action_move(self, step: int) -> None:
        results = self.query_one("#results", OptionList)
        if results.option_count:
            current = results.highlighted or 0
            results.highlighted = max(0, min(results.option_count - 1, current + step))

    def action_cancel(self) -> None:
        self.dismiss(None)
