"""Hostile files are refused fast, in bounded memory, with one message and nothing written.

Issue 14 (3): alias bombs, deep nesting, numbers out of range, oversized files,
binary junk, wrong encodings and zip bombs, for checklist files (YAML, Excel,
CSV) and the organisation file: exit 2, one message in the user's language,
the database unchanged, within 1 s and 100 MB.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from pqm_tui.cli import main
from tests.reliability.hostile import CHECKLIST_CASES, MB, ORG_CASES, Writer, billion_laughs

SECONDS = 1.0  # of CPU (process_time): the machine's load does not stretch it
PEAK = 100 * MB
ENGLISH = re.compile(r"\b[A-Za-z]{4,}\b")
# words that are names, not English sentences: the file's own names, formats and settings
ALLOWED = {"yaml", "xlsx", "excel", "checklist_max_mb", "sections", "items", "points"}
FILE_NAME = re.compile(r"/\S+?\.(yaml|xlsx|csv)")


def _digest(path: Path) -> str:
    """The database's content (its SQL dump), whatever the WAL and page layout."""
    with sqlite3.connect(path) as db:
        return hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()


def _refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], writer: Writer, *command: str
) -> tuple[str, float, int]:
    db = tmp_path / "pqm.sqlite3"
    assert main(["--db", str(db), "checklist", "list"]) == 0
    before = _digest(db)
    path = writer(tmp_path)
    capsys.readouterr()
    started = time.process_time()
    code = main(["--db", str(db), *command, str(path)])
    elapsed = time.process_time() - started
    out, err = capsys.readouterr()
    tracemalloc.start()  # again, for the memory (tracing slows Python down several times)
    try:
        main(["--db", str(db), *command, str(path)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    capsys.readouterr()
    assert code == 2, (out, err)
    assert out == ""
    assert _digest(db) == before  # nothing written
    return err, elapsed, peak


@pytest.mark.parametrize("case", sorted(CHECKLIST_CASES))
def test_hostile_checklist_file_is_refused(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err, elapsed, peak = _refused(tmp_path, capsys, CHECKLIST_CASES[case], "checklist", "import")
    assert err.startswith("pqm: ")
    assert "Traceback" not in err and "Error" not in err
    lines = err.strip().splitlines()
    assert len(lines) <= 5, err  # one message (a few for values each out of range)
    said = FILE_NAME.sub("", err)
    assert not [w for w in ENGLISH.findall(said) if w.lower() not in ALLOWED], err
    assert elapsed <= SECONDS, f"{case}: {elapsed:.2f} s"
    assert peak <= PEAK, f"{case}: {peak / MB:.0f} MB"


@pytest.mark.parametrize("case", sorted(ORG_CASES))
def test_hostile_organisation_file_is_refused(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err, elapsed, peak = _refused(tmp_path, capsys, ORG_CASES[case], "org", "import")
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2, err
    assert elapsed <= SECONDS, f"{case}: {elapsed:.2f} s"
    assert peak <= PEAK, f"{case}: {peak / MB:.0f} MB"


def test_the_size_limit_is_a_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("checklist_max_mb: 1\n", encoding="utf-8")
    path = tmp_path / "two.yaml"
    path.write_text("name: x\n" + "#" * (2 * MB), encoding="utf-8")
    import os

    os.environ["PQM_CONFIG"] = str(config)  # restored by the autouse fixture's monkeypatch
    code = main(
        ["--db", str(tmp_path / "db.sqlite3"), "--lang", "en", "checklist", "import", str(path)]
    )
    assert code == 2
    assert "over the limit of 1 MB" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_a_billion_laughs_process_stays_small(tmp_path: Path) -> None:
    """The whole ``pqm`` process (Python, pydantic, the database) under 100 MB and 1 s."""
    path = tmp_path / "bomb.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    # VmHWM: the peak resident memory since exec (ru_maxrss would count the forked pytest)
    script = (
        "import re, time; from pathlib import Path; from pqm_tui.cli import main; "
        "t = time.process_time(); "
        f"code = main(['--db', {str(tmp_path / 'db.sqlite3')!r}, 'checklist', 'import', "
        f"{str(path)!r}]); status = Path('/proc/self/status').read_text(); "
        "print(code, time.process_time() - t, re.search(r'VmHWM:\\s+(\\d+)', status)[1])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    code, seconds, max_rss_kb = done.stdout.split()
    assert code == "2", done.stderr
    assert float(seconds) <= SECONDS
    assert int(max_rss_kb) * 1024 <= PEAK
