"""Signing keys protected by default (签名密钥): encrypted with the PIN, 0600 in 0700,
refused plainly when unprotected, protected with another PIN, damaged or out of date."""

from __future__ import annotations

import datetime as dt
import io
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12
from pypdf import PdfWriter

from pqm_tui.cli import main
from pqm_tui.model import inspections, organisation
from pqm_tui.model.db import connect
from pqm_tui.model.entities import InspectionStatus
from pqm_tui.paths import keys_dir
from pqm_tui.services.demo import DEMO_PIN
from pqm_tui.services.signing import (
    CertificateDatesError,
    KeyDamagedError,
    KeyLockedError,
    KeyUnprotectedError,
    create_self_signed,
    is_protected,
    key_path,
    sign_pdf,
    verify_pdf,
)
from tests.messages import raises_saying


def run(db_path: Path, *args: str) -> int:
    """``pqm`` in English, acting as 王丽华 (her own key) unless ``--as`` says otherwise."""
    who = () if "--as" in args else ("--as", "王丽华")
    return main(["--db", str(db_path), "--lang", "en", *who, *args])


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def wang_key(demo_db_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """王丽华's key made by ``pqm keys init`` with the demo PIN: (keys folder, her id)."""
    monkeypatch.setenv("PQM_PIN", DEMO_PIN)
    assert run(demo_db_path, "keys", "init", "--person", "王丽华") == 0
    wang = organisation.find_person(connect(demo_db_path), "王丽华")
    return keys_dir(demo_db_path), wang.id


@pytest.fixture
def blank_pdf(tmp_path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    path = tmp_path / "blank.pdf"
    with path.open("wb") as out:
        writer.write(out)
    return path


def sign(folder: Path, person_id: str, pdf: Path, secret: str) -> str:
    return sign_pdf(
        folder, person_id, pdf, pdf.with_name("signed.pdf"), secret=secret.encode(),
        reason="test", location="test",
    )  # fmt: skip


def test_keys_init_encrypts_with_the_pin_in_a_private_folder(wang_key: tuple[Path, str]) -> None:
    folder, wang = wang_key
    path = key_path(folder, wang)
    assert mode(folder) == 0o700 and mode(path) == 0o600
    assert is_protected(folder, wang)
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(path.read_bytes(), None)
    key, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), DEMO_PIN.encode())
    assert key is not None and cert is not None


def test_keys_init_needs_the_persons_right_pin(
    demo_db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PQM_PIN", "9999")
    assert run(demo_db_path, "keys", "init", "--person", "王丽华") == 2
    assert "PIN is wrong; 4 tries left" in capsys.readouterr().err
    wang = organisation.find_person(connect(demo_db_path), "王丽华")
    assert not key_path(keys_dir(demo_db_path), wang.id).exists()


def test_looser_permissions_are_tightened(
    wang_key: tuple[Path, str], blank_pdf: Path, demo_db_path: Path
) -> None:
    folder, wang = wang_key
    folder.chmod(0o755)
    key_path(folder, wang).chmod(0o644)
    assert run(demo_db_path, "keys", "list") == 0
    assert mode(folder) == 0o700 and mode(key_path(folder, wang)) == 0o600
    key_path(folder, wang).chmod(0o640)
    sign(folder, wang, blank_pdf, DEMO_PIN)
    assert mode(key_path(folder, wang)) == 0o600


def test_signing_with_a_wrong_pin_is_refused_and_counted(
    wang_key: tuple[Path, str],
    demo_db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = connect(demo_db_path)
    short = inspections.list_inspections(db, status=InspectionStatus.SIGNED)[0].inspection.id
    out = tmp_path / "x.pdf"
    monkeypatch.setenv("PQM_PIN", "4321")
    args = ("report", "inspection", short[-8:], "-o", str(out), "--sign", "--as", "王丽华")
    assert run(demo_db_path, *args) == 2
    assert "王丽华's PIN is wrong; 4 tries left" in capsys.readouterr().err
    assert not out.exists()


def test_a_wrong_secret_does_not_open_the_key(wang_key: tuple[Path, str], blank_pdf: Path) -> None:
    folder, wang = wang_key
    with raises_saying(KeyLockedError, "does not open with this PIN"):
        sign(folder, wang, blank_pdf, "4321")
    assert not blank_pdf.with_name("signed.pdf").exists()


def test_an_old_unprotected_key_is_said_and_can_be_protected(
    demo_db_path: Path,
    blank_pdf: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cryptography.hazmat.primitives.serialization import NoEncryption

    wang = organisation.find_person(connect(demo_db_path), "王丽华")
    folder = keys_dir(demo_db_path)
    path = create_self_signed(folder, wang.id, wang.name, "锦程", b"x")
    key, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), b"x")
    assert key is not None and cert is not None
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"w", key, cert, None, NoEncryption()))
    assert not is_protected(folder, wang.id)
    with raises_saying(KeyUnprotectedError, "not protected .*pqm keys protect"):
        sign(folder, wang.id, blank_pdf, DEMO_PIN)
    assert run(demo_db_path, "keys", "list") == 0
    assert "NOT protected" in capsys.readouterr().out
    monkeypatch.setenv("PQM_PIN", DEMO_PIN)
    assert run(demo_db_path, "keys", "protect", "--person", "王丽华") == 0
    assert is_protected(folder, wang.id) and mode(path) == 0o600
    sign(folder, wang.id, blank_pdf, DEMO_PIN)
    assert verify_pdf(folder, blank_pdf.with_name("signed.pdf")).ok


