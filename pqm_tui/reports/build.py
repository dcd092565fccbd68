"""Build report contexts from the model (检查报告, 整改通知单, 通报).

Reads only; the one write a document makes (its verification code) happens
in :mod:`pqm_tui.reports.document_service` when it is issued.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from decimal import Decimal

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.i18n import Translator
from pqm_tui.i18n.amendment_text import change_text, person_name
from pqm_tui.model import (
    amendment_proposals,
    amendments,
    checklists,
    inspections,
    notes,
    organisation,
    rectification,
)
from pqm_tui.model import findings as findings_model
from pqm_tui.model.circulars import failed_reinspections
from pqm_tui.model.clock import Clock, utc_iso
from pqm_tui.model.entities import (
    Inspection,
    InspectionKind,
    Notice,
    Photo,
    RectificationItem,
    Result,
    Severity,
)
from pqm_tui.model.errors import NotFoundError, RuleError
from pqm_tui.model.findings import finding_item_codes
from pqm_tui.model.identity import actor_names
from pqm_tui.model.notices import (
    last_failed_reinspection,
    notices_of_inspection,
    numbers_issued_by_reinspection,
)
from pqm_tui.reports.assets import ImageCache
from pqm_tui.reports.context import (
    AmendmentRow,
    CircularContext,
    CircularProject,
    CircularRow,
    CountsRow,
    FailedRow,
    Letterhead,
    NaGroup,
    NaRow,
    NoteRow,
    NoticeContext,
    NoticeRow,
    PhotoRef,
    ReportContext,
    SectionRow,
    Signature,
)
from pqm_tui.services.inspection_state import load_state
from pqm_tui.services.points import format_points

UNCHECKED = "—"  # a score over no applicable points: the section was not checked


def na_groups(rows: tuple[NaRow, ...], area_order: list[str]) -> tuple[NaGroup, ...]:
    """N/A rows as one line of item codes per area, areas in walk order."""
    codes: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        codes[row.area].append(row.item_code)
    order = {name: n for n, name in enumerate(area_order)}
    areas = sorted(codes, key=lambda a: (order.get(a, len(order)), a))
    return tuple(NaGroup(area, tuple(codes[area])) for area in areas)


class FactsTranslator(Translator):
    """No language (事实): a message is its id, an enum member its id (``enum.X.value``)."""

    def __init__(self) -> None:
        self.lang = ""
        self.messages = {}


class Builder:
    """Turns model rows into print-ready contexts for one database and language.

    ``facts=True`` builds the same context as the document's facts, what its
    verification code hashes: message ids instead of translated text and UTC times
    instead of local ones (the clock's timezone still says which days a month has).
    """

    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Clock,
        images: ImageCache,
        *,
        facts: bool = False,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.images = images
        self.facts = facts
        self.tr = FactsTranslator() if facts else Translator(settings.lang)

    # formatting -----------------------------------------------------------------
    def when(self, stamp: str | None) -> str:
        if not stamp:
            return ""
        if self.facts:
            return utc_iso(stamp) or ""
        return self.clock.local_time_of(stamp)

    def day(self, stamp: str | None) -> str:
        return self.when(stamp)[:10]

    def rate(self, value: Decimal, applicable: Decimal) -> str:
        """A score or percentage; "—" when nothing was applicable (not checked, not 100)."""
        return format_points(value) if applicable else UNCHECKED

    def letterhead(self, project_id: str | None, title: str, number: str) -> Letterhead:
        if project_id is None:
            name = self.settings.company_name or organisation.first_company_name(self.db)
            return Letterhead(name, "", title, number)
        company, city = organisation.project_context(self.db, project_id)
        return Letterhead(self.settings.company_name or company.name, city.name, title, number)

    def photos_by_finding(self, inspection_id: str) -> dict[str, list[PhotoRef]]:
        result: dict[str, list[PhotoRef]] = defaultdict(list)
        missing = self.tr("reports.photo_missing")
        photo: Photo
        for photo in inspections.list_photos(self.db, inspection_id):
            ref = self.images.photo(photo.sha256, photo.original_name, photo.stored_path, missing)
            result[photo.finding_id or ""].append(ref)
        return result

    def person_signature(self, name: str, role: str, label: str, at: str) -> Signature:
        stored = organisation.signature_image_by_name(self.db, name)
        image = None
        if stored:
            image = self.images.signature(stored, name, self.tr("reports.signature_missing"))
        return Signature(label, name, role, at, image)

    def inspectors(self, inspection: Inspection) -> list[tuple[str, str, str | None]]:
        return inspections.inspectors_of(self.db, inspection.id)

    # 检查报告 ----------------------------------------------------------------------
    def report(self, inspection_id: str) -> ReportContext:
        tr = self.tr
        state = load_state(self.db, self.settings, inspection_id)
        inspection, content, card = state.inspection, state.content, state.card
        project = organisation.get_project(self.db, inspection.project_id)
        areas = {a.id: a.name for a in state.plan.areas}
        items = {i.id: i for i in content.items}
        sections = {s.id: s for s in content.sections}
        findings = list(state.findings)  # sorted below for print
        photos = self.photos_by_finding(inspection.id)
        area_order = {a.id: n for n, a in enumerate(state.plan.areas)}
        item_order = {i.id: n for n, i in enumerate(content.items)}
        findings.sort(key=lambda f: (item_order.get(f.item_id, 0), area_order.get(f.area_id, 0)))
        failed = [f for f in findings if f.result == Result.FAIL]
        notices = notices_of_inspection(self.db, inspection.id)
        people = self.inspectors(inspection)
        signatures = [
            self.person_signature(name, role, tr("reports.sig.inspector"), self.when(at))
            for name, role, at in people
        ]
        signatures.append(
            self.person_signature(
                inspection.receiver_name or "",
                inspection.receiver_role or "",
                tr("reports.sig.receiver"),
                self.when(inspection.signed_at),
            )
        )
        band = state.band
        checked = bool(card.applicable)
        band_label = band.label_zh if self.tr.lang == "zh" else band.label_en
        pay = f"{band.pay_adjust_percent:+d}%" if band.pay_adjust_percent else "0%"
        legacy = {} if checked else {"total": format_points(card.total), "band": band_label}
        if not checked:
            legacy["pay_adjust"] = pay
        na = tuple(
            NaRow(areas.get(f.area_id, ""), items[f.item_id].code, items[f.item_id].standard)
            for f in findings
            if f.result == Result.NA
        )
        return ReportContext(
            letterhead=self.letterhead(
                project.id, tr("reports.report.title"), notices[0].number if notices else ""
            ),
            project=project.name,
            project_address=project.address,
            kind=tr.enum(inspection.kind),
            status=tr.enum(inspection.status),
            signed=inspection.signed_at is not None,
            started_at=self.when(inspection.started_at),
            finished_at=self.when(inspection.finished_at),
            signed_at=self.when(inspection.signed_at),
            inspectors=tuple(name for name, _, _ in people),
            checklist=content.checklist.name,
            checklist_version=content.version.version,
            notice_numbers=tuple(n.number for n in notices),
            total=self.rate(card.total, card.applicable),
            band=band_label if checked else UNCHECKED,
            pay_adjust=pay if checked else UNCHECKED,
            legacy=legacy,
            answered_items=card.answered_items,
            failed_items=card.failed_items,
            na_items=card.na_items,
            unanswered_items=card.unanswered_items,
            sections=tuple(
                SectionRow(
                    s.code,
                    s.name,
                    format_points(s.points),
                    format_points(s.applicable),
                    format_points(s.deducted),
                    self.rate(s.score, s.applicable),
                    self.rate(s.percent, s.applicable),
                    s.failed_items,
                    {}
                    if s.applicable
                    else {"score": format_points(s.score), "percent": format_points(s.percent)},
                )
                for s in card.sections
            ),
            failed=tuple(
                FailedRow(
                    index=n,
                    section=sections[items[f.item_id].section_id].name,
                    area=areas.get(f.area_id, ""),
                    item_code=items[f.item_id].code,
                    standard=items[f.item_id].standard,
                    occurrences=f.occurrences,
                    deduction=format_points(f.deduction),
                    note=f.note,
                    severity=tr.enum(f.severity),
                    severity_key=f.severity.value,
                    department=f.department,
                    person=f.responsible_person,
                    location=f.location,
                    photos=tuple(photos.get(f.id, [])),
                    photo_lacking=items[f.item_id].photo_required and not photos.get(f.id),
                )
                for n, f in enumerate(failed, 1)
            ),
            na=na,
            na_groups=na_groups(na, [a.name for a in state.plan.areas]),
            notes=tuple(
                NoteRow(
                    tr.enum(n.kind), areas.get(n.area_id or "", ""), n.text, self.when(n.created_at)
                )
                for n in notes.list_notes(self.db, inspection.id)
            ),
            amendments=self.history_rows(inspection.id),
            signatures=tuple(signatures),
            generated_at=self.clock.now_iso(),
            follow_up_notices=tuple(numbers_issued_by_reinspection(self.db, inspection.id)),
            reinspection=inspection.kind == InspectionKind.REINSPECTION,
            counts=CountsRow(**dataclasses.asdict(state.counts)),
        )

    def amendment_rows(self, inspection_id: str) -> tuple[AmendmentRow, ...]:
        """更正记录: every amendment in force, with who approved it (pending proposals are
        not amendments and are not printed)."""
        finding_items = finding_item_codes(self.db, inspection_id)
        inspection = inspections.get_inspection(self.db, inspection_id)
        areas = {a.id: a.name for a in organisation.list_areas(self.db, inspection.project_id)}
        area_of = {f.id: f.area_id for f in findings_model.list_findings(self.db, inspection_id)}
        people = organisation.names(self.db, "people")
        approved = amendment_proposals.approved_changes(self.db, inspection_id)
        rows = []
        for a in amendments.list_amendments(self.db, inspection_id):
            proposal = approved[a.id][0] if a.id in approved else None
            decision = proposal.decision if proposal else None
            rows.append(
                AmendmentRow(
                    self.when(a.at),
                    a.actor if self.facts else person_name(people, a.actor),  # facts: the id
                    finding_items.get(a.finding_id or "", ""),
                    a.field,
                    a.old_value or "",
                    a.new_value or "",
                    a.reason,
                    actor_name=person_name(people, a.actor),
                    amended_area=areas.get(area_of.get(a.finding_id or "", ""), ""),
                    change_shown=change_text(self.tr, a.field, a.old_value, a.new_value, areas),
                    approved_by=person_name(people, decision.actor) if decision else "",
                    approved_at=self.when(decision.at) if decision else "",
                    proposed_at=self.when(proposal.at) if proposal else "",
                )
            )
        return tuple(rows)

    def history_rows(self, inspection_id: str) -> tuple[AmendmentRow, ...]:
        """The amendments, with the first-level appeal reviews in their place in time."""
        reviews = self.appeal_review_rows(inspection_id)
        rows = self.amendment_rows(inspection_id)
        return tuple(sorted(reviews + rows, key=lambda r: r.at)) if reviews else rows

    def appeal_review_rows(self, inspection_id: str) -> tuple[AmendmentRow, ...]:
        """The quality manager's first-level appeal reviews (申诉初审), printed beside the
        amendments: the final decision is an amendment, this step is its history. Not a
        fact of the verification code (it changes no finding)."""
        if self.facts:
            return ()
        tr = self.tr
        names = actor_names(self.db)
        finding_items = finding_item_codes(self.db, inspection_id)
        return tuple(
            AmendmentRow(
                self.when(event.at),
                names.get(event.actor, event.actor),
                finding_items.get(finding_id, ""),
                tr("review.action.appeal-reviewed"),
                "",
                tr("review.decide.uphold" if event.data.get("uphold") else "review.decide.reject"),
                event.reason,
            )
            for finding_id, event in rectification.appeal_reviews_of_inspection(
                self.db, inspection_id
            )
        )

    # 整改通知单 --------------------------------------------------------------------
    def notice(
        self, notice: Notice, items: list[RectificationItem], first: Notice | None = None
    ) -> NoticeContext:
        tr = self.tr
        inspection = inspections.get_inspection(self.db, notice.inspection_id)
        project = organisation.get_project(self.db, notice.project_id)
        photos = self.photos_by_finding(inspection.id)
        findings = {f.id: f for f in amendments.effective_findings(self.db, inspection.id)}
        content_items = checklists.item_codes_and_standards(
            self.db, inspection.checklist_version_id
        )
        content = checklists.load_version(self.db, inspection.checklist_version_id)
        photo_required = {i.id for i in content.items if i.photo_required}
        areas = {a.id: a.name for a in organisation.list_areas(self.db, project.id)}
        rows: list[NoticeRow] = []
        for item in items:
            finding = findings.get(item.finding_id)
            if finding is None:
                continue
            found = self.reinspection_found(item) if notice.sequence > 1 else ("", "", ())
            code, standard = content_items.get(finding.item_id, ("", ""))
            severity = finding.severity if finding.result == Result.FAIL else Severity.NORMAL
            rows.append(
                NoticeRow(
                    index=len(rows) + 1,
                    area=areas.get(finding.area_id, ""),
                    item_code=code,
                    standard=standard,
                    note=finding.note,
                    severity=tr.enum(severity),
                    severity_key=severity.value,
                    department=finding.department,
                    person=finding.responsible_person,
                    deadline=item.deadline or "",
                    escalation_level=item.escalation_level,
                    photos=tuple(photos.get(finding.id, [])),
                    photo_lacking=finding.item_id in photo_required and not photos.get(finding.id),
                    result=finding.result.value,
                    finding_location=finding.location,
                    reinspection_note=found[0],
                    reinspected_on=found[1],
                    reinspection_photos=found[2],
                )
            )
        title_key = "reports.notice.title" if notice.sequence == 1 else "reports.notice2.title"
        return NoticeContext(
            letterhead=self.letterhead(project.id, tr(title_key), notice.number),
            sequence=notice.sequence,
            first_notice_number=first.number if first else "",
            project=project.name,
            project_address=project.address,
            issuing_department=notice.issuing_department,
            inspection_kind=tr.enum(inspection.kind),
            inspection_date=self.day(inspection.started_at),
            inspectors=tuple(name for name, _, _ in self.inspectors(inspection)),
            issued_on=self.day(notice.issued_at),
            received_by=notice.received_by or "",
            received_on=self.day(notice.received_at),
            deadline_days=self.settings.deadline_days,
            rows=tuple(rows),
            generated_at=self.clock.now_iso(),
        )

    def reinspection_found(self, item: RectificationItem) -> tuple[str, str, tuple[PhotoRef, ...]]:
        """What the item's latest failed re-inspection found: note, day and photos."""
        failed = last_failed_reinspection(self.db, item.id)
        if failed is None:
            return "", "", ()
        finding_id, reason, at = failed
        try:
            finding = findings_model.get_finding(self.db, finding_id)
        except NotFoundError:
            return reason, self.day(at), ()
        photos = tuple(self.photos_by_finding(finding.inspection_id).get(finding.id, []))
        return finding.note or reason, self.day(at), photos

    def first_notice(self, inspection_id: str) -> tuple[Notice, list[RectificationItem]]:
        notices = [n for n in notices_of_inspection(self.db, inspection_id) if n.sequence == 1]
        if not notices:
            raise RuleError("reports.no_notice")
        items = [
            i
            for i in rectification.items_of_inspection(self.db, inspection_id)
            if i.notice_id == notices[0].id
        ]
        return notices[0], items

    # 通报 --------------------------------------------------------------------------
    def circular(self, month: str) -> CircularContext:
        tr = self.tr
        events = failed_reinspections(self.db, self.clock, month)
        carry = self.settings.carry_over_points
        grouped: dict[str, list[CircularRow]] = defaultdict(list)
        for e in events:
            rows = grouped[e.project_name]
            rows.append(
                CircularRow(
                    index=len(rows) + 1,
                    failed_on=self.day(e.event_at),
                    area=e.area_name,
                    item_code=e.item_code,
                    standard=e.item_standard,
                    note=e.finding_note,
                    department=e.department,
                    notice_number=e.notice_number or "",
                    escalation_level=e.item.escalation_level,
                    lapses=e.lapses,
                    penalty=e.lapses >= 2,
                    carry_over=format_points(carry),
                    reason=e.reason,
                    finding_location=e.location,
                )
            )
        projects = tuple(
            CircularProject(name, tuple(rows), format_points(carry * len(rows)))
            for name, rows in grouped.items()
        )
        return CircularContext(
            letterhead=self.letterhead(None, tr("reports.circular.title"), month),
            month=month,
            issuing_department=tr("reports.circular.department"),
            projects=projects,
            item_count=len(events),
            carry_over_points=format_points(carry),
            generated_at=self.clock.now_iso(),
        )
