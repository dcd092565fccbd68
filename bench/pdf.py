"""Benchmark of the documents as a user waits for them: whole processes, time and memory.

    python bench/pdf.py [--runs 5] [--items 500]

Builds a sample inspection (``reports.sample``: ``--items`` items, a fifth failed, notes
and photos), captures the HTML PQM renders for its report, then runs, interleaved so that
machine noise hits both alike:

* ``pqm report inspection ID -o F.pdf`` — the command a supervisor types, as a whole
  process (start, imports, database, context, Jinja, WeasyPrint, atomic write);
* plain WeasyPrint on the captured HTML with the same stylesheets, as a whole process
  (``python -c`` importing weasyprint and writing the PDF): the library alone.

Prints medians, the ratio (goal ≤ 0.5: twice as fast as the library alone) and each
process's peak memory (``wait4`` rusage, goal ≤ 200 MiB); ``pqm, 2 parts`` is the same
command with its parts forced to two (``PQM_RENDER_PARTS=2``; PQM renders in one part
unless asked, as a split leaves a part-filled page mid-table). And the notice the same way.
Last, the app's memory: a process that imports the app and issues the report on a thread
(as the document dialog does), its resident size after (goal: under 150 MB).

And the best any way of rendering could do on this machine (``bound``): a ``pqm report``
must build the document's HTML (``ready``: from the process's start until PQM hands the
HTML to its render child, timed by ``READY``) before anything is laid out, and the
library's own work on that HTML (the CPU seconds of plain WeasyPrint less those of
``import weasyprint`` alone) can at best be shared evenly by every core, with nothing
spent on splitting, joining or a second font subset, and WeasyPrint already imported:
``(ready + work / cores) / plain``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import Figures, machine

from pqm_tui.config import Settings
from pqm_tui.model import inspections
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.reports.document_service import DocumentService
from pqm_tui.reports.sample import build_sample

BIN = Path(sys.executable).parent
FIGURES = Figures("pdf")  # what --json writes
PLAIN = """
import json, sys
import weasyprint
html, base, sheets, out = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
css = [weasyprint.CSS(filename=name) for name in sheets]
weasyprint.HTML(filename=html, base_url=base).write_pdf(out, stylesheets=css)
"""


# A child's peak memory (ru_maxrss) starts from its parent's size at fork on Linux, so
# each measured process is started by this small launcher, not by the bench (which holds
# WeasyPrint); the launcher times the child and reads its rusage.
LAUNCH = """
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(child.pid, 0)
took = time.perf_counter() - started
print(json.dumps({"s": took, "mib": usage.ru_maxrss / 1024, "status": status,
                  "cpu": usage.ru_utime + usage.ru_stime,
                  "err": child.stderr.read().decode()[-800:]}))
"""


# ``pqm`` as above with its parts forced to two (PQM_RENDER_PARTS), whatever the load
PARTS = """
import os, sys
os.environ["PQM_RENDER_PARTS"] = "2"
os.execv(sys.argv[1], sys.argv[1:])
"""

# ``pqm`` (its arguments after the script's) up to the moment it hands the HTML to its
# render child, where it stops the child and exits: timed as a whole process, ``ready``
READY = """
import os, sys
import pqm_tui.reports.render_child as render_child
def ready(child, parts, base_url):
    child.process.kill()
    os._exit(0)
render_child.RenderChild.render = ready
from pqm_tui.cli import main
sys.argv = ["pqm", *sys.argv[1:]]
main()
"""

APP = """
import sys, threading
from pathlib import Path
import pqm_tui.app  # noqa: F401  what the app holds before
from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock
from pqm_tui.model import inspections
from pqm_tui.model.db import connect
from pqm_tui.reports.document_service import DocumentService
db_path, inspection, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1])
before = rss()
def issue():
    db = connect(db_path)
    who = inspections.get_inspection(db, inspection).inspector_ids[0]  # its inspector prints it
    service = DocumentService(db, db_path, Settings(timezone="Asia/Shanghai"), Clock(), who)
    service.report(inspection, out)
    db.close()
