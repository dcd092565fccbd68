"""Input edges (issue 14, item 7): absurd limits, empty codes, dates out of range.

Each was a traceback or was accepted: ``inspection list --limit 99999999999999999999``,
``verify --code ""``, a reply dated 0001-01-01, a circular for 0000-01. Now each gives
one message in the user's language and exit status 2; the bounds live in
``model/bounds.py``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pqm_tui.cli import main
from pqm_tui.model import bounds
from pqm_tui.model.db import connect
from pqm_tui.model.errors import RuleError

HUGE = "99999999999999999999"


@pytest.fixture
def ids(demo_db_path: Path) -> dict[str, str]:
    db = connect(demo_db_path)

    def first(sql: str) -> str:
        return str(db.execute(sql).fetchone()[0])

    # the demo's notices are received at sign-off: one made unreceived, as one printed before
    notice = first("SELECT id FROM notices WHERE sequence >= 2 ORDER BY number LIMIT 1")
    with db.atomic():
        db.execute(
            "UPDATE notices SET received_at = NULL, received_by = NULL WHERE id = ?", [notice]
        )
    found = {
        "open": first("SELECT id FROM rectification_items WHERE status = 'open' LIMIT 1"),
        "notice": first(f"SELECT number FROM notices WHERE id = '{notice}'"),
    }
    db.close()
    return found


CASES: list[tuple[str, list[str], str, str]] = [
    ("limit huge", ["inspection", "list", "--limit", HUGE], "100000", "100000"),
    ("limit zero", ["inspection", "list", "--limit", "0"], "整数", "whole number"),
    ("limit word", ["inspection", "list", "--limit", "many"], "整数", "whole number"),
    ("items limit", ["items", "--limit", HUGE], "整数", "whole number"),
    ("empty code", ["verify", "--code", ""], "校验码为空", "code is empty"),
    ("blank code", ["verify", "--code", "   "], "校验码为空", "code is empty"),
    (
        "reply in year 1",
        ["item", "reply", "{open}", "--done", "修好了", "--date", "0001-01-01"],
        "2000-01-01",
        "must lie between",
    ),
    (
        "reply not a date",
        ["item", "reply", "{open}", "--done", "修好了", "--date", "2026-13-40"],
        "不是日期",
        "not a date",
    ),
    (
        "extension to 9999",
        ["item", "extend", "{open}", "--reason", "r", "--measures", "m", "--until", "9999-12-31"],
        "2000-01-01",
        "must lie between",
    ),
    (
        "receipt in year 1",
        ["item", "receive", "{notice}", "--by", "张经理", "--date", "0001-01-01"],
        "2000-01-01",
        "must lie between",
    ),
    (
        "circular 0000-01",
        ["report", "circular", "--month", "0000-01", "-o", "{out}"],
        "月份",
        "month",
    ),
    (
        "circular 1999-12",
        ["report", "circular", "--month", "1999-12", "-o", "{out}"],
        "月份",
        "month",
    ),
    (
        "circular 2099-01",
        ["report", "circular", "--month", "2099-01", "-o", "{out}"],
        "月份",
        "month",
    ),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("name", "words", "zh", "en"), CASES, ids=[c[0] for c in CASES])
def test_one_message_in_the_users_language_exit_2(
    demo_db_path: Path,
    ids: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    lang: str,
    name: str,
    words: list[str],
    zh: str,
    en: str,
) -> None:
    values = {**ids, "out": str(tmp_path / "c.pdf")}
    argv = ["--db", str(demo_db_path), "--lang", lang, *(w.format(**values) for w in words)]
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert (zh if lang == "zh" else en) in err, err
    assert not (tmp_path / "c.pdf").exists()


def test_the_bounds_themselves() -> None:
    today = date(2028, 2, 29)
    assert bounds.latest(today) == date(2033, 2, 28)
    assert bounds.check_date(date(2000, 1, 1), today) == date(2000, 1, 1)
    assert bounds.check_month("2033-02", today) == "2033-02"
    assert bounds.parse_count("+7") == 7
    for call in (
        lambda: bounds.check_date(date(1999, 12, 31), today),
        lambda: bounds.check_date(date(2033, 3, 1), today),
        lambda: bounds.check_month("2033-03", today),
        lambda: bounds.parse_count("1" * 5000),
        lambda: bounds.parse_count("-1"),
    ):
        with pytest.raises(RuleError):
            call()
