"""What a company still has to enter before its first inspection (开始使用).

The welcome screen and the home screen's ``n`` ask ``setup_state`` what is there:
the organisation (city companies, projects with areas), checklists and the quality
department's people (inspectors: people of no project). ``missing`` names what is
absent in the order a company enters it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

from pqm_tui.model import checklists, organisation

Step = Literal["organisation", "areas", "checklists", "people"]


@dataclass(frozen=True)
class SetupState:
    """Counts of what is entered (archived rows not counted)."""

    city_companies: int
    projects: int
    projects_with_areas: int
    checklists: int
    inspectors: int

    @property
    def missing(self) -> list[Step]:
        """What a first inspection still needs, in the order to enter it."""
        steps: list[Step] = []
        if not self.projects:
            steps.append("organisation")
        elif not self.projects_with_areas:
            steps.append("areas")
        if not self.checklists:
            steps.append("checklists")
        if not self.inspectors:
            steps.append("people")
        return steps


def setup_state(db: Database) -> SetupState:
    """What the database holds for a first inspection."""
    projects = organisation.list_projects(db, active_only=True)
    areas = organisation.area_counts(db)
    return SetupState(
        city_companies=len(organisation.list_city_companies(db, active_only=True)),
        projects=len(projects),
        projects_with_areas=sum(1 for p in projects if areas.get(p.id)),
        checklists=len(checklists.list_checklists(db)),
        inspectors=sum(1 for p in organisation.inspectors(db) if p.archived_at is None),
    )
