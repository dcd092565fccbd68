"""The assessment screens (考核一览) driven by keys (Pilot)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import DataTable

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.organisation import find_person
from pqm_tui.screens.assessment import AssessmentProjectScreen, AssessmentScreen
from pqm_tui.services import assessment

SHANGHAI = ZoneInfo("Asia/Shanghai")
DECEMBER = Clock(tz=SHANGHAI, source=lambda: datetime(2026, 12, 2, 9, tzinfo=SHANGHAI))


def make_app(path: Path) -> PQMApp:
    return create_app(
        Settings(timezone="Asia/Shanghai"), db_path=path, actor="王丽华", clock=DECEMBER
    )


async def open_grid(app: PQMApp, pilot) -> AssessmentScreen:  # type: ignore[no-untyped-def]
    await pilot.pause()
    if type(app.screen).__name__ == "ConfirmDialog":  # "resume the draft?" — not now
        await pilot.press("escape")
        await pilot.pause()
    await pilot.press("a")  # from the home screen
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, AssessmentScreen)
    return screen


def cell(table: DataTable[object], project: str, month: str) -> Text:
    row = next(key for key in table.rows if table.get_cell(key, "project") == project)
    value = table.get_cell(row, month)
    assert isinstance(value, Text)
    return value


async def test_the_grid_shows_scores_in_band_colours_and_computes_a_month(
    demo_db_path: Path,
) -> None:
    db = connect(demo_db_path, actor="tester")
    worker = find_person(db, "王丽华").id
    assessment.compute_month(
        db, DECEMBER, Settings(timezone="Asia/Shanghai"), "2026-11", actor=worker
    )
    db.close()
    app = make_app(demo_db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_grid(app, pilot)
        table = screen.query_one("#assess-grid", DataTable)
        assert screen.months[-1] == "2026-12" and len(screen.months) == 12
        garden = cell(table, "锦程·天府花园", "2026-11")
        assert garden.plain == "78.8" and "italic" in str(garden.style)  # a draft, band 待改进
        assert cell(table, "锦程国际中心", "2026-11").plain == "未考核"  # flagged, not 100
        assert cell(table, "锦程·天府花园", "2026-10").plain == "·"  # not computed
        # c on this month (the cursor starts there) computes December
        await pilot.press("c")
        await pilot.pause()
        assert cell(table, "锦程·云璟营销中心", "2026-12").plain != "·"
        # s sorts by the highlighted month's score, best first
        await pilot.press("left", "s")
        await pilot.pause()
        first = table.get_cell(next(iter(table.rows)), "project")
        assert first == "锦程·滨江壹号"  # 82 in November, the best
        # Enter opens the project's months; the month's checks are listed below
        await pilot.press("enter")
        await pilot.pause()
        months = app.screen
        assert isinstance(months, AssessmentProjectScreen)
        assert months.project_id and months.month == "2026-11"
        checks = months.query_one("#assess-checks", DataTable)
        assert checks.row_count == 1
        await pilot.press("enter", "enter")  # to the checks, then open the check
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is months
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen is screen


async def test_the_grid_in_english_at_80_columns(demo_db_path: Path) -> None:
    settings = Settings(timezone="Asia/Shanghai", lang="en")
    app = create_app(settings, db_path=demo_db_path, actor="王丽华", clock=DECEMBER)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_grid(app, pilot)
        status = str(screen.query_one("#assess-status").render())
        assert "4 projects" in status and "computed for 0" in status
