"""Home screen (首页): projects and recent inspections."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from pqm_tui.model import inspections, organisation

if TYPE_CHECKING:
    from pqm_tui.app import PQMApp

RECENT_LIMIT = 100


class HomeScreen(Screen[None]):
    """Projects on top, the most recent inspections below."""

    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="home.refresh"),
    ]

    @property
    def pqm(self) -> PQMApp:
        return cast("PQMApp", self.app)

    def compose(self) -> ComposeResult:
        tr = self.pqm.tr
        yield Header()
        yield Static(tr("home.projects"), classes="pane-title")
        yield DataTable(id="projects", cursor_type="row", zebra_stripes=True)
        yield Static(tr("home.recent"), classes="pane-title")
        yield DataTable(id="inspections", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        tr = self.pqm.tr
        projects = self.query_one("#projects", DataTable)
        projects.add_columns(*(tr(f"home.col.{c}") for c in ("project", "kind", "areas")))
        recent = self.query_one("#inspections", DataTable)
        recent.add_columns(
            *(
                tr(f"home.col.{c}")
                for c in ("started", "project", "kind", "status", "inspectors", "failed")
            )
        )
        self.action_refresh()

    def action_refresh(self) -> None:
        tr = self.pqm.tr
        db = self.pqm.db
        projects = self.query_one("#projects", DataTable)
        projects.clear()
        for project in organisation.list_projects(db):
            projects.add_row(
                project.name,
                tr.enum(project.kind),
                str(len(organisation.list_areas(db, project.id))),
                key=project.id,
            )
        recent = self.query_one("#inspections", DataTable)
        recent.clear()
        rows = inspections.list_inspections(db, limit=RECENT_LIMIT)
        for row in rows:
            i = row.inspection
            recent.add_row(
                i.started_at[:16].replace("T", " "),
                row.project_name,
                tr.enum(i.kind),
                tr.enum(i.status),
                "、".join(row.inspector_names),
                str(row.failed),
                key=i.id,
            )
        status = tr("home.status", projects=projects.row_count, inspections=len(rows))
        if projects.row_count == 0:
            status = tr("home.empty")
        self.query_one("#status", Static).update(status)
