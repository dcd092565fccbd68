"""80×24 is a first-class size (小终端): the walk's counts and every dialog fit whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.screen import Screen
from textual.widgets import DataTable, Static

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.screens.dialogs.finding_panel import FindingPanel
from pqm_tui.screens.dialogs.form import FormDialog
from pqm_tui.screens.dialogs.quit import QuitDialog
from pqm_tui.screens.dialogs.start import StartInspectionScreen
from pqm_tui.screens.home import HomeScreen
from pqm_tui.screens.walk import WalkScreen
from tests.test_walk import start_new

SIZE = (80, 24)
LONG = "锦程·天府花园二期南区（含商业街及地下车库）"


@pytest.fixture
def app(demo_db_path: Path, settings: Settings, clock: Clock) -> PQMApp:
    return create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)


def english_app(demo_db_path: Path, clock: Clock) -> PQMApp:
    """The app in English as 王丽华 (whose draft the demo holds)."""
    settings = Settings(timezone="Asia/Shanghai", lang="en")
    return create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)


def fits(screen: Screen[object]) -> None:
    """Every line of the dialog, its keys line included, is on the 80×24 screen."""
    for widget in screen.query(Static):
        if not widget.display or not widget.region.area:
            continue
        region = widget.region
        assert region.right <= SIZE[0] and region.bottom <= SIZE[1], (widget, region)
    keys = screen.query_one(".dialog-keys").region  # how to save and leave: on screen
    assert keys.height and keys.bottom <= SIZE[1]


async def test_the_fail_count_is_whole_at_80_columns(
    demo_db_path: Path, settings: Settings, clock: Clock
) -> None:
    db = connect(demo_db_path, actor="王丽华")
    db.execute("UPDATE projects SET name = ? WHERE name = '锦程·天府花园'", [LONG])
    db.conn.commit()
    app = create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("y")  # resume the demo draft (of that project)
        await pilot.pause()
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        counts = walk.query_one("#walk-counts", Static)
        text = str(counts.render())
        assert "不合格" in text and counts.region.right <= SIZE[0]
        assert counts.region.width >= cell_len(text)  # not cut


async def test_the_walks_dialogs_fit_at_80x24(app: PQMApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        walk = await start_new(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FindingPanel)
        fits(app.screen)
        await pilot.press("a", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, QuitDialog)
        fits(app.screen)
        await pilot.press("escape", "escape")  # stay, then close the panel: Esc asks too
        await pilot.pause()
        assert isinstance(app.screen, QuitDialog)
        fits(app.screen)
        await pilot.press("d")
        await pilot.pause()
        assert app.screen is walk
        await pilot.press("escape")  # leave the walk for home
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, StartInspectionScreen)
        fits(app.screen)
        await pilot.press("escape")
        await pilot.pause()
        recent = app.screen.query_one("#inspections", DataTable)
        recent.move_cursor(row=recent.get_row_index(walk.inspection_id))
        await pilot.press("d")  # abandon the draft: its form fits too
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        fits(app.screen)


def footer_keys(app: PQMApp) -> list[tuple[str, int]]:
    """The footer's keys as painted: (label, right edge)."""
    from textual.widgets import Footer

    footer = app.screen.query_one(Footer)
    return [
        (f"{getattr(w, 'key_display', '')} {getattr(w, 'description', '')}", w.region.right)
        for w in footer.children
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_footer_key_is_whole_at_80_columns(
    demo_db_path: Path, clock: Clock, lang: str
) -> None:
    """The review's keys take ~150 columns: those that do not fit are left out from the
    last declared back (help lists them all); help stays first, quit last, none cut."""
    settings = Settings(timezone="Asia/Shanghai", lang=lang)
    app = create_app(settings, db_path=demo_db_path, actor="黄建国", clock=clock)
    help_, quit_ = ("? 帮助", "^q 退出") if lang == "zh" else ("? Help", "^q Quit")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # not one of the draft's inspectors: not offered it, home at once
        assert type(app.screen).__name__ == "HomeScreen"
        for screen_key in ("", "v", "escape", "g", "escape", "t"):
            if screen_key:
                await pilot.press(screen_key)
                await pilot.pause()
            keys = footer_keys(app)
            assert keys[-1][0] == quit_ and max(right for _, right in keys) <= SIZE[0], keys
            if screen_key == "v":
                assert keys[0][0] == help_ and len(keys) >= 6  # search, overdue, mark …
                assert ("/ 搜索" if lang == "zh" else "/ Search") in [k for k, _ in keys]
        await pilot.press("escape", "v")
        await pilot.pause()
        narrow = len(footer_keys(app))
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        wide = footer_keys(app)
        assert len(wide) > narrow and max(right for _, right in wide) <= 160
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert len(footer_keys(app)) == narrow


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_home_footer_shows_every_screen_it_opens_when_there_is_room(
    demo_db_path: Path, clock: Clock, lang: str
) -> None:
    """Home's organisation, analysis, assessment and amendment keys are in its footer at
    120 columns; at 80 the first declared (new, open, review) stay and the rest drop."""
    settings = Settings(timezone="Asia/Shanghai", lang=lang)
    app = create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("n")  # not the draft: home
        await pilot.pause()
        wide = [label.split(" ")[0] for label, _ in footer_keys(app)]
        assert wide == ["?", "n", "o", "v", "t", "a", "m", "g", "r", "d", "^q"], wide
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        narrow = [label.split(" ")[0] for label, _ in footer_keys(app)]
        assert narrow[:4] == ["?", "n", "o", "v"] and narrow[-1] == "^q"
        assert max(right for _, right in footer_keys(app)) <= SIZE[0]


async def test_the_walks_help_says_every_key_whole_at_80_columns(
    demo_db_path: Path, clock: Clock
) -> None:
    """The key column is as narrow as its keys (1–9, not 1 / 2 / … / 9); what a key does
    wraps in the rest of the dialog instead of being cut."""
    from textual.widgets import DataTable

    from pqm_tui.screens.dialogs.help import HelpScreen

    app = english_app(demo_db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("y")  # the demo draft
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#keys", DataTable)
        key_column, _ = table.columns.values()
        assert key_column.width <= 14
        assert table.virtual_size.width <= table.scrollable_content_region.width
        rows = {str(table.get_row_at(n)[0]): table.get_row_at(n)[1] for n in range(table.row_count)}
        assert "1–9" in rows
        assert str(rows["l"]).endswith("good practice)")  # whole, in a cell that wraps
        heights = [table.rows[key].height for key in table.rows]
        assert max(heights) > 1  # the long ones wrap


async def test_home_recent_inspections_are_whole_at_80_columns(
    demo_db_path: Path, clock: Clock
) -> None:
    """In English at 80 columns the kind gives way (the summary names it) and the
    inspectors' names are whole; at 120 every column is there."""
    app = english_app(demo_db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")  # not the draft: home
        await pilot.pause()
        table = app.screen.query_one("#inspections", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        headers = [str(c.label) for c in table.ordered_columns]
        assert "Inspectors" in headers and "Kind" not in headers
        names = [str(table.get_row_at(n)[headers.index("Inspectors")]) for n in range(3)]
        assert all(len(name) >= 2 for name in names), names
        assert str(table.get_row_at(0)[0]).count("-") == 1  # this year's: 12-06 11:00
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        await pilot.pause()
        assert "Kind" in [str(c.label) for c in table.ordered_columns]


async def test_the_summary_says_one_failure_in_the_singular_and_its_title_whole(
    demo_db_path: Path, clock: Clock
) -> None:
    from pqm_tui.screens.summary import SummaryScreen

    app = english_app(demo_db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await start_new(app, pilot)
        await pilot.press("1")  # one failure, one occurrence
        await pilot.pause()
        if isinstance(app.screen, FindingPanel):
            await pilot.press("ctrl+s")
            await pilot.pause()
        await pilot.press("x", "y")  # finish with items unanswered
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        total = str(summary.query_one("#total", Static).render())
        assert "\n1 failed answer (1 item) · 0 N/A" in total, total
        assert "answers /" in total  # many unanswered: plural
        title = summary.query_one("#summary-title", Static)
        text = str(title.render())
        statuses = {app.tr(f"enum.InspectionStatus.{s}") for s in ("draft", "completed")}
        assert text.rsplit(" · ", 1)[-1] in statuses, text
        assert title.region.width * title.region.height >= cell_len(text)  # wrapped, not cut


async def test_a_chinese_standard_wraps_beside_its_label_in_the_walk(
    demo_db_path: Path, clock: Clock
) -> None:
    """Textual breaks lines at spaces only: a standard without any followed "Standard:"
    on a line of its own and lost its end below the detail's five lines."""
    app = english_app(demo_db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("y")  # the demo draft
        await pilot.pause()
        detail = app.screen.query_one("#detail", Static)
        for _ in range(12):  # the items of the area: every detail fits its lines
            lines = str(detail.render()).split("\n")
            standard = next(line for line in lines if line.startswith("Standard:"))
            assert standard != "Standard:" and len(standard) > len("Standard: ")
            assert all(cell_len(line) <= detail.content_region.width for line in lines)
            assert len(lines) <= detail.content_region.height, lines
            await pilot.press("down")
            await pilot.pause()
        assert " · 1 points · " not in str(detail.render())


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_review_filters_say_what_they_filter_at_80_columns(
    demo_db_path: Path, clock: Clock, lang: str
) -> None:
    """Not "All ▼ All ▼ Not closed ▼ All ▼": each empty filter names its field, whole."""
    from textual.widgets import Select

    from tests.test_review_screen import open_review

    settings = Settings(timezone="Asia/Shanghai", lang=lang)
    app = create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        for field in ("project", "department", "severity"):
            select = screen.query_one(f"#f-{field}", Select)
            prompt = app.tr(f"review.filter.{field}")
            assert select.value is Select.NULL
            assert prompt.startswith(
                {"zh": ("项目", "部门", "等级"), "en": ("Project", "Dept", "Sev")}[lang]
            )
            assert select.region.width >= cell_len(prompt) + 3, (prompt, select.region)  # + ▼
            assert select.region.right <= SIZE[0]
