"""Which checklist items apply in which area (检查路线).

A section names the area types it is checked in (none: every area); an item may
narrow them to fewer (lift certificates only in lifts); none: its section's.
"""

from __future__ import annotations

from dataclasses import dataclass

from pqm_tui.model.checklists import VersionContent
from pqm_tui.model.entities import Area, AreaType, Finding, Item, Section


@dataclass(frozen=True)
class WalkPlan:
    """The walk: areas in order, and for each the items to check there."""

    areas: list[Area]
    items_by_area: dict[str, list[Item]]

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """All (area id, item id) pairs to answer."""
        return [(a.id, i.id) for a in self.areas for i in self.items_by_area[a.id]]

    @property
    def applicable_item_ids(self) -> set[str]:
        return {i.id for items in self.items_by_area.values() for i in items}

    def unanswered(self, findings: list[Finding]) -> list[tuple[str, str]]:
        """Pairs with no finding yet, in walking order."""
        done = {(f.area_id, f.item_id) for f in findings}
        return [pair for pair in self.pairs if pair not in done]


def item_applies(section: Section, item: Item, area_type: AreaType) -> bool:
    """True when ``item`` is checked in areas of ``area_type`` (its types, else its section's)."""
    if item.area_types:
        return area_type in item.area_types
    return section.applies_to(area_type)


def build_plan(content: VersionContent, areas: list[Area]) -> WalkPlan:
    """Items of each area, in checklist order, by the item's (else the section's) area types."""
    items_by_area = {
        area.id: [
            item
            for section in content.sections
            for item in content.items_by_section[section.id]
            if item_applies(section, item, area.area_type)
        ]
        for area in areas
    }
    return WalkPlan(areas, items_by_area)
