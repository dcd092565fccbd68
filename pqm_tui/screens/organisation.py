"""The organisation screen (组织架构): city companies, projects, areas, departments, people.

One tab each (keys 1–5). ``a`` adds, ``e`` / Enter edits, ``x`` archives the
highlighted row or restores an archived one (nothing is deleted: inspections and
signed records keep naming it), ``h`` shows or hides the archived rows. The areas
tab shows the areas of the project highlighted in the projects tab, in walking
order; ctrl+↑ / ctrl+↓ (or K / J) move an area. ``c`` sets a project's default
checklists. Only the tab on show is read; the tab, the project and the archive
toggle are reactive attributes whose watchers reload it.
"""

from __future__ import annotations

from typing import Literal, get_args

from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.reactive import var
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane
from textual.widgets.data_table import RowDoesNotExist

from pqm_tui.model import checklists, organisation
from pqm_tui.model.entities import InspectionKind, Project
from pqm_tui.model.errors import PQMError
from pqm_tui.model.permissions import Action as Permission
from pqm_tui.model.permissions import require
from pqm_tui.paths import keys_dir
from pqm_tui.screens.base import PQMScreen
from pqm_tui.screens.dialogs.form import FormDialog
from pqm_tui.screens.organisation_forms import OrgForms
from pqm_tui.widgets.footer import PQMFooter, binding

Tab = Literal["cities", "projects", "areas", "departments", "people"]
TABS: tuple[Tab, ...] = get_args(Tab)
TABLE: dict[Tab, organisation.Archivable] = {
    "cities": "city_companies",
    "projects": "projects",
    "areas": "areas",
    "departments": "departments",
    "people": "people",
}
COLUMNS: dict[Tab, tuple[str, ...]] = {
    "cities": ("name", "projects", "state"),
    # the address last: at 80 columns the receiver and the areas stay on screen
    "projects": ("name", "kind", "city", "receiver", "areas", "default", "address", "state"),
    "areas": ("position", "name", "area_type", "state"),
    "departments": ("name", "project", "state"),
    "people": ("name", "title", "roles", "city", "project", "department", "phone", "state"),
}


def _binding(key: str, action: str, name: str, *, show: bool = True) -> Binding:
    return binding(key, action, f"orgscreen.key.{name}", f"org.{name}", show=show)


