"""Every message of the command line in the user's language (issue 10, 8).

``pqm --help`` and every command's help, argparse's own errors, the commands'
errors, checklist file problems and configuration errors are run in Chinese;
a word of English left in them fails the test. Words a user types (command and
option names, the values of choices, the YAML format's keys and values, file
formats) are English by design and are allowed.
"""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import fields
from pathlib import Path

import pytest

from pqm_tui.cli import build_parser, main
from pqm_tui.commands.parser import command_id, untranslated
from pqm_tui.config import Settings
from pqm_tui.i18n import LANGUAGES, Translator
from pqm_tui.model.checklist_file import ChecklistSpec, ItemSpec, SectionSpec
from pqm_tui.model.checklist_sheet import ABOUT, COLUMNS
from pqm_tui.model.entities import AreaType, ProjectKind, Severity

WORD = re.compile(r"[A-Za-z][A-Za-z_-]*[A-Za-z]")
# Names and formats, not English sentences
NAMES = {
    "pqm",
    "PQM",
    "YAML",
    "yaml",
    "CSV",
    "csv",
    "xlsx",
    "Excel",
    "UTF",
    "GBK",
    "GB",
    "PDF",
    "IANA",
    "Asia",
    "Shanghai",
    "PKCS",
    "PAdES",
    "PIN",
    "json",
    "table",
    "true",
    "false",
    "YYYY",
    "WPS",
    "MM",
    "DD",
    "NaN",
    "SQLite",
    "zh",
    "en",
    "Tab",
    "pfx",
    "checklist_max_mb",
}


