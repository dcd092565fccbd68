"""The document service (文书): build a document, issue it to a PDF, check a printed code.

Building (context, verification code, QR) reads only. Issuing checks for a Chinese
font, writes what the kind needs first (a second notice's number), renders, writes
the PDF atomically (``output_files.atomic_output``: a temporary file, signed when asked,
renamed into place) and then records the verification code (校验码): a code is stored
only for a document that was issued. The code hashes the document's facts (ids, codes,
results, numbers, UTC times), so it verifies in any language and timezone.
What differs between notices, reports and circulars is in :mod:`.kinds`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.i18n import Translator
from pqm_tui.model import verification_codes
from pqm_tui.model.clock import Clock, timezone_name, timezone_named
from pqm_tui.model.errors import NotFoundError
from pqm_tui.model.permissions import Action as Permission
from pqm_tui.model.permissions import acting, require
from pqm_tui.model.schema import SCHEME_PAGE
from pqm_tui.output_files import atomic_output
from pqm_tui.paths import compiled_templates_dir, media_dir, render_log
from pqm_tui.reports.assets import ImageCache, require_cjk_font
from pqm_tui.reports.blank import blank_reference
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
    """A written PDF and what the user should be told about it (``code`` "" for a blank form)."""

    path: Path
    document: str
    number: str
    pages: int
    code: str
    content_sha256: str
    warnings: tuple[str, ...]
    missing: tuple[PhotoRef, ...]
    signer: str | None = None  # who signed it (the certificate's name), when signed
    unprintable: tuple[str, ...] = ()  # characters no font has, by name (printed as [U+…])
    log: Path | None = None  # where the warnings were written, when there were any


# Documents whose issue is an action of the permission table; any other (the report) is
# printed by any active person, since printing records its verification code.
ISSUED_BY = {
    "notice": Permission.ISSUE_NOTICE,
    "notice2": Permission.ISSUE_SECOND_NOTICE,
    "circular": Permission.ISSUE_CIRCULAR,
}


class DocumentService:
    """Builds and issues notices, second notices, reports, circulars and blank forms."""

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
        # its own image cache: the photos it finds missing are not this document's to report
        facts_images = ImageCache(media_dir(db_path), settings.photo_max_pixels)
        self.facts = Builder(db, settings, clock, facts_images, facts=True)
        self.renderer = Renderer(
            dirs or default_dirs(),
            self.tr,
            settings.lang,
            [self.images.cache_dir],
            compiled=compiled_templates_dir(),  # not beside the data: a cache
        )

    def build(self, kind: str, reference: str) -> Draft:
        """The document ``kind`` about ``reference``, ready to render; writes nothing."""
        document = KINDS[kind]
        return self._draft(document, document.resolve(self.builder, reference))

    def issue(
        self, kind: str, reference: str, out: Path, *, finish: Callable[[Path], None] | None = None
    ) -> RenderedDocument:
        """Print the document to ``out`` and record its verification code.

        ``finish`` (signing) works on the written temporary file before it takes the
        name ``out``, and the code is recorded before the rename: when rendering,
        ``finish`` or the record fails, nothing is left at ``out``.
        """
        require_cjk_font()
        document = KINDS[kind]
        if kind in ISSUED_BY:  # who may, before anything is started
            require(self.db, self.actor, ISSUED_BY[kind])
        elif document.verified:  # a blank form records nothing
            acting(self.db, self.actor)
        self.renderer.prepare()  # the render child imports WeasyPrint meanwhile
        try:
            subject = document.resolve(self.builder, reference)
            document.prepare(self.builder, subject)
            draft = self._draft(document, subject)
            self.progress(1, STEPS, "build")
            html = self.renderer.html(draft.template, draft.context)
            unprintable = tuple(self.renderer.unprintable)  # known before rendering
            self.progress(2, STEPS, "html")
            data, pages, warnings = self.renderer.pdf(html, strict=self.strict)
        finally:
            self.renderer.close()
        self.progress(3, STEPS, "pdf")
        log = self._log_warnings(kind, subject, warnings) if warnings else None
        verification: Verification | None = draft.context.verification
        with atomic_output(out) as temporary:
            temporary.write_bytes(data)
            if finish is not None:
                finish(temporary)
            if verification is not None:  # a blank form carries no code
                verification_codes.register_code(
                    self.db,
                    self.clock,
                    self.actor,
                    kind,
                    subject,
                    verification.content_sha256,
                    tz=timezone_name(self.clock.tz),
                )
        self.progress(4, STEPS, "write")
        return RenderedDocument(
            out,
            kind,
            draft.number,
            pages,
            verification.code if verification else "",
            verification.content_sha256 if verification else "",
            tuple(warnings),
            tuple(self.images.missing),
            unprintable=unprintable,
            log=log,
        )

    def _log_warnings(self, kind: str, subject: str, warnings: list[str]) -> Path | None:
        """Append WeasyPrint's warnings to the render log beside the database."""
        path = render_log(self.db_path)
        lines = [f"{self.clock.now_iso()} {kind} {subject}: {w}\n" for w in warnings]
        try:
            with path.open("a", encoding="utf-8") as log:
                log.writelines(lines)
        except OSError:
            return None  # the document is written; a lost log line is not worth failing it
        return path

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

    def blank(
        self, checklist_ref: str, out: Path, project_ref: str | None = None
    ) -> RenderedDocument:
        """空白检查表 of a checklist, for a project's walk or section by section."""
        return self.issue("blank", blank_reference(checklist_ref, project_ref), out)

    def _draft(self, document: DocumentKind, subject: str) -> Draft:
        """Build the context and give it its verification (code, hash, QR) when it has one.

        The code hashes the document's facts (``Builder(facts=True)``), not the printed
        context: it verifies whatever language and timezone it is checked in.
        """
        number, context = document.build(self.builder, subject)
        if not document.verified:
            return Draft(document.name, subject, number, document.template, context)
        digest = content_sha256(document.build(self.facts, subject)[1])
        code = verification_codes.code_for(subject, digest)
        payload = f"PQM|{subject}|{digest}|{code}"
        verified = dataclasses.replace(
            context, verification=Verification(code, digest, qr_svg(payload))
        )
        return Draft(document.name, subject, number, document.template, verified)


def check_code(
    db: Database, db_path: Path, settings: Settings, clock: Clock, code: str
) -> tuple[verification_codes.ReportCode, bool]:
    """The stored code and whether the database still yields the same content hash.

    A code of the facts scheme is checked on the facts, counted in the timezone it
    was issued in (a circular's month); an older code (``page``) on the printed context
    in the current language and timezone, as it always was.
    """
    stored = verification_codes.find_code(db, code)
    if stored is None:
        raise NotFoundError("reports.err.unknown_code", code=code)
    images = ImageCache(media_dir(db_path), settings.photo_max_pixels)
    if stored.scheme == SCHEME_PAGE:
        builder = Builder(db, settings, clock, images)
    else:
        issued_in = timezone_named(stored.tz) or clock.tz
        builder = Builder(
            db, settings, dataclasses.replace(clock, tz=issued_in), images, facts=True
        )
    _, context = KINDS[stored.document].build(builder, stored.subject)
    return stored, content_sha256(context) == stored.content_sha256
