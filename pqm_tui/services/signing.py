"""Digital signatures of reports (电子签名): keys, PAdES signing and verification.

Keys live in ``paths.keys_dir(db_path)``: ``<person id>.p12`` (key and
certificate) and ``<person id>.pem`` (the certificate, a trust root), plus
``ca-*.pem`` for company CAs taken from an imported PKCS#12. Verification is
offline (no fetching); the trust roots are the certificates in that folder.
pyHanko logs (tracebacks included) go to ``<keys dir>/pyhanko.log``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from pqm_tui.model.errors import PQMError

PASSPHRASE_ENV = "PQM_KEY_PASSPHRASE"
LOG_NAME = "pyhanko.log"

# pyHanko imports cryptography's DSA names, deprecated there: a library's concern, not a
# line for the user's terminal on every signature.
warnings.filterwarnings("ignore", message="DSA is deprecated")


class SigningError(PQMError):
    """A key is missing or unreadable, or signing failed."""


class KeyMissingError(SigningError):
    """The person has no key file yet (``pqm keys init`` makes one)."""


class KeyLockedError(SigningError):
    """The key file cannot be opened (wrong or missing passphrase)."""


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


def _passphrase() -> bytes | None:
    value = os.environ.get(PASSPHRASE_ENV)
    return value.encode() if value else None


def key_path(keys_dir: Path, person_id: str) -> Path:
    return keys_dir / f"{person_id}.p12"


def create_self_signed(
    keys_dir: Path, person_id: str, name: str, organisation: str, *, years: int = 5
) -> Path:
    """A new EC P-256 key and a self-signed certificate for ``name`` (PKCS#12)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
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
    now = dt.datetime.now(dt.UTC)
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
    passphrase = _passphrase()
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(name.encode(), key, cert, None, encryption)
    return _store(keys_dir, person_id, data, cert, [])


def import_pkcs12(keys_dir: Path, person_id: str, source: Path, passphrase: bytes | None) -> Path:
    """Store a company-issued PKCS#12; its CA certificates become trust roots."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    data = source.read_bytes()
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError as exc:
        raise SigningError("errors.signing.unreadable_file", detail=str(exc)) from None
    if key is None or cert is None:
        raise SigningError("errors.signing.no_key_in_file")
    return _store(keys_dir, person_id, data, cert, list(extra))


def _store(keys_dir: Path, person_id: str, data: bytes, cert: object, chain: list[object]) -> Path:
    from cryptography.hazmat.primitives import serialization

    keys_dir.mkdir(parents=True, exist_ok=True)
    keys_dir.chmod(0o700)
    target = key_path(keys_dir, person_id)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
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
    keys_dir: Path, person_id: str, source: Path, target: Path, *, reason: str, location: str
) -> str:
    """Sign ``source`` into ``target`` (PAdES B-B, invisible field); return the signer CN."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    _route_logging(keys_dir)
    path = key_path(keys_dir, person_id)
    if not path.is_file():
        raise KeyMissingError("errors.signing.key_missing", path=path)
    signer = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
        str(path), passphrase=_passphrase()
    )
    if signer is None:
        raise KeyLockedError("errors.signing.key_locked", path=path, env=PASSPHRASE_ENV)
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
