"""Shared fixtures: isolated settings, a fixed clock and a seeded demo database."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.services.demo import seed_demo
from tests.people import DemoPeople

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIXED_NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def isolate(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Config, preferences and the XDG folders inside ``folder``; no PQM_* choice inherited."""
    monkeypatch.setenv("PQM_CONFIG", str(folder / "no-config.yaml"))
    monkeypatch.setenv("PQM_PREFERENCES", str(folder / "preferences.json"))
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / "xdg-cache"))
    for name in ("PQM_DB", "PQM_LANG", "PQM_TZ", "PQM_AS", "PQM_PIN"):
        monkeypatch.delenv(name, raising=False)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (make test): two workers per core. A Pilot test waits for the app to
    go idle after each key and uses about a quarter of a core; the PDF tests use a whole one."""
    return 2 * (os.cpu_count() or 1)


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never read or write the user's config, data, cache or database. The user's
    folders are beside the test's ``tmp_path``, which holds only what the test writes."""
    isolate(monkeypatch, tmp_path_factory.mktemp("user"))


@pytest.fixture
def clock() -> Clock:
    """A clock fixed at 2026-11-23 10:00 in Asia/Shanghai."""
    return Clock(tz=SHANGHAI, source=lambda: FIXED_NOW)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=tmp_path / "pqm.sqlite3", timezone="Asia/Shanghai")


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo seeded once per run: the parallel workers (pytest-xdist) share one file,
    seeded by the first that needs it while the others wait on the lock."""
    folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        folder = folder.parent  # the run's folder, above each worker's own
    path = folder / "demo-template.sqlite3"
    with (folder / "demo-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            seeding = folder / f"demo-seeding-{os.getpid()}.sqlite3"
            db = connect(seeding)
            fixed = Clock(tz=SHANGHAI, source=lambda: FIXED_NOW)
            seed_demo(db, fixed, Settings(timezone="Asia/Shanghai"))
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.close()
            seeding.rename(path)  # complete or absent
    return path


@pytest.fixture
def demo_db_path(_demo_template: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of a demo database seeded at FIXED_NOW."""
    target = tmp_path / "demo.sqlite3"
    shutil.copy(_demo_template, target)
    yield target


@pytest.fixture
def demo_people(demo_db_path: Path) -> DemoPeople:
    """The ids of the demo's people by role (inspector 王丽华, leader 陈志强, quality manager
    黄建国, administrator 徐静, the city general managers …)."""
    db = connect(demo_db_path)
    try:
        return DemoPeople.of(db)
    finally:
        db.close()