worker = threading.Thread(target=issue)
worker.start()
worker.join()
print(before / 1024, rss() / 1024, "weasyprint" in sys.modules)
"""


def run(argv: list[str]) -> tuple[float, float, float]:
    """Seconds, peak resident MiB and CPU seconds of one whole process."""
    done = subprocess.run([sys.executable, "-c", LAUNCH, *argv], capture_output=True, check=True)
    result = json.loads(done.stdout)
    if result["status"]:
        raise SystemExit(f"{argv[:4]} failed: {result['err']}")
    return result["s"], result["mib"], result["cpu"]


def compare(label: str, commands: dict[str, list[str]], runs: int, pages: int) -> None:
    """Each command ``runs`` times, interleaved; medians against plain WeasyPrint.

    ``ready`` and ``import`` (if given) are not documents but the parts of :func:`bound`.
    """
    samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for n in range(runs + 1):  # the first round warms the disk cache and bytecode
        for name, argv in commands.items():
            result = run(argv)
            if n:
                samples[name].append(result)
    t = {k: statistics.median(s for s, _, _ in v) for k, v in samples.items()}
    m = {k: max(mib for _, mib, _ in v) for k, v in samples.items()}
    cpu = {k: statistics.median(c for _, _, c in v) for k, v in samples.items()}
    print(
        f"{label}, {pages} pages (median of {runs}), load {Path('/proc/loadavg').read_text()[:14]}:"
    )
    for name in commands:
        if name in ("ready", "import"):
            continue
        print(
            f"  {name:<14} {t[name]:6.2f} s  ratio {t[name] / t['plain']:.2f} (goal ≤ 0.5)  "
            f"peak {m[name]:.0f} MiB (goal ≤ 200)"
        )
        what = f"{label}, {pages} pages: {name}"
        FIGURES.add(f"{label}.{name}", what, t[name] * 1000, baseline=t["plain"] * 1000, runs=runs)
        FIGURES.add(f"{label}.{name}.peak", f"{what}, peak memory", m[name], "MiB", runs=runs)
    if "ready" in t:
        bound(label, pages, t["ready"], cpu["plain"] - cpu["import"], t["plain"], runs)


def bound(label: str, pages: int, ready: float, work: float, plain: float, runs: int) -> None:
    """The best a whole ``pqm`` process could do here: the HTML, then the work on every core."""
    cores = os.cpu_count() or 1
    best = ready + work / cores
    print(
        f"  bound          {best:6.2f} s  ratio {best / plain:.2f}: HTML ready at {ready:.2f} s, "
        f"then WeasyPrint's {work:.2f} CPU s shared by {cores} cores for nothing"
    )
    what = f"{label}, {pages} pages: the bound on {cores} cores"
    FIGURES.add(f"{label}.bound", what, best * 1000, baseline=plain * 1000, runs=runs)
    FIGURES.add(f"{label}.ready", f"{label}: HTML ready", ready * 1000, runs=runs)
    FIGURES.add(f"{label}.work", f"{label}: WeasyPrint's work", work * 1000, "ms CPU", runs=runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    import weasyprint

    print(machine(f"WeasyPrint {weasyprint.__version__}"))
    tz = ZoneInfo("Asia/Shanghai")
    clock = Clock(tz=tz, source=lambda: datetime(2026, 11, 23, 10, 0, tzinfo=tz))
    settings = Settings(timezone="Asia/Shanghai")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db_path = folder / "bench.sqlite3"
        db = connect(db_path)
        sample = build_sample(
            db, db_path, clock, settings, items=args.items, fail_every=5, note_chars=120, photos=10
        )
        inspector = inspections.get_inspection(db, sample.inspection_id).inspector_ids[0]
        service = DocumentService(db, db_path, settings, clock, inspector)  # who prints it
        sheets = [str(service.renderer.dirs.find(name)) for name in sheet_names(service)]
        for kind, command in (("report", "inspection"), ("notice", "notice")):
            draft = service.build(kind, sample.inspection_id)
            html = folder / f"{kind}.html"
            html.write_text(service.renderer.html(draft.template, draft.context), encoding="utf-8")
            make = service.report if kind == "report" else service.notice
            pages = make(sample.inspection_id, folder / f"{kind}-warm.pdf").pages
            out = folder / f"{kind}-pqm.pdf"
            ours = [
                str(BIN / "pqm"), "--db", str(db_path), "--as", inspector, "--lang", "zh",
                "--tz", "Asia/Shanghai",
                "report", command, sample.inspection_id, "-o", str(out), "--force",
            ]  # fmt: skip
            plain = [
                sys.executable, "-c", PLAIN, str(html), service.renderer.base_url,
                json.dumps(sheets), str(folder / f"{kind}-plain.pdf"),
            ]  # fmt: skip
            parts = [sys.executable, "-c", PARTS, *ours]
            commands = {"pqm": ours, "pqm, 2 parts": parts, "plain": plain}
            commands["ready"] = [sys.executable, "-c", READY, *ours[1:]]
            commands["import"] = [sys.executable, "-c", "import weasyprint"]
            compare(kind, commands, args.runs, pages)
        db.close()
        app = [sys.executable, "-c", APP, str(db_path), sample.inspection_id, str(folder / "a.pdf")]
        before, after, loaded = subprocess.run(
            app, capture_output=True, text=True, check=True
        ).stdout.split()
        print(
            f"app: {float(before):.0f} MB before the report, {float(after):.0f} MB after "
            f"(goal < 150); WeasyPrint in the app: {loaded}"
        )
    FIGURES.add("app.before", "the app before making a report", float(before), "MB")
    FIGURES.add("app.after", "the app after making a report", float(after), "MB")
    FIGURES.write(args.json)


def sheet_names(service: DocumentService) -> list[str]:
    """The stylesheet files PQM renders this language with (the same list it uses)."""
    from pqm_tui.reports.render import OPTIONAL_STYLESHEETS, STYLESHEETS

    names = [*STYLESHEETS, f"pages-{service.renderer.lang}.css"]
    return [n for n in (*names, *OPTIONAL_STYLESHEETS) if service.renderer.dirs.find(n)]


if __name__ == "__main__":
    main()
