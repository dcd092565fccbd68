"""bench/figures.py: the README's figures table, from the benchmarks' JSON (性能指标)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def figures() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_figures", BENCH / "figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_figures"] = module
    spec.loader.exec_module(module)
    return module


def figure(key: str, median: float, **more: Any) -> dict[str, Any]:
    row = {"key": key, "name": key, "median": median, "p95": None, "baseline": None}
    row.update({"ratio": None, "unit": "ms", "runs": 5, **more})
    return row


def results() -> dict[str, dict[str, Any]]:
    """Dry input: what the four scripts write, one goal missed in each of two scripts."""
    load = {"machine": "m", "load_before": "3.10 2.00 1.00", "load_after": "4.20 3.00 2.00"}
    return {
        "walk": {
            **load,
            "figures": [
                figure("start", 300, baseline=150, ratio=2.0),  # missed: goal ≤ 1.5×
                figure("cli", 110, baseline=100, ratio=1.1),
                *(figure(f"{k}.{n}", 12, p95=25) for k in "pn" for n in (60, 500)),
                figure("burst.60", 14, p95=20),
                figure("burst.500", 17, p95=32),
                figure("f.60", 20, p95=40),
                figure("f.500", 30, p95=45),
            ],
        },
        "review": {
            **load,
            "figures": [
                figure("view.active, sort area", 3),
                figure("view.all, department", 61),  # missed: goal ≤ 50 ms
                figure("view.text", 20),
                figure("first.optimized.active, sort area", 40),
                figure("first.none.active, sort area", 70),  # missed: goal ≤ 50 ms
                figure("xlsx", 1000, baseline=950, ratio=1.05),
            ],
        },
    }


def test_rows_tell_met_and_missed_goals(figures: ModuleType) -> None:
    by_figure = {row[0]: row for row in figures.rows(results())}
    assert len(by_figure) == len(figures.GOALS)
    start = by_figure["start → first painted screen / a bare one-`Static` Textual app"]
    assert start[1:] == ("300 / 150 ms = 2.00×", "≤ 1.5×", "**no**")
    cli = by_figure['`pqm inspection list` / `python -c "import textual"`, whole processes']
    assert cli[3] == "yes"
    burst = by_figure["20 keys/s, each key → painted, p95 (60 · 500 items)"]
    assert burst[1] == "p50 / p95 14 / 20 · 17 / 32 ms" and burst[3] == "yes"
    worst = by_figure[
        "every review view, filter, sort, search and count at 1 M findings (worst median)"
    ]
    assert worst[1] == "61 ms (view.all, department; of 3)" and worst[3] == "**no**"
    first = "… each as the first use of a new connection, with PQM's statistics (worst)"
    assert by_figure[first][1:] == ("40 ms", "≤ 50 ms", "yes")
    before = "… the same before any statistics (once: PQM's first close gathers them)"
    assert by_figure[before][3] == "**no**"
    partial = "… the same with statistics of every table but the review's (worst)"
    assert by_figure[partial][1] == "not measured"
    report = by_figure["report, whole process / plain WeasyPrint on the same HTML"]
    assert report[1:] == ("not measured", "≤ 0.5×", "—")  # no pdf.json


def test_replace_section_keeps_everything_else_byte_identical(figures: ModuleType) -> None:
    before = "# Title\r\n\nsome text ✓\n\n" + figures.START + "\nold table\n| a |\n"
    after = figures.END + "\n\ntrailing  \n\n"
    text = figures.replace_section(before + after, "| new |\n")
    assert text == "# Title\r\n\nsome text ✓\n\n" + figures.START + "\n| new |\n" + after
    assert figures.replace_section(text, "| new |\n") == text  # idempotent


@pytest.mark.parametrize(
    "text",
    [
        "no markers at all",
        "<!-- bench:figures:end --> before <!-- bench:figures:start -->",
        "<!-- bench:figures:start --> x <!-- bench:figures:start --> <!-- bench:figures:end -->",
    ],
)
def test_replace_section_refuses_missing_or_disordered_markers(
    figures: ModuleType, text: str
) -> None:
    with pytest.raises(ValueError):
        figures.replace_section(text, "| new |\n")


def test_main_from_json_rewrites_only_the_marked_section(
    figures: ModuleType, tmp_path: Path
) -> None:
    folder = tmp_path / "json"
    folder.mkdir()
    for script, data in results().items():
        (folder / f"{script}.json").write_text(json.dumps(data), encoding="utf-8")
    readme = tmp_path / "README.md"
    head = "# PQM\n\n## Development\n\n"
    tail = "\n\nLayout — after the table.\n"
    readme.write_text(f"{head}{figures.START}\nstale\n{figures.END}{tail}", encoding="utf-8")

    assert figures.main(["--from", str(folder), "--readme", str(readme)]) == 0

    text = readme.read_text(encoding="utf-8")
    assert text.startswith(head + figures.START + "\n") and text.endswith(figures.END + tail)
    section = text[len(head) + len(figures.START) : -len(figures.END + tail)]
    assert "stale" not in section
    lines = section.strip().splitlines()
    said = " ".join(lines[: lines.index("")])  # the paragraph above the table
    assert "load 3.10 2.00 1.00 before, 4.20 3.00 2.00 after" in said
    assert "SQLite " in said and "Python " in said and "Textual " in said
    table = [line for line in lines if line.startswith("|")]
    assert table[1] == "|---|---|---|---|"
    assert len(table) == 2 + len(figures.GOALS)
    assert all(line.count(" | ") == 3 for line in [table[0], *table[2:]])  # four cells a row


@pytest.mark.parametrize("script", sorted(p.name for p in BENCH.glob("[!_]*.py")))
def test_every_benchmark_script_loads(script: str) -> None:
    """A script whose imports broke (a name moved in the package) fails here, not in
    the middle of a ten-minute ``make bench``."""
    code = (
        f"import runpy, sys; sys.path.insert(0, {str(BENCH)!r}); "
        f"runpy.run_path({str(BENCH / script)!r}, run_name='loaded')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
