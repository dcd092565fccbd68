"""Benchmark of what an inspector feels (not a test), through a real terminal.

Run: ``python bench/walk.py [--keys 200]``. Every program runs in its own process on a
pseudo-terminal of 120×36 whose output is painted by a terminal emulator
(``bench/_terminal.py``); a clock stops when the screen SHOWS the answer.

1. start to first painted screen: ``pqm --db …`` (whatever it shows first: the home
   screen or the offer to resume a draft) against a bare Textual app that paints one
   ``Static``; interleaved runs, medians and the ratio (goal ≤ 1.5×). And the CLI:
   ``pqm inspection list`` as a whole process against ``python -c "import textual"``
   (goal ≤ 1.2×).
2. key → answer visible in the walk, in areas of 60 and of 500 items: ``p`` and ``n``
   (the header's "已查 N/…" shows the new count), ``f`` → the finding panel ready to type
   in (its note field shown), and a burst of 20 keys typed at 20 keys/s without waiting
   (does the app keep up, or do keys queue?). Medians and p95 (goal p95 ≤ 33 ms, two
   frames at 60 Hz; the panel ≤ 50 ms).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from _common import Figures, machine
from _terminal import Terminal

AREAS = 50
START_RUNS = 11
BIN = Path(sys.executable).parent
BARE = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("ready 就绪")

Bare().run()
"""
ANSWERED = re.compile(r"已查 (\d+)/")
FIRST_SCREEN = ("最近检查", "继续未完成的检查")  # home, or the offer to resume
FILLED = ("继续未完成的检查",)  # offered once home has its rows (the database has a draft)
FIGURES = Figures("walk")  # what --json writes


