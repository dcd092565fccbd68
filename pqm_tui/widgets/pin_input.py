"""The sign-off PIN field (签字密码栏): digits only, shown as dots.

A PIN is digits (``services.pins``), so a letter typed here is never part of it: the
letter goes on to the dialog's keys (``k`` makes the signing key, ``s`` signs, ``o``
opens …), as the hints say, instead of landing in the PIN as one more hidden dot.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from pqm_tui.services.pins import MAX_DIGITS

DIGITS = frozenset("0123456789")


class PinInput(Input):
    """A password field that takes digits and lets every other key through."""

    def __init__(self, *, id: str | None = None) -> None:
        # restrict: a paste keeps its digits only (a pasted letter would be a wrong try)
        super().__init__(id=id, compact=True, password=True, max_length=MAX_DIGITS, restrict=r"\d*")

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character not in DIGITS:
            event.prevent_default()  # not typed: the key goes on to the bindings

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Only digits are taken, so the footer keeps showing the letter keys."""
        return character in DIGITS