def test_a_pin_change_carries_the_key_a_reset_does_not(
    wang_key: tuple[Path, str],
    demo_db_path: Path,
    blank_pdf: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, wang = wang_key
    monkeypatch.setattr("sys.stdin", io.StringIO("2580\n"))
    assert run(demo_db_path, "--as", wang, "person", "pin", "王丽华", "--pin-stdin") == 0
    assert "now protected with the new PIN" in capsys.readouterr().out
    sign(folder, wang, blank_pdf, "2580")
    chen = organisation.find_person(connect(demo_db_path), "徐静")  # the administrator
    monkeypatch.setattr("sys.stdin", io.StringIO("1357\n"))
    args = ("--as", chen.id, "person", "pin", "王丽华", "--reset", "--pin-stdin")
    assert run(demo_db_path, *args) == 0
    assert "no longer opens" in capsys.readouterr().out
    with raises_saying(KeyLockedError, "protected with an earlier PIN"):
        sign(folder, wang, blank_pdf, "1357")


def test_expired_and_not_yet_valid_certificates_are_said(
    demo_db_path: Path, blank_pdf: Path
) -> None:
    wang = organisation.find_person(connect(demo_db_path), "王丽华")
    folder = keys_dir(demo_db_path)
    past = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    create_self_signed(folder, wang.id, wang.name, "", b"1234", years=1, now=past)
    with raises_saying(CertificateDatesError, "expired on 2020-12-31"):
        sign(folder, wang.id, blank_pdf, "1234")
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    create_self_signed(folder, wang.id, wang.name, "", b"1234", now=future)
    with raises_saying(CertificateDatesError, "not valid before"):
        sign(folder, wang.id, blank_pdf, "1234")


def test_a_damaged_key_file_is_said_without_a_traceback(
    wang_key: tuple[Path, str],
    demo_db_path: Path,
    blank_pdf: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, wang = wang_key
    key_path(folder, wang).write_bytes(b"not a key at all")
    with raises_saying(KeyDamagedError, "damaged or not a PKCS#12 file"):
        sign(folder, wang, blank_pdf, DEMO_PIN)
    assert run(demo_db_path, "keys", "list") == 0
    listing = capsys.readouterr()
    assert "damaged" in listing.out + listing.err and "Traceback" not in listing.err


def test_a_key_with_an_earlier_versions_passphrase_is_protected_with_the_pin(
    demo_db_path: Path,
    blank_pdf: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wang = organisation.find_person(connect(demo_db_path), "王丽华")
    folder = keys_dir(demo_db_path)
    create_self_signed(folder, wang.id, wang.name, "", b"right horse battery")  # as PQM_KEY_…
    with raises_saying(KeyLockedError, "does not open with this PIN"):
        sign(folder, wang.id, blank_pdf, DEMO_PIN)
    monkeypatch.setenv("PQM_PIN", DEMO_PIN)
    assert run(demo_db_path, "keys", "protect", "--person", "王丽华") == 0
    assert "--ask-passphrase" in capsys.readouterr().out  # what to do is said
    monkeypatch.setenv("PQM_KEY_PASSPHRASE", "right horse battery")
    assert run(demo_db_path, "keys", "protect", "--person", "王丽华") == 0
    sign(folder, wang.id, blank_pdf, DEMO_PIN)
    assert verify_pdf(folder, blank_pdf.with_name("signed.pdf")).ok


def test_an_imported_company_file_is_stored_under_the_pin(
    demo_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption

    made = create_self_signed(tmp_path / "company", "x", "王丽华", "锦程", b"company secret")
    key, cert, _ = pkcs12.load_key_and_certificates(made.read_bytes(), b"company secret")
    assert key is not None and cert is not None
    source = tmp_path / "wang.p12"
    encryption = BestAvailableEncryption(b"company secret")
    source.write_bytes(pkcs12.serialize_key_and_certificates(b"w", key, cert, None, encryption))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "company secret")
    monkeypatch.setenv("PQM_PIN", DEMO_PIN)
    args = ("keys", "import", str(source), "--person", "王丽华", "--ask-passphrase")
    assert run(demo_db_path, *args) == 0
    wang = organisation.find_person(connect(demo_db_path), "王丽华")
    stored = key_path(keys_dir(demo_db_path), wang.id)
    assert mode(stored) == 0o600 and is_protected(keys_dir(demo_db_path), wang.id)
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(stored.read_bytes(), b"company secret")
    assert pkcs12.load_key_and_certificates(stored.read_bytes(), DEMO_PIN.encode())[0]
