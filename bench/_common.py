"""What the benchmark scripts share: the machine line they print and a first-paint probe."""

from __future__ import annotations

import asyncio
import os
import platform
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

# PQM's own modules are compiled once, as an installed package's are (pip writes their
# bytecode): with PYTHONDONTWRITEBYTECODE set every process a benchmark starts would compile
# them again (textual's and WeasyPrint's bytecode came with their install), which is not what
# a user waits for. Every script imports this module first.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def machine(*versions: str) -> str:
    """``machine: …`` — platform, CPU model and cores, memory, Python and ``versions``."""
    cpu = memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = f" ({line.split(':', 1)[1].strip()})"
                break
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    parts = [
        f"{os.cpu_count()}-core {platform.machine()}{cpu}{memory}",
        platform.platform(),
        f"Python {platform.python_version()}",
        *versions,
    ]
    return "machine: " + " · ".join(parts)


async def first_paint_ms(
    db_path: Path, table_id: str, act: Callable[[Any, Any], Awaitable[object]]
) -> float:
    """Milliseconds from ``act(app, pilot)`` until table ``table_id`` paints a row.

    The app is PQM's own (``create_app``) on ``db_path`` at 160×45; home has a second
    to finish its own first paint before the clock starts.
    """
    from textual.widgets import DataTable

    from pqm_tui.app import create_app
    from pqm_tui.config import Settings

    painted: list[float] = []
    original = DataTable.render_line

    def spy(table: DataTable, y: int):  # type: ignore[no-untyped-def,type-arg]
        if table.id == table_id and table.row_count and not painted:
            painted.append(time.perf_counter())
        return original(table, y)

    app = create_app(Settings(timezone="Asia/Shanghai"), db_path=db_path)  # reading: nobody acts
    DataTable.render_line = spy  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            await asyncio.sleep(1.0)  # let the home screen finish its own first paint
            started = time.perf_counter()
            await act(app, pilot)
            while not painted:
                await asyncio.sleep(0.002)
            return (painted[0] - started) * 1000
    finally:
        DataTable.render_line = original  # type: ignore[method-assign]


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages, as ``uptime`` shows them."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


class Figures:
    """What one benchmark measured, for ``bench/figures.py`` (``--json PATH``).

    Each figure: a stable ``key``, a readable ``name``, its ``median`` (``p95`` where
    measured) in ``unit``, the ``baseline`` it is compared with and their ``ratio``,
    and how many ``runs`` made it.
    """

    def __init__(self, script: str) -> None:
        self.script = script
        self.load_before = load_average()
        self.rows: list[dict[str, Any]] = []

    def add(
        self,
        key: str,
        name: str,
        median: float,
        unit: str = "ms",
        *,
        p95: float | None = None,
        baseline: float | None = None,
        runs: int | None = None,
    ) -> None:
        ratio = median / baseline if baseline else None
        self.rows.append(
            {
                "key": key,
                "name": name,
                "median": round(median, 3),
                "p95": None if p95 is None else round(p95, 3),
                "baseline": None if baseline is None else round(baseline, 3),
                "ratio": None if ratio is None else round(ratio, 3),
                "unit": unit,
                "runs": runs,
            }
        )

    def write(self, path: Path | None) -> None:
        """Write the figures to ``path`` as JSON (nothing when None)."""
        if path is None:
            return
        import json

        data = {
            "script": self.script,
            "machine": machine(),
            "load_before": self.load_before,
            "load_after": load_average(),
            "figures": self.rows,
        }
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
