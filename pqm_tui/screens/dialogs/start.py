"""Start an inspection (新建检查): project, kind, checklist, inspectors, time.

Defaults make it a few keys: the project highlighted on the home screen, a
monthly check, the latest version of the checklist made for the project's
kind, the current user (or the first inspector), now. ctrl+s starts. 复检 is
offered only for a project with items awaiting a re-inspection (it takes them);
a second check of the same kind and project in the same half-month is asked about.
"""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Input, Select, SelectionList, Static

from pqm_tui.model import checklists, organisation
from pqm_tui.model.entities import InspectionKind, Project
from pqm_tui.model.errors import PQMError
from pqm_tui.model.permissions import QUALITY
from pqm_tui.screens.base import PQMModal
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.services import reinspection
from pqm_tui.services.cadence import earlier_in_half_month
from pqm_tui.services.inspection_drafts import start_inspection
from pqm_tui.widgets.footer import binding

TIME_FORMAT = "%Y-%m-%d %H:%M"


class StartInspectionScreen(PQMModal[str | None]):
    """The start form; returns the new inspection's id, or None."""

    BINDINGS = [
        binding("ctrl+s", "start", "keys.start.start", "start.start", priority=True),
        binding("escape", "cancel", "keys.panel.cancel", "start.cancel"),
    ]

    def __init__(self, project_id: str | None = None) -> None:
        super().__init__()
        self.project_id = project_id
        self.targets: list[str] = []  # the items a re-inspection of the project would take
        self.second_confirmed = False  # a second check in the half-month was confirmed

    def compose(self) -> ComposeResult:
        app, tr = self.pqm, self.tr
        self.projects = {p.id: p for p in organisation.list_projects(app.db, active_only=True)}
        self.checklists = checklists.list_checklists(app.db)
        people = [  # the quality department's people (not its administrator or city GMs)
            p
            for p in organisation.inspectors(app.db)
            if p.archived_at is None and (not p.roles or QUALITY & set(p.roles))
        ]
        project_id = self.project_id if self.project_id in self.projects else None
        project_id = project_id or next(iter(self.projects), None)
        me = next((p.id for p in people if p.id == app.actor), people[0].id if people else None)
        with Vertical(classes="dialog wide"):
            yield Static(tr("walk.start.title"), classes="dialog-title")
            with Grid(classes="form"):
                yield Static(tr("walk.start.project"))
                yield Select(
                    [(p.name, p.id) for p in self.projects.values()],
                    value=project_id if project_id else Select.NULL,
                    prompt=tr("walk.start.no_project"),
                    allow_blank=not project_id,
                    id="project",
                    compact=True,
                )
                yield from self._error_line("project")
                yield Static(tr("walk.start.kind"))
                yield Select(
                    self._kinds(project_id),
                    value=InspectionKind.MONTHLY,
                    allow_blank=False,
                    id="kind",
                    compact=True,
                )
                yield from self._error_line("kind")
                yield Static(tr("walk.start.checklist"))
                yield Select(
                    [
                        (f"{c.checklist.name} v{c.latest_version}", c.latest_version_id)
                        for c in self.checklists
                    ],
                    value=self._checklist_for(project_id),
                    prompt=tr("walk.start.no_checklist"),
                    allow_blank=not self.checklists,
                    id="checklist",
                    compact=True,
                )
                yield from self._error_line("checklist")
                yield Static(tr("walk.start.inspectors"))
                yield SelectionList[str](
                    *((f"{p.name}（{p.role}）", p.id, p.id == me) for p in people),
                    id="inspectors",
                )
                yield from self._error_line("inspectors")
                yield Static(tr("walk.start.time"))
                yield Input(app.clock.now().strftime(TIME_FORMAT), id="time", compact=True)
                yield from self._error_line("time")
            yield Static("", id="error", classes="dialog-error")
            yield Static(tr("walk.start.keys"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#project", Select).focus()

    @staticmethod
    def _error_line(field: str) -> ComposeResult:
        """The line under a field that says why it is refused (there only when it is)."""
        yield Static("", id=f"gap-{field}", classes="field-error")
        yield Static("", id=f"error-{field}", classes="dialog-error field-error")

    def _refuse(self, field: str, text: str) -> None:
        """Say ``text`` under ``field`` (the others' lines cleared) and put the cursor there."""
        for name in ("project", "kind", "checklist", "inspectors", "time"):
            shown = name == field
            self.query_one(f"#error-{name}", Static).update(text if shown else "")
            for line in ("gap", "error"):
                self.query_one(f"#{line}-{name}").set_class(shown, "shown")
        self.query_one(f"#{field}").focus()

    def _kinds(self, project_id: str | None) -> list[tuple[str, InspectionKind]]:
        """The kinds offered: 复检 only when the project has items awaiting one."""
        self.targets = reinspection.awaiting(self.pqm.db, project_id) if project_id else []
        return [
            (self.tr.enum(k), k)
            for k in InspectionKind
            if k != InspectionKind.REINSPECTION or self.targets
        ]

    def _checklist_for(
        self, project_id: str | None, kind: InspectionKind = InspectionKind.MONTHLY
    ) -> str | object:
        """The latest version of the project's default checklist for ``kind`` (默认检查表),
        else of the first checklist made for the project's kind."""
        project: Project | None = self.projects.get(project_id or "")
        if project is not None:
            chosen = organisation.default_checklists(self.pqm.db, project.id).get(kind)
            for summary in self.checklists:
                if summary.checklist.id == chosen:
                    return summary.latest_version_id
        for summary in self.checklists:
            if project is not None and project.kind in summary.checklist.project_kinds:
                return summary.latest_version_id
        return self.checklists[0].latest_version_id if self.checklists else Select.NULL

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "project" and isinstance(event.value, str):
            kinds = self.query_one("#kind", Select)
            chosen = kinds.value
            offered = self._kinds(event.value)
            kinds.set_options(offered)
            kinds.value = chosen if chosen in [k for _, k in offered] else InspectionKind.MONTHLY
        if event.select.id in ("project", "kind"):
            project = self.query_one("#project", Select).value
            kind = self.query_one("#kind", Select).value
            if isinstance(project, str) and isinstance(kind, str):
                value = self._checklist_for(project, InspectionKind(kind))
                if isinstance(value, str):
                    self.query_one("#checklist", Select).value = value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_start()

    def action_start(self) -> None:
        app, tr = self.pqm, self.tr
        error = self.query_one("#error", Static)
        project = self.query_one("#project", Select).value
        version = self.query_one("#checklist", Select).value
        kind = self.query_one("#kind", Select).value
        chosen = list(self.query_one("#inspectors", SelectionList).selected)
        text = self.query_one("#time", Input).value.strip()
        if not isinstance(project, str):
            self._refuse("project", tr("walk.start.no_project"))
            return
        if not isinstance(version, str):
            self._refuse("checklist", tr("walk.start.no_checklist"))
            return
        if not chosen:
            self._refuse("inspectors", tr("walk.start.no_inspector"))
            return
        try:
            started = datetime.strptime(text, TIME_FORMAT).replace(tzinfo=app.clock.tz)
        except ValueError:
            self._refuse("time", tr("walk.start.bad_time", value=text, format="YYYY-MM-DD HH:MM"))
            return
        if not organisation.area_counts(app.db).get(project):
            self._refuse("project", tr("walk.start.no_areas", project=self.projects[project].name))
            return
        kind = InspectionKind(str(kind))
        earlier = earlier_in_half_month(app.db, project, kind, started.date())
        if earlier and not self.second_confirmed:
            question = tr(
                "walk.start.second",
                project=self.projects[project].name,
                kind=tr.enum(kind),
                started=earlier[:16].replace("T", " "),
            )
            self.app.push_screen(ConfirmDialog(question), self._second_answered)
            return
        try:
            if kind == InspectionKind.REINSPECTION:  # of the items awaiting one (复检对象)
                inspection = reinspection.create_reinspection(
                    app.db,
                    app.clock,
                    self.targets,
                    inspector_ids=[str(c) for c in chosen],
                    actor=app.actor,
                )
            else:
                inspection = start_inspection(
                    app.db,
                    app.clock,
                    actor=app.actor,
                    project_id=project,
                    kind=InspectionKind(str(kind)),
                    version_id=version,
                    inspector_ids=[str(c) for c in chosen],
                    started_at=started.isoformat(timespec="milliseconds"),
                )
        except PQMError as exc:
            error.update(tr("walk.error", error=tr.error(exc)))
            return
        self.dismiss(inspection.id)

    def _second_answered(self, yes: bool | None) -> None:
        """A second check in the half-month: started when the inspector says so."""
        if yes:
            self.second_confirmed = True
            self.action_start()

    def action_cancel(self) -> None:
        self.dismiss(None)
