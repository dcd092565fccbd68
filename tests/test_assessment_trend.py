"""The assessment trend (考核趋势) and the grid's filling, driven by keys (Pilot).

On the demo data (seeded on 2026-11-23) with September, October and November computed
in December, the months as ``pqm assess month`` lists them:
- 锦程·滨江壹号: September not assessed (no counted check), October 87.2, November 82.
- The others scored: September 锦程国际中心 88.2; November 锦程·云璟营销中心 76 and
  锦程·天府花园 78.8. So the company average of the projects scored is 88.2 in
  September and 87.2 in October (one project each) and (76 + 78.8 + 82) / 3 = 78.93
  in November.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from textual.widgets import DataTable

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model import organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import ProjectKind
from pqm_tui.screens.assessment import AssessmentScreen
from pqm_tui.screens.assessment_trend import AssessmentTrendScreen
from pqm_tui.services import assessment
from pqm_tui.widgets.trend_chart import AVERAGE, PROJECT, TrendChart
from tests.test_assessment_screen import DECEMBER, make_app, open_grid

SEPTEMBER_TO_NOVEMBER = ("2026-09", "2026-10", "2026-11")
FIRST_ROWS = 24  # the grid fills as many rows as the terminal is high before painting


def compute_autumn(path: Path) -> None:
    db = connect(path, actor="tester")
    worker = organisation.find_person(db, "王丽华").id
    for month in SEPTEMBER_TO_NOVEMBER:
        assessment.compute_month(
            db, DECEMBER, Settings(timezone="Asia/Shanghai"), month, actor=worker
        )
    db.close()


async def to_row(pilot, table: DataTable[object], project: str) -> None:  # type: ignore[no-untyped-def]
    """Down arrow until the highlighted row is ``project``'s (keys only)."""
    for _ in range(table.row_count):
        if table.get_row_at(table.cursor_row)[0] == project:
            return
        await pilot.press("down")
    raise AssertionError(f"{project} not in the grid")


def chart_lines(chart: TrendChart) -> list[str]:
    return [line.rstrip() for line in chart.render().plain.split("\n")]


