"""The charts of the assessment documents (SVG in the PDFs): the 考核表's trend, the
quarterly summary's monthly average, and the results circular's Pareto of the month's
failed items with its repeat offenders — read back from the PDFs with pdfplumber.

The demo data (seeded 2026-11-23), November computed and published in December:
锦程·滨江壹号 87.2 in October and 82 in November; the company average of the projects
scored 88.2 in September, 87.2 in October, (82 + 78.8 + 76) / 3 = 78.93 in November.
November's signed checks (6) found 51 failures, HJ-14 the most (4 of 51 = 7.8 %),
then YR-06 and YR-08 (3 each, cumulative 13.7 % and 19.6 %). Runs of the same item
failing in consecutive checks reaching into November: 锦程·滨江壹号 ZX-07 three times
(09-12, 10-13, 11-14) and seven runs of two; 锦程·滨江壹号 YR-02 (09-12, 10-13) ended
in October and is not listed.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import organisation
from pqm_tui.services import assessment
from tests.test_assessment_docs import DECEMBER, db, flat, published_november, service

__all__ = ["db"]  # the fixture, shared


def words_of(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def table_rows(path: Path) -> list[list[str]]:
    """Every table row of the PDF, each cell's text without spaces or line breaks."""
    with pdfplumber.open(path) as pdf:
        return [
            [flat(cell or "") for cell in row]
            for page in pdf.pages
            for table in page.extract_tables()
            for row in table
        ]


def compute_autumn(db: Database, settings: Settings) -> None:
    worker = organisation.find_person(db, "王丽华").id
    for month in ("2026-09", "2026-10"):
        assessment.compute_month(db, DECEMBER, settings, month, actor=worker)
    published_november(db, settings)


def test_the_assessment_form_draws_the_projects_trend_beside_the_average(
    db: Database, demo_db_path: Path, settings: Settings, tmp_path: Path
) -> None:
    compute_autumn(db, settings)
    documents = service(db, demo_db_path, settings)
    path = documents.issue("assessment", "2026-11@锦程·滨江壹号", tmp_path / "sheet.pdf").path
    text = flat(words_of(path))
    assert "考核趋势（近12个月）" in text and "本项目" in text and "公司平均" in text
    months = [f"25-{m:02d}" for m in (12,)] + [f"26-{m:02d}" for m in range(1, 12)]
    assert all(m in text for m in months)  # the twelve months to November
    # the project's values written at its dots; the band lines labelled on the right
    assert "87.2" in text and "82" in text
    with pdfplumber.open(path) as pdf:
        chart_words = [w["text"] for page in pdf.pages for w in page.extract_words()]
    for band in ("95", "90", "80", "75"):
        assert band in chart_words
    english = service(db, demo_db_path, settings, lang="en")
    path = english.issue("assessment", "2026-11@锦程·滨江壹号", tmp_path / "en.pdf").path
    text = flat(words_of(path))
    assert "Assessmenttrend(last12months)" in text and "Companyaverage" in text


def test_the_quarterly_summary_draws_the_companys_monthly_average(
    db: Database, demo_db_path: Path, settings: Settings, tmp_path: Path
) -> None:
    compute_autumn(db, settings)
    documents = service(db, demo_db_path, settings)
    text = flat(words_of(documents.issue("quarter", "2026Q4", tmp_path / "q.pdf").path))
    assert "各月平均分（近12个月，截至2026-12）" in text
    assert "88.2" in text and "87.2" in text and "78.93" in text  # Sep, Oct, Nov averages
    assert "26-01" in text and "26-12" in text


def test_the_results_circular_has_the_months_pareto_and_repeat_offenders(
    db: Database, demo_db_path: Path, settings: Settings, tmp_path: Path
) -> None:
    published_november(db, settings)
    documents = service(db, demo_db_path, settings)
    path = documents.issue("results", "2026-11", tmp_path / "r.pdf").path
    text = flat(words_of(path))
    assert "本月不合格项柏拉图" in text and "2026-11不合格检查项柏拉图" in text
    assert "2026-11已签字检查共发现不合格51处" in text
    # the chart's axes and first bars, then the table: rank, code, …, count, cumulative
    assert "不合格处数" in text and "累计占比" in text
    first, second, third = (text.index(c) for c in ("1HJ-14", "2YR-06", "3YR-08"))
    assert first < second < third
    assert "47.8%" in text and "313.7%" in text  # HJ-14: 4, 7.8 %; YR-06: 3, 13.7 %
    assert "11FW-03" not in text  # at most ten items listed (the chart has fifteen)
    # repeat offenders: runs reaching into November, over September to November
    assert "重复不合格（同一检查项连续检查不合格）" in text
    assert "2026-09至2026-11" in text
    # the table's rows: project (its last line: pdfplumber splits the wrapped name),
    # item, run, dates, ongoing
    runs = [r for r in table_rows(path) if len(r) == 5 and r[2].isdigit()]
    listed = {(r[1][:5], r[3]): r for r in runs}
    zx07 = listed[("ZX-07", "2026-09-12、2026-10-13、2026-11-14")]
    assert zx07[2] == "3" and "锦程·滨江壹号".endswith(zx07[0]) and zx07[4] == "是"
    jn02 = listed[("JN-02", "2026-10-24、2026-11-18")]
    assert jn02[2] == "2" and "锦程·云璟营销中心".endswith(jn02[0])
    assert not any(r[1].startswith("YR-02") and "11-" not in r[3] for r in runs)  # ended
    assert len(runs) == 8
    english = service(db, demo_db_path, settings, lang="en")
    text = flat(words_of(english.issue("results", "2026-11", tmp_path / "en.pdf").path))
    assert "Failedchecklistitems,2026-11(Pareto)" in text
    assert "Repeatoffenders" in text and "found51failures" in text
