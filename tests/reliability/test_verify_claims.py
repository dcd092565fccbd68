"""Honest claims (issue 14, item 9): what ``pqm verify`` catches and what it cannot.

The signature covers every byte but its own container (``/Contents <…>``): a changed
padding zero or hex case there still verifies, as the README says. ``--strict`` also
refuses a container that is not byte for byte as PQM wrote it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pqm_tui.cli import main
from pqm_tui.model import inspections
from pqm_tui.model.db import connect
from pqm_tui.model.entities import InspectionStatus
from pqm_tui.services.demo import DEMO_PIN


@pytest.fixture
def signed(
    demo_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, bytes, int, int]:
    """A signed report, its bytes, and where its ``/Contents`` hex digits start and end."""
    monkeypatch.setenv("PQM_PIN", DEMO_PIN)  # 王丽华's PIN: it protects her key
    db = connect(demo_db_path)
    rows = inspections.list_inspections(db, status=InspectionStatus.SIGNED)
    short = next(r.inspection.id for r in rows if r.failed)[-8:]
    db.close()
    base = ["--db", str(demo_db_path)]
    assert main([*base, "--as", "王丽华", "keys", "init", "--person", "王丽华"]) == 0
    out = tmp_path / "signed.pdf"
    sign = ["--sign", "--as", "王丽华"]
    assert main([*base, "report", "inspection", short, "-o", str(out), *sign]) == 0
    data = out.read_bytes()
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert found is not None
    start, length, end = (int(found[i]) for i in (1, 2, 3))
    return out, data, start + length + 1, end - 1


def verify(db: Path, pdf: Path, *strict: str) -> int:
    return main(["--db", str(db), "verify", str(pdf), *strict])


def test_untouched_file_verifies_strictly(
    demo_db_path: Path, signed: tuple[Path, bytes, int, int]
) -> None:
    assert verify(demo_db_path, signed[0], "--strict") == 0


@pytest.mark.parametrize("change", ["padding zero", "hex case"])
def test_container_bytes_are_not_covered_but_strict_sees_them(
    demo_db_path: Path, signed: tuple[Path, bytes, int, int], tmp_path: Path, change: str
) -> None:
    _, data, first, last = signed
    tampered = bytearray(data)
    digits = data[first:last]
    if change == "padding zero":
        assert digits.endswith(b"0000")
        tampered[last - 2] = ord("1")
    else:
        at = first + next(i for i, c in enumerate(digits) if chr(c) in "ABCDEF")
        tampered[at] = ord(chr(tampered[at]).lower())
    pdf = tmp_path / "retouched.pdf"
    pdf.write_bytes(bytes(tampered))
    assert verify(demo_db_path, pdf) == 0  # what the README says: not covered by design
    assert verify(demo_db_path, pdf, "--strict") == 1


def test_a_covered_byte_fails_either_way(
    demo_db_path: Path, signed: tuple[Path, bytes, int, int], tmp_path: Path
) -> None:
    _, data, first, _ = signed
    tampered = bytearray(data)
    tampered[first // 2] ^= 0x01
    pdf = tmp_path / "flipped.pdf"
    pdf.write_bytes(bytes(tampered))
    assert verify(demo_db_path, pdf) == 1
    assert verify(demo_db_path, pdf, "--strict") == 1
