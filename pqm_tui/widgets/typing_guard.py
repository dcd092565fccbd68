"""Typing is never lost in a dialog (输入不丢失).

Text typed while the focus is on a field that takes no text (a Select, or nothing
after a click) would be dropped silently. Dialogs that mix this in send such
keys to their main text field instead, which takes the focus, so the typing
shows where it went.
"""

from __future__ import annotations

from textual import events
from textual.screen import Screen
from textual.widgets import Input, TextArea


class KeepTyping:
    """Mixin for a dialog screen; ``TYPING_TARGET`` selects its main text field.

    The target must not select its text on focus (``select_on_focus=False`` for an
    ``Input``), or the next key would replace what was just typed.
    """

    TYPING_TARGET = "#text"

    def on_key(self, event: events.Key) -> None:
        """A printable key no field took: type it into the main text field."""
        if not event.is_printable or not event.character:
            return
        assert isinstance(self, Screen)
        if isinstance(self.focused, Input | TextArea):
            return
        if event.key in self.active_bindings:
            return  # a key with a use here (space opens a Select)
        target = self.query_one(self.TYPING_TARGET)
        target.focus()
        if isinstance(target, Input):
            target.insert_text_at_cursor(event.character)
        elif isinstance(target, TextArea):
            target.insert(event.character)
        event.stop()
        event.prevent_default()
