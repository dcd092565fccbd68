"""The command palette (命令面板) in the user's language.

Textual's ``CommandPalette`` takes its placeholder as an argument; its "No matches
found" line has no setting, so ``_start_no_matches_countdown`` is overridden with the
same behaviour and our words (checked by tests/test_palette.py against Textual's
own, so an upgrade that changes it is noticed).
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, ProviderSource
from textual.widgets.option_list import Option


class PQMCommandPalette(CommandPalette):
    """``CommandPalette`` whose placeholder and "no matches" line are given words."""

    def __init__(
        self, placeholder: str, no_matches: str, providers: ProviderSource | None = None
    ) -> None:
        super().__init__(providers, placeholder=placeholder, id="--command-palette")
        self.no_matches = no_matches

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """As Textual's, with ``no_matches`` instead of "No matches found"."""
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if not search_value:  # discovery mode: nothing to say
                self._list_visible = False
                return
            line = Align.center(Text(self.no_matches, style="not bold"))
            self.query_one(CommandList).add_option(Option(line, disabled=True, id=self._NO_MATCHES))
            self._list_visible = True

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
