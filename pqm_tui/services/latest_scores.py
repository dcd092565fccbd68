"""Each project's latest score (最近得分): its latest signed inspection's total and band.

What the home screen shows beside each project; the monthly assessment (月度考核) is a
different figure, computed from the month's counted checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlite_utils import Database

from pqm_tui.config import ScoreBand, Settings
from pqm_tui.model import inspections
from pqm_tui.services.inspection_state import load_state


@dataclass(frozen=True)
class LatestScore:
    """A project's latest signed inspection and its score out of 100."""

    inspection_id: str
    started_at: str
    total: Decimal
    band: ScoreBand
    rank: int  # the band's place in the configured bands, 0 = the best


def latest_scores(db: Database, settings: Settings) -> dict[str, LatestScore]:
    """Project id → the score of its latest signed inspection (re-inspections left out)."""
    result = {}
    for project_id, inspection_id in inspections.latest_signed(db).items():
        state = load_state(db, settings, inspection_id)
        result[project_id] = LatestScore(
            inspection_id,
            state.inspection.started_at,
            state.card.total,
            state.band,
            settings.bands.index(state.band),
        )
    return result
