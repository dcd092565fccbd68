"""The walk as a new user meets it: where am I, can I read the results, the keys, the dialogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.color import Color
from textual.widgets import DataTable, Input, Select, Static, TextArea
from textual.widgets._footer import FooterKey

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import Result, Severity
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.screens.dialogs.finding_panel import FindingPanel
from pqm_tui.screens.dialogs.note import NoteDialog
from pqm_tui.screens.dialogs.search import SearchDialog
from pqm_tui.screens.walk import WalkScreen
from pqm_tui.services.points import format_points, parse_points
from tests.test_walk import start_new

# Pilot cannot send full-width punctuation (a terminal can: tried in tmux), so none here.
SENTENCE = "业主反映地下车库照明不足夜间巡查需加强已转工程部跟进处理并于本周五前回复品质部"


@pytest.fixture
def app(demo_db_path: Path, settings: Settings, clock: Clock) -> PQMApp:
    return create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)


def text_of(widget: Static) -> str:
    return str(widget.render())


def area_name(walk: WalkScreen, area_id: str) -> str:
    return walk.walk.areas[walk.walk.area_index[area_id]].name


# ---------------------------------------------------------------- 1. which area am I in
async def test_the_current_area_is_named_above_the_items(app: PQMApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await start_new(app, pilot)
        first = walk.area_id
        total = walk.walk.progress(first).applicable
        title = text_of(walk.query_one("#area-title", Static))
        assert area_name(walk, first) in title
        assert f"已查 0/{total}" in title and "不合格 0" in title
        await pilot.press("p")
        assert f"已查 1/{total}" in text_of(walk.query_one("#area-title", Static))
        await pilot.press("tab")
        second = walk.area_id
        assert second != first
        assert area_name(walk, second) in text_of(walk.query_one("#area-title", Static))


async def test_the_highlighted_area_stands_out(app: PQMApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await start_new(app, pilot)
        areas = walk.query_one("#areas", DataTable)
        cursor = areas.get_component_styles("datatable--cursor")
        faint = Color.parse(app.theme_variables["block-cursor-blurred-background"])
        assert cursor.background != faint
        assert cursor.background.a > 0.9  # opaque, not a tint
        assert cursor.text_style.bold


async def test_search_shows_the_area_and_says_when_it_switches(app: PQMApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        walk = await start_new(app, pilot)
        session, here = walk.walk, walk.area_id
        mine = {i.id for i in session.items_of(here)}
        other = next(
            i
            for i in session.content.items
            if i.id in session.plan.applicable_item_ids and i.id not in mine
        )
        target = session.area_for(other.id, here)
        assert target is not None and target != here
        await pilot.press("slash")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SearchDialog)
        dialog.query_one("#query", Input).value = other.code
        await pilot.pause()
        results = dialog.query_one("#results")
        prompt = str(results.get_option_at_index(0).prompt)  # type: ignore[attr-defined]
        assert other.code in prompt and area_name(walk, target) in prompt
        assert cell_len(prompt) <= results.content_size.width  # one line per result
        await pilot.press("enter")
        await pilot.pause()
        assert walk.area_id == target and walk.current_item == other.id
        status = text_of(walk.query_one("#walk-status", Static))
        assert f"已切换到区域：{area_name(walk, target)}" in status
        assert area_name(walk, target) in text_of(walk.query_one("#area-title", Static))


# ---------------------------------------------------------------- 2. the result column
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_result_column_holds_its_longest_word(app: PQMApp, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        walk = await start_new(app, pilot)
        items = walk.query_one("#items", DataTable)
        assert all(walk.walk.finding(walk.area_id, i) is None for i in walk.row_items)
        longest = max(cell_len(app.tr.enum(r) + " !") for r in Result)
        width = items.columns["result"].get_render_width(items) - 2 * items.cell_padding
        assert width >= longest
        await pilot.press("n")
        await pilot.pause()
        width = items.columns["result"].get_render_width(items) - 2 * items.cell_padding
        assert width >= longest
        cell = items.get_cell_at((0, 1))
        assert str(cell) == "不适用"
        deduction = items.columns["deduction"].get_render_width(items) - 2 * items.cell_padding
        most = max(i.points for i in walk.walk.items.values())
        assert deduction >= cell_len(f"-{most}")


# ---------------------------------------------------------------- 3. the footer at 80 columns
async def test_footer_shows_the_essential_keys_within_80_columns(app: PQMApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await start_new(app, pilot)
        await pilot.pause()
        keys = list(walk.query(FooterKey))
        palette = [k for k in keys if k.has_class("-command-palette")]
        limit = palette[0].region.x if palette else 80
        shown = {k.action: k for k in keys if not k.has_class("-command-palette")}
        for action in (
            "answer('pass')",
            "fail",
            "answer('na')",
            "undo",
            "search",
            "note",
            "finish",
            "help",
        ):
            assert action in shown, action
            assert shown[action].region.right <= limit, (action, shown[action].region)
        assert "area(1)" not in shown and "area(-1)" not in shown


# ---------------------------------------------------------------- 4. the finding panel
async def test_editing_a_failure_focuses_its_note(app: PQMApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        walk = await start_new(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FindingPanel)
        assert app.focused is not None and app.focused.id == "note"
        keys = text_of(panel.query_one(".dialog-keys", Static))
        assert "Enter" in keys and "ctrl+s" in keys
        panel.query_one("#note", Input).value = "地面有烟头"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is walk
        await pilot.press("k")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, FindingPanel)
        note = app.screen.query_one("#note", Input)
        assert app.focused is note and note.cursor_position == len(note.value)
        await pilot.press("两", "处")  # typing adds to the note, it does not replace it
        assert note.value == "地面有烟头两处"


async def test_enter_saves_a_failure_without_its_required_photo_after_the_warning(
    app: PQMApp,
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await start_new(app, pilot)
        row = next(n for n, i in enumerate(walk.row_items) if walk.walk.items[i].photo_required)
        walk.query_one("#items", DataTable).move_cursor(row=row)
        item_id = walk.current_item
        assert item_id is not None
        await pilot.press("f")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FindingPanel)
        await pilot.press("enter")  # warned: the photo is required
        assert app.screen is panel and app.focused is panel.query_one("#photo", Input)
        assert "Enter" in text_of(panel.query_one("#error", Static))
        await pilot.press("enter")  # the empty photo field: save without
        await pilot.pause()
        assert app.screen is walk
        finding = walk.walk.finding(walk.area_id, item_id)
        assert finding is not None and finding.result == Result.FAIL


async def test_supervision_note_is_a_text_area_showing_a_sentence(app: PQMApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await start_new(app, pilot)
        await pilot.press("l")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NoteDialog)
        text = dialog.query_one("#text", TextArea)
        assert app.focused is text
        await pilot.press(*SENTENCE)
        assert text.text == SENTENCE
        assert text.size.height >= 3  # the whole sentence is visible, wrapped
        assert text.wrapped_document.height >= 2
        await pilot.press("enter")  # Enter saves (the note is one paragraph)
        await pilot.pause()
        assert app.screen is walk
        assert "已记录监督记录" in text_of(walk.query_one("#walk-status", Static))


# ---------------------------------------------------------------- 6. typing is never lost
async def test_note_typed_after_tab_is_not_dropped(app: PQMApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await start_new(app, pilot)
        await pilot.press("l")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NoteDialog)
        await pilot.press("tab")  # onto the kind
        assert isinstance(app.focused, Select)
        for char in "车库":
            await pilot.press(char)
        text = dialog.query_one("#text", TextArea)
        assert text.text == "车库" and app.focused is text
        await pilot.press("shift+tab")  # back onto the kind: space still opens it
        kind = dialog.query_one(Select)
        assert app.focused is kind
        await pilot.press("space")
        await pilot.pause()
        assert kind.expanded and text.text == "车库"


async def test_panel_text_typed_on_the_severity_goes_to_the_note(app: PQMApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await start_new(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FindingPanel)
        while not isinstance(app.focused, Select):
            await pilot.press("tab")
        for char in "积水":
            await pilot.press(char)
        note = panel.query_one("#note", Input)
        assert note.value == "积水" and app.focused is note


async def test_search_keeps_focus_on_its_query(app: PQMApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await start_new(app, pilot)
        await pilot.press("slash")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SearchDialog)
        await pilot.press("tab")
        await pilot.press("G", "C")
        assert dialog.query_one("#query", Input).value == "GC"


# ---------------------------------------------------------------- 5. the resume offer
async def test_resume_offer_names_the_area_and_item(app: PQMApp) -> None:
    from pqm_tui.model import inspections
    from pqm_tui.services.walk_session import WalkSession

    db, clock = app.db, app.clock
    draft = inspections.latest_draft(db)
    assert draft is not None
    session = WalkSession(db, clock, app.settings, draft.id)
    area = session.areas[1]
    item = session.items_of(area.id)[2]
    session.save_position(area.id, item.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        hint = text_of(dialog.query_one(".dialog-hint", Static))
        assert area.name in hint and item.code in hint, hint
        await pilot.press("y")
        await pilot.pause()
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        assert walk.area_id == area.id and walk.current_item == item.id


async def test_help_says_more_than_the_short_footer_labels(app: PQMApp) -> None:
    from pqm_tui.screens.dialogs.help import HelpScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await start_new(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one("#keys", DataTable)
        rows = {
            str(keys.get_row_at(i)[0]): str(keys.get_row_at(i)[1]) for i in range(keys.row_count)
        }
        assert rows["l"].startswith("品质监督记录") and rows["x"].startswith("结束检查")
        assert rows["p / space"] == "合格"


async def test_the_panel_is_reused_and_refilled_for_each_item(app: PQMApp) -> None:
    """One panel per walk: opened again on another item (after a cancel with typed text,
    a save, in another area) it shows that item's values, never the last one's."""
    async with app.run_test(size=(100, 30)) as pilot:
        walk = await start_new(app, pilot)
        session = walk.walk
        first, second = walk.row_items[0], walk.row_items[1]
        await pilot.press("f")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FindingPanel) and panel.item.id == first
        await pilot.press(*"积水")
        panel.query_one("#deduction", Input).value = "0.1"
        panel.query_one("#severity", Select).value = Severity.SERIOUS
        panel._error("旧的提示")
        await pilot.press("escape")  # typed: asks; d discards
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert app.screen is walk and session.finding(walk.area_id, first) is None

        await pilot.press("j", "f")
        await pilot.pause()
        assert app.screen is panel  # the same panel, refilled for the second item
        item = session.items[second]
        expected = session.default_failure(walk.area_id, second)
        title = text_of(panel.query_one("#title", Static))
        assert item.code in title and session.items[first].code not in title
        assert panel.query_one("#note", Input).value == ""
        assert panel.query_one("#occurrences", Input).value == "1"
        assert panel.query_one("#deduction", Input).value == format_points(expected.deduction)
        assert panel.query_one("#severity", Select).value == item.severity
        assert panel.query_one("#department", Input).value == expected.department
        assert text_of(panel.query_one("#error", Static)) == ""
        assert app.focused is panel.query_one("#note", Input)
        assert panel.unsaved_typing() == ""  # nothing typed yet: Esc closes at once
        await pilot.press(*"烟头", "enter")
        await pilot.pause()
        assert app.screen is walk
        saved = session.finding(walk.area_id, second)
        assert saved is not None and saved.note == "烟头"

        # the failed item again: its finding's values; ctrl+r still gives the last note
        await pilot.press("k", "e")
        await pilot.pause()
        assert app.screen is panel and panel.query_one("#note", Input).value == "烟头"
        await pilot.press("escape")
        await pilot.pause()

        # the same item in another area: the deduction is capped by what was deducted here
        other = next(a for a in session.holding[second] if a != walk.area_id)
        walk._show_area(other, second)
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert app.screen is panel and panel.area_name == area_name(walk, other)
        cap = item.points - saved.deduction
        assert panel.cap == cap
        shown = parse_points(panel.query_one("#deduction", Input).value)
        assert shown is not None and shown <= cap
        assert panel.query_one("#note", Input).value == ""
        await pilot.press("ctrl+r")
        assert panel.query_one("#note", Input).value == "烟头"
