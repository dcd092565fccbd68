"""A footer that shows key descriptions in the user's language.

Screens declare ``BINDINGS`` with message ids as descriptions (``keys.walk.pass``);
this footer translates them, and their tooltips (``keys.walk.pass_tip``), when it
composes its keys; ``binding()`` declares such a key in one line. It is compact,
puts ``?`` (help, which lists every key) first so that it is never cut off on a
narrow terminal, and leaves out the palette key (ctrl+p works and is listed in help).

Textual's footer composes its keys anew whenever the screen's bindings may have
changed: every focus change and every dialog opened or closed over the screen.
This one does so only when the keys it would show did change (the walk's footer
was rebuilt twice per finding panel).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from pqm_tui.widgets.pqm_app import pqm_app


def binding(
    keys: str, action: str, description: str, id: str, *, show: bool = True, priority: bool = False
) -> Binding:
    """A key whose description is a message id and whose tooltip is that id + ``_tip``.

    ``id`` names the key in a user's keymap.
    """
    tooltip = f"{description}_tip"
    return Binding(keys, action, description, show, tooltip=tooltip, id=id, priority=priority)


@runtime_checkable
class Described(Protocol):
    """A footer key (Textual's ``FooterKey`` is private): its label, a message id here."""

    description: str


class PQMFooter(Footer):
    """``Footer`` whose key descriptions and tooltips are looked up in the app's translator."""

    def __init__(self, *, compact: bool = True, show_command_palette: bool = False) -> None:
        super().__init__(show_command_palette=show_command_palette, compact=compact)
        self._shown: tuple[object, ...] | None = None  # the keys as last composed

    def _keys(self, screen: Screen[object]) -> tuple[object, ...]:
        """What the footer shows of ``screen``'s bindings: key, action, label, enabled."""
        return tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for _, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self._shown is not None and screen is self.screen and self._keys(screen) == self._shown:
            return  # the same keys: nothing to compose again
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys(self.screen)
        tr = pqm_app(self).tr
        widgets: list[Widget] = []
        for widget in super().compose():
            if isinstance(widget, Described) and widget.description:
                widget.description = tr.key(widget.description)
            if isinstance(widget.tooltip, str) and widget.tooltip:
                widget.tooltip = tr(widget.tooltip)
            widgets.append(widget)
        widgets.sort(key=lambda w: getattr(w, "action", "") != "help")  # stable: help first
        yield from widgets
