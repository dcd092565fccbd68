"""Plain-text tables (commands/table.py) measure text as a terminal shows it."""

from __future__ import annotations

import pytest
from wcwidth import wcswidth

from pqm_tui.commands.table import format_table, width
from pqm_tui.i18n import catalog


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_width_agrees_with_wcwidth_on_every_message(lang: str) -> None:
    for key, text in catalog(lang).items():
        line = text.replace("\n", " ")
        if line.isprintable():
            assert width(line) == wcswidth(line), (key, line)


def test_wide_narrow_and_zero_width_characters() -> None:
    assert width("锦程·天府花园") == 13  # 6 wide, the middle dot narrow
    assert width("ＡＢ１") == 6  # full-width letters and digits
    assert width("e\u0301") == 1  # e and a combining acute accent
    assert width("a\u200db") == 2  # a zero-width joiner between


def test_columns_line_up_with_chinese_text() -> None:
    header, _, first, second = format_table(
        ["编号", "项目"], [["锦程", "锦程国际中心"], ["b22", "x"]]
    ).splitlines()
    starts = [width(header[: header.index("项目")])]
    starts += [width(first[: first.index("锦程国际")]), width(second[: second.index("x")])]
    assert starts == [6, 6, 6]  # the widest first column (锦程: 4 cells) and two spaces
