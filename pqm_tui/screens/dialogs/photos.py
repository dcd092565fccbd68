"""A finding's photos (照片): see each in the system's viewer, and remove one if allowed.

Returns the indexes of the photos removed (only when ``removable``); opening a
photo that is gone, or on a machine without a viewer, is said in the dialog.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pqm_tui.screens.base import PQMModal
from pqm_tui.services import photos
from pqm_tui.widgets.footer import binding


class PhotoListDialog(PQMModal[list[int]]):
    """Enter or o opens the highlighted photo; x removes it (``removable``); Esc closes."""

    BINDINGS = [
        binding("o", "open", "keys.photos.open", "photos.open"),
        binding("x,delete", "remove", "keys.photos.remove", "photos.remove"),
        binding("escape", "close", "keys.photos.close", "photos.close"),
    ]

    def __init__(
        self, title: str, entries: list[tuple[str, Path | None]], *, removable: bool = False
    ) -> None:
        super().__init__()
        self.title_text = title
        self.entries = entries  # (label, file; None when the file is gone)
        self.removable = removable
        self.removed: list[int] = []

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="dialog wide"):
            yield Static(self.title_text, classes="dialog-title")
            yield OptionList(*self._options(), id="photo-list")
            yield Static("", id="error", classes="dialog-error")
            keys = "walk.photos.keys_remove" if self.removable else "walk.photos.keys"
            yield Static(tr(keys), classes="dialog-keys")

    def _options(self) -> list[Option]:
        gone = self.tr("walk.photos.gone")
        return [
            Option(label + ("" if path else f"  {gone}"), id=str(index))
            for index, (label, path) in enumerate(self.entries)
            if index not in self.removed
        ] or [Option(self.tr("walk.photos.none"), id="none", disabled=True)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "remove" or self.removable

    def _highlighted(self) -> int | None:
        options = self.query_one("#photo-list", OptionList)
        if options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return int(option_id) if option_id and option_id.isdigit() else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        index = self._highlighted()
        if index is None:
            return
        label, path = self.entries[index]
        try:
            photos.open_photo(path, label)
        except photos.PhotoError as exc:
            self.query_one("#error", Static).update(self.tr.error(exc))
            return
        self.query_one("#error", Static).update(self.tr("walk.photos.opened", name=label))

    def action_remove(self) -> None:
        index = self._highlighted()
        if index is None:
            return
        self.removed.append(index)
        options = self.query_one("#photo-list", OptionList)
        options.clear_options()
        options.add_options(self._options())
        label = self.entries[index][0]
        self.query_one("#error", Static).update(self.tr("walk.photos.removed", name=label))

    def action_close(self) -> None:
        self.dismiss(self.removed)
