"""How a walk was paced: a supervisor's check against ticking without looking (纸面合规).

Answers recorded milliseconds apart are one action (``P`` passing the rest of an area,
``a`` marking the unanswered N/A); no hand presses keys that fast. The pace is the median
time between single answers; a median under ``TOO_FAST_SECONDS`` over at least
``MIN_ANSWERS`` of them is flagged: nobody checks an item on site in that time.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from pqm_tui.model.entities import Finding

TOO_FAST_SECONDS = 3.0
BULK_GAP_SECONDS = 0.05  # one bulk action writes its answers milliseconds apart; keys are slower
MIN_ANSWERS = 20


@dataclass(frozen=True)
class WalkPace:
    """When answering began and ended, and how fast single answers came."""

    first: datetime
    last: datetime
    single: int  # answers given one by one
    bulk: int  # answers given together with others (rest of area, all unanswered N/A)
    median_seconds: float | None  # between single answers

    @property
    def minutes(self) -> int:
        return round((self.last - self.first).total_seconds() / 60)

    @property
    def too_fast(self) -> bool:
        return (
            self.median_seconds is not None
            and self.single >= MIN_ANSWERS
            and self.median_seconds < TOO_FAST_SECONDS
        )


def walk_pace(findings: Iterable[Finding]) -> WalkPace | None:
    """The pace of the answers in ``findings`` (by their first recording); None if none."""
    moments = sorted(datetime.fromisoformat(f.created_at) for f in findings)
    if not moments:
        return None
    actions: list[list[datetime]] = []
    for moment in moments:
        if actions and (moment - actions[-1][-1]).total_seconds() < BULK_GAP_SECONDS:
            actions[-1].append(moment)
        else:
            actions.append([moment])
    singles = [a[0] for a in actions if len(a) == 1]
    gaps = [(later - earlier).total_seconds() for earlier, later in pairwise(singles)]
    return WalkPace(
        first=moments[0],
        last=moments[-1],
        single=len(singles),
        bulk=len(moments) - len(singles),
        median_seconds=statistics.median(gaps) if gaps else None,
    )
