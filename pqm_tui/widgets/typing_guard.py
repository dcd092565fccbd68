"""Typing is never lost in a dialog (输入不丢失).

Text typed while the focus is on a field that takes no text (a Select, or nothing
after a click) would be dropped silently. Dialogs that mix this in send such
keys to their main text field instead, which takes the focus, so the typing
shows where it went. Keys typed while such a dialog opens (a terminal delivers
them before it is on screen: ``f`` then the note at once) reach the screen that
opened it and bubble to the app, which hands them over (``hand_over_typing``);
they are kept until the dialog's field is there.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.screen import Screen


def fast_tab(prefix: str) -> list[Binding]:
    """Tab / shift+tab of a form, as priority keys: a terminal delivers ``Tab`` and the
    text after it at once, and a plain Tab moves the focus only after it has bubbled up,
    once the text has gone to the field it left (or to none). ``prefix`` names the keys
    (``prefix.next_field``) in a keymap."""
    return [
        Binding("tab", "app.focus_next", show=False, priority=True, id=f"{prefix}.next_field"),
        Binding(
            "shift+tab",
            "app.focus_previous",
            show=False,
            priority=True,
            id=f"{prefix}.previous_field",
        ),
    ]


class KeepTyping:
    """Mixin for a dialog screen; ``TYPING_TARGET`` selects its main text field.

    The target must not select its text on focus (``select_on_focus=False`` for an
    ``Input``), or the next key would replace what was just typed.
    """

    TYPING_TARGET = "#text"
    _typed_ahead: str = ""  # keys handed over before the dialog was ready
    _ready: bool = False  # mounted, its own on_mount done

    def on_key(self, event: events.Key) -> None:
        """A printable key no field took: type it into the main text field."""
        if not event.is_printable or not event.character:
            return
        assert isinstance(self, Screen)
        from textual.widgets import Input, TextArea  # a dialog's: loaded with it, not at start

        if isinstance(self.focused, Input | TextArea):
            return
        if event.key in self.active_bindings:
            return  # a key with a use here (space opens a Select)
        self.take_typing(event.character)
        event.stop()
        event.prevent_default()

    def take_typing(self, text: str) -> None:
        """Type ``text`` into the main field (kept until it exists when the dialog opens)."""
        assert isinstance(self, Screen)
        if not self._ready:
            self._typed_ahead += text
            return
        from textual.widgets import Input, TextArea

        target = self.query_one(self.TYPING_TARGET)
        target.focus()
        if isinstance(target, Input):
            target.insert_text_at_cursor(text)
        elif isinstance(target, TextArea):
            target.insert(text)

    def on_mount(self) -> None:
        """Type what was handed over before the dialog was there (after its own on_mount)."""
        self._ready = True
        text, self._typed_ahead = self._typed_ahead, ""
        if text:
            self.take_typing(text)


def hand_over_typing(screen: Screen[object], event: events.Key) -> bool:
    """A printable key that reached the app while ``screen``, a ``KeepTyping`` dialog, is on
    top: typed as it opened (it went to the screen below), it goes into the dialog.

    True when the key was handed over (the app then does nothing else with it).
    """
    if not isinstance(screen, KeepTyping) or not event.is_printable or not event.character:
        return False
    if event.key in screen.active_bindings:
        return False
    screen.take_typing(event.character)
    event.stop()
    event.prevent_default()
    return True
