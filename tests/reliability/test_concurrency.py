"""Many writers, no crash: two apps and a CLI loop write one database for half a minute.

Issue 14: a second PQM process writing the same database crashed the app with
``database is locked`` (a deferred transaction that reads, then writes, fails at
once when another process committed in between). Now every write begins
IMMEDIATE and waits its turn. Two app processes (``walker_app.py``: create_app +
Pilot) walk two drafts as fast as keys go while this test runs ``pqm item reply``
and ``pqm inspection list`` in a loop: no traceback, every CLI call exits 0, no
answer is left unsaved, and every finding the walks show is in the database.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import Static

from pqm_tui.app import create_app
from pqm_tui.config import Settings
from pqm_tui.model import checklists, findings, inspections, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import InspectionKind, Result
from pqm_tui.model.errors import StorageError
from pqm_tui.model.rectification import get_item
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.screens.walk import RETRY_DELAY, WalkScreen
from pqm_tui.services.rectification import Action, allowed_actions
from tests.people import manager_of, person_id

# 30 s in CI (62 s until the suite ran in parallel): each walker still presses 200+ keys
# under load, the CLI loop makes ~80 calls. Longer or wider runs by hand:
# PQM_CONCURRENCY_SECONDS=600 PQM_CONCURRENCY_APPS=4 pytest …
SECONDS = float(os.environ.get("PQM_CONCURRENCY_SECONDS", "30"))
APPS = int(os.environ.get("PQM_CONCURRENCY_APPS", "2"))
PROJECTS = ("锦程·天府花园", "锦程国际中心")
WALKER = Path(__file__).with_name("walker_app.py")

pytestmark = pytest.mark.reliability


def _new_draft(db_path: Path, project_name: str) -> str:
    db = connect(db_path)
    project = next(p for p in organisation.list_projects(db) if p.name == project_name)
    version = next(c for c in checklists.list_checklists(db) if "物业服务" in c.checklist.name)
    inspector = person_id(db, "王丽华")  # who walks it
    inspection = inspections.create_inspection(
        db, Clock(), project.id, InspectionKind.SPECIAL, version.latest_version_id, [inspector]
    )
    db.close()
    return inspection.id


def _repliable(db_path: Path) -> list[tuple[str, str]]:
    """The rectification items that accept a reply (整改回复), each with the id of the
    project manager who replies."""
    db = connect(db_path)
    rows = db.execute("SELECT id FROM rectification_items").fetchall()
    items = [get_item(db, row[0]) for row in rows]
    pairs = [
        (i.id, manager_of(db, i.project_id))
        for i in items
        if Action.REPLY in allowed_actions(db, i)
    ]
    db.close()
    return pairs


def _pqm(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pqm_tui", "--db", str(db_path), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def test_a_unit_of_work_takes_the_write_lock_before_it_reads(tmp_path: Path) -> None:
    """No SQLITE_BUSY_SNAPSHOT: another writer waits for the unit instead of slipping in."""
    path = tmp_path / "pqm.sqlite3"
    first, second = connect(path), connect(path)
    second.execute("PRAGMA busy_timeout = 50")
    with first.atomic():
        first.execute("SELECT count(*) FROM companies").fetchone()
        with pytest.raises(StorageError) as refused:  # deferred, this write would get in
            organisation.add_company(second, "乙公司")
        organisation.add_company(first, "甲公司")  # … and this one fail at once
    assert refused.value.key == "errors.storage.busy"
    assert [row["name"] for row in second["companies"].rows] == ["甲公司"]


async def test_the_walk_keeps_an_answer_while_another_process_holds_the_database(
    demo_db_path: Path, settings: Settings
) -> None:
    """Busy past the timeout: said in Chinese, kept, retried, saved once the lock is free."""
    draft = _new_draft(demo_db_path, PROJECTS[0])
    app = create_app(settings, db_path=demo_db_path, actor="王丽华", clock=Clock())
    other = sqlite3.connect(demo_db_path, isolation_level=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        if isinstance(app.screen, ConfirmDialog):
            await pilot.press("n")
        app.open("walk", inspection_id=draft)
        await pilot.pause()
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        app.db.execute("PRAGMA busy_timeout = 100")
        item = walk.current_item
        other.execute("BEGIN IMMEDIATE")  # a long write elsewhere
        await pilot.press("p")
        assert len(walk.unsaved) == 1
        status = str(walk.query_one("#walk-status", Static).render())
        assert "数据库正被其他程序写入" in status and "已保留" in status, status
        assert walk.current_item != item  # the walk goes on
        other.execute("COMMIT")
        await pilot.pause(RETRY_DELAY + 0.5)
        assert walk.unsaved == []
        finding = walk.walk.finding(walk.area_id, str(item))
        assert finding is not None and finding.result == Result.PASS
    other.close()
    stored = findings.list_findings(connect(demo_db_path), draft)
    assert [(f.item_id, f.result) for f in stored] == [(item, Result.PASS)]


def test_two_apps_and_a_cli_loop_write_one_database_for_half_a_minute(demo_db_path: Path) -> None:
    drafts = [_new_draft(demo_db_path, PROJECTS[n % len(PROJECTS)]) for n in range(APPS)]
    open_items = _repliable(demo_db_path)
    assert open_items
    walkers = [
        subprocess.Popen(
            [sys.executable, str(WALKER), str(demo_db_path), draft, str(SECONDS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for draft in drafts
    ]
    start = time.monotonic()
    calls: list[tuple[list[str], int, str]] = []
    while time.monotonic() - start < SECONDS:
        if open_items and len(calls) % 2 == 0:
            item, manager = open_items.pop()
            args = ["--as", manager, "item", "reply", item, "--done", "已按要求整改，现场已清理。"]
        else:
            args = ["inspection", "list", "--limit", "20"]
        done = _pqm(demo_db_path, *args)
        calls.append((args, done.returncode, done.stderr))
    held = time.monotonic() - start
    outcomes = [w.communicate(timeout=120) for w in walkers]

    failed_calls = [(args, rc, err) for args, rc, err in calls if rc != 0 or err.strip()]
    assert not failed_calls, failed_calls[:3]
    for walker, (out, err) in zip(walkers, outcomes, strict=True):
        assert walker.returncode == 0 and "Traceback" not in err, err[-3000:]
        summary = json.loads(out.splitlines()[-1])
        assert summary["keys"] > 100, summary
        assert summary["unsaved"] == 0 and summary["left"] == 0, summary
        assert summary["lost"] == [], summary
        print(f"walker: {summary['keys']} keys, {summary['shown']} findings shown and stored")
    replies = sum("reply" in args for args, _, _ in calls)
    print(
        f"{APPS + 1} writers for {held:.0f} s: {len(calls)} CLI calls ({replies} replies), 0 errors"
    )
    db = sqlite3.connect(demo_db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
