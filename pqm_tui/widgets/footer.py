"""A footer that shows key descriptions in the user's language.

Screens declare ``BINDINGS`` with message ids as descriptions (``keys.walk.pass``);
this footer translates them when it composes its keys.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer

from pqm_tui.i18n import Translator


class PQMFooter(Footer):
    """``Footer`` whose key descriptions are looked up in the app's translator."""

    def compose(self) -> ComposeResult:
        tr: Translator = getattr(self.app, "tr", Translator("zh"))
        for widget in super().compose():
            description = getattr(widget, "description", None)
            if isinstance(description, str) and description:
                widget.description = tr.key(description)  # type: ignore[attr-defined]
            yield widget
