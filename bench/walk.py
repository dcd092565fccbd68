"""Benchmark of the walk (not a test): keypress → committed finding, and start-up time.

Run: ``python bench/walk.py``. Prints the machine, then

1. keypress → committed finding over 500 items of one area (a checklist of
   500 items, a project of 50 areas; ``synchronous=FULL``) and, separately,
   the handler path alone (``WalkScreen.action_answer``). A key is posted to
   the app as the terminal driver posts it; the clock stops when
   ``record_finding`` has committed. Median and p95.
   Targets: p95 ≤ 16 ms.
2. start to first screen: ``pqm --db …`` (the CLI, as a user starts it) against
   a bare Textual app, both started the same way (a fresh ``python`` process
   running the app headless until its first screen is painted; for pqm that is
   the home screen with its data and the offer to resume the draft). Median of
   several runs, as a ratio. Target ≤ 1.5. Also "stack floor": the bare app
   after importing the libraries PQM is built on (sqlite-utils, pydantic with
   one model, PyYAML), which no PQM start can beat. Bytecode caching is on (a
   warm-up run first), as on a user's machine, even if this shell sets
   PYTHONDONTWRITEBYTECODE.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from _common import machine

ITEMS = 500
AREAS = 50
START_RUNS = 11

PQM_START = """
import sys
from textual.app import App

async def shown(pilot):
    await pilot.pause()
    pilot.app.exit()

run = App.run
App.run = lambda self, **kw: run(self, headless=True, auto_pilot=shown)
from pqm_tui.cli import main
sys.exit(main(["--db", sys.argv[1]]))
"""

BARE_START = """
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

async def shown(pilot):
    await pilot.pause()
    pilot.app.exit()

Bare().run(headless=True, auto_pilot=shown)
"""

FLOOR_START = (
    """
import sqlite_utils, yaml
from pydantic import BaseModel

class One(BaseModel):
    value: int
"""
    + BARE_START
)


def build_database(path: Path) -> str:
    """A checklist of ITEMS items, a project of AREAS areas, one draft inspection."""
    from pqm_tui.model import checklists, inspections, organisation
    from pqm_tui.model.checklist_file import ChecklistSpec, ItemSpec, SectionSpec
    from pqm_tui.model.clock import Clock
    from pqm_tui.model.db import connect
    from pqm_tui.model.entities import AreaType, InspectionKind, ProjectKind

    db = connect(path)
    clock = Clock()
    sections = [
        SectionSpec(
            code=f"S{s:02d}",
            name=f"板块 {s}",
            department="工程部",
            area_types=[],
            items=[
                ItemSpec(
                    code=f"S{s:02d}-{i:03d}",
                    standard=f"第 {s}-{i} 项标准：设备房整洁，无杂物、无积水、无渗漏，记录齐全。",
                    method="现场查看",
                    points=Decimal("0.2"),  # 500 items x 0.2 = 100 points
                    per_occurrence=Decimal("0.1"),
                )
                for i in range(ITEMS // 10)
            ],
        )
        for s in range(10)
    ]
    spec = ChecklistSpec(name="性能测试检查表", description="", project_kinds=[], sections=sections)
    with db.atomic():
        version, _ = checklists.import_spec(db, spec, clock)
        company = organisation.add_company(db, "测试物业")
        city = organisation.add_city_company(db, company.id, "测试城市公司")
        project = organisation.add_project(db, city.id, "测试项目", ProjectKind.RESIDENTIAL)
        for n in range(AREAS):
            organisation.add_area(db, project.id, f"区域 {n + 1:02d}", AreaType.PUBLIC, n)
        inspector = organisation.add_person(db, "王丽华", "品质督导")
    inspection = inspections.create_inspection(
        db, clock, project.id, InspectionKind.MONTHLY, version.id, [inspector.id]
    )
    db.close()
    return inspection.id


def summary(label: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{label}: n={len(samples)} median {statistics.median(samples) * 1000:.2f} ms, "
        f"p95 {p95 * 1000:.2f} ms, max {ordered[-1] * 1000:.2f} ms"
    )


async def keypresses(db_path: Path, inspection_id: str) -> tuple[list[float], list[float]]:
    """Key event posted → finding committed, for ITEMS keys; then the handler alone."""
    from textual import events

    from pqm_tui.app import create_app
    from pqm_tui.config import Settings
    from pqm_tui.model.db import connect
    from pqm_tui.model.inspections import get_inspection
    from pqm_tui.screens.walk import WalkScreen

    db = connect(db_path)  # the walk's inspector presses the keys
    walker = get_inspection(db, inspection_id).inspector_ids[0]
    db.close()
    app = create_app(Settings(), db_path=db_path, actor=walker)
    pressed: list[float] = []
    handled: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("y")  # resume the draft
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WalkScreen)
        session = screen.walk
        committed: list[float] = []
        answer = session.answer

        def timed_answer(*args, **kwargs):  # type: ignore[no-untyped-def]
            finding = answer(*args, **kwargs)  # returns once the commit is done
            committed.append(time.perf_counter())
            return finding

        session.answer = timed_answer  # type: ignore[method-assign]
        for _ in range(ITEMS):
            start = time.perf_counter()
            app.post_message(events.Key("p", "p"))  # as the terminal driver does
            while len(committed) <= len(pressed):
                await asyncio.sleep(0)
            pressed.append(committed[-1] - start)
            await pilot.pause()  # let the screen redraw before the next key
        await pilot.press("tab")
        await pilot.pause()
        for _ in range(ITEMS):
            start = time.perf_counter()
            screen.action_answer("pass")
            handled.append(time.perf_counter() - start)
            await pilot.pause()
        count = app.db.execute(
            "SELECT count(*) FROM findings WHERE inspection_id = ?", [inspection_id]
        ).fetchone()[0]
        assert count == 2 * ITEMS, count
    return pressed, handled


def start_times(codes: dict[str, str], *args: str) -> dict[str, list[float]]:
    """Start each program START_RUNS times, interleaved so that load affects all alike."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    samples: dict[str, list[float]] = {name: [] for name in codes}
    for run in range(START_RUNS + 1):
        for name, code in codes.items():
            start = time.perf_counter()
            command = [sys.executable, "-c", code, *args]
            subprocess.run(command, check=True, capture_output=True, env=env)
            if run:  # the first run compiles bytecode: not counted
                samples[name].append(time.perf_counter() - start)
    return samples


def main() -> None:
    import textual

    print(machine(f"textual {textual.__version__}"))
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "bench.sqlite3"
        inspection_id = build_database(db_path)
        pressed, handled = asyncio.run(keypresses(db_path, inspection_id))
        print(f"checklist of {ITEMS} items, {AREAS} areas ({ITEMS * AREAS} pairs)")
        print(summary("key event p → finding committed", pressed))
        print(summary("handler action_answer (commit + row redraw)", handled))
        codes = {"bare": BARE_START, "floor": FLOOR_START, "pqm": PQM_START}
        medians = {k: statistics.median(v) for k, v in start_times(codes, str(db_path)).items()}
    bare, floor, pqm = medians["bare"], medians["floor"], medians["pqm"]
    print(
        f"start to first screen (median of {START_RUNS}): pqm {pqm * 1000:.0f} ms, "
        f"bare Textual {bare * 1000:.0f} ms, stack floor {floor * 1000:.0f} ms; "
        f"pqm/bare {pqm / bare:.2f}, floor/bare {floor / bare:.2f}, pqm/floor {pqm / floor:.2f}"
    )


if __name__ == "__main__":
    main()
