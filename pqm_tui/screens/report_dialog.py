"""Document dialog (生成文件): render the notice or the report of one inspection.

The render runs in a thread worker with its own database connection (a
connection belongs to the thread that opened it); the UI shows progress and
never freezes. When done, the path is shown and ``o`` opens it with the
system viewer (``xdg-open``) when there is one. Dismisses with the written
path, or None.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, LoadingIndicator, ProgressBar, Static

if TYPE_CHECKING:
    from pqm_tui.app import PQMApp

KINDS = ("notice", "report", "signed_report")


class ReportDialog(ModalScreen[Path | None]):
    """Pick a document, render it in a worker, show where it went."""

    DEFAULT_CSS = """
    ReportDialog { align: center middle; }
    ReportDialog > Vertical {
        width: 72; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    ReportDialog #title { text-style: bold; margin-bottom: 1; }
    ReportDialog Horizontal { height: auto; }
    ReportDialog Button { margin-right: 1; }
    ReportDialog #signer { margin-top: 1; }
    ReportDialog LoadingIndicator { height: 1; display: none; }
    ReportDialog.busy LoadingIndicator { display: block; }
    ReportDialog #result { margin-top: 1; }
    ReportDialog #result.error { color: $error; }
    """

    BINDINGS = [
        Binding("escape", "close", "reports.dialog.close", id="report.close"),
        Binding("n", "render('notice')", "reports.dialog.notice", id="report.notice"),
        Binding("r", "render('report')", "reports.dialog.report", id="report.report"),
        Binding("s", "render('signed_report')", "reports.dialog.signed_report", id="report.sign"),
        Binding("o", "open", "reports.dialog.open", id="report.open"),
    ]

    @dataclass
    class Progressed(Message):
        """The worker finished a step."""

        step: int
        total: int

    @dataclass
    class Finished(Message):
        """The worker wrote the file (path) or failed (error)."""

        path: Path | None
        summary: str
        error: str = ""

    def __init__(self, inspection_id: str, output_dir: Path | None = None) -> None:
        super().__init__()
        self.inspection_id = inspection_id
        self.output_dir = output_dir
        self.written: Path | None = None
        self.busy = False

    @property
    def pqm(self) -> PQMApp:
        return cast("PQMApp", self.app)

    def compose(self) -> ComposeResult:
        tr = self.pqm.tr
        with Vertical():
            yield Label(tr("reports.dialog.title"), id="title")
            with Horizontal():
                for kind in KINDS:
                    yield Button(tr(f"reports.dialog.{kind}"), id=f"kind-{kind}")
            yield Input(placeholder=tr("reports.dialog.signer"), id="signer")
            yield LoadingIndicator()
            yield ProgressBar(total=4, show_eta=False, id="progress")
            yield Static("", id="result", markup=False)
            with Horizontal():
                yield Button(tr("reports.dialog.open"), id="open", disabled=True)
                yield Button(tr("reports.dialog.close"), id="close")

    def on_mount(self) -> None:
        signer = self.query_one("#signer", Input)
        signer.value = self.pqm.actor

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button.startswith("kind-"):
            self.action_render(button.removeprefix("kind-"))
        elif button == "open":
            self.action_open()
        elif button == "close":
            self.action_close()

    def action_render(self, kind: str) -> None:
        if self.busy:
            return
        self.busy = True
        self.add_class("busy")
        self.query_one("#progress", ProgressBar).update(progress=0)
        self.query_one("#result", Static).update(self.pqm.tr("reports.dialog.rendering"))
        signer = self.query_one("#signer", Input).value.strip()
        self.render_document(kind, signer)

    def target_path(self, kind: str) -> Path:
        folder = self.output_dir or (self.pqm.db_path.parent if self.pqm.db_path else Path.cwd())
        stem = "notice" if kind == "notice" else "report"
        suffix = "-signed" if kind == "signed_report" else ""
        return folder / f"{stem}-{self.inspection_id[-8:]}{suffix}.pdf"

    @work(thread=True, exclusive=True, group="report")
    def render_document(self, kind: str, signer: str) -> None:
        """Worker: own connection, render, optionally sign; report back by message."""
        from pqm_tui.model.db import connect
        from pqm_tui.model.organisation import find_person
        from pqm_tui.paths import keys_dir
        from pqm_tui.reports.documents import DocumentService
        from pqm_tui.services.signing import sign_pdf

        app = self.pqm
        tr = app.tr
        out = self.target_path(kind)
        db_path = app.db_path or Path("pqm.sqlite3")
        db = connect(db_path, actor=app.actor)
        try:
            service = DocumentService(
                db,
                db_path,
                app.settings,
                app.clock,
                app.actor,
                progress=lambda step, total, _label: self.post_message(
                    self.Progressed(step, total)
                ),
            )
            if kind == "notice":
                result = service.notice(self.inspection_id, out)
            else:
                result = service.report(self.inspection_id, out)
            lines = [tr("reports.cli.written", path=out, pages=result.pages, code=result.code)]
            lines += [tr("reports.cli.missing", reason=m.missing_reason) for m in result.missing]
            if kind == "signed_report":
                person = find_person(db, signer)
                name = sign_pdf(
                    keys_dir(db_path),
                    person.id,
                    out,
                    out,
                    reason=tr("reports.report.title"),
                    location=app.settings.company_name or "PQM",
                )
                lines.append(tr("reports.cli.signed", signer=name))
            self.post_message(self.Finished(out, "\n".join(lines)))
        except Exception as exc:  # shown to the user in the dialog, never swallowed
            self.post_message(self.Finished(None, "", f"{type(exc).__name__}: {exc}"))
        finally:
            db.close()

    def on_report_dialog_progressed(self, message: Progressed) -> None:
        self.query_one("#progress", ProgressBar).update(total=message.total, progress=message.step)

    def on_report_dialog_finished(self, message: Finished) -> None:
        self.busy = False
        self.remove_class("busy")
        result = self.query_one("#result", Static)
        if message.path is None:
            result.add_class("error")
            result.update(self.pqm.tr("reports.dialog.failed", reason=message.error))
            return
        result.remove_class("error")
        self.written = message.path
        text = message.summary
        if shutil.which("xdg-open") is None:
            text += "\n" + self.pqm.tr("reports.dialog.no_viewer")
        result.update(text)
        self.query_one("#open", Button).disabled = shutil.which("xdg-open") is None

    def action_open(self) -> None:
        if self.written is None or shutil.which("xdg-open") is None:
            return
        subprocess.Popen(  # detached viewer; we do not wait for it
            ["xdg-open", str(self.written)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def action_close(self) -> None:
        if not self.busy:
            self.dismiss(self.written)
