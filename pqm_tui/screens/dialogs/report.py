"""Document dialog (生成文件): render the notice or the report of one inspection.

The title names the inspection (project · kind · date · status). ``1``/``2``/``3``
(or ``n``/``r``/``s``) pick the notice, the report or the signed report without
tabbing; in the signer field (which takes those keys as text) Enter makes the
signed report. The signer (签名人) is pre-filled with the person named like the app's
actor, else the inspection's first inspector, and completes from the
inspection's inspectors, the quality department and the project's people; a
line under it says whether that person has a signing key, and ``k`` makes one
(as ``pqm keys init`` does) when he has none. The signer types his sign-off PIN
(签字密码) under his name: it is checked (``pins.check_pin``, counted and locked
after five wrong tries) and opens his key, which is encrypted with it. The PIN field
takes digits only: letters go on to the keys, so ``k`` (make the key) and ``s`` (sign)
work from it, and Enter there signs too. A signed report asked for without a signer,
key or PIN is refused in red, saying what is missing, with the cursor where it is typed.

The render runs in a thread worker with its own database connection (a
connection belongs to the thread that opened it) through the same flow as
``pqm report`` (``reports.production.produce``); it reports back only by message
(``Progressed``, ``Made``, ``Failed``), so the UI shows progress and never freezes.
Failures are said in the user's language (``report_messages``) and hide the
progress bar. The file goes to the folder under the signer (保存到), which
proposes the folder of the last document made (preference ``documents.folder``).
When done, the path is shown and ``o`` opens it with the system viewer
(``xdg-open``) when there is one. Dismisses with the written path, or None.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, ProgressBar, Static

from pqm_tui.model import inspections, notices, organisation
from pqm_tui.model.entities import Inspection, Person
from pqm_tui.model.errors import NotFoundError, PQMError
from pqm_tui.model.permissions import Action as Permission
from pqm_tui.model.permissions import require
from pqm_tui.output_files import safe_file_name
from pqm_tui.paths import keys_dir
from pqm_tui.reports.render_child import start_early, stop_early
from pqm_tui.screens.base import PQMModal
from pqm_tui.screens.dialogs.report_messages import (
    describe_failure,
    describe_result,
    keys_init_command,
)
from pqm_tui.widgets.footer import binding
from pqm_tui.widgets.path_suggester import PathSuggester
from pqm_tui.widgets.pin_input import PinInput

if TYPE_CHECKING:
    from pqm_tui.reports.document_service import RenderedDocument

FOLDER_KEY = "documents.folder"  # the preference: where the last document went
KINDS = ("notice", "report", "signed_report")
DOCUMENTS = {"notice": "notice", "report": "report", "signed_report": "report"}  # kinds.KINDS


class ReportDialog(PQMModal[Path | None]):
    """Pick a document, render it in a worker, show where it went."""

    DEFAULT_CSS = """
    ReportDialog .kinds { height: auto; margin-bottom: 1; }
    ReportDialog .actions { height: auto; margin-top: 1; }
    ReportDialog Button { margin-right: 2; }
    ReportDialog .form { grid-columns: 8 1fr; }
    ReportDialog #make-key { display: none; margin-top: 1; }
    ReportDialog #folder-row { margin-top: 1; }
    ReportDialog #make-key.shown { display: block; }
    ReportDialog #progress { display: none; margin-top: 1; }
    ReportDialog.busy #progress, ReportDialog.done #progress { display: block; }
    ReportDialog #result { margin-top: 1; height: auto; }
    ReportDialog #key-state { color: $text-muted; }
    ReportDialog #result.error, ReportDialog #key-state.error { color: $error; }
    """

    BINDINGS = [
        binding("escape", "close", "reports.dialog.close", "report.close"),
        binding("1", "render('notice')", "reports.dialog.notice", "report.pick_notice"),
        binding("2", "render('report')", "reports.dialog.report", "report.pick_report"),
        binding(
            "3", "render('signed_report')", "reports.dialog.signed_report", "report.pick_signed"
        ),
        Binding("n", "render('notice')", "reports.dialog.notice", id="report.notice", show=False),
        Binding("r", "render('report')", "reports.dialog.report", id="report.report", show=False),
        binding("s", "render('signed_report')", "reports.dialog.signed_report", "report.sign"),
        binding("k", "make_key", "reports.dialog.make_key_binding", "report.make_key"),
        binding("o", "open", "reports.dialog.open", "report.open"),
    ]

    @dataclass
    class Progressed(Message):
        """The worker finished a step."""

        step: int
        total: int

    @dataclass
    class Made(Message):
        """The worker made the document."""

        result: RenderedDocument

    @dataclass
    class Failed(Message):
        """The worker failed writing ``out`` (signed by ``signer``, a name, if any)."""

        error: BaseException
        out: Path
        signer: str

    def __init__(self, inspection_id: str, output_dir: Path | None = None) -> None:
        super().__init__()
        self.inspection_id = inspection_id
        self.output_dir = output_dir
        self.written: Path | None = None
        self.busy = False
        self.inspection: Inspection | None = None
        self.inspectors: list[Person] = []
        self.people: dict[str, Person] = {}

    @property
    def db_path(self) -> Path:
        return self.pqm.db_path or Path("pqm.sqlite3")

    def _load(self) -> None:
        """The inspection and the people who may sign (inspectors first)."""
        db = self.pqm.db
        try:
            self.inspection = inspections.get_inspection(db, self.inspection_id)
        except NotFoundError:
            return
        for pid in self.inspection.inspector_ids:
            try:
                self.inspectors.append(organisation.get_person(db, pid))
            except NotFoundError:
                continue
        others = organisation.inspectors(db) + organisation.list_people(
            db, self.inspection.project_id
        )
        for person in self.inspectors + others:
            self.people.setdefault(person.name, person)

    def _heading(self) -> str:
        tr = self.pqm.tr
        if self.inspection is None:
            return tr("reports.dialog.title")
        project = organisation.get_project(self.pqm.db, self.inspection.project_id)
        return tr(
            "reports.dialog.heading",
            project=project.name,
            kind=tr.enum(self.inspection.kind),
            date=self.inspection.started_at[:10],
            status=tr.enum(self.inspection.status),
        )

    def compose(self) -> ComposeResult:
        tr = self.pqm.tr
        self._load()
        names = "、".join(p.name for p in self.inspectors) or tr("reports.none")
        with Vertical(classes="dialog wide"):
            yield Static(self._heading(), classes="dialog-title", markup=False)
            with Horizontal(classes="kinds"):
                for n, kind in enumerate(KINDS, start=1):
                    label = f"{n} {tr.short(f'reports.dialog.{kind}')}"
                    yield Button(label, id=f"kind-{kind}", compact=True)
            with Grid(classes="form"):
                yield Static(tr("reports.dialog.signer"))
                yield Input(
                    id="signer",
                    compact=True,
                    suggester=SuggestFromList(list(self.people), case_sensitive=False),
                )
                yield Static(tr("reports.dialog.signer_pin"))
                yield PinInput(id="signer-pin")
            yield Static(tr("reports.dialog.signer_hint", names=names), classes="dialog-hint")
            yield Static("", id="key-state", markup=False)
            yield Button("", id="make-key", compact=True)
            with Grid(classes="form", id="folder-row"):
                yield Static(tr("reports.document.folder"))
                yield Input(
                    str(self.proposed_folder()),
                    id="folder",
                    compact=True,
                    suggester=PathSuggester(),
                )
            yield ProgressBar(total=4, show_eta=False, id="progress")
            yield Static("", id="result", markup=False)
            with Horizontal(classes="actions"):
                yield Button(tr("reports.dialog.open"), id="open", disabled=True, compact=True)
                yield Button(tr("reports.dialog.close"), id="close", compact=True)
            yield Static(tr("reports.dialog.keys"), id="keys", classes="dialog-keys")

    def on_mount(self) -> None:
        signer = self.query_one("#signer", Input)
        signer.value = self._default_signer()
        self._show_key_state()
        self._say("")
        self.query_one("#kind-notice", Button).focus()
        if self.inspection is None:
            self._fail(self.pqm.tr("reports.dialog.not_found"))
        else:  # WeasyPrint starts in the render child while a document is chosen (~0.5 s)
            start_early()

    def _default_signer(self) -> str:
        me = self.pqm.person
        if me is not None and me.name in self.people:
            return me.name
        return self.inspectors[0].name if self.inspectors else ""

    # signer and key ------------------------------------------------------------------
    def _signer(self) -> Person | None:
        """The person typed in the signer field (a name, or an id), or None."""
        typed = self.query_one("#signer", Input).value.strip()
        if not typed:
            return None
        if typed in self.people:
            return self.people[typed]
        try:
            return organisation.find_person(self.pqm.db, typed)
        except NotFoundError:
            return None

    def _signer_problem(self) -> str | None:
        """Why the signed report cannot be made as the typed signer, or None."""
        from pqm_tui.services.signing import key_path

        tr = self.pqm.tr
        typed = self.query_one("#signer", Input).value.strip()
        if not typed:
            return tr("reports.dialog.signer_empty")
        person = self._signer()
        if person is None:
            return tr("reports.dialog.signer_unknown", name=typed)
        if not key_path(keys_dir(self.db_path), person.id).is_file():
            command = keys_init_command(self.db_path, person.name)
            return tr("reports.dialog.key_missing", person=person.name, command=command)
        return None

    def _show_key_state(self) -> None:
        """The line under the signer: his key's validity, or what is missing."""
        from pqm_tui.services.signing import SigningError, key_info

        person = self._signer()
        problem = self._signer_problem()
        try:
            folder = keys_dir(self.db_path)
            info = None if person is None else key_info(folder, person.id, person.name)
        except SigningError:  # a damaged certificate file: make the key again
            info = None
            name = person.name if person else ""
            problem = self.pqm.tr("reports.dialog.key_unreadable", person=name)
        text = problem or ""
        if info is not None:
            text = self.pqm.tr(
                "reports.dialog.key_ok", person=info.person_name, until=info.not_after
            )
        state = self.query_one("#key-state", Static)
        state.update(text)
        state.remove_class("error")
        make_key = self.query_one("#make-key", Button)
        missing = person is not None and info is None
        make_key.set_class(missing, "shown")
        if missing and person is not None:
            make_key.label = self.pqm.tr("reports.dialog.make_key", person=person.name)

    @on(Input.Changed, "#signer")
    def _signer_changed(self) -> None:
        self._show_key_state()

    @on(Input.Submitted, "#signer-pin")
    @on(Input.Submitted, "#signer")
    def _signer_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_render("signed_report")

    def action_make_key(self) -> None:
        """Make the signer a key and self-signed certificate (``pqm keys init``)."""
        from pqm_tui.services.signing import SigningError, create_self_signed, key_info

        person = self._signer()
        if self.busy or person is None:
            return
        try:
            if key_info(keys_dir(self.db_path), person.id, person.name) is not None:
                return  # he has a working key
        except SigningError:
            pass  # a damaged certificate: make the key again
        tr = self.pqm.tr
        try:  # the person himself, or an administrator
            require(self.pqm.db, self.pqm.actor, Permission.MANAGE_KEYS, person_id=person.id)
        except PQMError as exc:
            self._fail(tr.error(exc))
            return
        pin = self._checked_pin(person)
        if pin is None:
            return
        company = self.pqm.settings.company_name or organisation.first_company_name(self.pqm.db)
        try:
            path = create_self_signed(
                keys_dir(self.db_path), person.id, person.name, company, pin.encode()
            )
        except (OSError, SigningError) as exc:
            self._fail(
                describe_failure(
                    tr, exc, out=keys_dir(self.db_path), signer=person.name, db_path=self.db_path
                )
            )
            return
        self._show_key_state()
        self._say(tr("reports.keys.created", person=person.name, path=path))
        self.query_one("#kind-signed_report", Button).focus()

    def _checked_pin(self, person: Person) -> str | None:
        """The signer's PIN when it is right; else None, with why under the signer."""
        from pqm_tui.services.pins import check_pin

        field = self.query_one("#signer-pin", Input)
        state = self.query_one("#key-state", Static)
        if not field.value:
            state.update(self.pqm.tr("reports.dialog.pin_missing", person=person.name))
        else:
            try:
                check_pin(self.pqm.db, self.pqm.clock, person.id, field.value)
                return field.value
            except PQMError as exc:
                state.update(self.pqm.tr.error(exc))
                field.value = ""
        state.add_class("error")
        field.focus()
        return None

    # rendering -----------------------------------------------------------------------
    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button.startswith("kind-"):
            self.action_render(button.removeprefix("kind-"))
        elif button == "make-key":
            self.action_make_key()
        elif button == "open":
            self.action_open()
        elif button == "close":
            self.action_close()

    def _say(self, text: str, *, error: bool = False) -> None:
        result = self.query_one("#result", Static)
        result.set_class(error, "error")
        result.update(text)
        result.display = bool(text)

    def _fail(self, text: str) -> None:
        """Show a failure; the progress bar goes away (nothing was made)."""
        self.remove_class("done")
        self.query_one("#progress", ProgressBar).update(progress=0)
        self._say(self.pqm.tr("reports.dialog.failed", reason=text), error=True)

    def _precheck(self, kind: str) -> str | None:
        """A refusal known before rendering (no notice, no signer, no key), or None."""
        if self.inspection is None:
            return self.pqm.tr("reports.dialog.not_found")
        if kind == "notice" and not notices.notices_of_inspection(self.pqm.db, self.inspection_id):
            return self.pqm.tr("reports.no_notice")
        if kind == "signed_report":
            return self._signer_problem()
        return None

    def action_render(self, kind: str) -> None:
        if self.busy:
            self._say(self.pqm.tr("reports.dialog.busy"))
            return
        refusal = self._precheck(kind)
        if refusal is not None and kind == "signed_report":
            self._refuse_signing(refusal)
            return
        if refusal is not None:
            self._fail(refusal)
            return
        signer = self._signer() if kind == "signed_report" else None
        pin = ""
        if signer is not None:
            typed = bool(self.query_one("#signer-pin", Input).value)
            checked = self._checked_pin(signer)  # says why under the signer, focuses the PIN
            if checked is None:
                tr = self.pqm.tr
                state = str(self.query_one("#key-state", Static).render())
                reason = state if typed else tr("reports.dialog.pin_first", person=signer.name)
                self._say_refused(reason)
                return
            pin = checked
            self.query_one("#signer-pin", Input).value = ""  # asked again for each signature
        self.busy = True
        self.remove_class("done")
        self.add_class("busy")
        self.query_one("#progress", ProgressBar).update(progress=0)
        self._say(self.pqm.tr("reports.dialog.rendering"))
        out = self.target_path(kind)
        name = signer.name if signer else ""
        self.render_document(DOCUMENTS[kind], out, signer.id if signer else None, name, pin)

    def _refuse_signing(self, reason: str) -> None:
        """A signed report asked for without what it needs: said in red where the result
        goes, and the cursor put where the missing thing is typed (the signer's name; his
        PIN, with which ``k`` makes his key; the make-key button once the PIN is typed)."""
        self.query_one("#key-state", Static).add_class("error")
        pin = self.query_one("#signer-pin", Input)
        make_key = self.query_one("#make-key", Button)
        person = self._signer()
        if make_key.has_class("shown") and person is not None:  # the line above says how
            reason = self.pqm.tr("reports.dialog.key_first", person=person.name)
        self._say_refused(reason)
        if not make_key.has_class("shown"):
            self.query_one("#signer", Input).focus()
        elif pin.value:
            make_key.focus()
        else:
            pin.focus()

    def _say_refused(self, reason: str) -> None:
        """Nothing was made: why, in red, and no progress bar of the last document."""
        self.remove_class("done")
        self._say(self.pqm.tr("reports.dialog.signed_refused", reason=reason), error=True)

    def proposed_folder(self) -> Path:
        """The folder given, else the last document's (remembered), else the database's."""
        if self.output_dir is not None:
            return self.output_dir
        prefs = self.pqm.preferences
        remembered = prefs.get(FOLDER_KEY) if prefs is not None else None
        if isinstance(remembered, str) and Path(remembered).is_dir():
            return Path(remembered)
        return self.pqm.db_path.resolve().parent if self.pqm.db_path else Path.cwd()

    def target_path(self, kind: str) -> Path:
        typed = self.query_one("#folder", Input).value.strip()
        folder = Path(typed).expanduser() if typed else self.proposed_folder()
        return folder / f"{self.file_stem(kind)}.pdf"

    def file_stem(self, kind: str) -> str:
        """The file name without ``.pdf`` (文件名): words, notice number, project, date."""
        if self.inspection is None:
            return safe_file_name(self.pqm.tr(f"reports.dialog.{kind}"))
        db = self.pqm.db
        project = organisation.get_project(db, self.inspection.project_id).name
        issued = notices.notices_of_inspection(db, self.inspection_id)
        number = issued[0].number if issued else ""
        date = self.inspection.started_at[:10]
        words = self.pqm.tr(
            f"reports.dialog.file_{kind}", number=number, project=project, date=date
        )
        return safe_file_name(words)

    @work(thread=True, exclusive=True, group="report")
    def render_document(
        self, kind: str, out: Path, signer_id: str | None, name: str, pin: str = ""
    ) -> None:
        """Worker: own connection, the one document flow (``produce``); reports by message."""
        from pqm_tui.model.db import connect
        from pqm_tui.reports.document_service import DocumentService
        from pqm_tui.reports.production import DocumentRequest, produce

        app = self.pqm
        request = DocumentRequest(
            kind, self.inspection_id, out, force=True, signer=signer_id, pin=pin
        )
        db = None
        try:
            db = connect(self.db_path, actor=app.actor)  # busy or gone storage is said too
            service = DocumentService(
                db, self.db_path, app.settings, app.clock, app.actor, progress=self._progressed
            )
            self.post_message(self.Made(produce(service, request)))
        except Exception as exc:  # said to the user in the dialog, never swallowed
            self.post_message(self.Failed(exc, out, name))
        finally:
            if db is not None:
                db.close()

    def _progressed(self, step: int, total: int, _label: str) -> None:
        """Called on the worker thread by the document service."""
        self.post_message(self.Progressed(step, total))

    def on_report_dialog_progressed(self, message: Progressed) -> None:
        self.query_one("#progress", ProgressBar).update(total=message.total, progress=message.step)

    def on_report_dialog_failed(self, message: Failed) -> None:
        self.busy = False
        self.remove_class("busy")
        tr, out, signer = self.pqm.tr, message.out, message.signer
        self._fail(
            describe_failure(tr, message.error, out=out, signer=signer, db_path=self.db_path)
        )

    def on_report_dialog_made(self, message: Made) -> None:
        self.busy = False
        self.remove_class("busy")
        self.add_class("done")
        self.written = message.result.path
        prefs = self.pqm.preferences
        if prefs is not None:
            prefs.set(FOLDER_KEY, str(self.written.parent))
        viewer = shutil.which("xdg-open") is not None
        self._say(describe_result(self.pqm.tr, message.result, viewer=viewer))
        self.query_one("#open", Button).disabled = not viewer
        start_early()  # for the next document (the notice, then the report …)

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
        if self.busy:
            self._say(self.pqm.tr("reports.dialog.busy"))
            return
        stop_early()  # the child waiting for a next document is not needed
        self.dismiss(self.written)
