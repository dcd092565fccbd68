"""The summary of a re-inspection (复检): targets and their outcome instead of scores."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, SelectionList, Static

from pqm_tui.app import create_app
from pqm_tui.config import Settings
from pqm_tui.model import inspections, reinspection_targets
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect, set_actor
from pqm_tui.model.entities import RectificationStatus, Result
from pqm_tui.model.rectification import get_item
from pqm_tui.screens.dialogs.signoff import SignOffDialog
from pqm_tui.screens.summary import SummaryScreen
from pqm_tui.services import reinspection
from pqm_tui.services.demo import DEMO_PIN
from tests.people import person_id

SIZE = (100, 30)


def two_open_items(db_path: Path) -> list[str]:
    """Two untouched open items that one re-inspection can take (same project and version)."""
    db = connect(db_path)
    ids = [
        r["id"]
        for r in db.query(
            """SELECT r.id FROM rectification_items r WHERE r.status = 'open'
               AND NOT EXISTS (SELECT 1 FROM rectification_events e WHERE e.item_id = r.id)
               ORDER BY r.rowid"""
        )
    ]
    for group in reinspection.group_by_version(db, ids):
        if len(group) >= 2:
            return group[:2]
    raise AssertionError("the demo has two open items of one project and version")


def rows(screen: SummaryScreen) -> list[list[str]]:
    table = screen.query_one("#failures", DataTable)
    return [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]


async def test_reinspection_summary_shows_targets_then_outcomes(
    demo_db_path: Path, settings: Settings, clock: Clock
) -> None:
    passed_id, failed_id = two_open_items(demo_db_path)
    db = connect(demo_db_path)
    wang = person_id(db, "王丽华")
    set_actor(db, wang)
    level = get_item(db, failed_id).escalation_level
    created = reinspection.create_reinspection(db, clock, [passed_id, failed_id], actor=wang)
    verdicts = {passed_id: Result.PASS, failed_id: Result.FAIL}
    for t in reinspection_targets.targets(db, created.id):
        verdict = verdicts[t.rectification_item_id]
        inspections.record_finding(
            db, clock, created.id, t.item_id, t.area_id, verdict,
            occurrences=1 if verdict == Result.FAIL else 0, note="仍未整改",
        )  # fmt: skip

    app = create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")  # do not resume the demo draft
        await app.push_screen(SummaryScreen(created.id))
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        assert not summary.query_one("#sections", DataTable).display  # no section scores
        total = str(summary.query_one("#total", Static).render())
        assert "复检 2 项" in total and "总分" not in total and "绩效" not in total
        before = rows(summary)
        assert [r[3] for r in before] == ["合格\n仍未整改", "不合格\n仍未整改"]
        assert all(r[1].startswith("扣 ") for r in before)  # what was found before ...
        assert [r[2] for r in before] == ["未回复", "未回复"]  # ... and what the project said
        assert before[0][4] == "签字后关闭"
        assert f"升级至第 {level + 1} 级" in before[1][4] and "复检整改通知单" in before[1][4]

        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SignOffDialog)
        hint = " ".join(str(s.render()) for s in dialog.query(".dialog-hint").results(Static))
        assert "复检合格 1 项关闭" in hint and "不合格 1 项升级" in hint
        assert "生成整改通知单" not in hint
        dialog.query_one("#inspectors", SelectionList).select_all()
        dialog.query_one("#receiver", Input).value = "张经理"
        for field in dialog.query(Input).results(Input):  # each inspector's PIN (the demo's)
            if (field.id or "").startswith("pin-"):
                field.value = DEMO_PIN
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is summary and summary.signed

        after = rows(summary)
        escalated = get_item(db, failed_id)
        assert escalated.escalation_level == level + 1
        assert escalated.status == RectificationStatus.OPEN
        assert get_item(db, passed_id).status == RectificationStatus.CLOSED
        assert after[0][4] == "已关闭"
        assert f"已升级至第 {level + 1} 级" in after[1][4]
        assert f"期限 {escalated.deadline}" in after[1][4]
        number = summary.notice_number
        assert number and number.startswith("ZG-202611-") and number in after[1][4]
        status = str(summary.query_one("#summary-status", Static).render())
        assert "已签字锁定" in status and number in status
