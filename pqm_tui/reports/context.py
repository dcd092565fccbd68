"""Frozen report contexts (报告数据): plain data, built from the model, fed to Jinja.

A context holds only text and numbers already formatted for print, so a
template cannot reach the database and the same context always renders the
same document. ``content_sha256`` hashes a context canonically (its JSON with
render-only fields left out): that hash is what the verification code and
QR code printed on the document stand for.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

# Fields that depend on the machine or the rendering, not on the recorded facts
# (``na_groups`` is ``na`` laid out for print; ``photo_lacking`` is derived from the
# item's photo rule and the finding's photos, and was not printed on older documents).
RENDER_ONLY_FIELDS = frozenset(
    {"url", "chart_svg", "qr_svg", "verification", "generated_at", "na_groups", "photo_lacking"}
)
# Printed since 2026-12 and left out of the canonical form so that codes issued before
# keep verifying: each is derived from recorded facts the hash already covers or that
# are locked once signed (a re-inspection's findings, the inspection's walk plan).
ADDED_FIELDS = frozenset(
    {
        "follow_up_notices",
        "reinspection",
        "counts",
        "reinspection_note",
        "reinspected_on",
        "reinspection_photos",
        "actor_name",
        "amended_area",
        "change_shown",
        "approved_by",
        "approved_at",
        "proposed_at",
        "finding_location",
    }
)
# Kept in the canonical form as it always was: whether a photo file is on this disk is
# not a recorded fact, but codes issued before were computed with the field present.
EMPTIED_FIELDS = frozenset({"missing_reason"})
# A row's ``legacy`` mapping holds, for fields now printed differently ("—" for nothing
# applicable), the value printed before; the canonical form uses it, so old codes verify.
LEGACY = "legacy"
# Fields added after codes were issued, left out of the canonical form while they hold the
# value every earlier document had: a notice row's result is "fail" unless it was changed.
USUAL_VALUES = {"result": "fail"}


@dataclass(frozen=True)
class PhotoRef:
    """A photo as printed: a cached, downscaled file, or the reason it is missing."""

    sha256: str
    name: str
    url: str | None  # file:// URL of the downscaled copy; None when missing
    missing_reason: str = ""  # full sentence with the path looked at (notes, CLI)


@dataclass(frozen=True)
class Verification:
    """What a printed copy carries to be checked against the database."""

    code: str
    content_sha256: str
    qr_svg: str  # inline SVG made by our code


@dataclass(frozen=True)
class Letterhead:
    """Running header data: company, city company, document title and number."""

    company: str
    city_company: str
    title: str
    number: str


@dataclass(frozen=True)
class Signature:
    """One signature block: who, in which capacity, when, and their handwriting."""

    label: str  # 检查人 / 接收人 …
    name: str
    role: str
    at: str  # local date and time, or "" when not yet signed
    image: PhotoRef | None = None


@dataclass(frozen=True)
class NoticeRow:
    """One failed item on a rectification notice."""

    index: int
    area: str
    item_code: str
    standard: str
    note: str
    severity: str
    severity_key: str
    department: str
    person: str
    deadline: str
    escalation_level: int
    photos: tuple[PhotoRef, ...] = ()
    photo_lacking: bool = False  # the item requires a photo and none was attached
    result: str = "fail"  # the finding's result now (amendments applied); see USUAL_VALUES
    # 位置: where in the area (see ADDED_FIELDS; the report's FailedRow hashes its own
    # ``location``, so this row's has another name)
    finding_location: str = ""
    # 第二次整改通知单: what the re-inspection found (its note, photos, day); see ADDED_FIELDS
    reinspection_note: str = ""
    reinspected_on: str = ""
    reinspection_photos: tuple[PhotoRef, ...] = ()


@dataclass(frozen=True)
class NoticeContext:
    """整改通知单 (sequence 1) or 第二次整改通知单 (sequence 2)."""

    letterhead: Letterhead
    sequence: int
    first_notice_number: str
    project: str
    project_address: str
    issuing_department: str
    inspection_kind: str
    inspection_date: str
    inspectors: tuple[str, ...]
    issued_on: str
    received_by: str
    received_on: str
    deadline_days: int
    rows: tuple[NoticeRow, ...]
    generated_at: str
    verification: Verification | None = None


@dataclass(frozen=True)
class SectionRow:
    """Score of one section in the report."""

    code: str
    name: str
    points: str
    applicable: str
    deducted: str
    score: str
    percent: str
    failed_items: int
    legacy: dict[str, str] = field(default_factory=dict)  # see LEGACY


@dataclass(frozen=True)
class FailedRow:
    """One failed finding in the report, with its photos."""

    index: int
    section: str
    area: str
    item_code: str
    standard: str
    occurrences: int
    deduction: str
    note: str
    severity: str
    severity_key: str
    department: str
    person: str
    location: str
    photos: tuple[PhotoRef, ...] = ()
    photo_lacking: bool = False  # the item requires a photo and none was attached


@dataclass(frozen=True)
class NaRow:
    """An item answered N/A (不适用) in an area."""

    area: str
    item_code: str
    standard: str


@dataclass(frozen=True)
class NaGroup:
    """The N/A items of one area, as printed: one line of item codes."""

    area: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class NoteRow:
    """A supervision-log note (品质监督记录)."""

    kind: str
    area: str
    text: str
    at: str


@dataclass(frozen=True)
class AmendmentRow:
    """A change made after sign-off (更正记录)."""

    at: str
    actor: str
    item: str
    field: str
    old_value: str
    new_value: str
    reason: str
    # see ADDED_FIELDS: as read (names, labels), and who approved the proposal and when
    actor_name: str = ""
    amended_area: str = ""
    change_shown: str = ""
    approved_by: str = ""
    approved_at: str = ""
    proposed_at: str = ""


@dataclass(frozen=True)
class CountsRow:
    """Counts as printed: 处 (answers, an item in an area) and 项 (checklist items)."""

    answered: int
    answered_items: int
    failed: int
    failed_items: int
    na: int
    unanswered: int
    unanswered_items: int


@dataclass(frozen=True)
class ReportContext:
    """检查报告: cover, scores, failed and N/A items, notes, signatures."""

    letterhead: Letterhead
    project: str
    project_address: str
    kind: str
    status: str
    signed: bool
    started_at: str
    finished_at: str
    signed_at: str
    inspectors: tuple[str, ...]
    checklist: str
    checklist_version: int
    notice_numbers: tuple[str, ...]
    total: str
    band: str
    pay_adjust: str
    answered_items: int
    failed_items: int
    na_items: int
    unanswered_items: int
    sections: tuple[SectionRow, ...]
    failed: tuple[FailedRow, ...]
    na: tuple[NaRow, ...]
    notes: tuple[NoteRow, ...]
    amendments: tuple[AmendmentRow, ...]
    signatures: tuple[Signature, ...]
    generated_at: str
    chart_svg: str = ""
    verification: Verification | None = None
    na_groups: tuple[NaGroup, ...] = ()
    legacy: dict[str, str] = field(default_factory=dict)  # see LEGACY
    # see ADDED_FIELDS: a re-inspection's follow-up notices, no score band; shared counts
    follow_up_notices: tuple[str, ...] = ()
    reinspection: bool = False
    counts: CountsRow | None = None


@dataclass(frozen=True)
class CircularRow:
    """One item that failed re-inspection in the month (通报)."""

    index: int
    failed_on: str
    area: str
    item_code: str
    standard: str
    note: str
    department: str
    notice_number: str
    escalation_level: int
    lapses: int
    penalty: bool
    carry_over: str
    reason: str
    finding_location: str = ""  # 位置, as on the notice (see ADDED_FIELDS)


@dataclass(frozen=True)
class CircularProject:
    """A project's block in the circular, with its carry-over total."""

    project: str
    rows: tuple[CircularRow, ...]
    carry_over_total: str


@dataclass(frozen=True)
class CircularContext:
    """通报: items that failed re-inspection in one month, grouped by project."""

    letterhead: Letterhead
    month: str
    issuing_department: str
    projects: tuple[CircularProject, ...]
    item_count: int
    carry_over_points: str
    generated_at: str
    verification: Verification | None = None


def canonical(context: object) -> dict[str, Any]:
    """The context as plain data without render-only fields (stable across machines)."""

    def kept(key: str, value: Any) -> bool:
        usual = key in USUAL_VALUES and USUAL_VALUES[key] == value
        return key not in RENDER_ONLY_FIELDS and key not in ADDED_FIELDS and not usual

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            value = {**value, **(value.get(LEGACY) or {})}
            value.pop(LEGACY, None)
            return {
                k: "" if k in EMPTIED_FIELDS else strip(v) for k, v in value.items() if kept(k, v)
            }
        if isinstance(value, list | tuple):
            return [strip(v) for v in value]
        return value

    return strip(asdict(context))  # type: ignore[call-overload,no-any-return]


def content_sha256(context: object) -> str:
    """SHA-256 of the context's canonical JSON (sorted keys, UTF-8)."""
    text = json.dumps(canonical(context), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
