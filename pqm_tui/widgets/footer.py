"""A footer that shows key descriptions in the user's language.

Screens declare ``BINDINGS`` with message ids as descriptions (``keys.walk.pass``);
this footer translates them, and their tooltips (``keys.walk.pass_tip``), when it
composes its keys. It is compact, puts ``?`` (help, which lists every key) first so
that it is never cut off on a narrow terminal, and leaves out the palette key
(ctrl+p works and is listed in help).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

from pqm_tui.i18n import Translator


class PQMFooter(Footer):
    """``Footer`` whose key descriptions and tooltips are looked up in the app's translator."""

    def __init__(self, *, compact: bool = True, show_command_palette: bool = False) -> None:
        super().__init__(show_command_palette=show_command_palette, compact=compact)

    def compose(self) -> ComposeResult:
        tr: Translator = getattr(self.app, "tr", Translator("zh"))
        widgets: list[Widget] = []
        for widget in super().compose():
            description = getattr(widget, "description", None)
            if isinstance(description, str) and description:
                widget.description = tr.key(description)  # type: ignore[attr-defined]
            if isinstance(widget.tooltip, str) and widget.tooltip:
                widget.tooltip = tr(widget.tooltip)
            widgets.append(widget)
        widgets.sort(key=lambda w: getattr(w, "action", "") != "help")  # stable: help first
        yield from widgets
