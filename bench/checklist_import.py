"""Benchmark of the checklist import (not a test): a 300-item workbook, and hostile files.

Run: ``python bench/checklist_import.py``. Writes, in a temporary folder under /tmp,
a checklist workbook of 12 sections × 25 items (as ``pqm checklist template`` lays
it out) and times ``pqm --db NEW checklist import FILE.xlsx``: in one process (the
import itself: reading the workbook, validating, one transaction) and as a whole
``pqm`` process (with Python's start-up). Then the largest hostile files the tests
use — alias bombs, a 1 GB zip bomb, deep nesting — each as a whole process, with
its time and the process's peak memory (VmHWM). Targets: import ≤ 1 s; each
refusal ≤ 1 s and ≤ 100 MB.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import machine

from pqm_tui.cli import main as pqm_main
from pqm_tui.commands.checklist import sheet_words
from pqm_tui.i18n import Translator
from pqm_tui.model.checklist_file import ChecklistSpec, ItemSpec, SectionSpec
from pqm_tui.model.checklist_sheet import write_checklist_xlsx
from pqm_tui.model.entities import AreaType, Severity
from tests.reliability.hostile import MB, billion_laughs, zip_bomb

SECTIONS, ITEMS = 12, 25  # 300 items
RUNS = 5
TARGET_S = 1.0
LIMIT_MB = 100


def spec() -> ChecklistSpec:
    """300 items whose points total 100 (12 sections × 25 items; 0.25–0.5 points each)."""
    types = list(AreaType)
    sections = []
    for s in range(SECTIONS):
        items = [
            ItemSpec(
                code=f"S{s:02d}-{i:02d}",
                standard=f"第 {s + 1} 板块第 {i + 1} 项：设施完好、整洁，记录完整，无安全隐患。",
                method="现场查看；查阅记录，抽查 3 份。",
                points=Decimal("0.5") if i < 8 else Decimal("0.25"),
                per_occurrence=Decimal("0.25"),
                severity=Severity.SERIOUS if i % 7 == 0 else Severity.NORMAL,
                photo_required=i % 3 == 0,
                area_types=[types[(s + i) % len(types)]] if i % 2 else [],
            )
            for i in range(ITEMS)
        ]
        sections.append(SectionSpec(code=f"S{s:02d}", name=f"板块{s + 1:02d}", items=items))
    total = sum(i.points for s in sections for i in s.items)
    last = sections[-1].items[-1]
    last.points += Decimal(100) - total
    return ChecklistSpec(name="三百项检查表", sections=sections)


PROBE = (
    "import re, sys, time; from pathlib import Path; from pqm_tui.cli import main; "
    "t = time.perf_counter(); code = main(sys.argv[1:]); elapsed = time.perf_counter() - t; "
    "hwm = re.search(r'VmHWM:\\s+(\\d+)', Path('/proc/self/status').read_text())[1]; "
    "print(code, elapsed, hwm, file=sys.stderr)"
)


def process(*args: str) -> tuple[int, float, float, float]:
    """Exit code, seconds in ``main``, seconds of the whole process, peak memory (MB)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False
    )
    whole = time.perf_counter() - start
    code, inside, hwm = done.stderr.strip().splitlines()[-1].split()
    return int(code), float(inside), whole, int(hwm) / 1024


def main() -> None:
    print(machine())
    with tempfile.TemporaryDirectory(prefix="pqm-bench-checklist-", dir="/tmp") as name:
        folder = Path(name)
        workbook = folder / "three-hundred.xlsx"
        write_checklist_xlsx(workbook, spec(), sheet_words(Translator("zh")), "zh")
        size = workbook.stat().st_size / 1024
        print(f"workbook: {SECTIONS} sections × {ITEMS} items ({size:.0f} KB)")
        inside, whole = [], []
        for run in range(RUNS):
            db = folder / f"run{run}.sqlite3"
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                assert pqm_main(["--db", str(db), "checklist", "import", str(workbook)]) == 0
            inside.append(time.perf_counter() - start)
            whole.append(
                process(
                    "--db", str(folder / f"p{run}.sqlite3"), "checklist", "import", str(workbook)
                )[2]
            )
        for label, times in (("the import (in process)", inside), ("the whole pqm process", whole)):
            median = statistics.median(times)
            verdict = "ok" if median <= TARGET_S else "SLOW"
            print(
                f"300-item workbook, {label}: median {median:.2f} s of {RUNS} "
                f"(min {min(times):.2f}, max {max(times):.2f}); target ≤ {TARGET_S:.0f} s {verdict}"
            )

        hostile = {
            "YAML alias bomb, 11 KB (9^9 = 387 M strings)": ("bomb11.yaml", billion_laughs()),
            "YAML alias bomb, 33 KB (12^12 = 8.9 T strings)": (
                "bomb33.yaml",
                billion_laughs(12, 12, 33 * 1024),
            ),
            "YAML nesting 100,000 deep (200 KB)": (
                "deep.yaml",
                "name: x\nsections: " + "[" * 100_000 + "]" * 100_000,
            ),
        }
        for file_name, text in hostile.values():
            (folder / file_name).write_text(text, encoding="utf-8")
        bomb = zip_bomb(folder / "bomb.xlsx", 1024 * MB)
        cases = {label: folder / f for label, (f, _) in hostile.items()}
        cases[f"xlsx zip bomb, {bomb.stat().st_size / MB:.1f} MB unpacking to 1 GB"] = bomb
        db = folder / "hostile.sqlite3"
        for label, path in cases.items():
            code, inside_s, whole_s, peak = process(
                "--db", str(db), "checklist", "import", str(path)
            )
            verdict = "ok" if code == 2 and inside_s <= TARGET_S and peak <= LIMIT_MB else "FAIL"
            print(
                f"{label}: exit {code}, {inside_s * 1000:.0f} ms in main "
                f"({whole_s:.2f} s process), peak {peak:.0f} MB; "
                f"target ≤ 1 s, ≤ {LIMIT_MB} MB {verdict}"
            )
        print("(peak memory is the whole process: Python, pydantic and the CLI take ~40 MB alone)")


if __name__ == "__main__":
    main()
