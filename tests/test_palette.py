"""The command palette (命令面板, ctrl+p): the screen's actions and every screen, translated."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock
from pqm_tui.screens.home import HomeScreen
from pqm_tui.screens.organisation import OrganisationScreen
from pqm_tui.screens.review import ReviewScreen


def make_app(path: Path, clock: Clock, lang: str = "zh") -> PQMApp:
    return create_app(Settings(timezone="Asia/Shanghai", lang=lang), db_path=path, clock=clock)


async def run_from_palette(app: PQMApp, pilot, words: str) -> None:  # type: ignore[no-untyped-def]
    """ctrl+p, type ``words``, wait for the hits, Enter on the first."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*words)
    for _ in range(20):  # the palette searches in a worker
        await pilot.pause(0.05)
        if app.screen.query("CommandList Option"):
            break
    await pilot.press("enter")
    for _ in range(5):
        await pilot.pause()


async def test_palette_runs_the_screens_actions_and_opens_screens(
    demo_db_path: Path, clock: Clock
) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()  # nobody acts: no draft is offered to resume, home at once
        assert isinstance(app.screen, HomeScreen)
        await run_from_palette(app, pilot, "整改跟踪")
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert not review.flt.overdue
        await run_from_palette(app, pilot, "逾期")  # the review's own key o, by its name
        assert app.screen is review and review.flt.overdue
        await run_from_palette(app, pilot, "人员")
        assert isinstance(app.screen, OrganisationScreen) and app.screen.tab == "people"
        await run_from_palette(app, pilot, "首页")
        assert isinstance(app.screen, HomeScreen)


async def test_palette_offers_every_key_of_the_screen_in_english(
    demo_db_path: Path, clock: Clock
) -> None:
    app = make_app(demo_db_path, clock, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()  # nobody acts: no draft offered
        assert isinstance(app.screen, HomeScreen)
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert {"New inspection", "Open inspection", "Rectification review"} <= set(commands)
        assert {"Organisation", "People", "Getting started", "Quit", "Theme"} <= set(commands)
        assert commands["New inspection"].startswith("n · ")
        assert "Home" not in commands  # already there
        assert not [t for t in commands if "." in t or t.startswith(("keys", "review"))]


async def test_textuals_own_words_are_chinese(demo_db_path: Path, clock: Clock) -> None:
    """The palette's placeholder and "no matches", the ctrl+c hint, the Select's footer key."""
    from textual.widgets import Input, OptionList

    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()  # nobody acts: no draft offered
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+c")
        await pilot.pause()
        hint = next(n for n in app._notifications if "退出" in n.message)
        assert hint.title == "要退出吗？" and "Ctrl+Q" in hint.message
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        assert palette.query_one(Input).placeholder == "搜索命令……"
        await pilot.press(*"zzqx")
        for _ in range(30):
            await pilot.pause(0.05)
            lines = palette.query_one(OptionList)
            if lines.option_count:
                break
        prompt = lines.get_option_at_index(0).prompt
        assert "没有匹配的命令" in str(getattr(prompt, "renderable", prompt))
        assert app.tr.key("Dismiss menu") == "收起选项"  # the Select's esc in the footer
        await pilot.press("escape")
        await pilot.pause()
        await run_from_palette(app, pilot, "主题")
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(Input).placeholder == "搜索主题……"
