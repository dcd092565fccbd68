"""Start an inspection (新建检查): project, kind, checklist, inspectors, time.

Defaults make it a few keys: the project highlighted on the home screen, a
monthly check, the latest version of the checklist made for the project's
kind, the current user (or the first inspector), now. ctrl+s starts.
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
from pqm_tui.services.inspection_start import start_inspection
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
                yield Static(tr("walk.start.kind"))
                yield Select(
                    [(tr.enum(k), k) for k in InspectionKind],
                    value=InspectionKind.MONTHLY,
                    allow_blank=False,
                    id="kind",
                    compact=True,
                )
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
                yield Static(tr("walk.start.inspectors"))
                yield SelectionList[str](
                    *((f"{p.name}（{p.role}）", p.id, p.id == me) for p in people),
                    id="inspectors",
                )
                yield Static(tr("walk.start.time"))
                yield Input(app.clock.now().strftime(TIME_FORMAT), id="time", compact=True)
            yield Static("", id="error", classes="dialog-error")
            yield Static(tr("walk.start.keys"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#project", Select).focus()

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
            error.update(tr("walk.start.no_project"))
            return
        if not isinstance(version, str):
            error.update(tr("walk.start.no_checklist"))
            return
        if not chosen:
            error.update(tr("walk.start.no_inspector"))
            self.query_one("#inspectors", SelectionList).focus()
            return
        try:
            started = datetime.strptime(text, TIME_FORMAT).replace(tzinfo=app.clock.tz)
        except ValueError:
            error.update(tr("walk.start.bad_time", value=text, format="YYYY-MM-DD HH:MM"))
            self.query_one("#time", Input).focus()
            return
        if not organisation.area_counts(app.db).get(project):
            error.update(tr("walk.start.no_areas", project=self.projects[project].name))
            return
        try:
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

    def action_cancel(self) -> None:
        self.dismiss(None)
