"""The published figures (性能指标): runs the goal benchmarks, writes the README's table.

    python bench/figures.py [--quick] [--from DIR] [--readme README.md] [--no-write]

Runs ``walk.py``, ``pdf.py``, ``review.py`` and ``db_sync.py`` one after another, each
with ``--json`` into ``--out`` (default ``/tmp/pqm-bench-figures``), then rewrites the
README's section between ``<!-- bench:figures:start -->`` and ``<!-- bench:figures:end -->``
with one row per goal of issue 15: measured | goal | met?, under a line stating the
machine, the versions, the load before and after, the date and how long it took.

``--quick``: a smoke run (fewer keys and runs, a 100-item report, a review database of
20,000 findings): minutes, not the published figures, and said so in the table.
``--from DIR``: no benchmark is run; the JSON files already in DIR are read.
The review's big database (1 M findings, ~75 s and 1.3 GB to generate) is made once in
``/tmp`` and reused by later runs.
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
START = "<!-- bench:figures:start -->"
END = "<!-- bench:figures:end -->"
REVIEW_DB = Path("/tmp/pqm-review-bench.sqlite3")
QUICK_REVIEW_DB = Path("/tmp/pqm-review-quick.sqlite3")

# script → (full options, quick options)
SCRIPTS: dict[str, tuple[list[str], list[str]]] = {
    "walk": ([], ["--keys", "20"]),
    "pdf": ([], ["--runs", "1", "--items", "100"]),
    "review": (
        ["--db", str(REVIEW_DB), "--xlsx"],
        [
            "--db",
            str(QUICK_REVIEW_DB),
            "--findings",
            "20000",
            "--items",
            "2000",
            "--runs",
            "3",
            "--xlsx",
        ],
    ),
    "db_sync": ([], []),
}

Results = dict[str, dict[str, Any]]  # script → its JSON


@dataclass(frozen=True)
class Goal:
    """One row of the table: the figures it reads (``script``, keys; a key ending in
    ``*`` takes every figure starting so), which value of theirs (``ratio``, ``p95``,
    ``median``), the worst of them against ``limit``; ``limit`` None: no goal, shown."""

    figure: str
    goal: str
    script: str
    keys: tuple[str, ...]
    value: str
    limit: float | None


GOALS = (
    Goal(
        "start → first painted screen / a bare one-`Static` Textual app",
        "≤ 1.5×",
        "walk",
        ("start",),
        "ratio",
        1.5,
    ),
    Goal(
        "… home filled and the offer to resume painted / the bare app",
        "—",
        "walk",
        ("filled",),
        "ratio",
        None,
    ),
    Goal(
        '`pqm inspection list` / `python -c "import textual"`, whole processes',
        "≤ 1.2×",
        "walk",
        ("cli",),
        "ratio",
        1.2,
    ),
    Goal(
        "key → answer painted, p95, 60-item area (`p` · `n`)",
        "≤ 33 ms",
        "walk",
        ("p.60", "n.60"),
        "p95",
        33,
    ),
    Goal(
        "key → answer painted, p95, 500-item area (`p` · `n`)",
        "≤ 33 ms",
        "walk",
        ("p.500", "n.500"),
        "p95",
        33,
    ),
    Goal(
        "20 keys/s, each key → painted, p95 (60 · 500 items)",
        "≤ 33 ms (no queueing)",
        "walk",
        ("burst.60", "burst.500"),
        "p95",
        33,
    ),
    Goal(
        "`f` → finding panel painted, p95 (60 · 500 items)", "≤ 50 ms", "walk", ("f.*",), "p95", 50
    ),
    Goal(
        "report, whole process / plain WeasyPrint on the same HTML",
        "≤ 0.5×",
        "pdf",
        ("report.pqm",),
        "ratio",
        0.5,
    ),
    Goal(
        "… the report in two parts (`PQM_RENDER_PARTS=2`, asked for: a part-filled page)",
        "—",
        "pdf",
        ("report.pqm, 2 parts",),
        "ratio",
        None,
    ),
    Goal(
        "… the bound on this machine: HTML ready, then WeasyPrint's CPU work shared by every "
        "core with no cost (`bench/pdf.py`)",
        "—",
        "pdf",
        ("report.bound",),
        "ratio",
        None,
    ),
    Goal(
        "notice, whole process / plain WeasyPrint on the same HTML",
        "≤ 0.5×",
        "pdf",
        ("notice.pqm",),
        "ratio",
        0.5,
    ),
    Goal(
        "peak memory of `pqm report` (report · notice)",
        "≤ 200 MiB",
        "pdf",
        ("report.pqm.peak", "notice.pqm.peak"),
        "median",
        200,
    ),
    Goal("the app after making a report", "< 150 MB", "pdf", ("app.after",), "median", 150),
    Goal(
        "every review view, filter, sort, search and count at 1 M findings (worst median)",
        "≤ 50 ms",
        "review",
        ("view.*",),
        "median",
        50,
    ),
    Goal(
        "… each as the first use of a new connection, with PQM's statistics (worst)",
        "≤ 50 ms",
        "review",
        ("first.optimized.*",),
        "median",
        50,
    ),
    Goal(
        "… the same with statistics of every table but the review's (worst)",
        "≤ 50 ms",
        "review",
        ("first.partial.*",),
        "median",
        50,
    ),
    Goal(
        "… the same before any statistics (once: PQM's first close gathers them)",
        "≤ 50 ms",
        "review",
        ("first.none.*",),
        "median",
        50,
    ),
    Goal(
        "the review screen: opened → first rows painted (headless)",
        "—",
        "review",
        ("screen",),
        "median",
        None,
    ),
    Goal(
        "`pqm items --overdue --format xlsx` / one-query script, whole processes",
        "≤ 1.1× (as one query)",
        "review",
        ("xlsx",),
        "ratio",
        1.1,
    ),
    Goal(
        "one committed finding, `synchronous=FULL` / `NORMAL`, interleaved",
        "—",
        "db_sync",
        ("FULL",),
        "ratio",
        None,
    ),
)


def _selected(figures: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    chosen = []
    for key in keys:
        if key.endswith("*"):
            chosen += [f for f in figures if f["key"].startswith(key[:-1])]
        else:
            chosen += [f for f in figures if f["key"] == key]
    return chosen


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    text = f"{value:.1f}" if value >= 10 else f"{value:.2f}"
    return text.rstrip("0").rstrip(".")


def _describe(goal: Goal, chosen: list[dict[str, Any]]) -> str:
    """What was measured, readably: ``403 / 150 ms = 2.69×``, ``16 / 31 ms``, …"""
    if goal.value == "ratio":
        f = chosen[0]
        unit = f["unit"]
        if unit == "ms" and f["median"] >= 1000:
            return f"{f['median'] / 1000:.2f} / {f['baseline'] / 1000:.2f} s = {f['ratio']:.2f}×"
        return f"{_number(f['median'])} / {_number(f['baseline'])} {unit} = {f['ratio']:.2f}×"
    if goal.value == "p95":  # median / p95 of each
        parts = [f"{_number(f['median'])} / {_number(f['p95'])}" for f in chosen]
        return "p50 / p95 " + " · ".join(parts) + f" {chosen[0]['unit']}"
    if len(chosen) > 2:  # the worst of many: name it
        worst = max(chosen, key=lambda f: f["median"])
        return f"{_number(worst['median'])} {worst['unit']} ({worst['name']}; of {len(chosen)})"
    return " · ".join(f"{_number(f['median'])} {f['unit']}" for f in chosen)


def rows(results: Results) -> list[tuple[str, str, str, str]]:
    """(figure, measured, goal, met?) for every goal."""
    table = []
    for goal in GOALS:
        chosen = _selected(results.get(goal.script, {}).get("figures", []), goal.keys)
        if not chosen:
            table.append((goal.figure, "not measured", goal.goal, "—"))
            continue
        worst = max(float(f[goal.value]) for f in chosen)
        met = "—" if goal.limit is None else ("yes" if worst <= goal.limit else "**no**")
        table.append((goal.figure, _describe(goal, chosen), goal.goal, met))
    return table


def versions() -> str:
    """Textual, WeasyPrint and SQLite versions as this Python has them."""
    found = []
    for name in ("Textual", "WeasyPrint"):
        try:
            found.append(f"{name} {metadata.version(name.lower())}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} not installed")
    return ", ".join([*found, f"SQLite {sqlite3.sqlite_version}"])


def machine() -> str:
    """CPU model and cores, memory, OS, Python, Textual, WeasyPrint, SQLite."""
    sys.path.insert(0, str(HERE))
    from _common import machine as line

    return line().removeprefix("machine: ").replace(" · ", ", ") + ", " + versions()


def table(results: Results, *, when: str, took_s: float | None, quick: bool) -> str:
    """The section between the markers (without them)."""
    loads = [(r.get("load_before", "?"), r.get("load_after", "?")) for r in results.values()]
    load = f"load {loads[0][0]} before, {loads[-1][1]} after" if loads else "load unknown"
    took = f", took {math.ceil(took_s / 60)} min" if took_s is not None else ""
    head = "Quick smoke run (`--quick`: fewer runs, small data — NOT the published figures). "
    said = (
        (head if quick else "")
        + f"Measured by `make bench` (`bench/figures.py`) on {when}{took}; {load} (1, 5, 15 min); "
        + f"{machine()}. Ratios are of figures measured side by side in one run."
    )
    lines = [
        textwrap.fill(said, width=95, break_long_words=False, break_on_hyphens=False),
        "",
        "| figure (median unless said) | measured | goal | met? |",
        "|---|---|---|---|",
    ]
    lines += [f"| {' | '.join(row)} |" for row in rows(results)]
    return "\n".join(lines) + "\n"


def replace_section(text: str, section: str) -> str:
    """``text`` with what lies between the markers replaced by ``section``; every byte
    outside them is kept. ValueError when the markers are missing or out of order."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start or text.count(START) != 1 or text.count(END) != 1:
        raise ValueError(f"the README needs exactly one {START} … {END}")
    head = text[: start + len(START)]
    return head + "\n" + section + text[end:]


