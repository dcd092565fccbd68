"""Snapshot tests (截图对照) of the main screens at 80×24 and 120×40.

Each test drives the app by keys only, from the home screen, on the demo database seeded at
the fixed clock of ``conftest``: the pictures do not depend on how the screens are built.
A changed picture fails the test; after checking the diff report, accept it with
``pytest tests/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SnapCompare = Callable[..., bool]
Steps = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture
def app(demo_db_path: Path, clock: Clock) -> PQMApp:
    settings = Settings(timezone="Asia/Shanghai")
    return create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and the screen redraw."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def home(pilot: Pilot[Any]) -> None:
    """首页: decline resuming the demo draft."""
    await pilot.pause()
    await pilot.press("n")
    await settle(pilot)


async def walk(pilot: Pilot[Any]) -> None:
    """巡检: resume the demo draft where it stopped."""
    await pilot.pause()
    await pilot.press("y")
    await settle(pilot)


async def summary(pilot: Pilot[Any]) -> None:
    """汇总: open the first signed inspection of the recent list."""
    await home(pilot)
    table = pilot.app.screen.query_one("#inspections", DataTable)
    signed = next(n for n in range(table.row_count) if table.get_row_at(n)[3] == "已签字")
    table.move_cursor(row=signed)
    await pilot.press("o")
    await settle(pilot)


async def review(pilot: Pilot[Any]) -> None:
    """整改跟踪: the review of rectification items."""
    await home(pilot)
    await pilot.press("v")
    await settle(pilot)


async def analysis(pilot: Pilot[Any]) -> None:
    """不合格统计: the Pareto of the quarter by item, from the home screen's ``t``."""
    await home(pilot)
    await pilot.press("t")
    await settle(pilot)


async def assessment_trend(pilot: Pilot[Any]) -> None:
    """考核趋势: September to November computed on the grid (c), the third project's
    (锦程·滨江壹号) trend; the computations' notices cleared."""
    await home(pilot)
    await pilot.press("a")
    await settle(pilot)
    await pilot.press("c", "left", "c", "left", "c", "down", "down")
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.press("g")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "steps",
    [
        pytest.param(home, id="home"),
        pytest.param(walk, id="walk"),
        pytest.param(summary, id="summary"),
        pytest.param(review, id="review"),
        pytest.param(analysis, id="analysis"),
        pytest.param(assessment_trend, id="assessment_trend"),
    ],
)
def test_screen(
    snap_compare: SnapCompare, app: PQMApp, steps: Steps, size: tuple[int, int]
) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps)


def test_welcome_screen(
    snap_compare: SnapCompare, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """开始使用: a new database (named relative to the working folder, for a stable picture)."""
    monkeypatch.chdir(tmp_path)
    settings = Settings(timezone="Asia/Shanghai")
    app = create_app(settings, db_path=Path("pqm.sqlite3"), clock=clock)  # nobody to be yet
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)