def _typed_words() -> set[str]:
    """Command names, option names and choice values of the whole parser, enum values."""
    words = set(NAMES)
    words |= {m.value for enum in (AreaType, ProjectKind, Severity) for m in enum}

    def walk(parser: argparse.ArgumentParser) -> None:
        for action in parser._actions:
            words.update(o.lstrip("-") for o in action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    words.add(name)
                    walk(sub)
            elif action.choices:
                words.update(str(c) for c in action.choices)

    walk(build_parser())
    # the names of the file formats: YAML keys, settings, spreadsheet headers (both languages)
    for model in (ChecklistSpec, SectionSpec, ItemSpec):
        words.update(model.model_fields)
    words.update(f.name for f in fields(Settings))
    words.update(w for c in (*COLUMNS, *ABOUT) for w in c.en.split())
    return {w for word in words for w in [word, *re.split(r"[-_]", word)]}


TYPED = _typed_words()


def english_words(text: str, *given: object) -> list[str]:
    """English words of ``text`` other than names and what the user gave (``given``)."""
    values = {str(v) for v in given} | {os.path.dirname(str(v)) for v in given if "/" in str(v)}
    for value in sorted(values - {""}, key=len, reverse=True):  # a path, and its folder
        text = text.replace(value, "")
    text = re.sub(r"'[^']*'|“[^”]*”|\{[^}]*\}", "", text)  # quoted values, choices
    text = re.sub(r"(?<![\w-])--?[\w-]+", "", text)  # options
    text = re.sub(r"\b[\w./-]+\.(yaml|yml|xlsx|csv|pdf|txt|sqlite3)\b", "", text)  # file names
    return [w for w in WORD.findall(text) if w not in TYPED and not w.isupper()]


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            done: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in done:
                    done.add(id(sub))
                    found += _commands(sub, (*path, name))
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_command_and_argument_has_help_in_each_language(lang: str) -> None:
    assert untranslated(build_parser(), Translator(lang)) == []
    assert "cli_help.cmd.pqm" in Translator(lang).messages


@pytest.mark.parametrize("command", _commands(build_parser()), ids=command_id)
def test_help_is_chinese(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "用法：" in out and "显示本帮助并退出" in out
    assert english_words(out) == [], out


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PQM_CONFIG", str(path))


ERROR_PATHS: list[tuple[str, list[str]]] = [
    ("required", ["checklist"]),
    ("invalid_choice", ["checklist", "frob"]),
    ("unknown_command", ["frobnicate"]),
    ("unrecognized", ["checklist", "list", "--frob"]),
    ("not_a_number", ["items", "--limit", "x"]),
    ("not_a_date", ["item", "reply", "abc", "--done", "x", "--date", "2026-13-01"]),
    ("expected_one", ["checklist", "import", "x.yaml", "--name"]),
    ("bad_language", ["--lang", "xx", "checklist", "list"]),
    ("missing_file", ["checklist", "import", "{tmp}/missing.yaml"]),
    ("folder", ["checklist", "import", "{tmp}"]),
    ("bad_yaml", ["checklist", "import", "{tmp}/bad.yaml"]),
    ("invalid_yaml_values", ["checklist", "import", "{tmp}/values.yaml"]),
    ("gbk_yaml", ["checklist", "import", "{tmp}/gbk.yaml"]),
    ("bad_workbook", ["checklist", "import", "{tmp}/bad.xlsx"]),
    ("bad_csv", ["checklist", "import", "{tmp}/bad.csv"]),
    ("export_suffix", ["checklist", "export", "物业服务品质检查表", "-o", "{tmp}/x.txt"]),
    ("export_folder", ["checklist", "export", "物业服务品质检查表", "-o", "{tmp}/no/x.xlsx"]),
    ("no_checklist", ["checklist", "show", "不存在"]),
    ("no_version", ["checklist", "show", "物业服务品质检查表", "--version", "99"]),
    ("no_item", ["item", "show", "zzzz"]),
    ("no_project", ["inspection", "list", "--project", "不存在的项目"]),
    ("org_missing", ["org", "import", "{tmp}/missing.xlsx"]),
    ("org_junk", ["org", "import", "{tmp}/bad.xlsx"]),
    ("template_suffix", ["checklist", "template", "-o", "{tmp}/t.pdf"]),
    ("old_excel", ["checklist", "import", "{tmp}/old.xls"]),
]


def _files(tmp: Path) -> None:
    (tmp / "bad.yaml").write_text("name: x\nsections: [\n  - code: A\n", encoding="utf-8")
    (tmp / "values.yaml").write_text(
        "name: x\n额外: 1\nsections:\n  - code: A\n    name: a\n    items:\n"
        "      - {code: A-1, standard: '', points: abc, per_occurrence: 200, severity: urgent,"
        " photo_required: maybe, area_types: [moon]}\n      - {code: A-1, standard: s,"
        " points: 1E-400, per_occurrence: .nan}\n",
        encoding="utf-8",
    )
    (tmp / "gbk.yaml").write_bytes("name: 检查表\n".encode("gb18030"))
    (tmp / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (tmp / "bad.csv").write_text(
        "板块,编号,检查标准,分值,每处扣分,需拍照,严重程度,奇怪的列\n甲,A-1,,x,200,也许,紧急,1\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("case", ERROR_PATHS, ids=[c[0] for c in ERROR_PATHS])
def test_errors_are_chinese(
    case: tuple[str, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _files(tmp_path)
    db = tmp_path / "pqm.sqlite3"
    argv = [a.replace("{tmp}", str(tmp_path)) for a in case[1]]
    try:
        code = main(["--db", str(db), *argv])
    except SystemExit as exit_:
        code = exit_.code  # argparse's own errors
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert err.strip(), out
    assert english_words(err, tmp_path, db, *argv) == [], err


CONFIGS = [
    ("deadline_days: 0\n", "须不小于 1"),
    ("bands: x\n", "设置项 bands 无效"),
    ("timezone: Mars/Base\n", "未知时区"),
    ("lang: fr\n", "不支持的语言"),
    ("a: [\n", "无法读取配置文件"),
    ("- a list\n", "必须是"),
    ("photo_max_pixels: many\n", "须为整数"),
    ("company_name: [1, 2]\n", "须为文字"),
    ("unknown_thing: 1\n", ""),
]


@pytest.mark.parametrize("config", CONFIGS, ids=[c[0].split(":")[0] for c in CONFIGS])
def test_configuration_errors_are_chinese(
    config: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text, said = config
    _config(tmp_path, monkeypatch, text)
    code = main(["--db", str(tmp_path / "pqm.sqlite3"), "checklist", "list"])
    err = capsys.readouterr().err
    if not said:  # an unknown setting is ignored
        assert code == 0
        return
    assert code == 2 and said in err, err
    assert english_words(err, tmp_path) == [], err


def test_english_is_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--lang", "en", "checklist", "frob"])
    err = capsys.readouterr().err
    assert "usage: pqm checklist" in err and "invalid choice: 'frob'" in err
