"""The assessment screens (考核一览): projects × months, and one project's months.

``AssessmentScreen`` shows the last twelve months' scores of every project, coloured by
band (green for a pay rise, yellow and red for a cut); Enter on a cell opens the
project's months (``AssessmentProjectScreen``): each month's score, band and state,
and for the highlighted month the checks counted and the carry-overs; Enter on a
check opens it in the summary. ``g`` shows the highlighted project's trend
(screens/assessment_trend.py). ``c`` computes the highlighted month (a draft; a
published month gets a revision when its records changed), ``s`` sorts by the
highlighted month's score, then by name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

from pqm_tui.model import organisation
from pqm_tui.model.assessments import Assessment, GridCell
from pqm_tui.model.entities import Project
from pqm_tui.model.errors import PQMError
from pqm_tui.screens.base import PQMScreen
from pqm_tui.services import assessment
from pqm_tui.services.points import format_points
from pqm_tui.widgets.footer import PQMFooter, binding

NOT_COMPUTED = "·"
MONTH_WIDTH = 6  # "26-11", "78.8", "100", "未考核"


def style_of(pay_adjust_percent: int | None) -> str:
    """The colour of a band by its pay adjustment (绩效): rise green, cut yellow or red."""
    if pay_adjust_percent is None:
        return "dim"
    if pay_adjust_percent >= 10:
        return "bold green"
    if pay_adjust_percent > 0:
        return "green"
    if pay_adjust_percent == 0:
        return ""
    return "yellow" if pay_adjust_percent > -10 else "bold red"


def band_style(band: dict[str, Any]) -> str:
    return style_of(int(band["pay_adjust_percent"]) if band else None)


def score_cell(
    tr: Any, computed: bool, score: Decimal | None, pay: int | None, published: bool
) -> Text:
    """A grid cell: the current score in its band's colour; a draft in italics."""
    if not computed:
        return Text(NOT_COMPUTED, style="dim", justify="right")
    if score is None:
        return Text(tr("assess.screen.unassessed"), style="dim", justify="right")
    style = style_of(pay)
    if not published:
        style = f"{style} italic".strip()
    return Text(format_points(score), style=style, justify="right")


def grid_cell(tr: Any, cell: GridCell | None) -> Text:
    if cell is None:
        return score_cell(tr, False, None, None, False)
    return score_cell(tr, True, cell.score, cell.pay_adjust_percent, cell.published)


