"""The document service (文书): build a document, issue it to a PDF, check a printed code.

Building (context, verification code, QR) reads only. Issuing checks for a Chinese
font, writes what the kind needs first (a second notice's number), renders, writes
the PDF atomically (a temporary file renamed into place) and then records the
verification code (校验码): a code is stored only for a document that was issued.
What differs between notices, reports and circulars is in :mod:`.kinds`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.i18n import Translator
from pqm_tui.model import verification_codes
from pqm_tui.model.clock import Clock
from pqm_tui.model.errors import NotFoundError
from pqm_tui.paths import media_dir
from pqm_tui.reports.assets import ImageCache, require_cjk_font
from pqm_tui.reports.build import Builder
from pqm_tui.reports.context import PhotoRef, Verification, content_sha256
from pqm_tui.reports.kinds import KINDS, DocumentKind
from pqm_tui.reports.render import Renderer, TemplateDirs, default_dirs
from pqm_tui.reports.svg import qr_svg

Progress = Callable[[int, int, str], None]
STEPS = 4  # build, html, pdf, write


@dataclass(frozen=True)
class Draft:
    """A document built, not issued: its template and context with the code it will carry."""

    kind: str
    subject: str
    number: str
    template: str
    context: Any


@dataclass(frozen=True)
class RenderedDocument:
    """A written PDF and what the user should be told about it."""

    path: Path
    document: str
    number: str
    pages: int
    code: str
    content_sha256: str
    warnings: tuple[str, ...]
    missing: tuple[PhotoRef, ...]
    signer: str | None = None  # who signed it (the certificate's name), when signed


class DocumentService:
    """Builds and issues notices, second notices, reports and circulars of one database."""

    def __init__(
        self,
        db: Database,
        db_path: Path,
        settings: Settings,
        clock: Clock,
        actor: str,
        *,
        dirs: TemplateDirs | None = None,
        strict: bool = False,
        progress: Progress | None = None,
    ) -> None:
        self.db = db
        self.db_path = db_path
        self.settings = settings
        self.clock = clock
        self.actor = actor
        self.strict = strict
        self.progress = progress or (lambda step, total, label: None)
        self.tr = Translator(settings.lang)
        self.images = ImageCache(media_dir(db_path), settings.photo_max_pixels)
        self.builder = Builder(db, settings, clock, self.images)
        self.renderer = Renderer(
            dirs or default_dirs(), self.tr, settings.lang, [self.images.cache_dir]
        )

    def build(self, kind: str, reference: str) -> Draft:
        """The document ``kind`` about ``reference``, ready to render; writes nothing."""
        document = KINDS[kind]
        return self._draft(document, document.resolve(self.builder, reference))

    def issue(self, kind: str, reference: str, out: Path) -> RenderedDocument:
        """Print the document to ``out`` and record its verification code."""
        require_cjk_font()
        document = KINDS[kind]
        subject = document.resolve(self.builder, reference)
        document.prepare(self.builder, subject)
        draft = self._draft(document, subject)
        self.progress(1, STEPS, "build")
        html = self.renderer.html(draft.template, draft.context)
        self.progress(2, STEPS, "html")
        data, pages, warnings = self.renderer.pdf(html, strict=self.strict)
        self.progress(3, STEPS, "pdf")
        write_atomic(out, data)
        verification: Verification = draft.context.verification
        verification_codes.register_code(
            self.db, self.clock, self.actor, kind, subject, verification.content_sha256
        )
        self.progress(4, STEPS, "write")
        return RenderedDocument(
            out,
            kind,
            draft.number,
            pages,
            verification.code,
            verification.content_sha256,
            tuple(warnings),
            tuple(self.images.missing),
        )

    # one per kind, for readers of the code and the tests --------------------------
    def notice(self, inspection_ref: str, out: Path) -> RenderedDocument:
        """整改通知单 of an inspection (its first notice)."""
        return self.issue("notice", inspection_ref, out)

    def notice2(self, ref: str, out: Path) -> RenderedDocument:
        """第二次整改通知单 for a notice number, a rectification item or an inspection."""
        return self.issue("notice2", ref, out)

    def report(self, inspection_ref: str, out: Path) -> RenderedDocument:
        """检查报告 of an inspection."""
        return self.issue("report", inspection_ref, out)

    def circular(self, month: str, out: Path) -> RenderedDocument:
        """通报 of a month (YYYY-MM)."""
        return self.issue("circular", month, out)

    def _draft(self, document: DocumentKind, subject: str) -> Draft:
        """Build the context and give it its verification (code, hash, QR)."""
        number, context = document.build(self.builder, subject)
        digest = content_sha256(context)
        code = verification_codes.code_for(subject, digest)
        payload = f"PQM|{subject}|{digest}|{code}"
        verified = dataclasses.replace(
            context, verification=Verification(code, digest, qr_svg(payload))
        )
        return Draft(document.name, subject, number, document.template, verified)


def write_atomic(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` through a temporary file in the same folder."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)  # a full disk leaves no half-written file behind


def check_code(
    db: Database, db_path: Path, settings: Settings, clock: Clock, code: str
) -> tuple[verification_codes.ReportCode, bool]:
    """The stored code and whether the database still yields the same content hash."""
    stored = verification_codes.find_code(db, code)
    if stored is None:
        raise NotFoundError("reports.err.unknown_code", code=code)
    builder = Builder(
        db, settings, clock, ImageCache(media_dir(db_path), settings.photo_max_pixels)
    )
    _, context = KINDS[stored.document].build(builder, stored.subject)
    return stored, content_sha256(context) == stored.content_sha256
