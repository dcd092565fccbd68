"""One error mechanism: the core says what failed by message id, the edges say it.

Every ``raise`` in ``model/``, ``services/`` and ``reports/`` passes a message id of
the catalogs (``errors.*`` or a feature's ``*.err.*``), never a sentence; no string
of the core holds Chinese text (user text lives in the catalogs). The CLI then
prints a Chinese user's errors in Chinese.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pqm_tui.cli import main
from pqm_tui.i18n import LANGUAGES, catalog

PACKAGE = Path(__file__).resolve().parent.parent / "pqm_tui"
CORE = ("model", "services", "reports")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# Errors a user cannot reach (impossible arguments of the code itself): English is fine.
PROGRAMMER_ERRORS = {"ValueError", "TypeError", "AssertionError", "NotImplementedError"}
# Chinese data, not messages (each with why):
CJK_DATA = {
    "services/demo.py",  # the demo company
    "services/demo_rectification.py",  # the demo company's rectification
    "reports/sample.py",  # sample documents
    "model/schema.py",  # m008 maps the free-text job titles of old rows (项目经理 …) to roles
    "model/organisation.py",  # the job titles a role stands for (…主管 → department head)
    "model/org_file.py",  # the workbook format: sheet and column names, in both languages
    "model/checklist_sheet.py",  # the checklist spreadsheet: sheet and column names, both languages
    "model/org_import.py",  # the template's example rows; separators of roles in a cell
    "model/names.py",  # 转 before a phone number's extension
}
MESSAGE_ID = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)*\.(err|errors)?[a-z0-9_.]*$")


def _core_modules() -> list[Path]:
    return sorted(p for pkg in CORE for p in (PACKAGE / pkg).rglob("*.py"))


def _docstrings(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _called(node: ast.expr) -> str:
    """The name of what is called: ``RuleError`` for ``RuleError(...)`` or ``x.RuleError(...)``."""
    func = node.func if isinstance(node, ast.Call) else node
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _is_text(node: ast.expr) -> bool:
    """A sentence built in code: an f-string, ``"..." % x``, ``"...".format()``, ``a + b``."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _is_text(node.left) or isinstance(node.left, ast.Constant)
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    )


def message_problems(source: str, name: str, ids: set[str]) -> list[str]:
    """``name:line: reason`` for each error raised with text instead of a message id."""
    tree = ast.parse(source, filename=name)
    problems: list[str] = []
    for node in ast.walk(tree):
        call = node.exc if isinstance(node, ast.Raise) else None
        if isinstance(node, ast.Call) and _called(node) == "PydanticCustomError":
            call = node
        if not isinstance(call, ast.Call) or _called(call) in PROGRAMMER_ERRORS or not call.args:
            continue
        first = call.args[0]
        where = f"{name}:{call.lineno}"
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            if first.value not in ids:
                problems.append(f"{where}: {first.value!r} is not a message id of the catalogs")
        elif _is_text(first):
            problems.append(f"{where}: a sentence built in code; raise a message id and params")
    for node in ast.walk(tree):  # ids passed around (``_required(x, "review.err.…")``)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            prefix = text.rstrip(".") + "."  # an id, or the prefix of some (``startswith``)
            known = text in ids or any(i.startswith(prefix) for i in ids)
            if text.startswith("errors.") and MESSAGE_ID.match(text) and not known:
                problems.append(f"{name}:{node.lineno}: unknown message id {text!r}")
    return problems


def cjk_problems(source: str, name: str) -> list[str]:
    """``name:line`` of each string (docstrings aside) holding Chinese text."""
    tree = ast.parse(source, filename=name)
    docs = _docstrings(tree)
    return [
        f"{name}:{node.lineno}: {node.value[:30]!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docs
        and CJK.search(node.value)
    ]


def test_every_error_id_exists_in_every_language() -> None:
    ids = {lang: {k for k in catalog(lang) if k.startswith("errors.")} for lang in LANGUAGES}
    assert ids["zh"] and ids["zh"] == ids["en"]


def test_the_core_raises_message_ids_not_sentences() -> None:
    ids = set(catalog("zh"))
    problems = []
    for path in _core_modules():
        name = str(path.relative_to(PACKAGE))
        problems += message_problems(path.read_text(encoding="utf-8"), name, ids)
    assert problems == []


def test_the_core_holds_no_chinese_text() -> None:
    problems = []
    for path in _core_modules():
        name = str(path.relative_to(PACKAGE))
        if name not in CJK_DATA:
            problems += cjk_problems(path.read_text(encoding="utf-8"), name)
    assert problems == []


def test_the_checks_catch_what_they_are_for() -> None:
    ids = {"errors.item.not_found"}
    bad = (
        'raise NotFoundError(f"no item {x!r}")\n'
        'raise RuleError("the inspection is already signed")\n'
        'raise RuleError("no item %s" % x)\n'
        'raise RenderError("errors.report.nonesuch")\n'
    )
    assert len(message_problems(bad, "bad.py", ids)) == 5  # the unknown id twice
    good = (
        'raise NotFoundError("errors.item.not_found", id=x)\n'
        'raise ValueError(f"unknown sort {sort!r}")\n'
        "raise RectificationError(missing)\n"
    )
    assert message_problems(good, "good.py", ids) == []
    assert cjk_problems('"""文档"""\nx = "品质管理部"\n', "x.py") == ["x.py:2: '品质管理部'"]


ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
ALLOWED_WORDS = {"pqm", "yaml", "sections", "items", "points", "per_occurrence", "nosuch"}


def _chinese_only(err: str, *user_words: str) -> None:
    words = set(ENGLISH_WORD.findall(err)) - ALLOWED_WORDS - set(user_words)
    assert words == set(), err
    assert CJK.search(err), err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("item", "show", "zzzz"), "没有编号为 zzzz 的整改项"),
        (("report", "notice", "nosuch", "-o", "{tmp}/x.pdf"), "没有编号为 nosuch 的检查"),
        (("item", "receive", "ZG-209901-0001", "--by", "张三"), "找不到整改通知单 ZG-209901-0001"),
    ],
)
def test_cli_errors_are_chinese_for_a_chinese_user(
    demo_db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    said: str,
) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code = main(["--db", str(demo_db_path), *argv])
    err = capsys.readouterr().err
    assert code == 2 and said in err, err
    assert err.count("\n") == 1  # one line
    _chinese_only(err, *argv)


def test_a_bad_checklist_file_is_said_in_chinese_problem_by_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: 坏表\nsections:\n  - code: A\n    name: 甲\n    items:\n"
        "      - {code: A-1, standard: x, points: abc, per_occurrence: 1}\n"
        "      - {code: A-2, standard: y, points: 5, per_occurrence: 1, colour: red}\n",
        encoding="utf-8",
    )
    code = main(["--db", str(tmp_path / "c.sqlite3"), "checklist", "import", str(bad)])
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert code == 2 and lines[0] == f"pqm: {bad} 有 2 处问题：", err
    assert lines[1] == f"  {bad}: sections[0] (A) / items[0] (A-1) / points: 须为数字"
    assert lines[2] == f"  {bad}: sections[0] (A) / items[1] (A-2) / colour: 无法识别的字段"
    _chinese_only(err.replace(str(bad), ""), "colour")
