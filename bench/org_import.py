"""Benchmark of the organisation import (not a test): ``pqm org import`` of a big company.

Run: ``python bench/org_import.py``. Generates, in a temporary folder under /tmp,
a workbook of 10 city companies, 500 projects × 12 areas, 5 departments per
project and 3,000 people (as ``pqm org template`` lays it out), then times
``pqm --db NEW org import FILE`` as a whole process (start-up, reading the
workbook in read-only mode, checking every row, one transaction) into a new
database, and the re-import of the same file into the filled database (nothing
changes). Prints the machine and the median of several runs. Target ≤ 5 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import machine
from openpyxl import Workbook

CITIES = 10
PROJECTS = 500
AREAS = 12
PEOPLE = 3000
RUNS = 3
TARGET_S = 5.0

AREA_TYPES = ["出入口", "大堂", "电梯", "楼道", "停车场", "设备机房", "消防监控", "绿化区域"]
KINDS = ["住宅小区", "写字楼", "案场", "其他"]
DEPARTMENTS = ["客服部", "秩序部", "环境部", "工程部", "综合办"]
ROLES = ["项目经理", "部门主管", "部门主管", "部门主管", "品质督导", "部门主管"]


def generate(path: Path) -> None:
    """The company's workbook, written as the template lays it out."""
    book = Workbook(write_only=True)
    cities = book.create_sheet("城市公司")
    cities.append(["公司", "名称"])
    for c in range(CITIES):
        cities.append(["锦程物业", f"城市公司{c:02d}"])
    projects = book.create_sheet("项目")
    projects.append(["城市公司", "名称", "类型", "地址", "通知接收人", "默认检查表"])
    areas = book.create_sheet("区域")
    areas.append(["项目", "名称", "区域类型", "顺序"])
    departments = book.create_sheet("部门")
    departments.append(["项目", "名称"])
    people = book.create_sheet("人员")
    people.append(["姓名", "角色", "职务", "城市公司", "项目", "部门", "电话"])
    for p in range(PROJECTS):
        name = f"项目{p:03d}"
        projects.append(
            [f"城市公司{p % CITIES:02d}", name, KINDS[p % 4], f"某路 {p} 号", f"经理{p:03d}", ""]
        )
        for a in range(AREAS):
            areas.append([name, f"区域{a:02d}", AREA_TYPES[a % len(AREA_TYPES)], a + 1])
        for department in DEPARTMENTS:
            departments.append([name, department])
    for n in range(PEOPLE):
        p = n // (PEOPLE // PROJECTS)
        first = n % (PEOPLE // PROJECTS) == 0
        people.append(
            [
                f"经理{p:03d}" if first else f"员工{n:04d}",
                ROLES[n % len(ROLES)] if not first else "项目经理",
                "",
                "",
                f"项目{p:03d}",
                DEPARTMENTS[n % len(DEPARTMENTS)],
                f"138{n:08d}",
            ]
        )
    book.save(path)


def pqm(*args: str) -> float:
    """Seconds one ``pqm`` process takes; it must succeed."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pqm_tui", *args], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"pqm {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return elapsed


def main() -> None:
    print(machine())
    with tempfile.TemporaryDirectory(prefix="pqm-bench-org-", dir="/tmp") as folder:
        workbook = Path(folder) / "company.xlsx"
        generate(workbook)
        size = workbook.stat().st_size / 1024
        print(
            f"workbook: {CITIES} city companies, {PROJECTS} projects × {AREAS} areas, "
            f"{PROJECTS * len(DEPARTMENTS)} departments, {PEOPLE} people ({size:.0f} KB)"
        )
        first, again = [], []
        for run in range(RUNS):
            db = Path(folder) / f"run{run}.sqlite3"
            first.append(pqm("--db", str(db), "org", "import", str(workbook)))
            again.append(pqm("--db", str(db), "org", "import", str(workbook)))
        for label, times in (("into a new database", first), ("again (no change)", again)):
            median = statistics.median(times)
            verdict = "ok" if median <= TARGET_S else "SLOW"
            print(
                f"pqm org import {label}: median {median:.2f} s of {RUNS} "
                f"(min {min(times):.2f}, max {max(times):.2f}); target ≤ {TARGET_S:.0f} s {verdict}"
            )


if __name__ == "__main__":
    main()