class OrganisationScreen(PQMScreen[None]):
    """Tabs of the organisation; forms to add and edit, archive instead of delete."""

    CSS_PATH = "organisation.tcss"
    BINDINGS = [
        _binding("escape", "back", "back"),
        _binding("a", "add", "add"),
        _binding("e", "edit", "edit"),
        _binding("x", "archive", "archive"),
        _binding("h", "toggle_archived", "archived"),
        _binding("c", "defaults", "defaults"),
        _binding("p", "pin", "pin"),
        _binding("ctrl+up,K", "move(-1)", "move_up"),
        _binding("ctrl+down,J", "move(1)", "move_down"),
        *(
            _binding(str(n), f"show_tab('{tab}')", f"tab_{tab}", show=False)
            for n, tab in enumerate(TABS, start=1)
        ),
        binding("question_mark", "help", "keys.walk.help", "org.help"),
    ]

    tab: var[Tab] = var[Tab]("projects", init=False)
    """The tab on show: its table is read when it changes."""
    show_archived: var[bool] = var(False, init=False)
    """Whether archived rows are listed (marked 已归档)."""
    project_id: var[str | None] = var[str | None](None, init=False)
    """The project whose areas the areas tab lists (highlighted in the projects tab)."""

    def __init__(self, tab: Tab = "projects") -> None:
        super().__init__()
        self.set_reactive(OrganisationScreen.tab, tab)
        self._forms: OrgForms | None = None

    @property
    def forms(self) -> OrgForms:
        if self._forms is None:
            app = self.pqm
            keys = keys_dir(app.db_path) if app.db_path else None
            self._forms = OrgForms(app.db, self.tr, app.clock, keys)
        return self._forms

    # layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        tr = self.tr
        yield Header()
        with TabbedContent(initial=self.tab, id="org-tabs"):
            for n, tab in enumerate(TABS, start=1):
                with TabPane(f"{n} {tr(f'orgscreen.tab.{tab}')}", id=tab):
                    yield Static("", id=f"hint-{tab}", classes="org-hint")
                    yield DataTable(id=f"table-{tab}", cursor_type="row", zebra_stripes=True)
        yield Static("", id="org-status")
        yield PQMFooter()

    def on_mount(self) -> None:
        tr = self.tr
        for tab in TABS:
            table = self._table(tab)
            for column in COLUMNS[tab]:
                table.add_column(tr(f"orgscreen.col.{column}"), key=column)
        self.reload()
        self._table(self.tab).focus()

    def _table(self, tab: Tab) -> DataTable[str]:
        return self.query_one(f"#table-{tab}", DataTable)

    # state ---------------------------------------------------------------------------------
    def watch_tab(self, tab: Tab) -> None:
        self.query_one("#org-tabs", TabbedContent).active = tab
        self.reload()
        self._table(tab).focus()
        self.refresh_bindings()  # the footer shows the keys of this tab

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Default checklists on the projects tab only; reordering on the areas tab only."""
        if action == "defaults":
            return self.tab == "projects"
        if action == "pin":
            return self.tab == "people"
        if action == "move":
            return self.tab == "areas"
        return True

    def watch_show_archived(self) -> None:
        self.reload()

    def watch_project_id(self) -> None:
        if self.tab != "projects":
            self.reload()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """A tab clicked with the mouse."""
        tab = event.pane.id
        if tab in TABS and tab != self.tab:
            self.tab = tab

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "table-projects" and event.row_key.value:
            self.project_id = event.row_key.value

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def selected_id(self) -> str | None:
        """The id of the highlighted row of the tab on show."""
        table = self._table(self.tab)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        return str(key) if key else None

    # reading -------------------------------------------------------------------------------
    def reload(self, focus_id: str | None = None) -> None:
        """Read the tab on show again; the cursor stays on its row (or goes to ``focus_id``)."""
        tab = self.tab
        table = self._table(tab)
        keep = focus_id or self.selected_id()
        row = table.cursor_row
        table.clear()
        rows = getattr(self, f"_rows_{tab}")()
        archived = self.tr("orgscreen.archived")
        count = 0
        for row_id, cells, archived_at in rows:
            if archived_at and not self.show_archived:
                continue
            table.add_row(*cells, archived if archived_at else "", key=row_id)
            count += 1
        if keep is not None:
            try:
                table.move_cursor(row=table.get_row_index(keep))
            except RowDoesNotExist:  # archived and hidden: the cursor stays on its line
                table.move_cursor(row=min(row, max(0, table.row_count - 1)))
        self._say_hint(tab, count)

    def _say_hint(self, tab: Tab, count: int) -> None:
        tr = self.tr
        if tab == "areas":
            project = self._project_name()
            hint = (
                tr("orgscreen.hint.areas", project=project)
                if project
                else tr("orgscreen.hint.no_project")
            )
        else:
            hint = tr(f"orgscreen.hint.{tab}")
        self.query_one(f"#hint-{tab}", Static).update(hint)
        state = "orgscreen.status_archived" if self.show_archived else "orgscreen.status"
        self.query_one("#org-status", Static).update(tr(state, count=count))

    def _project_name(self) -> str:
        if self.project_id is None:
            return ""
        return organisation.get_project(self.pqm.db, self.project_id).name

    def _first_project(self, projects: list[Project]) -> None:
        """Until a project is highlighted, the areas tab shows the first one's."""
        if self.project_id is None:
            first = next((p.id for p in projects if p.archived_at is None), None)
            self.set_reactive(OrganisationScreen.project_id, first)

    def _rows_cities(self) -> list[tuple[str, tuple[str, ...], str | None]]:
        db = self.pqm.db
        per_city: dict[str, int] = {}
        projects = organisation.list_projects(db, active_only=True)
        self._first_project(projects)
        for project in projects:
            per_city[project.city_company_id] = per_city.get(project.city_company_id, 0) + 1
        return [
            (c.id, (c.name, str(per_city.get(c.id, 0))), c.archived_at)
            for c in organisation.list_city_companies(db)
        ]

    def _rows_projects(self) -> list[tuple[str, tuple[str, ...], str | None]]:
        db, tr = self.pqm.db, self.tr
        cities = organisation.names(db, "city_companies")
        people = organisation.names(db, "people")
        areas = organisation.area_counts(db)
        projects = organisation.list_projects(db)
        self._first_project(projects)
        names = {c.checklist.id: c.checklist.name for c in checklists.list_checklists(db)}
        defaults = organisation.all_default_checklists(db, InspectionKind.MONTHLY)
        return [
            (
                p.id,
                (
                    p.name,
                    tr.enum(p.kind),
                    cities.get(p.city_company_id, ""),
                    people.get(p.receiver_id or "", ""),
                    str(areas.get(p.id, 0)),
                    names.get(defaults.get(p.id, ""), ""),
                    p.address,
                ),
                p.archived_at,
            )
            for p in projects
        ]

    def _rows_areas(self) -> list[tuple[str, tuple[str, ...], str | None]]:
        self._first_project(organisation.list_projects(self.pqm.db, active_only=True))
        if self.project_id is None:
            return []
        areas = organisation.list_areas(self.pqm.db, self.project_id)
        active = [a for a in areas if a.archived_at is None]
        order = {a.id: str(n) for n, a in enumerate(active, start=1)}
        return [
            (a.id, (order.get(a.id, "—"), a.name, self.tr.enum(a.area_type)), a.archived_at)
            for a in areas
        ]

    def _rows_departments(self) -> list[tuple[str, tuple[str, ...], str | None]]:
        db, tr = self.pqm.db, self.tr
        projects = organisation.names(db, "projects")
        return [
            (
                d.id,
                (d.name, projects.get(d.project_id or "", tr("orgscreen.company_wide"))),
                d.archived_at,
            )
            for d in organisation.list_all_departments(db)
        ]

    def _rows_people(self) -> list[tuple[str, tuple[str, ...], str | None]]:
        db, tr = self.pqm.db, self.tr
        cities = organisation.names(db, "city_companies")
        projects = organisation.names(db, "projects")
        departments = organisation.names(db, "departments")
        return [
            (
                p.id,
                (
                    p.name,
                    p.role,
                    "、".join(tr.enum(r) for r in p.roles),
                    cities.get(p.city_company_id or "", ""),
                    projects.get(p.project_id or "", tr("orgscreen.quality_department")),
                    departments.get(p.department_id or "", ""),
                    p.phone,
                ),
                p.archived_at,
            )
            for p in organisation.list_people(db)
        ]

    # actions -------------------------------------------------------------------------------
    def action_show_tab(self, tab: Tab) -> None:
        self.tab = tab

    def action_toggle_archived(self) -> None:
        self.show_archived = not self.show_archived

    def action_back(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        self.pqm.open("help", target=self)

    def _open_form(self, form: FormDialog) -> None:
        def closed(values: dict[str, str] | None) -> None:
            if values is not None:
                self.reload(focus_id=self.forms.saved_id)

        self.app.push_screen(form, closed)

    def _needs(self, what: str, tab: Tab) -> None:
        """Say that ``what`` is missing and go to the tab where it is added."""
        self.notify(self.tr(f"orgscreen.needs.{what}"), severity="warning")
        self.tab = tab

    def action_add(self) -> None:
        forms, db = self.forms, self.pqm.db
        if self.tab == "cities":
            self._open_form(forms.city())
        elif self.tab == "projects":
            if not organisation.list_city_companies(db, active_only=True):
                self._needs("city", "cities")
                return
            self._open_form(forms.project())
        elif self.tab == "areas":
            if self.project_id is None:
                self._needs("project", "projects")
                return
            self._open_form(forms.area(self.project_id))
        elif self.tab == "departments":
            self._open_form(forms.department(project_id=None))
        else:
            self._open_form(forms.person())

    def action_edit(self) -> None:
        row_id = self.selected_id()
        if row_id is None:
            self.action_add()
            return
        forms = self.forms
        if self.tab == "cities":
            self._open_form(forms.city(row_id))
        elif self.tab == "projects":
            self._open_form(forms.project(row_id))
        elif self.tab == "areas" and self.project_id is not None:
            self._open_form(forms.area(self.project_id, row_id))
        elif self.tab == "departments":
            self._open_form(forms.department(row_id))
        elif self.tab == "people":
            self._open_form(forms.person(row_id))

    def action_defaults(self) -> None:
        row_id = self.selected_id()
        if row_id is not None:
            self._open_form(self.forms.defaults(row_id))

    def action_pin(self) -> None:
        """The highlighted person's sign-off PIN: his own changed, or another's reset."""
        row_id = self.selected_id()
        if row_id is not None:
            self._open_form(self.forms.pin(row_id, self.pqm.actor))

    def action_archive(self) -> None:
        """Archive the highlighted row (归档), or restore it when it is archived."""
        row_id = self.selected_id()
        if row_id is None:
            return
        table = TABLE[self.tab]
        archived = self._table(self.tab).get_row(row_id)[-1] != ""
        app = self.pqm
        try:
            require(app.db, app.actor, Permission.EDIT_ORGANISATION)
            if archived:
                organisation.restore(app.db, table, row_id)
                said = "orgscreen.restored"
            else:
                organisation.archive(app.db, app.clock, table, row_id)
                used = organisation.is_referenced(app.db, table, row_id)
                said = "orgscreen.archived_used" if used else "orgscreen.archived_done"
        except PQMError as exc:
            self.notify(self.tr.error(exc), severity="error")
            return
        self.notify(self.tr(said))
        if self.tab == "projects" and not archived and row_id == self.project_id:
            self.set_reactive(OrganisationScreen.project_id, None)
        self.reload()

    def action_move(self, offset: int) -> None:
        """Move the highlighted area up or down the walk (调整区域顺序)."""
        row_id = self.selected_id()
        if row_id is None:
            return
        if organisation.get_area(self.pqm.db, row_id).archived_at is not None:
            return
        try:
            require(self.pqm.db, self.pqm.actor, Permission.EDIT_ORGANISATION)
            organisation.move_area(self.pqm.db, row_id, offset)
        except PQMError as exc:  # storage busy, full or read-only: said, nothing lost
            self.notify(self.tr.error(exc), severity="error")
            return
        self.reload(focus_id=row_id)
