"""The pace of a walk: single answers vs. bulk ones, and a flag for ticking too fast."""

from __future__ import annotations

from datetime import datetime, timedelta

from pqm_tui.model.entities import Finding, Result
from pqm_tui.services.walk_pace import MIN_ANSWERS, walk_pace

START = datetime.fromisoformat("2026-11-23T09:00:00.000+08:00")


def _findings(offsets: list[float]) -> list[Finding]:
    return [
        Finding(
            id=f"f{i}",
            inspection_id="i",
            item_id=f"item{i}",
            area_id="a",
            result=Result.PASS,
            created_at=(START + timedelta(seconds=s)).isoformat(timespec="milliseconds"),
            updated_at=(START + timedelta(seconds=s)).isoformat(timespec="milliseconds"),
        )
        for i, s in enumerate(offsets)
    ]


def test_a_careful_walk_is_not_flagged_and_bulk_answers_do_not_count_as_fast() -> None:
    careful = [i * 40.0 for i in range(30)]  # one answer every 40 s
    bulk = [careful[-1] + 5 + i * 0.01 for i in range(100)]  # then 100 at once (N/A)
    pace = walk_pace(_findings(careful + bulk))
    assert pace is not None
    assert (pace.single, pace.bulk) == (30, 100)
    assert pace.median_seconds == 40.0 and not pace.too_fast
    assert pace.minutes == round((29 * 40 + 5) / 60)


def test_ticking_without_looking_is_flagged_but_not_a_short_walk() -> None:
    hasty = walk_pace(_findings([i * 1.5 for i in range(MIN_ANSWERS)]))
    assert hasty is not None and hasty.too_fast
    hastier = walk_pace(_findings([i * 0.6 for i in range(MIN_ANSWERS)]))  # under a second
    assert hastier is not None and hastier.single == MIN_ANSWERS and hastier.too_fast
    short = walk_pace(_findings([i * 1.5 for i in range(MIN_ANSWERS - 1)]))
    assert short is not None and not short.too_fast
    assert walk_pace([]) is None
