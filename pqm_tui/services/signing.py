"""Digital signatures of reports (电子签名): keys, PAdES signing and verification.

Keys live in ``paths.keys_dir(db_path)`` (a 0700 folder): ``<person id>.p12`` (key
and certificate, 0600) and ``<person id>.pem`` (the certificate, a trust root), plus
``ca-*.pem`` for company CAs taken from an imported PKCS#12. Every key file is
encrypted with a secret only its person gives (his sign-off PIN): PBES2, AES-256 and
PBKDF2-SHA256 with ``KDF_ROUNDS`` rounds, so each try of a guessed PIN costs time.
A key without encryption (made by earlier versions) is refused for signing until it
is protected (``protect_key``). Verification is offline (no fetching); the trust
roots are the certificates in that folder. pyHanko logs (tracebacks included) go to
``<keys dir>/pyhanko.log``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pqm_tui.model.errors import PQMError

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import KeySerializationEncryption

LOG_NAME = "pyhanko.log"
KDF_ROUNDS = 1_000_000  # ~0.1 s to open a key: slow for a guesser, quick for a signature

# pyHanko imports cryptography's DSA names, deprecated there: a library's concern, not a
# line for the user's terminal on every signature.
warnings.filterwarnings("ignore", message="DSA is deprecated")


class SigningError(PQMError):
    """A key is missing or unreadable, or signing failed."""


class KeyMissingError(SigningError):
    """The person has no key file yet (``pqm keys init`` makes one)."""


class KeyLockedError(SigningError):
    """The key file does not open with the person's secret (protected with another one)."""


class KeyUnprotectedError(SigningError):
    """The key file is not encrypted (made by an earlier version): protect it first."""


class KeyDamagedError(SigningError):
    """The key or certificate file cannot be read at all."""


class CertificateDatesError(SigningError):
    """The certificate is expired or not valid yet."""


@dataclass(frozen=True)
class KeyInfo:
    """A person's signing key on disk."""

    person_id: str
    person_name: str
    p12_path: Path
    subject: str
    not_after: str


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of checking a signed PDF; ``reason`` is a key of reports.verify.*."""

    ok: bool
    signer: str = ""
    signed_at: str = ""
    reason: str = ""
    detail: str = ""


def _route_logging(keys_dir: Path) -> None:
    """Send pyHanko's logging to a file instead of the terminal (once per folder)."""
    logger = logging.getLogger("pyhanko")
    target = str(keys_dir / LOG_NAME)
    if any(getattr(h, "baseFilename", None) == target for h in logger.handlers):
        return
    keys_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(target, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    logging.getLogger("pyhanko_certvalidator").addHandler(handler)
    logging.getLogger("pyhanko_certvalidator").propagate = False


def key_path(keys_dir: Path, person_id: str) -> Path:
    return keys_dir / f"{person_id}.p12"


def secure_folder(keys_dir: Path) -> None:
    """Make ``keys_dir`` 0700 and its key files 0600, or refuse when that cannot be done.

    Looser permissions (a folder or key others can read) are tightened; a folder or
    file that is not ours to change is refused with its path.
    """
    keys_dir.mkdir(parents=True, exist_ok=True)
    for path, mode in [(keys_dir, 0o700), *((p, 0o600) for p in keys_dir.glob("*.p12"))]:
        if path.stat().st_mode & 0o777 == mode:
            continue
        try:
            path.chmod(mode)
        except OSError as exc:
            raise SigningError(
                "errors.signing.permissions", path=path, mode=f"{mode:o}", detail=exc.strerror
            ) from None


def _encryption(secret: bytes) -> KeySerializationEncryption:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not secret:
        raise SigningError("errors.signing.no_secret")
    return (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(secret)
    )


def _load(path: Path, secret: bytes | None) -> tuple[Any, x509.Certificate, list[x509.Certificate]]:
    """Key, certificate and extra certificates of a PKCS#12 file opened with ``secret``."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyMissingError("errors.signing.key_missing", path=path) from None
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, secret)
    except ValueError as exc:  # "Invalid password or PKCS12 data" / "Could not deserialize …"
        if "password" in str(exc).lower():
            raise KeyLockedError("errors.signing.key_locked", path=path) from None
        raise KeyDamagedError("errors.signing.key_damaged", path=path) from None
    if key is None or cert is None:
        raise KeyDamagedError("errors.signing.key_damaged", path=path)
    return key, cert, list(extra)


def is_protected(keys_dir: Path, person_id: str) -> bool:
    """False for a key file that opens without any secret (an earlier version's)."""
    try:
        _load(key_path(keys_dir, person_id), None)
    except KeyLockedError:
        return True
    return False


def open_key(keys_dir: Path, person_id: str, secret: bytes) -> tuple[Any, x509.Certificate]:
    """The person's key and certificate, opened with his secret; refused when the file is
    unprotected, protected with another secret, damaged, or its certificate is out of date."""
    path = key_path(keys_dir, person_id)
    secure_folder(keys_dir)
    if not is_protected(keys_dir, person_id):
        raise KeyUnprotectedError("errors.signing.unprotected", path=path)
    key, cert, _extra = _load(path, secret)
    now = dt.datetime.now(dt.UTC)
    not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    if now > not_after:
        raise CertificateDatesError(
            "errors.signing.expired", path=path, until=not_after.date().isoformat()
        )
    if now < not_before:
        raise CertificateDatesError(
            "errors.signing.not_yet_valid", path=path, since=not_before.date().isoformat()
        )
    return key, cert


def protect_key(
    keys_dir: Path, person_id: str, secret: bytes, *, old_secret: bytes | None = None
) -> Path:
    """Encrypt the person's key file with ``secret`` (from none, or from ``old_secret``)."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    path = key_path(keys_dir, person_id)
    key, cert, extra = _load(path, old_secret)
    data = pkcs12.serialize_key_and_certificates(
        None,
        key,
        cert,
        extra or None,
        _encryption(secret),
    )
    return _store(keys_dir, person_id, data, cert, [])


def create_self_signed(
    keys_dir: Path,
    person_id: str,
    name: str,
    organisation: str,
    secret: bytes,
    *,
    years: int = 5,
    now: dt.datetime | None = None,
) -> Path:
    """A new EC P-256 key and a self-signed certificate for ``name`` (PKCS#12), encrypted
    with the person's ``secret``; valid from ``now`` (default: the present) for ``years``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            *(
                [x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)]
                if organisation
                else []
            ),
        ]
    )
    now = now or dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    encryption = _encryption(secret)
    data = pkcs12.serialize_key_and_certificates(
        name.encode(),
        key,
        cert,
        None,
        encryption,
    )
    return _store(keys_dir, person_id, data, cert, [])


