"""One document into a folder the user chose (出具文书): the second notice, the month's circular.

The review opens it for the second notice (第二次整改通知单) of the item under the
cursor and for a month's circular (通报). It proposes the folder used last time
(preference ``documents.folder``, else the database's folder), names the file like
``第二次整改通知单-ZG-202611-0004-锦程天府花园.pdf`` (a free name when it exists) and
produces it in a thread worker through the same flow as ``pqm report``
(``reports.production.produce``): an empty month gives no circular. Enter or
Ctrl+S makes it, ``o`` opens it in the system viewer, Esc closes; dismisses with
the written path, or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from pqm_tui.output_files import safe_file_name
from pqm_tui.screens.base import PQMModal
from pqm_tui.screens.dialogs.report import FOLDER_KEY
from pqm_tui.screens.dialogs.report_messages import describe_failure, describe_result
from pqm_tui.screens.system_viewer import open_in_viewer, viewer_name
from pqm_tui.widgets.footer import binding
from pqm_tui.widgets.path_suggester import PathSuggester

if TYPE_CHECKING:
    from pqm_tui.reports.document_service import RenderedDocument


def free_path(folder: Path, stem: str) -> Path:
    """``folder/stem.pdf``, or ``stem-2.pdf``, ``stem-3.pdf`` … when it is taken."""
    path = folder / f"{stem}.pdf"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}.pdf"
        n += 1
    return path


class DocumentDialog(PQMModal[Path | None]):
    """Make one document (``kind`` of ``reports.kinds``) about ``reference`` into a folder."""

    DEFAULT_CSS = """
    DocumentDialog .form { grid-columns: 10 1fr; }
    DocumentDialog #doc-result { margin-top: 1; height: auto; }
    DocumentDialog #doc-result.error { color: $error; }
    """

    BINDINGS = [
        binding("ctrl+s", "make", "reports.document.make", "document.make", priority=True),
        binding("escape", "close", "reports.dialog.close", "document.close"),
        binding("ctrl+o", "open", "reports.dialog.open", "document.open"),
    ]

    @dataclass
    class Made(Message):
        """The worker made the document."""

        result: RenderedDocument

    @dataclass
    class Failed(Message):
        """The worker failed writing ``out``."""

        error: BaseException
        out: Path

    def __init__(self, kind: str, reference: str, title: str, stem: str) -> None:
        super().__init__()
        self.kind = kind
        self.reference = reference  # a month (YYYY-MM) for a circular, editable
        self.title_text = title
        self.stem = stem
        self.written: Path | None = None
        self.busy = False

    @property
    def db_path(self) -> Path:
        return self.pqm.db_path or Path("pqm.sqlite3")

    def proposed_folder(self) -> Path:
        """The folder of the last document made (remembered), else the database's."""
        prefs = self.pqm.preferences
        remembered = prefs.get(FOLDER_KEY) if prefs is not None else None
        if isinstance(remembered, str) and Path(remembered).is_dir():
            return Path(remembered)
        return self.db_path.resolve().parent

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="dialog wide"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            with Grid(classes="form"):
                if self.kind == "circular":
                    yield Static(tr("reports.document.month"))
                    yield Input(self.reference, placeholder="YYYY-MM", id="doc-month", compact=True)
                yield Static(tr("reports.document.folder"))
                yield Input(
                    str(self.proposed_folder()),
                    id="doc-folder",
                    compact=True,
                    suggester=PathSuggester(),
                )
            yield Static("", id="doc-file", classes="dialog-hint", markup=False)
            yield Static("", id="doc-result", markup=False)
            yield Static(tr("reports.document.keys"), classes="dialog-keys")

    def on_mount(self) -> None:
        self._show_file()
        self.query_one("#doc-folder", Input).focus()

    def _month(self) -> str:
        if self.kind != "circular":
            return self.reference
        return self.query_one("#doc-month", Input).value.strip()

    def _file_stem(self) -> str:
        stem = self.stem.format(month=self._month()) if "{month}" in self.stem else self.stem
        return safe_file_name(stem)

    def _show_file(self) -> None:
        folder = Path(self.query_one("#doc-folder", Input).value.strip() or ".").expanduser()
        path = free_path(folder, self._file_stem()) if folder.is_dir() else folder
        self.query_one("#doc-file", Static).update(self.tr("reports.document.file", path=path))

    def on_input_changed(self, _event: Input.Changed) -> None:
        self._show_file()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_make()

    def _say(self, text: str, *, error: bool = False) -> None:
        result = self.query_one("#doc-result", Static)
        result.set_class(error, "error")
        result.update(text)

    def action_make(self) -> None:
        tr = self.tr
        if self.busy:
            self._say(tr("reports.dialog.busy"))
            return
        folder = Path(self.query_one("#doc-folder", Input).value.strip()).expanduser()
        if not folder.is_dir():
            self._say(tr("reports.document.no_folder", folder=folder), error=True)
            return
        self.busy = True
        self._say(tr("reports.dialog.rendering"))
        out = free_path(folder.resolve(), self._file_stem())
        self.produce_document(self._month(), out)

    @work(thread=True, exclusive=True, group="document")
    def produce_document(self, reference: str, out: Path) -> None:
        """Worker: own connection, the one document flow (``produce``); reports by message."""
        from pqm_tui.model.db import connect
        from pqm_tui.reports.document_service import DocumentService
        from pqm_tui.reports.production import DocumentRequest, produce

        app = self.pqm
        db = None
        try:
            db = connect(self.db_path, actor=app.actor)
            service = DocumentService(db, self.db_path, app.settings, app.clock, app.actor)
            request = DocumentRequest(self.kind, reference, out)
            self.post_message(self.Made(produce(service, request)))
        except Exception as exc:  # said to the user in the dialog, never swallowed
            self.post_message(self.Failed(exc, out))
        finally:
            if db is not None:
                db.close()

    def on_document_dialog_failed(self, message: Failed) -> None:
        self.busy = False
        reason = describe_failure(
            self.tr, message.error, out=message.out, signer="", db_path=self.db_path
        )
        self._say(self.tr("reports.dialog.failed", reason=reason), error=True)

    def on_document_dialog_made(self, message: Made) -> None:
        self.busy = False
        self.written = message.result.path
        prefs = self.pqm.preferences
        if prefs is not None:
            prefs.set(FOLDER_KEY, str(self.written.parent))
        viewer = viewer_name() is not None
        self._say(describe_result(self.tr, message.result, viewer=viewer))

    def action_open(self) -> None:
        if self.written is not None and open_in_viewer(self.written) is None:
            self._say(self.tr("review.detail.photo_no_viewer", path=self.written))

    def action_close(self) -> None:
        if self.busy:
            self._say(self.tr("reports.dialog.busy"))
            return
        self.dismiss(self.written)
