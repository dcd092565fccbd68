"""The base of every PQM screen and dialog: a typed ``self.pqm`` and ``self.tr``.

``PQMScreen`` for full screens, ``PQMModal`` for dialogs (``ModalScreen[T]``
returning with ``dismiss()``); both read the app's database, settings, clock and
translator through ``self.pqm`` without a ``type: ignore``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.screen import ModalScreen, Screen

from pqm_tui.widgets.pqm_app import pqm_app

if TYPE_CHECKING:
    from pqm_tui.app import PQMApp
    from pqm_tui.i18n import Translator

ResultT = TypeVar("ResultT")


class PQMScreen(Screen[ResultT]):
    """A screen of the PQM app."""

    def unsaved_count(self) -> int:
        """Writes the screen still holds because storage refused them (未保存); 0 by default."""
        return 0

    def unsaved_typing(self) -> str:
        """What was typed here and is not saved yet, named for a question; "" if nothing.

        Quitting asks first (save / discard / stay) while a screen says something here.
        """
        return ""

    def save_typing(self) -> None:
        """Save what ``unsaved_typing`` names, as the screen's own save key would."""

    @property
    def pqm(self) -> PQMApp:
        """The app: ``db``, ``settings``, ``clock``, ``actor``, ``db_path``, ``tr``."""
        return pqm_app(self)

    @property
    def tr(self) -> Translator:
        """The user's language (界面语言)."""
        return self.pqm.tr


class PQMModal(ModalScreen[ResultT], PQMScreen[ResultT]):
    """A dialog of the PQM app: a modal screen that dismisses with its result.

    ``ModalScreen`` comes first: Textual takes a widget's CSS (its own default styles and
    the type selectors it answers to) along the first base class only, so with
    ``PQMScreen`` first a dialog was a plain screen to CSS — opaque, at the top left, the
    screen below hidden — instead of a centred box over the dimmed screen.
    """
