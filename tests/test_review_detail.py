"""The review at any size: an item's detail, paging by screenful, filter chips, Esc,
refreshing after a change, receipt, second notice and circular from the app, and what
it remembers (preferences)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdf
import pytest
from PIL import Image
from textual.widgets import DataTable, Input, OptionList, Select, Static

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model import review
from pqm_tui.model.clock import Clock
from pqm_tui.model.item_story import item_story
from pqm_tui.model.notices import get_notice, notices_of_inspection
from pqm_tui.model.organisation import find_person, get_person
from pqm_tui.model.rectification import get_item
from pqm_tui.preferences import Preferences
from pqm_tui.screens import system_viewer
from pqm_tui.screens.dialogs.document import DocumentDialog
from pqm_tui.screens.dialogs.report import ReportDialog
from pqm_tui.screens.review import ReviewScreen
from pqm_tui.screens.review_detail import ItemDetailScreen
from pqm_tui.services import rectification
from tests.people import manager_of
from tests.test_review_dialogs import as_manager

TODAY = date(2026, 11, 23)


def person_id(path: Path, name: str) -> str:
    from pqm_tui.model.db import connect

    db = connect(path)
    try:
        return find_person(db, name).id
    finally:
        db.close()


def make_app(path: Path, clock: Clock, actor: str | None = None) -> PQMApp:
    who = actor or person_id(path, "陈志强")  # the quality group leader
    return create_app(Settings(timezone="Asia/Shanghai"), db_path=path, actor=who, clock=clock)


async def settle(app: PQMApp, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def open_review(app: PQMApp, pilot) -> ReviewScreen:  # type: ignore[no-untyped-def]
    await pilot.pause()
    if type(app.screen).__name__ == "ConfirmDialog":  # "resume the draft?" — not now
        await pilot.press("escape")
        await pilot.pause()
    await pilot.press("v")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


def table(screen: ReviewScreen) -> DataTable[object]:
    return screen.query_one("#review-table", DataTable)


async def cursor_to(screen: ReviewScreen, pilot, item_id: str) -> None:  # type: ignore[no-untyped-def]
    table(screen).move_cursor(row=table(screen).get_row_index(item_id))
    await pilot.pause()


def shown(widget: Static) -> str:
    return str(widget.render())


def first_open(screen: ReviewScreen) -> str:
    return next(
        r.id for r in screen.rows if r.status == "open" and r.pending is None and r.notice_number
    )


def reply_as_manager(app: PQMApp, item_id: str, evidence: list[dict[str, str]]) -> str:
    """A reply recorded on the app's connection by the item's project manager; his name."""
    manager = get_person(app.db, manager_of(app.db, get_item(app.db, item_id).project_id))
    rectification.reply(
        app.db,
        app.clock,
        item_id,
        actor=manager.id,
        done="已更换破损灯具并补贴标识",
        done_on=TODAY,
        evidence=evidence,
    )
    return manager.name


async def test_the_pane_tells_the_item_under_the_cursor(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        item_id = first_open(screen)
        evidence = [{"sha256": "0" * 64, "name": "灯具更换后.jpg", "path": "x.media/0.jpg"}]
        manager = reply_as_manager(app, item_id, evidence)
        screen.reload(keep_offset=True)
        await settle(app, pilot)
        await cursor_to(screen, pilot, item_id)
        pane = screen.query_one("#review-detail")
        assert pane.display
        text = shown(pane.query_one("#detail-text", Static))
        story = item_story(app.db, item_id)
        assert story.note and story.note in text  # the finding
        assert story.item_code in text and story.area_name in text
        assert story.notices[0].number in text  # the notice number
        assert "已更换破损灯具并补贴标识" in text  # the reply …
        assert "灯具更换后.jpg" in text  # … with its evidence
        assert manager in text and "整改回复" in text  # who, by name, did what
        assert "待整改 → 已回复" in text  # translated states
        assert "2026-11-23 10:00" in text  # local time of the move
        assert find_person(app.db, manager).id not in text  # no internal id
        other = next(r.id for r in screen.rows if r.id != item_id)
        await cursor_to(screen, pilot, other)  # the pane follows the cursor
        assert "已更换破损灯具并补贴标识" not in shown(pane.query_one("#detail-text", Static))


async def test_enter_opens_the_detail_and_photos_open_in_the_viewer(
    demo_db_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        assert not screen.query_one("#review-detail").display  # too narrow for a pane
        item_id = first_open(screen)
        photo = demo_db_path.parent / "整改后.jpg"
        Image.new("RGB", (64, 48), (200, 30, 30)).save(photo)
        broken = demo_db_path.parent / "坏.jpg"
        broken.write_bytes(b"\xff\xd8\xff\xe0 not much of a picture")
        evidence = [
            {"sha256": "1" * 64, "name": "整改后.jpg", "path": str(photo)},
            {"sha256": "2" * 64, "name": "坏.jpg", "path": str(broken)},
        ]
        reply_as_manager(app, item_id, evidence)
        await cursor_to(screen, pilot, item_id)
        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, ItemDetailScreen)
        text = shown(detail.query_one("#detail-text", Static))
        assert "刘芳" in text and "已更换破损灯具并补贴标识" in text
        photos = detail.query_one("#detail-photos", OptionList)
        assert photos.option_count == 2
        preview = detail.query_one("#detail-thumb", Static)
        assert "▀" in shown(preview)  # the photo, drawn in half-blocks
        await pilot.press("down")
        await pilot.pause()
        assert f"无法预览这张照片（按 o 用系统查看器打开）：{broken}" in shown(preview)
        await pilot.press("up")
        await pilot.pause()

        monkeypatch.setattr(system_viewer.shutil, "which", lambda _name: None)
        await pilot.press("o")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert f"没有可用的系统查看器（xdg-open / open），文件在：{photo}" in said

        opened: list[list[str]] = []
        monkeypatch.setattr(system_viewer.shutil, "which", lambda name: f"/usr/bin/{name}")
        monkeypatch.setattr(
            system_viewer.subprocess, "Popen", lambda args, **_kw: opened.append(args)
        )
        await pilot.press("o")
        await pilot.pause()
        assert opened == [["/usr/bin/xdg-open", str(photo)]]

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


def not_received(app: PQMApp, screen: ReviewScreen) -> review.ReviewRow:
    """An item whose follow-up notice is not received yet (未签收): the demo's are received
    at their re-inspection's sign-off, so one is made as a notice printed before any
    receipt (or one issued before m020) is."""
    row = next(
        r for r in screen.rows if any(n.sequence >= 2 for n in item_story(app.db, r.id).notices)
    )
    later = [n for n in item_story(app.db, row.id).notices if n.sequence >= 2][-1]
    with app.db.atomic():
        app.db.execute(
            "UPDATE notices SET received_at = NULL, received_by = NULL WHERE id = ?", [later.id]
        )
    return row


async def test_receive_a_notice_from_the_review(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot)
        waiting = not_received(app, screen)
        pending = item_story(app.db, waiting.id).pending_notice
        assert pending is not None
        await cursor_to(screen, pilot, waiting.id)
        as_manager(app, waiting.id)  # the project receives its notice
        await pilot.press("k")
        await pilot.pause()
        by = app.screen.query_one("#field-by", Input)
        received = [n.received_by for n in item_story(app.db, waiting.id).notices]
        assert by.value == next((r for r in reversed(received) if r), "")  # proposed
        by.value = "卢英"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        notice = get_notice(app.db, pending.id)
        assert (notice.received_by, notice.received_at) == ("卢英", "2026-11-23")
        item = get_item(app.db, waiting.id)
        assert item.deadline != waiting.deadline  # counted from the receipt
        assert screen.page_rows[waiting.id].deadline == item.deadline  # reloaded
        said = " ".join(n.message for n in app._notifications)
        assert f"通知单 {notice.number} 已签收" in said
        await pilot.press("k")  # received already: said, no form
        await pilot.pause()
        assert app.screen is screen


async def test_pgdn_moves_by_a_screenful_at_80x24(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        assert {"project", "status", "item"} <= set(screen.columns)
        assert "department" not in screen.columns  # the less important ones dropped
        picture = app.export_screenshot()
        assert "项目" in picture and "状态" in picture
        rows = len(screen.rows)
        assert 80 <= rows == screen.counts["matching"] <= 100  # the demo's ~89 open items
        grid = table(screen)
        visible = grid.scrollable_content_region.height - 1
        assert 10 <= visible <= 20
        await pilot.press("pagedown")
        await pilot.pause()
        assert grid.cursor_row == visible  # one screenful, not a 100-row page
        assert grid.scroll_y == visible  # the next screenful is what shows
        await pilot.press("pagedown")
        await pilot.pause()
        assert grid.cursor_row == 2 * visible
        await pilot.press("pageup")
        await pilot.pause()
        assert grid.cursor_row == visible
        for _ in range(rows // visible + 1):
            await pilot.press("pagedown")
        await pilot.pause()
        assert grid.cursor_row == rows - 1  # the last row, none skipped
        assert f"第 {rows}/{rows} 行" in shown(screen.query_one("#review-page", Static))


async def test_more_rows_are_read_as_the_cursor_nears_the_end(
    demo_db_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pqm_tui.screens.review.PAGE", 30)
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        assert len(screen.rows) == 30
        for _ in range(8):
            await pilot.press("pagedown")
            await settle(app, pilot)
        matching = screen.counts["matching"]
        assert len(screen.rows) == matching  # all read, a page at a time
        assert len({r.id for r in screen.rows}) == matching  # none twice
        assert table(screen).cursor_row == matching - 1


async def test_filter_chips_are_shown_and_cleared(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot)
        chips = screen.query_one("#review-chips", Static)
        assert not chips.display  # no filter, no chips
        await pilot.press("o")
        await settle(app, pilot)
        project = screen.rows[0]
        screen.query_one("#f-project", Select).value = project.project_id
        await settle(app, pilot)
        assert screen.flt.overdue and screen.flt.project_id == project.project_id
        text = shown(chips)
        assert chips.display
        assert "1✕  只看逾期" in text and f"2✕  项目：{project.project_name}" in text
        await pilot.press("1")  # the first chip: overdue
        await settle(app, pilot)
        assert not screen.flt.overdue and screen.flt.project_id == project.project_id
        assert "只看逾期" not in shown(chips)
        assert f"1✕  项目：{project.project_name}" in shown(chips)
        await pilot.press("slash")
        screen.query_one("#f-text", Input).value = "灯"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "搜索：灯" in shown(chips)
        await pilot.press("c")  # all of them
        await settle(app, pilot)
        assert screen.flt == review.ReviewFilter()
        assert not chips.display
        assert screen.query_one("#f-project", Select).value is Select.NULL
        assert screen.query_one("#f-text", Input).value == ""


async def test_escape_clears_the_search_before_leaving(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(app, pilot)
        everything = screen.counts["matching"]
        await pilot.press("slash")
        await pilot.press(*"zx-0")
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.flt.text == "zx-0" and screen.counts["matching"] < everything
        await pilot.press("slash", "escape")  # in the search box
        await settle(app, pilot)
        assert app.screen is screen  # still here …
        assert screen.flt.text == "" and screen.query_one("#f-text", Input).value == ""
        assert screen.counts["matching"] == everything  # … with the search gone
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"


async def test_the_list_is_read_again_after_a_change_elsewhere(
    demo_db_path: Path, clock: Clock
) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(app, pilot)
        item_id = first_open(screen)
        replied = screen.counts["replied"]
        await cursor_to(screen, pilot, item_id)
        await pilot.press("enter")  # another screen above the review …
        await pilot.pause()
        reply_as_manager(app, item_id, [])  # … while the app records a change
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.page_rows[item_id].status == "replied"  # no F5
        assert screen.counts["replied"] == replied + 1
        assert screen.rows and table(screen).get_row_index(item_id) == table(screen).cursor_row


async def test_second_notice_and_circular_go_to_the_remembered_folder(
    demo_db_path: Path, clock: Clock, tmp_path: Path
) -> None:
    folder = tmp_path / "文书"
    folder.mkdir()
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot)
        failed = next(r for r in screen.rows if r.escalation_level >= 1)
        story = item_story(app.db, failed.id)
        assert [n for n in story.notices if n.sequence >= 2]
        later = notices_of_inspection(app.db, story.inspection_id)
        second = [n for n in later if n.sequence >= 2][-1]  # the inspection's latest
        await cursor_to(screen, pilot, failed.id)
        await pilot.press("N")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DocumentDialog)
        assert dialog.query_one("#doc-folder", Input).value == str(demo_db_path.parent)
        dialog.query_one("#doc-folder", Input).value = str(folder)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        made = folder / f"第二次整改通知单-{second.number}-{failed.project_name}.pdf"
        assert dialog.written == made and made.is_file()
        text = "".join(p.extract_text() for p in pypdf.PdfReader(made).pages)
        assert second.number in text
        prefs = Preferences(demo_db_path)
        assert prefs.get("documents.folder") == str(folder)
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("m")  # the month's circular proposes the same folder
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DocumentDialog)
        assert dialog.query_one("#doc-folder", Input).value == str(folder)
        month = dialog.query_one("#doc-month", Input)
        assert month.value == "2026-11"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        circular = folder / "通报-2026-11.pdf"
        assert dialog.written == circular and circular.is_file()


async def test_an_empty_month_gives_no_circular(
    demo_db_path: Path, clock: Clock, tmp_path: Path
) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_review(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DocumentDialog)
        dialog.query_one("#doc-month", Input).value = "2026-01"
        dialog.query_one("#doc-folder", Input).value = str(tmp_path)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert dialog.written is None
        assert "2026-01" in shown(dialog.query_one("#doc-result", Static))
        assert not list(tmp_path.glob("*.pdf"))


async def test_filters_sort_columns_and_theme_are_remembered(
    demo_db_path: Path, clock: Clock
) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("o", "S")
        await settle(app, pilot)
        await pilot.press("C")  # hide the days column
        await pilot.pause()
        app.screen.query_one("#field-columns").deselect("days")  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "days" not in screen.columns
        app.theme = "nord"
        await pilot.pause()
    again = make_app(demo_db_path, clock)
    async with again.run_test(size=(160, 40)) as pilot:
        screen = await open_review(again, pilot)
        assert screen.flt.overdue and screen.descending
        assert "days" not in screen.columns
        assert "1✕  只看逾期" in shown(screen.query_one("#review-chips", Static))
        assert again.theme == "nord"


async def test_the_document_dialog_proposes_the_last_folder(
    demo_db_path: Path, clock: Clock, tmp_path: Path
) -> None:
    folder = tmp_path / "通知单"
    folder.mkdir()
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot)
        await cursor_to(screen, pilot, first_open(screen))
        await pilot.press("n")  # the notice and report of the item's inspection
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReportDialog)
        field = dialog.query_one("#folder", Input)
        assert field.value == str(demo_db_path.parent)  # nothing remembered yet
        field.value = str(folder)
        dialog.query_one("#kind-notice").focus()
        await pilot.press("1")
        await settle(app, pilot)
        assert dialog.written is not None and dialog.written.parent == folder
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one("#folder", Input).value == str(folder)


async def test_the_palette_offers_receipt_second_notice_and_circular(
    demo_db_path: Path, clock: Clock
) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot)
        titles = {c.title for c in app.get_system_commands(screen)}
        assert {"签收", "二次通知", "月度通报", "清除筛选", "选择列"} <= titles
        circular = next(c for c in app.get_system_commands(screen) if c.title == "月度通报")
        await circular.callback()  # type: ignore[misc]  # run_action: a coroutine
        await pilot.pause()
        assert isinstance(app.screen, DocumentDialog)


def test_the_story_in_english_has_no_chinese_punctuation_of_ours(
    demo_db_path: Path, clock: Clock
) -> None:
    from pqm_tui.i18n import Translator
    from pqm_tui.model.db import connect
    from pqm_tui.screens.review_detail import story_text

    db = connect(demo_db_path)
    try:
        flt = review.ReviewFilter(overdue=True)
        row = review.page(db, flt, TODAY, limit=1)[0]
        story = item_story(db, row.id)
        text = story_text(story, TODAY, Translator("en"), clock).plain
    finally:
        db.close()
    assert len(story.inspectors) >= 2
    assert f"Inspectors: {', '.join(story.inspectors)}" in text
    status = next(line for line in text.splitlines() if line.startswith("Status:"))
    assert status.endswith("days overdue) · Level 0") and "（" not in status


async def test_a_commit_on_another_connection_is_seen_on_return(
    demo_db_path: Path, clock: Clock
) -> None:
    from pqm_tui.model.db import connect

    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(app, pilot)
        item_id = first_open(screen)
        await cursor_to(screen, pilot, item_id)
        await pilot.press("enter")
        await pilot.pause()
        other = connect(demo_db_path)  # as a worker's own connection writes
        try:
            manager = manager_of(other, get_item(other, item_id).project_id)
            rectification.reply(
                other,
                app.clock,
                item_id,
                actor=manager,
                done="另一连接登记的回复",
                done_on=TODAY,
            )
        finally:
            other.close()
        await pilot.press("escape")
        await settle(app, pilot)
        assert screen.page_rows[item_id].status == "replied"


async def test_receive_from_the_detail_screen(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        waiting = not_received(app, screen)
        await cursor_to(screen, pilot, waiting.id)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ItemDetailScreen)
        assert "未签收" in shown(app.screen.query_one("#detail-text", Static))
        await pilot.press("k")
        await pilot.pause()
        pending = item_story(app.db, waiting.id).pending_notice
        assert pending is not None
        assert shown(app.screen.query_one(".dialog-title", Static)) == (
            f"签收整改通知单 {pending.number}"
        )


async def test_reply_and_reinspect_from_the_detail_screen_at_80x24(
    demo_db_path: Path, clock: Clock
) -> None:
    """r and i work on the item shown (the review asks, as it does for its cursor); with a
    photo, the story still has most of the screen."""
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        item_id = first_open(screen)
        await cursor_to(screen, pilot, item_id)
        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, ItemDetailScreen)
        footer = " ".join(str(k.render()) for k in detail.query("FooterKey").results())
        assert "回复" in footer and "复检" in footer
        as_manager(app, item_id)  # the project replies
        await pilot.press("r")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ReplyDialog"
        subject = " ".join(str(s.render()) for s in app.screen.query(Static).results(Static))
        assert screen.page_rows[item_id].item_code in subject
        photo = demo_db_path.parent / "整改后.jpg"
        Image.new("RGB", (320, 240), (200, 30, 30)).save(photo)
        app.screen.query_one("#field-done", Input).value = "已更换"
        app.screen.query_one("#field-photos", Input).value = str(photo)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen and get_item(app.db, item_id).status == "replied"
        said = [n.message for n in app._notifications]
        assert "已回复 1 项，等待品质部复检" in said  # what was done, not "已处理"

        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, ItemDetailScreen)
        assert detail.query_one("#detail-photos", OptionList).option_count == 1
        assert detail.query_one("#detail").size.height >= 10  # the story is not squeezed
        app.act_as(find_person(app.db, "王丽华"))  # the quality department re-inspects
        await pilot.press("i")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("y")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "WalkScreen"