class AssessmentScreen(PQMScreen[None]):
    """Projects × months with score and band colour (考核一览)."""

    CSS_PATH = "assessment.tcss"
    BINDINGS = [
        binding("escape", "back", "assess.key.back", "assess.back"),
        binding("enter", "open", "assess.key.open", "assess.open", show=False),
        binding("g", "trend", "assess.key.trend", "assess.trend"),
        binding("c", "compute", "assess.key.compute", "assess.compute"),
        binding("s", "sort", "assess.key.sort", "assess.sort"),
        binding("r", "refresh", "assess.key.refresh", "assess.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.by_score = False
        self.filling = 0  # counts the fillings of the table: a late half of an old one is dropped
        self.all_months: list[str] = []  # the last twelve, set when mounted (the app's clock)
        self.months: list[str] = []  # those of them shown: the latest that fit the width
        self.name_width = 8  # the project column: the longest name

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.tr("assess.screen.title"), id="assess-title")
        yield DataTable(id="assess-grid", cursor_type="cell", zebra_stripes=True)
        yield Static("", id="assess-status")
        yield PQMFooter()

    def on_mount(self) -> None:
        self.all_months = assessment.recent_months(self.pqm.clock.today())
        data = assessment.grid(self.pqm.db, self.all_months)
        self.name_width = max([8, *(cell_len(p.name) for p in data.projects)])
        self._columns(data)

    def on_resize(self) -> None:
        if self.all_months:
            self.call_after_refresh(self._columns)

    def _columns(self, data: assessment.Grid | None = None) -> None:
        """The project column and the latest months that fit whole: a narrow screen
        leaves out the oldest months (the trend, g, shows all twelve), never half a one."""
        table = self.query_one("#assess-grid", DataTable)
        padding = 2 * table.cell_padding
        width = table.size.width or self.app.size.width  # not laid out yet: the screen's
        room = width - self.name_width - padding - 2  # the vertical scrollbar
        fit = max(1, min(len(self.all_months), room // (MONTH_WIDTH + padding)))
        if data is None and len(self.months) == fit:
            return
        self.months = self.all_months[-fit:]
        table.clear(columns=True)
        table.fixed_columns = 1
        # fixed widths: rows added after the first paint never move the columns
        table.add_column(self.tr("assess.col.project"), key="project", width=self.name_width)
        for month in self.months:
            table.add_column(month[2:], key=month, width=MONTH_WIDTH)  # 26-11
        self.action_refresh(data)
        table.move_cursor(column=len(self.months))  # this month

    def _cursor(self) -> tuple[str | None, str | None]:
        """The highlighted project id and month (None on the project column)."""
        table = self.query_one("#assess-grid", DataTable)
        if not table.row_count:
            return None, None
        keys = table.coordinate_to_cell_key(table.cursor_coordinate)
        project = str(keys.row_key.value) if keys.row_key.value else None
        column = str(keys.column_key.value)
        return project, column if column in self.months else None

    def action_refresh(self, data: assessment.Grid | None = None) -> None:
        """Read the grid again and fill the table: the first screenful at once, the
        other rows just after it is painted (a DataTable measures every new cell before
        its next paint: 500 × 13 cells took longer than the 300 ms the screen has)."""
        table = self.query_one("#assess-grid", DataTable)
        cursor = table.cursor_coordinate
        data = data or assessment.grid(self.pqm.db, self.all_months)
        projects = data.projects
        if self.by_score:
            month = self._cursor()[1] or self.months[-1]

            def score(project_id: str) -> Decimal:
                found = data.cell(project_id, month)
                value = found.score if found else None
                return value if value is not None else Decimal(-1)

            projects = sorted(projects, key=lambda p: (-score(p.id), p.name))
        self.filling += 1
        table.clear()
        first = max(self.app.size.height, cursor.row + 1)  # never more rows on screen
        self._add_rows(data, projects[:first])
        table.move_cursor(row=cursor.row, column=cursor.column)
        if projects[first:]:
            self.call_after_refresh(self._add_rest, self.filling, data, projects[first:])
        computed = sum(1 for a in data.cells.values() if a.month == self.months[-1])
        status = self.tr("assess.screen.status", projects=len(projects), computed=computed)
        if len(self.months) < len(self.all_months):
            shown = self.tr(
                "assess.screen.months_shown", shown=len(self.months), total=len(self.all_months)
            )
            status = f"{shown} · {status}"
        self.query_one("#assess-status", Static).update(status)

    def _add_rows(self, data: assessment.Grid, projects: list[Project]) -> None:
        table = self.query_one("#assess-grid", DataTable)
        for project in projects:
            cells = [grid_cell(self.tr, data.cell(project.id, m)) for m in self.months]
            table.add_row(project.name, *cells, key=project.id)

    def _add_rest(self, filling: int, data: assessment.Grid, projects: list[Project]) -> None:
        """The rows below the first screenful, unless the table was filled again since."""
        if filling == self.filling:
            self._add_rows(data, projects)

    def action_sort(self) -> None:
        """By the highlighted month's score (best first), then by name again."""
        self.by_score = not self.by_score
        self.action_refresh()

    def action_compute(self) -> None:
        """计算考核: the highlighted month (quality department)."""
        month = self._cursor()[1] or self.months[-1]
        pqm = self.pqm
        try:
            result = assessment.compute_month(
                pqm.db, pqm.clock, pqm.settings, month, actor=pqm.actor
            )
        except PQMError as exc:
            self.notify(self.tr.error(exc), severity="error")
            return
        self.notify(
            self.tr(
                "cli.assess.computed",
                month=month,
                drafts=result.drafts,
                revised=result.revised,
                unchanged=result.unchanged,
            )
        )
        self.action_refresh()

    def action_open(self) -> None:
        project, month = self._cursor()
        if project:
            self.pqm.open("assessment_project", project_id=project, month=month)

    def action_trend(self) -> None:
        """考核趋势 of the highlighted project over the grid's twelve months."""
        project, _ = self._cursor()
        if project:
            table = self.query_one("#assess-grid", DataTable)
            order = [str(key.value) for key in table.rows]
            self.pqm.open(
                "assessment_trend", project_id=project, months=self.all_months, projects=order
            )

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_open()

    def action_back(self) -> None:
        self.dismiss(None)


class AssessmentProjectScreen(PQMScreen[None]):
    """One project's months (项目考核明细) and the highlighted month's checks."""

    CSS_PATH = "assessment.tcss"
    BINDINGS = [
        binding("escape", "back", "assess.key.back", "assess_project.back"),
        binding("tab", "switch", "assess.key.switch", "assess_project.switch"),
        binding("g", "trend", "assess.key.trend", "assess_project.trend"),
    ]

    def __init__(self, project_id: str, month: str | None = None) -> None:
        super().__init__()
        self.project_id = project_id
        self.month = month

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="assess-title")
        yield DataTable(id="assess-months", cursor_type="row", zebra_stripes=True)
        yield Static(self.tr("assess.doc.counted"), classes="assess-pane")
        yield DataTable(id="assess-checks", cursor_type="row", zebra_stripes=True)
        yield Static("", id="assess-status")
        yield PQMFooter()

    def on_mount(self) -> None:
        tr = self.tr
        project = organisation.get_project(self.pqm.db, self.project_id)
        self.query_one("#assess-title", Static).update(
            tr("assess.screen.project", project=project.name)
        )
        months = self.query_one("#assess-months", DataTable)
        columns = ("month", "score", "band", "pay", "checks", "carry_over", "state")
        for column in columns:
            label = tr("assess.doc.month") if column == "month" else tr(f"assess.col.{column}")
            months.add_column(label, key=column)
        checks = self.query_one("#assess-checks", DataTable)
        for column in ("day", "kind", "inspection_score", "red_lines"):
            checks.add_column(tr(f"assess.col.{column}"), key=column)
        stored = assessment.project_months(self.pqm.db, self.project_id)
        for found in stored:
            months.add_row(*self._month_cells(found), key=found.month)
        if self.month and any(a.month == self.month for a in stored):
            months.move_cursor(row=[a.month for a in stored].index(self.month))
        elif stored:
            months.move_cursor(row=len(stored) - 1)
        if not stored:
            self.query_one("#assess-status", Static).update(tr("assess.screen.none"))
        months.focus()

    def _month_cells(self, found: Assessment) -> list[object]:
        tr = self.tr
        band = found.current_band
        detail = found.current_detail
        label = "—"
        if band:
            label = str(band["label_en"] if tr.lang == "en" else band["label_zh"])
        elif detail.get("flag"):
            label = tr(f"assess.flag.{detail['flag']}")
        pay = int(band["pay_adjust_percent"]) if band else None
        state = tr(f"assess.state.{found.state}")
        if found.revisions:
            state += tr("cli.assess.revised", n=len(found.revisions))
        return [
            found.month,
            score_cell(
                tr,
                True,
                found.current_score,
                int(band["pay_adjust_percent"]) if band else None,
                found.published,
            ),
            Text(label, style=band_style(band)),
            "—" if pay is None else (f"{pay:+d}%" if pay else "0%"),
            str(len(detail.get("inspections", []))),
            format_points(Decimal(detail.get("carry_over_total", "0"))),
            state,
        ]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "assess-months" and event.row_key.value:
            self._show_checks(str(event.row_key.value))

    def _show_checks(self, month: str) -> None:
        self.month = month
        found = assessment.assessment_of(self.pqm.db, self.project_id, month)
        checks = self.query_one("#assess-checks", DataTable)
        checks.clear()
        if found is None:
            return
        tr = self.tr
        detail = found.current_detail
        for i in detail.get("inspections", []):
            checks.add_row(
                i["day"],
                tr(f"enum.InspectionKind.{i['kind']}"),
                i["score"],
                str(i["red_lines"]),
                key=i["id"],
            )
        carried = len(detail.get("carry_overs", []))
        self.query_one("#assess-status", Static).update(
            tr(
                "assess.screen.month_status",
                month=month,
                checks=checks.row_count,
                carried=carried,
                points=format_points(Decimal(detail.get("carry_over_total", "0"))),
            )
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "assess-checks" and event.row_key.value:
            self.pqm.open("summary", inspection_id=str(event.row_key.value))
        elif event.data_table.id == "assess-months":
            self.query_one("#assess-checks", DataTable).focus()

    def action_trend(self) -> None:
        """考核趋势: the twelve months ending with the highlighted one."""
        months = None
        if self.month:
            months = assessment.months_ending(self.month)
        self.pqm.open("assessment_trend", project_id=self.project_id, months=months)

    def action_switch(self) -> None:
        months = self.query_one("#assess-months", DataTable)
        checks = self.query_one("#assess-checks", DataTable)
        (checks if months.has_focus else months).focus()

    def action_back(self) -> None:
        checks = self.query_one("#assess-checks", DataTable)
        if checks.has_focus:
            self.query_one("#assess-months", DataTable).focus()
            return
        self.dismiss(None)
