"""Nothing is lost: a walker killed with SIGKILL keeps every finding it acknowledged.

A subprocess records findings through the walk session (the same path the
walk screen uses) and prints each finding's id once ``record_finding`` has
returned. The test kills it at a random moment, again and again, and checks
that every printed finding is in the database and ``pqm db check`` passes.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from pqm_tui.model import checklists, findings, inspections, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import InspectionKind, Result

ROUNDS = 10
BUDGET_SECONDS = 25.0

WALKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from pqm_tui.config import Settings
    from pqm_tui.model.clock import Clock
    from pqm_tui.model.db import connect
    from pqm_tui.model.entities import Result
    from pqm_tui.services.walk_session import WalkSession

    db_path, inspection_id = Path(sys.argv[1]), sys.argv[2]
    db = connect(db_path, actor=sys.argv[3])  # the inspection's inspector walks it
    session = WalkSession(db, Clock(), Settings(), inspection_id, db_path)
    print("ready", flush=True)
    for n, (area_id, item_id) in enumerate(session.plan.pairs):
        if n % 4 == 3:
            details = session.default_failure(area_id, item_id, 1)
            details.note = f"第 {n} 处：地面有烟头，未及时清理。"
            finding = session.fail(area_id, item_id, details)
        else:
            finding = session.answer(area_id, item_id, Result.NA if n % 7 == 0 else Result.PASS)
        print(finding.id, finding.result.value, finding.note, sep="\\t", flush=True)
    print("done", flush=True)
    """
)


def _new_inspection(db_path: Path) -> str:
    db = connect(db_path)
    project = next(p for p in organisation.list_projects(db) if p.name == "锦程·天府花园")
    version = next(c for c in checklists.list_checklists(db) if "物业服务" in c.checklist.name)
    inspector = organisation.inspectors(db)[0]
    inspection = inspections.create_inspection(
        db, Clock(), project.id, InspectionKind.SPECIAL, version.latest_version_id, [inspector.id]
    )
    db.close()
    return inspection.id


def _inspector(db_path: Path, inspection_id: str) -> str:
    db = connect(db_path)
    inspector = inspections.get_inspection(db, inspection_id).inspector_ids[0]
    db.close()
    return inspector


def _walk_and_kill(script: Path, db_path: Path, inspection_id: str, delay: float) -> list[str]:
    """Run the walker, SIGKILL it after ``delay`` seconds of walking; its acknowledged lines."""
    proc = subprocess.Popen(
        [
            sys.executable,
            str(script),
            str(db_path),
            inspection_id,
            _inspector(db_path, inspection_id),
        ],
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert proc.stdout is not None
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.strip() == "ready":
                ready.set()
            elif line.endswith("\n"):  # a line cut by the kill was never acknowledged
                lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert ready.wait(20), "the walker did not start"
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    reader.join(10)
    return [line for line in lines if line != "done"]


def test_killed_walker_loses_no_acknowledged_finding(demo_db_path: Path, tmp_path: Path) -> None:
    script = tmp_path / "walker.py"
    script.write_text(WALKER, encoding="utf-8")
    rng = random.Random(20261123)
    started = time.monotonic()
    rounds = total = 0
    while rounds < ROUNDS and time.monotonic() - started < BUDGET_SECONDS:
        inspection_id = _new_inspection(demo_db_path)  # fresh pairs every round
        lines = _walk_and_kill(script, demo_db_path, inspection_id, rng.uniform(0.0, 0.25))
        acknowledged: dict[str, tuple[str, str]] = {}
        for line in lines:
            finding_id, result, note = line.split("\t")
            acknowledged[finding_id] = (result, note)
        rounds += 1
        total += len(acknowledged)
        db = connect(demo_db_path)
        stored = {f.id: f for f in findings.list_findings(db, inspection_id)}
        db.close()
        assert len(stored) - len(acknowledged) in (0, 1)  # at most the one being printed
        missing = [fid for fid in acknowledged if fid not in stored]
        assert not missing, f"round {rounds}: {len(missing)} acknowledged findings lost"
        for fid, (result, note) in acknowledged.items():
            assert stored[fid].result == Result(result) and stored[fid].note == note
    assert rounds >= 5, f"only {rounds} rounds fitted in the time budget"
    assert total > 0, "the walker never acknowledged a finding"
    check = subprocess.run(
        [sys.executable, "-m", "pqm_tui", "--db", str(demo_db_path), "db", "check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr
