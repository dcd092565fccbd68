"""A footer that shows key descriptions in the user's language.

Screens declare ``BINDINGS`` with message ids as descriptions (``keys.walk.pass``);
this footer translates them, and their tooltips (``keys.walk.pass_tip``), when it
composes its keys; ``binding()`` declares such a key in one line. It is compact,
shows a key's short label where it has one (``Translator.short``), puts ``?``
(help, which lists every key) first and leaves out the palette key (ctrl+p works and is
listed in help). Keys that do not fit on the line are left out from the last one
declared back, never help or quit: a key is whole on screen or not there, on every
width (the review's keys take 150 columns).

Textual's footer composes its keys anew whenever the screen's bindings may have
changed: every focus change and every dialog opened or closed over the screen.
This one does so only when the keys it would show did change (the walk's footer
was rebuilt twice per finding panel).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from rich.cells import cell_len
from textual import events
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


ALWAYS = ("help", "quit")  # the actions a footer shows whatever its width
GAP = 1  # columns between two keys (Textual's compact footer: a key's right margin)


def fitting(widgets: list[Widget], width: int) -> list[Widget]:
    """The keys that fit in ``width`` columns: help and quit always, the others in their
    order while they fit."""

    def columns(widget: Widget) -> int:
        shown = getattr(widget, "key_display", "") or getattr(widget, "key", "")
        description = getattr(widget, "description", "")
        return cell_len(shown) + (1 + cell_len(description) if description else 0) + GAP

    left = width + GAP - sum(columns(w) for w in widgets if getattr(w, "action", "") in ALWAYS)
    kept = []
    for widget in widgets:
        if getattr(widget, "action", "") not in ALWAYS:
            if columns(widget) > left:
                left = 0  # the keys after a left-out one stay out: their order is kept
                continue
            left -= columns(widget)
        kept.append(widget)
    return kept


class PQMFooter(Footer):
    """``Footer`` whose key descriptions and tooltips are looked up in the app's translator."""

    def __init__(self, *, compact: bool = True, show_command_palette: bool = False) -> None:
        super().__init__(show_command_palette=show_command_palette, compact=compact)
        self._shown: tuple[object, ...] | None = None  # the keys as last composed
        self._width = 0  # the width they were fitted to

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
                widget.description = tr.short(widget.description)
            if isinstance(widget.tooltip, str) and widget.tooltip:
                widget.tooltip = tr(widget.tooltip)
            widgets.append(widget)
        widgets.sort(key=lambda w: getattr(w, "action", "") != "help")  # stable: help first
        self._width = self.size.width or self.app.size.width
        kept = fitting(widgets, self._width)
        self.styles.grid_size_columns = len(kept)
        yield from kept

    def on_resize(self, event: events.Resize) -> None:
        if self._shown is not None and event.size.width != self._width:
            self._shown = None  # fitted to another width: compose again
            self.call_after_refresh(self.recompose)