def run_scripts(out: Path, quick: bool, only: list[str], log: Callable[[str], None]) -> Results:
    """Each goal benchmark as its own process, its human output shown as it comes."""
    out.mkdir(parents=True, exist_ok=True)
    results: Results = {}
    for script, (full, short) in SCRIPTS.items():
        if only and script not in only:
            continue
        target = out / f"{script}.json"
        target.unlink(missing_ok=True)
        argv = [sys.executable, str(HERE / f"{script}.py"), *(short if quick else full)]
        log(f"$ {' '.join(argv[1:])} --json {target}")
        subprocess.run([*argv, "--json", str(target)], check=True)
        results[script] = json.loads(target.read_text(encoding="utf-8"))
    return results


def read_results(folder: Path) -> Results:
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run, not for publishing")
    parser.add_argument("--from", dest="source", type=Path, help="read these JSON files")
    parser.add_argument("--out", type=Path, default=Path("/tmp/pqm-bench-figures"))
    parser.add_argument("--only", default="", help="comma-separated scripts (walk,pdf,…)")
    parser.add_argument("--readme", type=Path, default=README)
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.source is not None:
        results, took = read_results(args.source), None
    else:
        only = [s for s in args.only.split(",") if s]
        results = run_scripts(args.out, args.quick, only, print)
        took = time.monotonic() - started
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = table(results, when=when, took_s=took, quick=args.quick)
    print(section)
    if not args.no_write:
        text = args.readme.read_text(encoding="utf-8")
        args.readme.write_text(replace_section(text, section), encoding="utf-8")
        print(f"written to {args.readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
