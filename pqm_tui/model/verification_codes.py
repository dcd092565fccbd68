"""Verification codes (校验码) printed on every document.

A paper copy can be checked against the database: the code is derived from the
document's subject and content hash and stored once. ``scheme`` says what the hash
covers: ``facts-1`` (the document's facts: ids, codes, results, numbers, UTC times;
the same whatever the language, timezone or template it was printed with) or
``page`` (the printed context, codes issued before m010: checked as they were).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from sqlite_utils import Database

from pqm_tui.model.clock import Clock
from pqm_tui.model.schema import SCHEME_PAGE

SCHEME_FACTS = "facts-1"


@dataclass(frozen=True)
class ReportCode:
    """A verification code: which document, about what, with which content hash."""

    code: str
    document: str
    subject: str
    content_sha256: str
    created_at: str
    created_by: str
    scheme: str = SCHEME_PAGE  # what content_sha256 covers (SCHEME_FACTS or SCHEME_PAGE)
    tz: str = ""  # the timezone it was issued in (``clock.timezone_name``), "" before m010


def code_for(subject: str, content_sha256: str) -> str:
    """The short code printed on a document: 10 base32 characters as XXXXX-XXXXX."""
    digest = hashlib.sha256(f"{subject}:{content_sha256}".encode()).digest()
    text = base64.b32encode(digest).decode("ascii")[:10]
    return f"{text[:5]}-{text[5:]}"


def normalise_code(code: str) -> str:
    """Accept codes typed in lower case, without the dash, or as the QR payload."""
    raw = code.strip()
    if raw.startswith("PQM|"):
        parts = raw.split("|")
        raw = parts[-1] if len(parts) >= 4 else raw
    compact = raw.replace("-", "").replace(" ", "").upper()
    return f"{compact[:5]}-{compact[5:]}" if len(compact) == 10 else raw.upper()


def register_code(
    db: Database,
    clock: Clock,
    actor: str,
    document: str,
    subject: str,
    content_sha256: str,
    *,
    scheme: str = SCHEME_FACTS,
    tz: str = "",
) -> ReportCode:
    """Store (once) the code of ``document`` about ``subject`` with this content."""
    code = code_for(subject, content_sha256)
    with db.atomic():
        db.execute(
            """INSERT OR IGNORE INTO report_codes
               (code, document, subject, content_sha256, created_at, created_by, scheme, tz)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [code, document, subject, content_sha256, clock.now_iso(), actor, scheme, tz],
        )
    found = find_code(db, code)
    assert found is not None
    return found


def find_code(db: Database, code: str) -> ReportCode | None:
    """The stored code, or None."""
    rows = list(db.query("SELECT * FROM report_codes WHERE code = ?", [normalise_code(code)]))
    return ReportCode(**rows[0]) if rows else None
