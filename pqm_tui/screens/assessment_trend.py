"""A project's assessment trend (考核趋势): its last twelve months beside the average.

Opened with ``g`` from the assessment grid (the highlighted project; ↑/↓ then step
through the grid's projects in its order) or from a project's months. The chart
(widgets/trend_chart.py) draws the project's monthly scores, the company average of
the projects scored, and the band thresholds; the months without a score are gaps,
not zeros.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Header, Static

from pqm_tui.screens.base import PQMScreen
from pqm_tui.services import assessment
from pqm_tui.services.points import format_points
from pqm_tui.widgets.footer import PQMFooter, binding
from pqm_tui.widgets.trend_chart import Threshold, TrendChart, TrendData


class AssessmentTrendScreen(PQMScreen[None]):
    """One project's monthly scores and the company average (考核趋势)."""

    CSS_PATH = "assessment.tcss"
    BINDINGS = [
        binding("escape", "back", "assess.key.back", "assess_trend.back"),
        binding("down", "step(1)", "assess.key.next", "assess_trend.next"),
        binding("up", "step(-1)", "assess.key.previous", "assess_trend.previous"),
    ]

    def __init__(
        self, project_id: str, months: list[str] | None = None, projects: list[str] | None = None
    ) -> None:
        super().__init__()
        self.project_id = project_id
        self.months = months or []
        self.projects = projects or [project_id]  # the grid's order, for ↑/↓

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="assess-title")
        yield Static("", id="trend-legend")
        yield TrendChart(id="trend-chart")
        yield Static("", id="assess-status")
        yield PQMFooter()

    def on_mount(self) -> None:
        self.months = self.months or assessment.recent_months(self.pqm.clock.today())
        self.show_project()

    def show_project(self) -> None:
        tr = self.tr
        months = self.months
        found = assessment.trend(self.pqm.db, self.project_id, months)
        bands = self.pqm.settings.bands
        self.query_one("#assess-title", Static).update(
            tr("assess.trend.title", project=found.project.name, start=months[0], end=months[-1])
        )
        self.query_one("#trend-legend", Static).update(
            tr(
                "assess.trend.legend",
                bands="/".join(format_points(b.min_score) for b in bands if b.min_score > 0),
            )
        )
        self.query_one(TrendChart).show(
            TrendData(
                labels=[m[5:] for m in months],
                scores=found.scores,
                average=found.average,
                thresholds=[Threshold(b.min_score, b.pay_adjust_percent) for b in bands],
            )
        )
        scored = [s for s in found.scores if s is not None]
        self.query_one("#assess-status", Static).update(
            tr("assess.trend.status", scored=len(scored), months=len(months))
        )

    def action_step(self, by: int) -> None:
        """The next (1) or previous (−1) project of the grid."""
        if self.project_id not in self.projects:
            return
        at = self.projects.index(self.project_id) + by
        if 0 <= at < len(self.projects):
            self.project_id = self.projects[at]
            self.show_project()

    def action_back(self) -> None:
        self.dismiss(None)
