"""Home screen (首页): projects and recent inspections.

On a database where a first inspection cannot start yet (no project with areas,
no checklist, no inspector) it opens the welcome screen; ``n`` says what is
missing and offers to go where it is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from pqm_tui.model.enums import InspectionStatus
from pqm_tui.model.errors import PQMError
from pqm_tui.model.inspection_list import recent_inspections
from pqm_tui.screens.base import PQMScreen
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.widgets.due_panel import DuePanel
from pqm_tui.widgets.footer import PQMFooter, binding

if TYPE_CHECKING:  # scoring loads in the worker that scores, after the first paint
    from pqm_tui.services.latest_scores import LatestScore
    from pqm_tui.services.setup import Step

# The database layer (sqlite-utils, the pydantic entities) loads after the first paint:
# the methods that read import it where they use it.

RECENT_LIMIT = 100
RECENT_COLUMNS = ("started", "project", "kind", "status", "inspectors", "failed")
# left out, in this order, while the recent inspections are wider than the screen (80
# columns in English): every other column stays whole; the summary names the kind
RECENT_DROP = ("kind",)
PROJECT_COLUMNS = ("project", "kind", "areas", "latest_score", "latest_band")


def band_text(score: LatestScore, bands: int, lang: str) -> Text:
    """The band's name coloured by its place: green above none, red below (考核档位)."""
    label = score.band.label_zh if lang == "zh" else score.band.label_en
    pay = score.band.pay_adjust_percent
    style = "bold green" if score.rank == 0 and pay > 0 else "green" if pay > 0 else ""
    if pay < 0:
        style = "bold red" if score.rank == bands - 1 else "dark_orange"
    return Text(label, style=style)


