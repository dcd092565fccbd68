"""The documents PQM prints: one function per document, context → verified PDF.

Each render checks for a Chinese font first, builds the frozen context,
hashes it, stores the verification code (the one write), renders and writes
the PDF atomically (a temporary file renamed into place).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.i18n import Translator
from pqm_tui.model import findings, inspections, notices, rectification, verification_codes
from pqm_tui.model.clock import Clock
from pqm_tui.model.errors import NotFoundError, RuleError
from pqm_tui.paths import media_dir
from pqm_tui.reports.assets import ImageCache, require_cjk_font
from pqm_tui.reports.build import Builder
from pqm_tui.reports.context import PhotoRef, Verification, content_sha256
from pqm_tui.reports.render import Renderer, TemplateDirs, default_dirs
from pqm_tui.reports.svg import bar_chart, qr_svg

Progress = Callable[[int, int, str], None]
STEPS = 4  # build, html, pdf, write
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


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


class DocumentService:
    """Renders notices, second notices, reports and circulars of one database."""

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

    # public ------------------------------------------------------------------------
    def notice(self, inspection_ref: str, out: Path) -> RenderedDocument:
        """整改通知单 of an inspection (its first notice)."""
        self._font()
        inspection = inspections.get_inspection(self.db, inspection_ref)
        notice, items = self.builder.first_notice(inspection.id)
        context = self.builder.notice(notice, items)
        return self._finish("notice", inspection.id, notice.number, context, out)

    def notice2(self, ref: str, out: Path) -> RenderedDocument:
        """第二次整改通知单 for a notice number, a rectification item or an inspection."""
        self._font()
        first = self._first_notice_of(ref)
        items = notices.escalated_items(self.db, first.inspection_id)
        if not items:
            raise RuleError(self.tr("reports.notice2.none", number=first.number))
        second = notices.ensure_second_notice(self.db, self.clock, first, first.issuing_department)
        context = self.builder.notice(second, items, first)
        return self._finish("notice2", first.inspection_id, second.number, context, out)

    def report(self, inspection_ref: str, out: Path) -> RenderedDocument:
        """检查报告 of an inspection."""
        self._font()
        inspection = inspections.get_inspection(self.db, inspection_ref)
        context = self.builder.report(inspection.id)
        context = dataclasses.replace(
            context, chart_svg=bar_chart(context.sections, self.tr("reports.report.chart"))
        )
        return self._finish("report", inspection.id, context.letterhead.number, context, out)

    def circular(self, month: str, out: Path) -> RenderedDocument:
        """通报 of a month (YYYY-MM)."""
        if not MONTH.match(month):
            raise RuleError(self.tr("reports.circular.bad_month", month=month))
        self._font()
        context = self.builder.circular(month)
        return self._finish("circular", month, month, context, out)

    # steps -------------------------------------------------------------------------
    def _font(self) -> None:
        require_cjk_font()

    def _first_notice_of(self, ref: str):  # type: ignore[no-untyped-def]
        text = ref.strip()
        if text.upper().startswith("ZG-"):
            notice = notices.get_notice_by_number(self.db, text)
            if notice.sequence == 1:
                return notice
        else:
            try:
                item = rectification.get_item(self.db, text)
                inspection_id = findings.get_finding(self.db, item.finding_id).inspection_id
            except NotFoundError:
                inspection_id = inspections.get_inspection(self.db, text).id
            return self.builder.first_notice(inspection_id)[0]
        return self.builder.first_notice(notice.inspection_id)[0]

    def build(self, kind: str, subject_ref: str) -> tuple[str, Any]:
        """Template name and finished context (with verification) — for benchmarks."""
        if kind == "report":
            inspection = inspections.get_inspection(self.db, subject_ref)
            context: Any = self.builder.report(inspection.id)
            context = dataclasses.replace(
                context, chart_svg=bar_chart(context.sections, self.tr("reports.report.chart"))
            )
            subject = inspection.id
        else:
            inspection = inspections.get_inspection(self.db, subject_ref)
            notice, items = self.builder.first_notice(inspection.id)
            context = self.builder.notice(notice, items)
            subject = inspection.id
        return f"{kind}.html", self._verified(kind, subject, context)

    def _verified(self, document: str, subject: str, context: Any) -> Any:
        digest = content_sha256(context)
        code = verification_codes.register_code(
            self.db, self.clock, self.actor, document, subject, digest
        ).code
        payload = f"PQM|{subject}|{digest}|{code}"
        return dataclasses.replace(
            context, verification=Verification(code, digest, qr_svg(payload))
        )

    def _finish(
        self, document: str, subject: str, number: str, context: Any, out: Path
    ) -> RenderedDocument:
        self.progress(1, STEPS, "build")
        context = self._verified(document, subject, context)
        template = "notice.html" if document == "notice2" else f"{document}.html"
        html = self.renderer.html(template, context)
        self.progress(2, STEPS, "html")
        data, pages, warnings = self.renderer.pdf(html, strict=self.strict)
        self.progress(3, STEPS, "pdf")
        write_atomic(out, data)
        self.progress(4, STEPS, "write")
        return RenderedDocument(
            out,
            document,
            number,
            pages,
            context.verification.code,
            context.verification.content_sha256,
            tuple(warnings),
            tuple(self.images.missing),
        )


def write_atomic(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` through a temporary file in the same folder."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, out)


def check_code(
    db: Database, db_path: Path, settings: Settings, clock: Clock, code: str
) -> tuple[verification_codes.ReportCode, bool]:
    """The stored code and whether the database still yields the same content hash."""
    stored = verification_codes.find_code(db, code)
    if stored is None:
        raise NotFoundError(Translator(settings.lang)("reports.verify.unknown_code", code=code))
    builder = Builder(
        db, settings, clock, ImageCache(media_dir(db_path), settings.photo_max_pixels)
    )
    context: Any
    if stored.document == "report":
        context = builder.report(stored.subject)
    elif stored.document == "notice":
        notice, items = builder.first_notice(stored.subject)
        context = builder.notice(notice, items)
    elif stored.document == "notice2":
        first, _ = builder.first_notice(stored.subject)
        second = notices.ensure_second_notice(db, clock, first, first.issuing_department)
        context = builder.notice(second, notices.escalated_items(db, stored.subject), first)
    else:
        context = builder.circular(stored.subject)
    return stored, content_sha256(context) == stored.content_sha256