async def test_g_on_the_grid_draws_the_projects_trend_beside_the_average_at_80x24(
    demo_db_path: Path,
) -> None:
    compute_autumn(demo_db_path)
    app = make_app(demo_db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        grid = await open_grid(app, pilot)
        table = grid.query_one("#assess-grid", DataTable)
        await to_row(pilot, table, "锦程·滨江壹号")
        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AssessmentTrendScreen)
        chart = screen.query_one(TrendChart)
        data = chart.data
        assert data is not None
        assert data.labels == [m[5:] for m in grid.all_months]  # 01 … 12, this year's months
        at = {m: n for n, m in enumerate(grid.all_months)}
        assert data.scores[at["2026-09"]] is None  # not assessed: a gap, not 0
        assert data.scores[at["2026-10"]] == Decimal("87.2")
        assert data.scores[at["2026-11"]] == Decimal("82")
        assert data.scores[at["2026-12"]] is None  # not computed
        assert [data.average[at[m]] for m in SEPTEMBER_TO_NOVEMBER] == [
            Decimal("88.2"),
            Decimal("87.2"),
            Decimal("78.93"),
        ]
        assert [t.score for t in data.thresholds] == [95, 90, 80, 75, 0]
        lines = chart_lines(chart)
        assert chart.size.width <= 80 and len(lines) == chart.size.height
        values = next(line for line in lines if line.lstrip().startswith(PROJECT))
        averages = next(line for line in lines if line.lstrip().startswith(AVERAGE))
        assert values.split()[1:] == ["·"] * 9 + ["87.2", "82", "·"]
        assert averages.split()[1:] == ["·"] * 8 + ["88.2", "87.2", "78.93", "·"]
        # the band lines are drawn and labelled; November's 82 between 90 and 80,
        # the average's 78.93 under the 80 line
        rows = {line.split("┤")[0].strip(): n for n, line in enumerate(lines) if "┤" in line}
        assert {"100", "95", "90", "80", "75"} <= rows.keys()
        assert "┈" in lines[rows["80"]]
        slot = (chart.size.width - 4) // 12
        november = slice(4 + 10 * slot, 4 + 11 * slot)  # the eleventh month's slot
        project = next(n for n, line in enumerate(lines) if PROJECT in line[november])
        average = next(n for n, line in enumerate(lines) if AVERAGE in line[november])
        assert rows["90"] < project < rows["80"] < average < rows["75"]
        title = str(screen.query_one("#assess-title").render())
        assert "锦程·滨江壹号" in title and "2026-01" in title and "2026-12" in title
        # ↑/↓ step through the grid's projects: 锦程国际中心 below (September's 88.2 only)
        await pilot.press("down")
        await pilot.pause()
        data = chart.data
        assert data is not None and "锦程国际中心" in str(
            screen.query_one("#assess-title").render()
        )
        assert [s for s in data.scores if s is not None] == [Decimal("88.2")]
        await pilot.press("down")  # the last project: stays
        await pilot.press("up", "up")
        await pilot.pause()
        assert "锦程·天府花园" in str(screen.query_one("#assess-title").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is grid


async def test_g_on_a_projects_months_ends_the_trend_at_the_highlighted_month(
    demo_db_path: Path,
) -> None:
    compute_autumn(demo_db_path)
    app = create_app(
        Settings(timezone="Asia/Shanghai", lang="en"),
        db_path=demo_db_path,
        actor="王丽华",
        clock=DECEMBER,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_grid(app, pilot)
        await to_row(pilot, grid.query_one("#assess-grid", DataTable), "锦程·滨江壹号")
        await pilot.press("left", "enter")  # November's cell → the project's months
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AssessmentTrendScreen)
        data = screen.query_one(TrendChart).data
        assert data is not None and data.labels[-1] == "11" and data.labels[0] == "12"
        assert data.scores[-1] == Decimal("82") and data.scores[-2] == Decimal("87.2")
        legend = str(screen.query_one("#trend-legend").render())
        assert "company average" in legend and "95/90/80/75" in legend


async def test_the_grid_paints_a_screenful_first_then_fills_every_row(
    demo_db_path: Path,
) -> None:
    db = connect(demo_db_path, actor="tester")
    city = organisation.list_city_companies(db)[0]
    for n in range(FIRST_ROWS + 20):
        organisation.add_project(db, city.id, f"测试项目{n:03d}", ProjectKind.RESIDENTIAL)
    db.close()
    compute_autumn(demo_db_path)
    app: PQMApp = make_app(demo_db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        grid = await open_grid(app, pilot)
        assert isinstance(grid, AssessmentScreen)
        table = grid.query_one("#assess-grid", DataTable)
        await pilot.pause()
        assert table.row_count == FIRST_ROWS + 24
        # sorting (s on November) fills it again, every row, best first
        await pilot.press("left", "s")
        await pilot.pause()
        await pilot.pause()
        assert table.row_count == FIRST_ROWS + 24
        assert table.get_row_at(0)[0] == "锦程·滨江壹号"
        names = [table.get_row_at(n)[0] for n in range(table.row_count)]
        assert names[FIRST_ROWS:] == sorted(names[FIRST_ROWS:])  # unscored: by name
        assert f"测试项目{FIRST_ROWS + 19:03d}" in names[FIRST_ROWS:]  # added after the paint


async def test_the_grid_shows_whole_months_only_at_80_columns(
    demo_db_path: Path, clock: Clock
) -> None:
    """At 80 columns the latest months that fit (never half a column: "6-04"), the
    status says how many; at 120 all twelve."""
    from textual.widgets import Static

    app = create_app(
        Settings(timezone="Asia/Shanghai"), db_path=demo_db_path, actor="王丽华", clock=clock
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")  # not the draft: home
        await pilot.press("a")
        await pilot.pause()
        grid = app.screen
        assert isinstance(grid, AssessmentScreen)
        table = grid.query_one("#assess-grid", DataTable)
        assert 0 < len(grid.months) < 12 and grid.months == grid.all_months[-len(grid.months) :]
        assert table.virtual_size.width <= table.scrollable_content_region.width
        status = str(grid.query_one("#assess-status", Static).render())
        assert f"最近 {len(grid.months)}/12 个月" in status
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        await pilot.pause()
        assert grid.months == grid.all_months
