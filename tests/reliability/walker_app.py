"""One PQM app walking one draft as fast as keys go (run as a process by test_concurrency).

``python walker_app.py DB INSPECTION_ID SECONDS``: builds the app with ``create_app``,
opens the walk through Pilot and presses pass / N/A / fail (panel + ctrl+s) / undo /
next area until SECONDS have passed. Prints one JSON line: keys pressed, how many
times a write was left unsaved (storage refused it), and every finding the walk
shows that the database does not hold. A crash is a traceback and a non-zero exit.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from pqm_tui.app import create_app
from pqm_tui.config import Settings
from pqm_tui.model import findings
from pqm_tui.model.clock import Clock, resolve_timezone
from pqm_tui.model.db import connect
from pqm_tui.model.inspections import get_inspection
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.screens.dialogs.finding_panel import FindingPanel
from pqm_tui.screens.walk import WalkScreen

KEYS = ["p", "n", "p", "fail", "p", "u", "p", "p", "fail", "n", "p", "tab"]


async def walk(db_path: Path, inspection_id: str, seconds: float) -> dict[str, object]:
    settings = Settings(db=db_path, timezone="Asia/Shanghai")
    clock = Clock(resolve_timezone(settings.timezone))
    db = connect(db_path)  # the inspection's first inspector walks it
    walker = get_inspection(db, inspection_id).inspector_ids[0]
    db.close()
    app = create_app(settings, db_path=db_path, actor=walker, clock=clock)
    pressed = unsaved = 0
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        if isinstance(app.screen, ConfirmDialog):  # "resume the draft?" — no
            await pilot.press("n")
            await pilot.pause()
        app.open("walk", inspection_id=inspection_id)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WalkScreen), type(screen).__name__
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            key = KEYS[pressed % len(KEYS)]
            if key == "fail":
                await pilot.press("f")
                await pilot.pause()
                assert isinstance(app.screen, FindingPanel), type(app.screen).__name__
                await pilot.press("ctrl+s")
                await pilot.pause()
            else:
                await pilot.press(key)
            pressed += 1
            unsaved += bool(screen.unsaved)
        while screen.unsaved and time.monotonic() < end + 30:  # let the retries finish
            await pilot.pause(0.5)
        shown = dict(screen.walk.findings)
        left = len(screen.unsaved)
    db = connect(db_path)
    stored = {(f.area_id, f.item_id): f for f in findings.list_findings(db, inspection_id)}
    lost = [
        f"{key}: shown {f.result.value}, stored {stored.get(key)}"
        for key, f in shown.items()
        if key not in stored or stored[key].result != f.result or stored[key].id != f.id
    ]
    return {"keys": pressed, "unsaved": unsaved, "left": left, "lost": lost, "shown": len(shown)}


if __name__ == "__main__":
    path, inspection, duration = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    print(json.dumps(asyncio.run(walk(path, inspection, duration)), ensure_ascii=False))