def import_pkcs12(
    keys_dir: Path, person_id: str, source: Path, passphrase: bytes | None, secret: bytes
) -> Path:
    """Store a company-issued PKCS#12, encrypted again with the person's ``secret``; its
    CA certificates become trust roots."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    data = source.read_bytes()
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError as exc:
        raise SigningError("errors.signing.unreadable_file", detail=str(exc)) from None
    if key is None or cert is None:
        raise SigningError("errors.signing.no_key_in_file")
    encryption = _encryption(secret)
    stored = pkcs12.serialize_key_and_certificates(
        None,
        key,  # type: ignore[arg-type]  # whatever kind a company file holds
        cert,
        None,
        encryption,
    )
    return _store(keys_dir, person_id, stored, cert, list(extra))


def _store(keys_dir: Path, person_id: str, data: bytes, cert: object, chain: list[object]) -> Path:
    from cryptography.hazmat.primitives import serialization

    secure_folder(keys_dir)
    target = key_path(keys_dir, person_id)
    tmp = target.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    tmp.replace(target)
    pem = cert.public_bytes(serialization.Encoding.PEM)  # type: ignore[attr-defined]
    (keys_dir / f"{person_id}.pem").write_bytes(pem)
    for n, ca in enumerate(chain):
        ca_pem = ca.public_bytes(serialization.Encoding.PEM)  # type: ignore[attr-defined]
        (keys_dir / f"ca-{person_id}-{n}.pem").write_bytes(ca_pem)
    return target


def key_info(keys_dir: Path, person_id: str, person_name: str) -> KeyInfo | None:
    """The person's key, or None."""
    path = key_path(keys_dir, person_id)
    pem = keys_dir / f"{person_id}.pem"
    if not path.is_file() or not pem.is_file():
        return None
    from cryptography import x509

    try:
        cert = x509.load_pem_x509_certificate(pem.read_bytes())
    except (OSError, ValueError) as exc:
        raise SigningError("errors.signing.certificate", path=pem, detail=str(exc)) from None
    return KeyInfo(
        person_id,
        person_name,
        path,
        cert.subject.rfc4514_string(),
        cert.not_valid_after_utc.date().isoformat(),
    )