def build_database(path: Path, items: int) -> str:
    """A checklist of ``items`` items, a project of AREAS areas, one draft inspection."""
    from pqm_tui.model import checklists, inspections, organisation
    from pqm_tui.model.checklist_file import ChecklistSpec, ItemSpec, SectionSpec
    from pqm_tui.model.clock import Clock
    from pqm_tui.model.db import connect
    from pqm_tui.model.entities import AreaType, InspectionKind, ProjectKind

    db = connect(path)
    clock = Clock()
    base = (Decimal(100) / items).quantize(Decimal("0.1"), rounding="ROUND_DOWN")
    last = Decimal(100) - base * (items - 1)  # the checklist is worth 100 points

    def points(s: int, i: int) -> Decimal:
        return last if (s, i) == (9, items // 10 - 1) else base

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
                    points=points(s, i),
                    per_occurrence=base / 2,
                )
                for i in range(items // 10)
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


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(label: str, samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return (
        f"{label}: n={len(ms)} median {statistics.median(ms):.1f} ms, "
        f"p95 {percentile(ms, 0.95):.1f} ms, max {max(ms):.1f} ms"
    )


def first_paint(
    argv: list[str], shown: tuple[str, ...], then: tuple[str, ...] = ()
) -> tuple[float, float]:
    """Seconds from starting ``argv`` on the pty to the first of ``shown`` painted, and
    to the first of ``then`` painted after it (0 without ``then``)."""
    with Terminal(argv) as term:
        at = term.wait_for(lambda text: any(s in text for s in shown))
        later = term.wait_for(lambda text: any(s in text for s in then)) if then else at
        term.close(("escape", "ctrl+q"))
    return at - term.started, (later - term.started) if then else 0.0


def start_up(db_path: Path) -> None:
    pqm = [str(BIN / "pqm"), "--db", str(db_path), "--as", "王丽华"]
    bare = [sys.executable, "-c", BARE]
    samples: dict[str, list[float]] = {"pqm": [], "filled": [], "bare": []}
    for run in range(START_RUNS + 1):  # the first run compiles bytecode: not counted
        painted, filled = first_paint(pqm, FIRST_SCREEN, FILLED)
        took = {"pqm": painted, "filled": filled, "bare": first_paint(bare, ("就绪",))[0]}
        if run:
            for name, value in took.items():
                samples[name].append(value)
    p, b = statistics.median(samples["pqm"]), statistics.median(samples["bare"])
    f = statistics.median(samples["filled"])
    print(
        f"start → first painted screen (median of {START_RUNS}, interleaved): "
        f"pqm {p * 1000:.0f} ms, bare one-Static Textual {b * 1000:.0f} ms; "
        f"ratio {p / b:.2f} (goal ≤ 1.5); home filled and the offer to resume painted "
        f"{f * 1000:.0f} ms ({f / b:.2f}×)"
    )
    name = "start → first painted screen"
    FIGURES.add("start", name, p * 1000, baseline=b * 1000, runs=START_RUNS)
    name = "start → home filled, the offer to resume painted"
    FIGURES.add("filled", name, f * 1000, baseline=b * 1000, runs=START_RUNS)
    cli = [str(BIN / "pqm"), "--db", str(db_path), "inspection", "list"]
    textual = [sys.executable, "-c", "import textual"]
    whole: dict[str, list[float]] = {"cli": [], "textual": []}
    for run in range(START_RUNS + 1):
        for name, argv in (("cli", cli), ("textual", textual)):
            started = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            if run:
                whole[name].append(time.perf_counter() - started)
    c, t = statistics.median(whole["cli"]), statistics.median(whole["textual"])
    print(
        f"pqm inspection list, whole process: {c * 1000:.0f} ms; python -c 'import textual' "
        f"{t * 1000:.0f} ms; ratio {c / t:.2f} (goal ≤ 1.2)"
    )
    FIGURES.add("cli", "pqm inspection list", c * 1000, baseline=t * 1000, runs=START_RUNS)


def answered(count: int) -> Callable[[str], bool]:
    """The walk's header shows at least ``count`` answers (a burst may skip a frame)."""

    def shown(text: str) -> bool:
        found = ANSWERED.search(text)
        return found is not None and int(found.group(1)) >= count

    return shown


class Walk:
    """The walk on a terminal: answers typed, area by area, and the count they reach."""

    def __init__(self, term: Terminal, items: int) -> None:
        self.term, self.items = term, items
        self.count = 0  # answers in the whole inspection
        self.area = 1
        self.left = items  # unanswered items of the current area

    def room(self, keys: int) -> None:
        """Go to the next area (tab) when fewer than ``keys`` items are left in this one."""
        if self.left < keys:
            self.area += 1
            self.term.press("tab")
            self.term.wait_for(f"区域 {self.area:02d} · 已查 0/{self.items}")
            self.left = self.items

    def answer(self, key: str) -> float:
        """Type ``key``; seconds until the header shows the new count."""
        self.room(1)
        sent = self.term.press(key)
        self.count += 1
        self.left -= 1
        return self.term.wait_for(answered(self.count)) - sent

    def burst(self, keys: int, per_second: float) -> list[float]:
        """Type ``keys`` answers at ``per_second`` without waiting; each key → painted.

        The times the counts were first shown are noted as the output arrives (the
        screen at the end of the burst shows only the last count)."""
        self.room(keys)
        shown: dict[int, float] = {}  # count → when the screen first showed it

        def note(at: float, text: str) -> None:
            found = ANSWERED.search(text)
            if found is not None:
                shown.setdefault(int(found.group(1)), at)

        self.term.watch = note
        sends = []
        for _ in range(keys):
            sends.append(self.term.press("p"))
            time.sleep(1 / per_second)
        took = []
        for sent in sends:
            self.count += 1
            self.left -= 1
            self.term.wait_for(answered(self.count))
            first = min(at for count, at in shown.items() if count >= self.count)
            took.append(first - sent)
        self.term.watch = None
        return took


def walk_keys(db_path: Path, items: int, keys: int) -> None:
    """Keys typed in the walk of areas of ``items`` items, each timed until painted."""
    argv = [str(BIN / "pqm"), "--db", str(db_path), "--as", "王丽华"]
    with Terminal(argv) as term:
        term.wait_for("继续未完成的检查")
        term.press("y")
        term.wait_for(answered(0))
        walk = Walk(term, items)
        timed: dict[str, list[float]] = {"p": [], "n": [], "f": []}
        for n in range(keys):
            key = "pn"[n % 2]
            timed[key].append(walk.answer(key))
        for _ in range(max(10, keys // 10)):
            sent = term.press("f")
            timed["f"].append(term.wait_for("问题描述") - sent)
            term.press("escape")
            term.wait_for(lambda text: "问题描述" not in text)
            time.sleep(0.1)  # Textual tells a lone Esc from a key sequence by a pause
        burst: list[float] = []
        for _ in range(3):
            burst += walk.burst(20, 20.0)
            time.sleep(0.3)
        term.close(("ctrl+q",))
    print(f"area of {items} items ({AREAS} areas):")
    print("  " + summary("p → count painted", timed["p"]))
    print("  " + summary("n → count painted", timed["n"]))
    print("  " + summary("f → finding panel painted", timed["f"]))
    print("  " + summary("burst of 20 keys at 20/s, each key → painted", burst))
    for key, label, samples in (
        ("p", "p → count painted", timed["p"]),
        ("n", "n → count painted", timed["n"]),
        ("f", "f → finding panel painted", timed["f"]),
        ("burst", "20 keys at 20/s, each → painted", burst),
    ):
        ms = [s * 1000 for s in samples]
        FIGURES.add(
            f"{key}.{items}",
            f"{label}, {items} items",
            statistics.median(ms),
            p95=percentile(ms, 0.95),
            runs=len(ms),
        )


def main() -> None:
    import textual

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=200, help="timed p/n keys per area size")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--only",
        choices=("start", "60", "500"),
        action="append",
        help="run only these parts (repeatable): start-up, the walk in areas of 60 or 500 items",
    )
    args = parser.parse_args()
    parts = set(args.only or ("start", "60", "500"))
    print(machine(f"textual {textual.__version__}"))
    with tempfile.TemporaryDirectory() as folder:
        for items in (60, 500):
            if not parts & {str(items), "start" if items == 60 else ""}:
                continue
            db_path = Path(folder) / f"walk-{items}.sqlite3"
            build_database(db_path, items)
            if items == 60 and "start" in parts:
                start_up(db_path)
            if str(items) in parts:
                walk_keys(db_path, items, args.keys)
    FIGURES.write(args.json)


if __name__ == "__main__":
    main()
