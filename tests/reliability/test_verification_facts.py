"""Verification codes hash facts, not the printed page (issue 11, item 7).

A code issued under zh / Asia/Shanghai verifies under ``--lang en`` and ``--tz UTC``,
for the report, the notice and the circular. Codes issued by earlier versions (the
``page`` scheme: a hash of the printed context) keep verifying as they did.
"""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pqm_tui.cli import main
from pqm_tui.config import Settings
from pqm_tui.model import verification_codes
from pqm_tui.model.circulars import failed_reinspections
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.schema import SCHEME_PAGE
from pqm_tui.reports.context import content_sha256
from pqm_tui.reports.document_service import DocumentService, check_code
from tests.people import issuer

CODE = re.compile(r"[A-Z2-7]{5}-[A-Z2-7]{5}")
ISSUED_IN = ["--lang", "zh", "--tz", "Asia/Shanghai"]
CHECKED_IN = [
    ["--lang", "en"],
    ["--tz", "UTC"],
    ["--lang", "en", "--tz", "America/New_York"],
    ISSUED_IN,
]


def subjects(path: Path, clock: Clock) -> dict[str, list[str]]:
    """A signed inspection with a notice, and a month whose circular lists items."""
    db = connect(path)
    (inspection,) = db.execute(
        """SELECT i.id FROM inspections i JOIN notices n ON n.inspection_id = i.id
           WHERE i.status = 'signed' AND n.sequence = 1 ORDER BY i.started_at LIMIT 1"""
    ).fetchone()
    months = [f"2026-{m:02d}" for m in range(11, 0, -1)]
    month = next(m for m in months if failed_reinspections(db, clock, m))
    db.close()
    short = str(inspection)[-8:]
    return {
        "report": ["report", "inspection", short],
        "notice": ["report", "notice", short],
        "circular": ["report", "circular", "--month", month],
    }


@pytest.mark.parametrize("kind", ["report", "notice", "circular"])
def test_a_code_issued_in_chinese_in_shanghai_verifies_in_english_and_utc(
    kind: str,
    demo_db_path: Path,
    tmp_path: Path,
    clock: Clock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["--db", str(demo_db_path)]
    command = subjects(demo_db_path, clock)[kind]
    out = tmp_path / f"{kind}.pdf"
    assert main([*base, *ISSUED_IN, "--as", "黄建国", *command, "-o", str(out)]) == 0
    printed = CODE.search(capsys.readouterr().out)
    assert printed is not None
    for options in CHECKED_IN:
        assert main([*base, *options, "verify", "--code", printed[0]]) == 0, options
        capsys.readouterr()


def test_a_page_code_of_an_earlier_version_still_verifies(
    demo_db_path: Path, tmp_path: Path, clock: Clock
) -> None:
    """A code registered the old way (the printed context's hash) keeps its old check."""
    db = connect(demo_db_path)
    (inspection,) = db.execute(
        """SELECT i.id FROM inspections i JOIN notices n ON n.inspection_id = i.id
           WHERE i.status = 'signed' ORDER BY i.started_at LIMIT 1"""
    ).fetchone()
    zh = Settings(db=demo_db_path, lang="zh", timezone="Asia/Shanghai")
    service = DocumentService(db, demo_db_path, zh, clock, issuer(db))
    printed = service.build("report", inspection).context
    old = verification_codes.register_code(
        db,
        clock,
        issuer(db),
        "report",
        inspection,
        content_sha256(printed),
        scheme=SCHEME_PAGE,
    )
    assert check_code(db, demo_db_path, zh, clock, old.code) == (old, True)
    # the old scheme hashed translated text: as before, it verifies in its own language only
    en = Settings(db=demo_db_path, lang="en", timezone="Asia/Shanghai")
    assert check_code(db, demo_db_path, en, clock, old.code)[1] is False
    # a row written before m010 has no scheme of its own: the column's default says "page"
    notice = service.build("notice", inspection).context
    db.execute(
        """INSERT INTO report_codes (code, document, subject, content_sha256, created_at,
           created_by) VALUES ('OLDCO-DE000', 'notice', ?, ?, '2026-11-01', 'v1')""",
        [inspection, content_sha256(notice)],
    )
    stored, same = check_code(db, demo_db_path, zh, clock, "OLDCO-DE000")
    assert stored.scheme == SCHEME_PAGE and same


def test_the_facts_code_does_not_depend_on_the_language_or_timezone(
    demo_db_path: Path, clock: Clock
) -> None:
    db = connect(demo_db_path)
    (inspection,) = db.execute(
        "SELECT id FROM inspections WHERE status = 'signed' ORDER BY started_at LIMIT 1"
    ).fetchone()
    codes = set()
    for lang, tz in (("zh", "Asia/Shanghai"), ("en", "UTC"), ("en", "America/Los_Angeles")):
        settings = Settings(db=demo_db_path, lang=lang, timezone=tz)
        local = Clock(tz=ZoneInfo(tz), source=clock.source)
        draft = DocumentService(db, demo_db_path, settings, local, issuer(db)).build(
            "report", inspection
        )
        assert draft.context.verification is not None
        codes.add(draft.context.verification.code)
    assert len(codes) == 1
