"""The built wheel carries everything the app reads at run time (not only the checkout)."""

from __future__ import annotations

import subprocess
import sys
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
