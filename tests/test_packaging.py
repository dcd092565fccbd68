"""The built wheel and sdist carry everything the app and `make` read (not only the checkout)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_templates_checklists_catalogs_and_styles(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("pqm_tui-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"pqm_tui/templates/{p.name}" for p in (ROOT / "templates").iterdir() if p.is_file()
    }
    expected |= {
        f"pqm_tui/checklists/{p.name}" for p in (ROOT / "pqm_tui/checklists").glob("*.yaml")
    }
    expected |= {str(p.relative_to(ROOT)) for p in (ROOT / "pqm_tui").rglob("*.tcss")}
    expected |= {str(p.relative_to(ROOT)) for p in (ROOT / "pqm_tui/i18n").rglob("*.yaml")}
    assert any(n.startswith("pqm_tui/templates/") for n in expected)
    assert expected - names == set()


def test_sdist_ships_what_make_needs_and_the_licence(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    sdist = next(tmp_path.glob("pqm_tui-*.tar.gz"))
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "Makefile", "scripts/install-system-deps.sh", "README.md"} <= names
    assert "MIT" in (ROOT / "LICENSE").read_text(encoding="utf-8")
