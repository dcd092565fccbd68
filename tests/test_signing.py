"""Signing: keys, PAdES signature valid, a flipped byte caught, CLI exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pqm_tui.cli import main
from pqm_tui.model import inspections
from pqm_tui.model.db import connect
from pqm_tui.model.entities import InspectionStatus
from pqm_tui.services.demo import DEMO_PIN
from pqm_tui.services.signing import verify_pdf
from tests.conftest import isolate


@pytest.fixture(scope="module")
def _signed(_demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made once for the module (a signed report takes seconds): a folder with a demo
    database, 王丽华's key beside it and her signed report ``signed.pdf``."""
    home = tmp_path_factory.mktemp("signing")
    folder = home / "data"
    folder.mkdir()
    db_path = folder / "demo.sqlite3"
    shutil.copy(_demo_template, db_path)
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, home)
        monkeypatch.setenv("PQM_PIN", DEMO_PIN)  # 王丽华's PIN opens her key
        db = connect(db_path)
        rows = inspections.list_inspections(db, status=InspectionStatus.SIGNED)
        short = next(r.inspection.id for r in rows if r.failed)[-8:]
        db.close()
        base = ["--db", str(db_path)]
        assert main([*base, "--as", "王丽华", "keys", "init", "--person", "王丽华"]) == 0
        out = folder / "signed.pdf"
        report = ["report", "inspection", short, "-o", str(out), "--sign", "--as", "王丽华"]
        assert main([*base, *report]) == 0
    return folder


@pytest.fixture
def signed_pdf(_signed: Path, demo_db_path: Path, tmp_path: Path) -> Path:
    """A private copy of the signed report; ``demo_db_path`` becomes the database that
    issued it, with the key folder beside it."""
    demo_db_path.unlink()
    shutil.copytree(_signed, tmp_path, dirs_exist_ok=True)
    return tmp_path / "signed.pdf"


def test_signed_report_verifies(
    signed_pdf: Path, demo_db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["--db", str(demo_db_path), "verify", str(signed_pdf)]) == 0
    out = capsys.readouterr().out
    assert "签名有效" in out and "王丽华" in out
    log = demo_db_path.with_name(demo_db_path.name + ".keys") / "pyhanko.log"
    assert log.exists()


@pytest.mark.parametrize("where", [0.01, 0.5, 0.97])
def test_one_flipped_byte_is_caught(
    signed_pdf: Path,
    demo_db_path: Path,
    tmp_path: Path,
    where: float,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = bytearray(signed_pdf.read_bytes())
    data[int(len(data) * where)] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["--db", str(demo_db_path), "verify", str(tampered)]) == 1
    assert "签名无效" in capsys.readouterr().err


def test_flip_inside_signature_value_is_caught(signed_pdf: Path, demo_db_path: Path) -> None:
    data = bytearray(signed_pdf.read_bytes())
    start = data.rindex(b"/Contents <") + len(b"/Contents <") + 200
    data[start] = ord("0") if data[start] != ord("0") else ord("1")
    tampered = signed_pdf.with_name("sigvalue.pdf")
    tampered.write_bytes(bytes(data))
    keys = demo_db_path.with_name(demo_db_path.name + ".keys")
    assert not verify_pdf(keys, tampered).ok


def test_untrusted_signer_and_unsigned_file(signed_pdf: Path, tmp_path: Path) -> None:
    result = verify_pdf(tmp_path / "no-keys", signed_pdf)
    assert not result.ok and result.reason == "reason_untrusted"
    (tmp_path / "plain.pdf").write_bytes(b"%PDF-1.7\nnot really\n")
    assert not verify_pdf(tmp_path, tmp_path / "plain.pdf").ok


def test_code_cli(signed_pdf: Path, demo_db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import re

    from pypdf import PdfReader

    text = "".join(p.extract_text() or "" for p in PdfReader(signed_pdf).pages)
    code = re.search(r"[A-Z2-7]{5}-[A-Z2-7]{5}", text)
    assert code
    capsys.readouterr()
    assert main(["--db", str(demo_db_path), "verify", "--code", code.group()]) == 0
    said = capsys.readouterr().out
    # named as people name it: the document's title, the project and day; no internal id
    assert "检查报告" in said and "·" in said
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}|\breport\b", said), said
    assert main(["--db", str(demo_db_path), "verify", "--code", "AAAAA-AAAAA"]) == 1


def test_sign_without_key_refused_before_writing(demo_db_path: Path, tmp_path: Path) -> None:
    db = connect(demo_db_path)
    short = inspections.list_inspections(db, status=InspectionStatus.SIGNED)[0].inspection.id
    out = tmp_path / "x.pdf"
    assert (
        main(
            [
                "--db",
                str(demo_db_path),
                "report",
                "inspection",
                short,
                "-o",
                str(out),
                "--sign",
                "--as",
                "刘芳",
            ]
        )
        == 2
    )
    assert not out.exists()
