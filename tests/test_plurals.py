"""Counted English messages agree with their number (1 nonconformity, 2 nonconformities)."""

from __future__ import annotations

from pqm_tui.i18n import Translator


def test_notices_and_circulars_of_one_item_speak_in_the_singular() -> None:
    tr = Translator("en")
    one = tr("reports.notice.intro", project="P", count=1)
    assert "following 1 nonconformity." in one and "1 nonconformities" not in one
    assert "following 2 nonconformities" in tr("reports.notice.intro", project="P", count=2)
    assert "following 1 item failed" in tr("reports.notice2.intro", project="P", count=1)
    circular = tr("reports.circular.intro", count=1, month="2026-11", points=2)
    assert circular.startswith("1 rectification item failed")
    zh = Translator("zh")
    assert "发现以下 1 项不合格" in zh("reports.notice.intro", project="P", count=1)


def test_summary_counts_speak_in_the_singular() -> None:
    tr = Translator("en")
    assert tr("walk.summary.failed_answers", n=1) == "1 failed answer"
    assert tr("walk.summary.items", n=3) == "3 items"
    assert tr("walk.summary.answers", n=1) == "1 answer"