class HomeScreen(PQMScreen[None]):
    """Projects on top, the most recent inspections below.

    ``n`` starts an inspection (for the highlighted project); Enter on an
    inspection opens it: a draft in the walk, otherwise in the summary. At
    start the latest draft is offered for resuming where it stopped.
    """

    BINDINGS = [
        # in the footer in this order while they fit (help first, quit last; a narrow
        # terminal leaves out the last ones, which ? help and the palette still list)
        binding("n", "new", "keys.home.new", "home.new"),
        binding("o", "open", "keys.home.open", "home.open"),
        binding("v", "review", "review.key.open", "home.review"),
        binding("t", "analysis", "analysis.key.open", "home.analysis"),
        binding("a", "assessment", "assess.key.grid", "home.assessment"),
        binding("m", "amendments", "amend.key.open", "home.amendments"),
        binding("g", "organisation", "welcome.key.organisation", "home.organisation"),
        binding("r", "refresh", "keys.home.refresh", "home.refresh"),
        binding("d", "abandon", "keys.home.abandon", "home.abandon"),
        binding("question_mark", "help", "keys.walk.help", "home.help"),
    ]

    @dataclass
    class ScoresLoaded(Message):
        """The latest scores, computed off the UI thread (project id → score)."""

        scores: dict[str, LatestScore]

    def __init__(self, offer_resume: bool = True) -> None:
        super().__init__()
        self.offer_resume = offer_resume
        self._resumed = False

    def compose(self) -> ComposeResult:
        tr = self.tr
        yield Header()
        yield Static(tr("home.projects"), classes="pane-title")
        yield DataTable(id="projects", cursor_type="row", zebra_stripes=True)
        yield Static(tr("home.recent"), classes="pane-title")
        yield DataTable(id="inspections", cursor_type="row", zebra_stripes=True)
        yield DuePanel(id="due")
        yield Static("", id="status")
        yield PQMFooter()

    def on_mount(self) -> None:
        tr = self.tr
        projects = self.query_one("#projects", DataTable)
        projects.add_columns(*(tr(f"home.col.{c}") for c in PROJECT_COLUMNS))
        self.recent_rows: list[tuple[str, dict[str, str]]] = []  # (id, cells by column)
        if self.pqm.database_open:
            self.call_after_refresh(self._fill)  # the screen is painted first, then filled

    def database_ready(self) -> None:
        """The app opened its database after the first paint: fill, as on mount."""
        self.refresh_bindings()  # the keys work now
        self.query_one("#due", DuePanel).refresh_due()
        self._fill()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys wait for the database (the moment between the first paint and its opening)."""
        return True if self.pqm.database_open else None

    def _fill(self) -> None:
        """Fill the tables, then open the welcome screen or offer to resume a draft."""
        from pqm_tui.model import inspections
        from pqm_tui.services.setup import setup_state

        self.action_refresh()
        db = self.pqm.db
        if setup_state(db).missing and inspections.latest_draft(db) is None:
            self._welcome()
        elif self.offer_resume and not self.pqm.identity_pending:  # else: once chosen
            self.offer_resume_walk()

    def _welcome(self) -> None:
        """A new database: the welcome screen says what to enter first (开始使用)."""
        self.pqm.open("welcome", callback=lambda _: self.action_refresh())

    def on_screen_resume(self) -> None:
        """Back from another screen: show what changed (the first resume follows mount)."""
        if self._resumed:
            self.action_refresh()
        self._resumed = True

    def offer_resume_walk(self) -> None:
        """Offer the acting person the draft they worked on last, among those they may walk
        (its inspectors): after a crash or a closed terminal."""
        from pqm_tui.model import checklists, inspections, organisation
        from pqm_tui.services.inspection_drafts import draft_to_resume

        draft = draft_to_resume(self.pqm.db, self.pqm.person)
        if draft is None:
            return
        tr = self.tr
        project = organisation.get_project(self.pqm.db, draft.project_id)
        position = inspections.get_position(self.pqm.db, draft.id)
        question = tr(
            "walk.resume.question",
            project=project.name,
            kind=tr.enum(draft.kind),
            started=draft.started_at[:16].replace("T", " "),
        )
        hint = ""
        if position:  # name the area and item the walk will come back to
            areas = {a.id: a.name for a in organisation.list_areas(self.pqm.db, draft.project_id)}
            items = checklists.item_codes_and_standards(self.pqm.db, draft.checklist_version_id)
            code, standard = items.get(position.item_id or "", ("", ""))
            short = standard if len(standard) <= 16 else standard[:16] + "…"
            hint = tr(
                "walk.resume.hint",
                at=position.updated_at[11:19],
                area=areas.get(position.area_id or "", "—"),
                item=f"{code} {short}".strip() or "—",
            )

        def resume(answer: bool | None) -> None:
            if answer:
                self._open(draft.id)

        self.app.push_screen(ConfirmDialog(question, hint), resume)

    def _open(self, inspection_id: str) -> None:
        from pqm_tui.model import inspections

        inspection = inspections.get_inspection(self.pqm.db, inspection_id)
        draft = inspection.status == InspectionStatus.DRAFT
        self.pqm.open("walk" if draft else "summary", inspection_id=inspection_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "inspections" and event.row_key.value:
            self._open(str(event.row_key.value))
        elif event.data_table.id == "projects" and event.row_key.value:
            self._start(str(event.row_key.value))

    def action_open(self) -> None:
        table = self.query_one("#inspections", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
            if key:
                self._open(str(key))

    def action_abandon(self) -> None:
        """作废: a draft made by mistake leaves the lists, kept with who, when and why."""
        from pqm_tui.model import inspections, organisation
        from pqm_tui.screens.dialogs.form import FormDialog, FormField  # not at start
        from pqm_tui.services.inspection_drafts import abandon_draft

        table = self.query_one("#inspections", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        app, tr = self.pqm, self.tr
        inspection = inspections.get_inspection(app.db, str(key))
        if inspection.status != InspectionStatus.DRAFT:
            self.notify(tr("walk.abandon.not_draft"), severity="warning")
            return
        project = organisation.get_project(app.db, inspection.project_id).name
        started = inspection.started_at[:16].replace("T", " ")
        hint = tr(
            "walk.abandon.hint", project=project, kind=tr.enum(inspection.kind), started=started
        )

        def save(values: dict[str, str]) -> None:
            abandon_draft(
                app.db, app.clock, inspection.id, actor=app.actor, reason=values["reason"]
            )

        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                self.notify(tr("walk.abandon.done", project=project, started=started))
                self.action_refresh()

        reason = FormField(
            "reason", tr("walk.abandon.reason"), placeholder=tr("walk.abandon.example")
        )
        form = FormDialog(tr("walk.abandon.title"), [reason], hint, save)
        self.app.push_screen(form, done)

    def action_organisation(self) -> None:
        """组织架构: city companies, projects, areas, departments, people."""
        self.pqm.open("organisation", callback=lambda _: self.action_refresh())

    def _missing(self, step: Step) -> None:
        """Say what a new inspection lacks and offer to go where it is added."""
        from pqm_tui.paths import pqm_command
        from pqm_tui.services.setup import setup_state

        tr = self.tr
        if step == "checklists":  # added on the command line only
            command = pqm_command(self.pqm.db_path)
            self.notify(
                tr("welcome.missing.checklists", pqm=command), severity="warning", timeout=10
            )
            return
        tab = {"organisation": "projects", "areas": "areas", "people": "people"}[step]
        if step == "organisation" and not setup_state(self.pqm.db).city_companies:
            tab = "cities"

        def answered(go: bool | None) -> None:
            if go:
                self.pqm.open("organisation", tab=tab, callback=lambda _: self.action_refresh())

        self.app.push_screen(ConfirmDialog(tr(f"welcome.missing.{step}")), answered)

    def action_new(self) -> None:
        from pqm_tui.services.setup import setup_state

        missing = setup_state(self.pqm.db).missing
        if missing:
            self._missing(missing[0])
            return
        projects = self.query_one("#projects", DataTable)
        project_id = None
        if projects.row_count:
            project_id = projects.coordinate_to_cell_key(
                Coordinate(projects.cursor_row, 0)
            ).row_key.value
        self._start(project_id)

    def _start(self, project_id: str | None) -> None:
        def started(inspection_id: str | None) -> None:
            if inspection_id:
                self.pqm.open("walk", inspection_id=inspection_id)

        self.pqm.open("start", project_id=project_id, callback=started)

    def action_help(self) -> None:
        self.pqm.open("help", target=self)

    def action_amendments(self) -> None:
        """更正审批: amendment proposals waiting for approval."""
        self.pqm.open("amendments")

    def action_assessment(self) -> None:
        """考核一览: projects × months with score and band."""
        self.pqm.open("assessment")

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_recent)

    def _show_recent(self, *, rebuild: bool = False) -> None:
        """The recent inspections with the columns that fit whole (``RECENT_DROP`` goes
        first on a narrow screen); rebuilt only when the columns or the rows change."""
        table = self.query_one("#inspections", DataTable)
        widths = {
            c: max(
                [cell_len(self.tr(f"home.col.{c}"))]
                + [cell_len(cells[c]) for _, cells in self.recent_rows]
            )
            + 2 * table.cell_padding
            for c in RECENT_COLUMNS
        }
        room = table.size.width - 2  # the vertical scrollbar
        shown = list(RECENT_COLUMNS)
        for column in RECENT_DROP:
            if room > 0 and sum(widths[c] for c in shown) > room:
                shown.remove(column)
        if not rebuild and [str(c.key.value) for c in table.columns.values()] == shown:
            return
        cursor = table.cursor_row
        table.clear(columns=True)
        for column in shown:
            width = widths[column] - 2 * table.cell_padding
            table.add_column(self.tr(f"home.col.{column}"), width=width, key=column)
        for key, cells in self.recent_rows:
            table.add_row(*(cells[c] for c in shown), key=key)
        table.move_cursor(row=cursor)

    def action_analysis(self) -> None:
        """不合格统计: the Pareto of failures and the repeat offenders."""
        self.pqm.open("analysis")

    def action_review(self) -> None:
        """整改跟踪: the review of rectification items."""
        self.pqm.open("review")

    def action_refresh(self) -> None:
        from pqm_tui.model import organisation

        tr = self.tr
        db = self.pqm.db
        projects = self.query_one("#projects", DataTable)
        recent = self.query_one("#inspections", DataTable)
        cursors = (projects.cursor_row, recent.cursor_row)
        projects.clear()
        areas = organisation.area_counts(db)
        for project in organisation.list_projects(db, active_only=True):
            projects.add_row(
                project.name,
                tr.enum(project.kind),
                str(areas.get(project.id, 0)),
                "",
                "",
                key=project.id,
            )
        rows = recent_inspections(db.conn, limit=RECENT_LIMIT)
        this_year = f"{self.pqm.clock.today().year}-"
        self.recent_rows = [
            (
                row.id,
                {
                    # this year's dates without the year: the time of day stays
                    "started": row.started_at[
                        5 if row.started_at.startswith(this_year) else 0 : 16
                    ].replace("T", " "),
                    "project": row.project_name,
                    "kind": tr.enum(row.kind),
                    "status": tr.enum(row.status),
                    "inspectors": "、".join(row.inspector_names),
                    "failed": str(row.failed),
                },
            )
            for row in rows
        ]
        self._show_recent(rebuild=True)
        projects.move_cursor(row=cursors[0])
        recent.move_cursor(row=cursors[1])
        status = tr("home.status", projects=projects.row_count, inspections=len(rows))
        if projects.row_count == 0:
            status = tr("home.empty")
        self.query_one("#status", Static).update(status)
        # scored once the tables (and the offer to resume) are painted: the worker's
        # imports and sums would otherwise hold the interpreter while they paint
        self.call_after_refresh(self._load_scores)

    @work(thread=True, exclusive=True, group="home-scores")
    def _load_scores(self) -> None:
        """Score each project's latest signed inspection on a connection of its own."""
        from pqm_tui.model.db import connect
        from pqm_tui.services.latest_scores import latest_scores

        path = self.pqm.db_path
        if path is None:
            return
        db = None
        try:
            db = connect(path, actor=self.pqm.actor, migrate_schema=False)
            self.post_message(self.ScoresLoaded(latest_scores(db, self.pqm.settings)))
        except (PQMError, ValueError):  # storage busy or gone: the columns stay empty
            return
        finally:
            if db is not None:
                db.close()

    def on_home_screen_scores_loaded(self, message: ScoresLoaded) -> None:
        projects = self.query_one("#projects", DataTable)
        bands = len(self.pqm.settings.bands)
        score_column, band_column = projects.ordered_columns[3:5]
        for project_id, score in message.scores.items():
            if project_id not in projects.rows:
                continue
            total = Text(f"{score.total:.1f}", justify="right")
            projects.update_cell(project_id, score_column.key, total)
            band = band_text(score, bands, self.tr.lang)
            projects.update_cell(project_id, band_column.key, band, update_width=True)
