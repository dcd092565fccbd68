"""Splitting a long document's HTML into parts rendered in parallel (分段排版).

Templates mark where a long table may be cut with ``<!--pqm:part-->`` between two
rows of its ``<tbody>``. A cut closes the table in the part before it and opens the
same table (its opening tag, columns and header row) in the part after it, so the
later part starts with the header row the single render repeats on every page. Only
documents longer than ``MIN_PART_CHARS`` per part are split: below that, starting a
second WeasyPrint costs more than it gains, and only as many parts as there are idle
cores: on a busy machine the parts compete and the whole takes longer.

Splitting is asked for (``PQM_RENDER_PARTS``), not assumed: a part ends on a page of
its own, which the single render would have filled with the rows that follow, so a
long report split in two has a part-filled page in the middle of its table (a 27-page
report renders in 0.8× the time of one part, but reads as if a page were missing).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MARK = "<!--pqm:part-->"
MIN_PART_CHARS = 20_000  # ~8 pages of a report: measured, smaller parts lose
MIN_WINDOW = 0.1  # seconds: a shorter look at the CPU times is too coarse (10 ms ticks)
_TABLE = re.compile(r"<table\b[^>]*>")
_TBODY = re.compile(r"<tbody\b[^>]*>")


def split(html: str, workers: int) -> list[str]:
    """The HTML as at most ``workers`` parts of about equal length, cut at marks only."""
    count = min(workers, len(html) // MIN_PART_CHARS)
    marks = [m.start() for m in re.finditer(re.escape(MARK), html)]
    if count < 2 or not marks:
        return [html]
    body = html.index("<body")
    body = html.index(">", body) + 1
    head, tail = html[:body], html[html.rindex("</body>") :]
    cuts: list[int] = []
    for n in range(1, count):
        target = len(html) * n // count
        best = min(marks, key=lambda at: abs(at - target))
        if best not in cuts:
            cuts.append(best)
    parts = []
    start, reopen = body, ""
    for cut in sorted(cuts):
        table = _open_table(html, cut)
        parts.append(head + reopen + html[start:cut] + "</tbody></table>" + tail)
        start, reopen = cut + len(MARK), table
    parts.append(head + reopen + html[start:])
    return parts


def _open_table(html: str, cut: int) -> str:
    """The opening of the table a mark is in: its tag, columns and header, up to <tbody>."""
    table = [m for m in _TABLE.finditer(html, 0, cut)][-1]
    tbody = [m for m in _TBODY.finditer(html, table.start(), cut)][-1]
    return html[table.start() : tbody.end()]


@dataclass(frozen=True)
class CpuTime:
    """The machine's busy CPU time (every core) and this process's, at a moment.

    In clock ticks (``/proc/stat``, ``/proc/PID/stat``); two of them say how many
    cores other programs kept busy in between.
    """

    at: float  # time.monotonic()
    busy: int
    own: int

    @classmethod
    def now(cls) -> CpuTime | None:
        """The current figures; None where /proc does not tell (not Linux)."""
        try:
            fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
            user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields)
            own = _ticks(os.getpid())
        except (OSError, ValueError):
            return None
        return cls(time.monotonic(), user + nice + system + irq + softirq + steal, own)


def part_count(ours: Sequence[int] = (), since: CpuTime | None = None) -> int:
    """How many parts to render at once: ``PQM_RENDER_PARTS`` — a number, or ``auto``
    for the cores other programs leave free (:func:`idle_cores`); 1 (one render, the
    pages as they fall) when it is not set."""
    wanted = os.environ.get("PQM_RENDER_PARTS", "").strip().lower()
    if wanted == "auto":
        return idle_cores(ours, since)
    return int(wanted) if wanted.isdigit() and int(wanted) > 0 else 1


def idle_cores(ours: Sequence[int] = (), since: CpuTime | None = None) -> int:
    """Cores other programs leave free, at least 1, at most 4.

    Neither this process nor ``ours`` (the render child, busy importing WeasyPrint when
    the document is ready) count as busy: they are the ones that will render. With
    ``since`` (taken when the child started, ~0.3 s before), what the others used in
    between; otherwise the run queue of this instant, which a passing task sways.
    """
    cores = os.cpu_count() or 1
    now = CpuTime.now()
    if since is not None and now is not None and now.at - since.at >= MIN_WINDOW:
        ticks = os.sysconf("SC_CLK_TCK") * (now.at - since.at)
        mine = now.own - since.own + sum(_ticks(pid, 0) for pid in ours)
        others = max(0.0, (now.busy - since.busy - mine) / ticks)
        return max(1, min(4, round(cores - others)))
    try:  # "0.52 0.58 0.59 3/467 12345": the fourth field counts runnable tasks, this one too
        running = int(Path("/proc/loadavg").read_text().split()[3].split("/")[0]) - 1
    except (OSError, ValueError, IndexError):
        running = 0
    running -= sum(_running(pid) for pid in ours)
    return max(1, min(4, cores - running))


def _ticks(pid: int, default: int | None = None) -> int:
    """CPU ticks process ``pid`` used so far (user + system); ``default`` if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        if default is None:
            raise
        return default
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def _running(pid: int) -> bool:
    """Whether process ``pid`` is on the run queue now (state R in /proc/PID/stat)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2 :].startswith("R")
