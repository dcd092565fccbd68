"""Full disk, read-only and vanished storage (issue 14): said, kept, retried, nothing left behind.

The database lives on a small tmpfs mounted by the test (root only; skipped with
the reason otherwise). The walk keeps an answer storage refused, says why in
Chinese, stays open and saves it once space (or the folder, or write access)
returns; the commands say one line, exit 2, leave no temporary file and no
half-written database.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model import checklists, inspections, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import InspectionKind
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.screens.walk import RETRY_DELAY, WalkScreen
from tests.people import manager_of, person_id

pytestmark = pytest.mark.reliability

SIZE = "8m"  # the demo database is 4.7 MB


def _mount(folder: Path, *options: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    opts = ",".join((f"size={SIZE}", *options))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(folder)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs, unmounted after the test."""
    folder = tmp_path / "fs"
    folder.mkdir()
    _mount(folder)
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill the file system of ``folder`` until ``leave`` bytes are free."""
    filler = folder / "filler"
    chunk = b"\0" * 65536
    with filler.open("wb") as out:
        try:
            while shutil.disk_usage(folder).free > leave:
                free = shutil.disk_usage(folder).free - leave
                out.write(chunk[: max(4096, min(len(chunk), free))])
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def remount(folder: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True)


def _draft(db_path: Path) -> str:
    db = connect(db_path)
    project = next(p for p in organisation.list_projects(db) if p.name == "锦程·天府花园")
    version = next(c for c in checklists.list_checklists(db) if "物业服务" in c.checklist.name)
    inspector = person_id(db, "王丽华")  # who walks it in the app
    inspection = inspections.create_inspection(
        db, Clock(), project.id, InspectionKind.SPECIAL, version.latest_version_id, [inspector]
    )
    db.close()
    return inspection.id


@pytest.fixture
def db_on_fs(small_fs: Path, demo_db_path: Path) -> Path:
    target = small_fs / "pqm.sqlite3"
    shutil.copy(demo_db_path, target)
    return target


async def _open_walk(app: PQMApp, pilot: Pilot[None], inspection_id: str) -> WalkScreen:
    await pilot.pause()
    if isinstance(app.screen, ConfirmDialog):
        await pilot.press("n")
        await pilot.pause()
    app.open("walk", inspection_id=inspection_id)
    await pilot.pause()
    assert isinstance(app.screen, WalkScreen)
    return app.screen


def _status(walk: WalkScreen) -> str:
    return str(walk.query_one("#walk-status", Static).render())


async def _refused_then_saved(
    app: PQMApp,
    pilot: Pilot[None],
    walk: WalkScreen,
    db_path: Path,
    said: str,
    restore: Callable[[], object],
) -> None:
    """Answer until storage refuses; check it is said and kept; restore; check it is saved."""
    for _ in range(40):
        await pilot.press("p")
        if walk.unsaved:
            break
    assert walk.unsaved, "storage never refused a write"
    await pilot.press("p")  # a later answer waits behind the first, in order
    kept = len(walk.unsaved)
    assert kept >= 2
    assert said in _status(walk) and "已保留" in _status(walk), _status(walk)
    await pilot.press("escape")  # not left with unsaved answers
    assert app.screen is walk and "保存后才能离开" in _status(walk)
    await pilot.pause(RETRY_DELAY + 0.5)
    assert len(walk.unsaved) == kept  # still refused: still kept
    restore()
    await pilot.pause(RETRY_DELAY + 1.0)
    assert walk.unsaved == [], _status(walk)
    assert "已保存" in _status(walk)
    shown = {key: f.result for key, f in walk.walk.findings.items()}
    db = sqlite3.connect(db_path)
    stored = {
        (area, item): result
        for area, item, result in db.execute(
            "SELECT area_id, item_id, result FROM findings WHERE inspection_id = ?",
            [walk.inspection_id],
        )
    }
    db.close()
    assert {k: v.value for k, v in shown.items()} == stored


async def test_walk_on_a_full_disk_keeps_answers_and_saves_them_when_space_returns(
    db_on_fs: Path, settings: Settings
) -> None:
    inspection_id = _draft(db_on_fs)
    app = create_app(settings, db_path=db_on_fs, actor="王丽华", clock=Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        walk = await _open_walk(app, pilot, inspection_id)
        await pilot.press("p")
        filler = fill(db_on_fs.parent)
        await _refused_then_saved(app, pilot, walk, db_on_fs, "磁盘已满", filler.unlink)
        await pilot.press("ctrl+q")
    assert app.return_code in (0, None)
    assert sorted(p.name for p in db_on_fs.parent.iterdir()) == [
        "pqm.sqlite3",
        "pqm.sqlite3-shm",
        "pqm.sqlite3-wal",
    ] or sorted(p.name for p in db_on_fs.parent.iterdir()) == ["pqm.sqlite3"]


async def test_walk_on_a_read_only_database_keeps_answers(
    db_on_fs: Path, settings: Settings
) -> None:
    """SQLite refuses with SQLITE_READONLY (here by ``query_only``: root writes any file)."""
    inspection_id = _draft(db_on_fs)
    app = create_app(settings, db_path=db_on_fs, actor="王丽华", clock=Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        walk = await _open_walk(app, pilot, inspection_id)
        app.db.execute("PRAGMA query_only = ON")
        await _refused_then_saved(
            app, pilot, walk, db_on_fs, "只读", lambda: app.db.execute("PRAGMA query_only = OFF")
        )


async def test_walk_whose_folder_vanished_keeps_answers(
    tmp_path: Path, demo_db_path: Path, settings: Settings
) -> None:
    """The folder is moved away (a USB stick pulled, a sync client): said, kept, saved on return."""
    site = tmp_path / "site"
    site.mkdir()
    db_path = site / "pqm.sqlite3"
    shutil.move(demo_db_path, db_path)
    inspection_id = _draft(db_path)
    app = create_app(settings, db_path=db_path, actor="王丽华", clock=Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        walk = await _open_walk(app, pilot, inspection_id)
        site.rename(tmp_path / "away")
        await _refused_then_saved(
            app, pilot, walk, db_path, "已不存在", lambda: (tmp_path / "away").rename(site)
        )


def _pqm(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pqm_tui", "--db", str(db_path), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.mark.parametrize("leave", [0, 36 * 1024], ids=["no-space", "room-to-open-only"])
def test_commands_on_a_full_disk_say_one_line_and_leave_nothing(
    db_on_fs: Path, tmp_path: Path, leave: int
) -> None:
    fs = db_on_fs.parent
    checklist = tmp_path / "checklist.yaml"
    organisation_file = tmp_path / "org.yaml"
    assert (
        _pqm(db_on_fs, "checklist", "export", "案场8S管理检查表", "-o", str(checklist)).returncode
        == 0
    )
    text = checklist.read_text(encoding="utf-8")
    checklist.write_text(text.replace("name: 案场8S管理检查表", "name: 新检查表", 1), "utf-8")
    assert _pqm(db_on_fs, "org", "export", "-o", str(organisation_file)).returncode == 0
    text = organisation_file.read_text(encoding="utf-8")
    organisation_file.write_text(text.replace("金开大道 99 号", "金开大道 100 号"), "utf-8")
    before = _counts(db_on_fs)
    signed, repliable = _signed(db_on_fs), _repliable(db_on_fs)
    manager = _manager(db_on_fs, repliable)
    fill(fs, leave)
    runs = {  # each by someone who may
        "report": ("--as", "黄建国", "report", "inspection", signed, "-o", str(fs / "report.pdf")),
        "xlsx": ("items", "--format", "xlsx", "--limit", "0", "-o", str(fs / "items.xlsx")),
        "checklist import": ("--as", "陈志强", "checklist", "import", str(checklist)),
        "org import": ("--as", "徐静", "org", "import", str(organisation_file)),
        "reply": ("--as", manager, "item", "reply", repliable, "--done", "已整改"),
        "seed-demo --force": ("--lang", "zh", "--as", "徐静", "seed-demo", "--force"),
    }
    for name, args in runs.items():
        done = _pqm(db_on_fs, *args)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2, (name, done.stdout, done.stderr)
        assert len(lines) == 1 and lines[0].startswith("pqm: "), (name, done.stderr)
        assert "磁盘已满" in lines[0], (name, lines[0])
        left = {p.name for p in fs.iterdir()} - {"filler", "pqm.sqlite3-wal", "pqm.sqlite3-shm"}
        assert left == {"pqm.sqlite3"}, (name, left)
    (fs / "filler").unlink()
    assert _counts(db_on_fs) == before  # nothing half-written, the old database kept
    db = sqlite3.connect(db_on_fs)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_commands_on_a_read_only_file_system_say_so_and_write_nothing(db_on_fs: Path) -> None:
    fs = db_on_fs.parent
    signed = _signed(db_on_fs)
    remount(fs, "ro")
    try:
        for args in (
            ("item", "reply", "01a24c26", "--done", "已整改"),
            ("report", "inspection", signed, "-o", str(fs / "report.pdf")),
            ("--as", "徐静", "seed-demo", "--force"),
        ):
            done = _pqm(db_on_fs, *args)
            assert done.returncode == 2, (args, done.stderr)
            assert done.stderr.startswith("pqm: ") and "只读" in done.stderr, (args, done.stderr)
            assert "Traceback" not in done.stderr
    finally:
        remount(fs, "rw")
    assert [p.name for p in fs.iterdir()] == ["pqm.sqlite3"]


def _signed(db_path: Path) -> str:
    db = sqlite3.connect(db_path)
    found = db.execute("SELECT id FROM inspections WHERE status = 'signed' LIMIT 1").fetchone()
    db.close()
    return str(found[0])


def _counts(db_path: Path) -> tuple[int, ...]:
    db = sqlite3.connect(db_path)
    tables = ("findings", "checklists", "rectification_events", "audit_log", "inspections")
    counts = tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)
    db.close()
    return counts


def _manager(db_path: Path, item_id: str) -> str:
    """The id of the project manager of the item's project (who replies)."""
    db = connect(db_path)
    project = db.execute(
        "SELECT project_id FROM rectification_items WHERE id = ?", [item_id]
    ).fetchone()[0]
    manager = manager_of(db, project)
    db.close()
    return manager


def _repliable(db_path: Path) -> str:
    from pqm_tui.model.rectification import get_item
    from pqm_tui.services.rectification import Action, allowed_actions

    db = connect(db_path)
    rows = db.execute("SELECT id FROM rectification_items").fetchall()
    item = next(
        i for i in (get_item(db, r[0]) for r in rows) if Action.REPLY in allowed_actions(db, i)
    )
    db.close()
    return item.id
