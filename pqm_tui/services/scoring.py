"""Scoring (评分): deductions capped per item across areas, scores, bands.

Rules: an item's deductions add up over all areas and are capped at its
points. Items answered only N/A (不适用) leave the base; the score is
(applicable points − deductions) / applicable points × 100, so a project
without, say, a warehouse is not penalised for it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pqm_tui.config import ScoreBand
from pqm_tui.model.checklists import VersionContent
from pqm_tui.model.entities import Finding, Item, Result

HUNDRED = Decimal(100)


def rule_deduction(item: Item, occurrences: int) -> Decimal:
    """Deduction the item's rule gives for ``occurrences``, capped at its points."""
    return min(item.per_occurrence * occurrences, item.points)


def remaining_cap(item: Item, findings: list[Finding], area_id: str) -> Decimal:
    """Points still deductible for ``item`` in ``area_id`` given other areas' findings."""
    used = sum(
        (
            f.deduction
            for f in findings
            if f.item_id == item.id and f.area_id != area_id and f.result == Result.FAIL
        ),
        Decimal(0),
    )
    return max(item.points - used, Decimal(0))


@dataclass(frozen=True)
class SectionScore:
    """Score of one section (板块得分)."""

    section_id: str
    code: str
    name: str
    points: Decimal  # total points of the section
    applicable: Decimal  # points of items answered pass/fail
    deducted: Decimal
    failed_items: int

    @property
    def score(self) -> Decimal:
        return self.applicable - self.deducted

    @property
    def percent(self) -> Decimal:
        if not self.applicable:
            return HUNDRED
        return (self.score / self.applicable * HUNDRED).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class ScoreCard:
    """Score of an inspection: per section, total and counts."""

    sections: list[SectionScore]
    total: Decimal  # out of 100
    applicable: Decimal
    deducted: Decimal
    answered_items: int
    failed_items: int
    na_items: int
    unanswered_items: int


def item_deductions(content: VersionContent, findings: list[Finding]) -> dict[str, Decimal]:
    """Capped deduction per item id, summed over areas."""
    raw: dict[str, Decimal] = defaultdict(Decimal)
    for f in findings:
        if f.result == Result.FAIL:
            raw[f.item_id] += f.deduction
    caps = {i.id: i.points for i in content.items}
    return {item_id: min(value, caps[item_id]) for item_id, value in raw.items() if item_id in caps}


def score(
    content: VersionContent, findings: list[Finding], applicable_item_ids: set[str] | None = None
) -> ScoreCard:
    """Score findings against their checklist version.

    ``applicable_item_ids``: items that apply to at least one area of the
    project (others are neither answered nor unanswered); None = all items.
    """
    results: dict[str, set[Result]] = defaultdict(set)
    for f in findings:
        results[f.item_id].add(f.result)
    deductions = item_deductions(content, findings)
    sections = []
    answered = failed = na = unanswered = 0
    for section in content.sections:
        applicable = deducted = Decimal(0)
        total = Decimal(0)
        section_failed = 0
        for item in content.items_by_section[section.id]:
            total += item.points
            item_results = results.get(item.id, set())
            if applicable_item_ids is not None and item.id not in applicable_item_ids:
                continue
            if not item_results:
                unanswered += 1
                continue
            answered += 1
            if item_results == {Result.NA}:
                na += 1
                continue
            applicable += item.points
            if Result.FAIL in item_results:
                section_failed += 1
                deducted += deductions.get(item.id, Decimal(0))
        failed += section_failed
        sections.append(
            SectionScore(
                section.id, section.code, section.name, total, applicable, deducted, section_failed
            )
        )
    applicable_total = sum((s.applicable for s in sections), Decimal(0))
    deducted_total = sum((s.deducted for s in sections), Decimal(0))
    if applicable_total:
        total_score = ((applicable_total - deducted_total) / applicable_total * HUNDRED).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )
    else:
        total_score = HUNDRED
    return ScoreCard(
        sections, total_score, applicable_total, deducted_total, answered, failed, na, unanswered
    )


def band_for(total: Decimal, bands: list[ScoreBand]) -> ScoreBand:
    """The band a score falls in (bands sorted high to low by Settings)."""
    for band in bands:
        if total >= band.min_score:
            return band
    return bands[-1]