def sign_pdf(
    keys_dir: Path,
    person_id: str,
    source: Path,
    target: Path,
    *,
    secret: bytes,
    reason: str,
    location: str,
) -> str:
    """Sign ``source`` into ``target`` (PAdES B-B, invisible field) with the person's key,
    opened with his ``secret`` (:func:`open_key`); return the signer CN."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    _route_logging(keys_dir)
    path = key_path(keys_dir, person_id)
    if not path.is_file():
        raise KeyMissingError("errors.signing.key_missing", path=path)
    open_key(keys_dir, person_id, secret)  # every refusal said plainly before pyHanko
    signer = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
        str(path), passphrase=secret
    )
    if signer is None:
        raise KeyLockedError("errors.signing.key_locked", path=path)
    meta = signers.PdfSignatureMetadata(
        field_name="PQMSignature",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    tmp = target.with_name(f".{target.name}.{os.getpid()}.signing")
    try:
        with source.open("rb") as inf:
            writer = IncrementalPdfFileWriter(inf)
            with tmp.open("wb") as out:
                signers.sign_pdf(writer, meta, signer=signer, output=out)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    cert = signer.signing_cert
    return str(cert.subject.native.get("common_name", cert.subject.human_friendly))


def trust_roots(keys_dir: Path) -> list[object]:
    from pyhanko.keys import load_cert_from_pemder

    return [
        load_cert_from_pemder(str(p))  # type: ignore[no-untyped-call]
        for p in sorted(keys_dir.glob("*.pem"))
    ]


def canonical_container(data: bytes, byte_range: list[int]) -> bool:
    """The signature's ``/Contents`` is as PQM writes it: upper-case hex, zeros after the CMS.

    These are the only bytes of a signed PDF the signature does not cover; a file whose
    container was retouched (a padding zero changed, a hex digit's case flipped) still
    carries a valid signature, and this check tells it apart from the file PQM wrote.
    """
    start, length, end = byte_range[0], byte_range[1], byte_range[2]
    gap = data[start + length : end]
    if len(gap) < 2 or gap[:1] != b"<" or gap[-1:] != b">":
        return False
    digits = gap[1:-1]
    if len(digits) % 2 or re.fullmatch(rb"[0-9A-F]*", digits) is None:
        return False
    der = bytes.fromhex(digits.decode("ascii"))
    if len(der) < 2 or der[0] != 0x30:
        return False
    if der[1] < 0x80:
        size, header = der[1], 2
    else:
        count = der[1] & 0x7F
        size, header = int.from_bytes(der[2 : 2 + count], "big"), 2 + count
    padding = der[header + size :]
    return header + size <= len(der) and not padding.strip(b"\0")


def verify_pdf(keys_dir: Path, pdf: Path, *, canonical: bool = False) -> VerifyResult:
    """Check every signature of ``pdf``: intact, valid, trusted, covering the whole file.

    With ``canonical``, also refuse a signature container that is not byte for byte as
    PQM writes it (:func:`canonical_container`).
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    _route_logging(keys_dir)
    roots = trust_roots(keys_dir) if keys_dir.is_dir() else []
    try:
        with pdf.open("rb") as f:
            reader = PdfFileReader(f, strict=False)
            signatures = reader.embedded_signatures
            if not signatures:
                return VerifyResult(False, reason="no_signature")
            result = VerifyResult(False, reason="no_signature")
            for embedded in signatures:
                context = ValidationContext(trust_roots=roots, allow_fetching=False)
                status = validate_pdf_signature(embedded, context)
                signer = str(
                    status.signing_cert.subject.native.get(
                        "common_name", status.signing_cert.subject.human_friendly
                    )
                )
                at = status.signer_reported_dt.isoformat() if status.signer_reported_dt else ""
                if not status.intact:
                    return VerifyResult(False, signer, at, "reason_modified")
                if not status.valid:
                    return VerifyResult(False, signer, at, "reason_broken")
                if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
                    return VerifyResult(False, signer, at, "reason_partial")
                if not status.trusted:
                    return VerifyResult(False, signer, at, "reason_untrusted")
                byte_range = [int(n) for n in embedded.sig_object["/ByteRange"]]
                if canonical and not canonical_container(pdf.read_bytes(), byte_range):
                    return VerifyResult(False, signer, at, "reason_noncanonical")
                result = VerifyResult(True, signer, at)
            return result
    except Exception as exc:  # any parse or crypto failure means: not a valid signed file
        logging.getLogger("pyhanko").exception("verification of %s failed", pdf)
        return VerifyResult(False, reason="unreadable", detail=f"{type(exc).__name__}: {exc}")
