"""The analysis screen (不合格统计) by keys, and the home screen's latest score and band."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import DataTable, Static

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.screens.analysis import AnalysisScreen
from pqm_tui.screens.dialogs.scope import ScopeDialog
from pqm_tui.screens.home import HomeScreen
from pqm_tui.widgets.pareto_chart import ParetoChart
from tests.analysis_fixture import build

SIZE = (80, 24)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "analysis.sqlite3"
    db = connect(path)
    build(db)
    db.close()
    return path


def make_app(path: Path, clock: Clock) -> PQMApp:
    return create_app(Settings(timezone="Asia/Shanghai"), db_path=path, actor="王丽华", clock=clock)


async def settle(app: PQMApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def cells(table: DataTable[object]) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]


def title(screen: AnalysisScreen) -> str:
    return str(screen.query_one("#analysis-title", Static).render())


async def test_analysis_by_keys(db_path: Path, clock: Clock) -> None:
    app = make_app(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("t")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AnalysisScreen)
        # today is 2026-11-23: the quarter that holds it, the whole company, by item
        assert title(screen) == "2026Q4 · 全公司 · 按检查项 · 已签字检查 4 次 · 不合格 9 处"
        pareto = screen.query_one("#analysis-pareto", DataTable)
        rows = cells(pareto)
        assert [r[1][:5] for r in rows] == ["KF-01", "HJ-01", "KF-02"]
        assert [r[2] for r in rows] == ["5", "2", "2"]
        assert [r[5] for r in rows] == ["55.6%", "77.8%", "100.0%"]
        chart = screen.query_one(ParetoChart)
        assert chart.size.height >= 6  # drawn at 80×24 above the table
        assert "KF-01" in str(chart.render())

        await pilot.press("b")  # by section
        await settle(app, pilot)
        assert "按板块" in title(screen)
        assert [(r[1], r[2]) for r in cells(pareto)] == [("KF 客户服务", "7"), ("HJ 环境卫生", "2")]
        await pilot.press("b")  # by department
        await settle(app, pilot)
        assert [(r[1], r[2]) for r in cells(pareto)] == [("客服部", "7"), ("环境部", "2")]

        await pilot.press("left_square_bracket")  # the quarter before: nothing failed
        await settle(app, pilot)
        assert title(screen).startswith("2026Q3") and pareto.row_count == 0
        status = str(screen.query_one("#analysis-status", Static).render())
        assert status == "该期间该范围内没有不合格"
        await pilot.press("right_square_bracket", "p")  # back to Q4, then the year
        await settle(app, pilot)
        assert title(screen).startswith("2026 ·") and "不合格 9 处" in title(screen)
        await pilot.press("p")  # the month that holds today
        await settle(app, pilot)
        assert title(screen).startswith("2026-11 ·") and "不合格 9 处" in title(screen)
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert title(screen).startswith("2026-10 ·") and pareto.row_count == 0
        await pilot.press("right_square_bracket")
        await settle(app, pilot)

        await pilot.press("s")  # scope: type to filter, Enter takes it
        await pilot.pause()
        assert isinstance(app.screen, ScopeDialog)
        await pilot.press(*"乙项目", "enter")
        await settle(app, pilot)
        assert app.screen is screen
        assert "项目：乙项目" in title(screen) and "不合格 2 处" in title(screen)

        await pilot.press("t")  # the repeat offenders: none in 乙
        await settle(app, pilot)
        repeats = screen.query_one("#analysis-repeats", DataTable)
        assert repeats.display and repeats.row_count == 0
        await pilot.press("s", *"全公司", "enter")
        await settle(app, pilot)
        assert [r[:5] for r in cells(repeats)] == [
            ["甲项目", "KF-01", "3", "11-03、11-10、11-20", "是"],
            ["甲项目", "HJ-01", "2", "11-10、11-20", "是"],
        ]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_palette_opens_the_analysis(db_path: Path, clock: Clock) -> None:
    app = make_app(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"不合格统计")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AnalysisScreen)


async def test_home_shows_latest_score_and_band(db_path: Path, clock: Clock) -> None:
    """甲's latest signed check (11-20): KF-01 (1.5 points) and HJ-01 (1 point) failed once
    each at 0.5: (2.5 − 1.0) / 2.5 = 60.0, below 75: 不合格, shown in red."""
    app = make_app(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        projects = app.screen.query_one("#projects", DataTable)
        rows = {r[0]: r for r in cells(projects)}
        assert rows["甲项目"][3:] == ["60.0", "不合格"]
        assert rows["乙项目"][3:] == ["60.0", "不合格"]
        band = projects.get_row_at(0)[4]
        assert isinstance(band, Text) and band.style == "bold red"


async def test_home_band_colours_on_the_demo(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        if type(app.screen).__name__ == "ConfirmDialog":  # "resume the draft?" — not now
            await pilot.press("escape")
            await settle(app, pilot)
        projects = app.screen.query_one("#projects", DataTable)
        rows = map(projects.get_row_at, range(projects.row_count))
        shown = {str(r[0]): (str(r[3]), r[4]) for r in rows}
        assert len(shown) == 4
        for score, band in shown.values():
            assert isinstance(band, Text)
            expected = "green" if float(score) >= 90 else "" if float(score) >= 80 else "red"
            assert expected in str(band.style) or (expected == "" and band.style == "")
