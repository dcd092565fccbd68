"""Output paths (issue 14, item 5): only regular files are written, atomically.

``pqm report -o /dev/null --force`` once replaced /dev/null with a regular file; ``-o``
created missing folders; a wrong passphrase left an unsigned PDF at the target. Every
writer (reports, the items workbook, the organisation export, the checklist export)
now goes through ``output_files.atomic_output``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from pqm_tui.cli import main
from pqm_tui.model import inspections
from pqm_tui.model.db import connect
from pqm_tui.model.entities import InspectionStatus
from pqm_tui.output_files import OutputError, atomic_output, write_atomic
from pqm_tui.reports.render import Renderer
from pqm_tui.services.demo import DEMO_PIN


@pytest.fixture
def inspection(demo_db_path: Path) -> str:
    db = connect(demo_db_path)
    rows = inspections.list_inspections(db, status=InspectionStatus.SIGNED)
    short = next(r.inspection.id for r in rows if r.failed)[-8:]
    db.close()
    return short


def writers(db: Path, inspection: str) -> dict[str, Callable[[Path], list[str]]]:
    base = ["--db", str(db)]
    checklist = str(next(connect(db)["checklists"].rows_where(limit=1))["name"])
    return {
        "report": lambda out: [*base, "report", "inspection", inspection, "-o", str(out)],
        "report --force": lambda out: [
            *base,
            "report",
            "inspection",
            inspection,
            "-o",
            str(out),
            "--force",
        ],
        "items xlsx": lambda out: [*base, "items", "--format", "xlsx", "-o", str(out)],
        "org export": lambda out: [*base, "org", "export", "-o", str(out), "--force"],
        "checklist export": lambda out: [*base, "checklist", "export", checklist, "-o", str(out)],
    }


WRITERS = ["report", "report --force", "items xlsx", "org export", "checklist export"]
SUFFIX = {"items xlsx": ".xlsx", "org export": ".xlsx", "checklist export": ".yaml"}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name or "signing" in p.name)


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
@pytest.mark.parametrize("writer", WRITERS)
def test_a_device_is_never_replaced(
    demo_db_path: Path,
    inspection: str,
    writer: str,
    device: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not Path(device).exists():
        pytest.skip(f"{device} does not exist here")
    command = writers(demo_db_path, inspection)[writer](Path(device))
    assert main(command) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert stat.S_ISCHR(os.stat(device).st_mode)


@pytest.mark.parametrize("writer", WRITERS)
def test_a_fifo_a_folder_and_a_link_to_a_device_are_refused(
    demo_db_path: Path,
    inspection: str,
    writer: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    suffix = SUFFIX.get(writer, ".pdf")
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    folder = tmp_path / f"folder{suffix}"
    folder.mkdir()
    link = tmp_path / f"link{suffix}"
    link.symlink_to("/dev/null")
    make = writers(demo_db_path, inspection)[writer]
    for target in (fifo, folder, link):
        assert main(make(target)) == 2, target
    err = capsys.readouterr().err
    assert "FIFO" in err and "文件夹" in err and "设备" in err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and folder.is_dir() and link.is_symlink()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("writer", WRITERS)
def test_a_missing_folder_is_an_error_not_created(
    demo_db_path: Path,
    inspection: str,
    writer: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "no" / "such" / f"out{SUFFIX.get(writer, '.pdf')}"
    assert main(writers(demo_db_path, inspection)[writer](target)) == 2
    assert "不存在" in capsys.readouterr().err
    assert not (tmp_path / "no").exists()


def test_a_failed_render_leaves_nothing(
    demo_db_path: Path, inspection: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Renderer, "pdf", broken)
    out = tmp_path / "report.pdf"
    assert main(["--db", str(demo_db_path), "report", "inspection", inspection, "-o", str(out)])
    assert not out.exists() and leftovers(tmp_path) == []


def test_a_wrong_pin_leaves_nothing_and_keeps_an_older_file(
    demo_db_path: Path, inspection: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ["--db", str(demo_db_path)]
    monkeypatch.setenv("PQM_PIN", DEMO_PIN)
    assert main([*base, "--as", "王丽华", "keys", "init", "--person", "王丽华"]) == 0
    monkeypatch.setenv("PQM_PIN", "4321")
    sign = ["--sign", "--as", "王丽华"]
    out = tmp_path / "signed.pdf"
    assert main([*base, "report", "inspection", inspection, "-o", str(out), *sign]) == 2
    assert not out.exists() and leftovers(tmp_path) == []
    out.write_bytes(b"the older copy")
    command = [*base, "report", "inspection", inspection, "-o", str(out), "--force", *sign]
    assert main(command) == 2
    assert out.read_bytes() == b"the older copy" and leftovers(tmp_path) == []
    monkeypatch.setenv("PQM_PIN", DEMO_PIN)
    assert main(command) == 0
    assert out.read_bytes().startswith(b"%PDF") and leftovers(tmp_path) == []


def test_atomic_output_removes_its_temporary_file_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "x.bin"
    with pytest.raises(RuntimeError), atomic_output(out) as temporary:
        temporary.write_bytes(b"half")
        raise RuntimeError("disk gone")
    assert list(tmp_path.iterdir()) == []
    write_atomic(out, b"whole")
    assert out.read_bytes() == b"whole" and list(tmp_path.iterdir()) == [out]
    with pytest.raises(OutputError):
        write_atomic(tmp_path / "missing" / "x.bin", b"")


@pytest.mark.parametrize(
    ("words", "name"),
    [
        ("整改通知单-ZG-202611-0004-锦程天府花园", "整改通知单-ZG-202611-0004-锦程天府花园"),
        ("report-A/B 栋\t二期-2026-12-06", "report-A_B 栋_二期-2026-12-06"),
        ("../..", "_"),
        ('a:b*c?"d<e>f|g\\h\x00i\x7f', "a_b_c__d_e_f_g_h_i_"),
    ],
)
def test_document_file_names_are_safe(words: str, name: str) -> None:
    from pqm_tui.output_files import safe_file_name

    assert safe_file_name(words) == name
    assert len(safe_file_name("项" * 500)) == 120
