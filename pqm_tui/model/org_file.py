"""The organisation file (组织架构导入文件): an Excel workbook or YAML, read and written.

One sheet (or YAML list) per kind of row: 城市公司, 项目, 区域, 部门, 人员. Headers
and sheet names are accepted in Chinese or English. Reading checks the file as a
file — its size, that it is a workbook, sheet names, headers, merged cells,
formulas, dates where text is expected — and gives every row as plain values;
``org_import`` checks what the rows mean. Every problem is collected, none stops
the reading: the user gets them all in one pass.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import yaml

from pqm_tui.model.errors import PQMError
from pqm_tui.model.file_limits import (
    FileLimitError,
    Limits,
    check_workbook,
    decode_text,
    load_yaml,
    read_bytes,
)
from pqm_tui.model.workbook import Column, match_headers, merged_ranges, normalise, sheet_rows

MAX_BYTES = 10 * 1024 * 1024  # a company of 1,000 projects fits in well under 1 MB
# as read: 500 projects × 12 areas and 3,000 people are ~10,000 rows; YAML nests 4 deep
LIMITS = Limits(max_bytes=MAX_BYTES, max_rows=50_000, max_depth=10, max_nodes=1_000_000)
SUFFIXES = (".xlsx", ".yaml", ".yml")


@dataclass(frozen=True)
class Sheet:
    """A sheet of the workbook (one kind of row)."""

    key: str  # also the YAML key
    zh: str
    en: str
    columns: tuple[Column, ...]


SHEETS = (
    Sheet(
        "city_companies",
        "城市公司",
        "City companies",
        (Column("company", "公司", "Company"), Column("name", "名称", "Name", required=True)),
    ),
    Sheet(
        "projects",
        "项目",
        "Projects",
        (
            Column("city_company", "城市公司", "City company", required=True),
            Column("name", "名称", "Name", required=True),
            Column("kind", "类型", "Kind", required=True),
            Column("address", "地址", "Address"),
            Column("receiver", "通知接收人", "Receiver of notices"),
            Column("default_checklist", "默认检查表", "Default checklist"),
        ),
    ),
    Sheet(
        "areas",
        "区域",
        "Areas",
        (
            Column("project", "项目", "Project", required=True),
            Column("name", "名称", "Name", required=True),
            Column("area_type", "区域类型", "Area type", required=True),
            Column("position", "顺序", "Order", number=True),
        ),
    ),
    Sheet(
        "departments",
        "部门",
        "Departments",
        (
            Column("project", "项目", "Project"),
            Column("name", "名称", "Name", required=True),
        ),
    ),
    Sheet(
        "people",
        "人员",
        "People",
        (
            Column("name", "姓名", "Name", required=True),
            Column("roles", "角色", "Roles"),
            Column("title", "职务", "Title"),
            Column("city_company", "城市公司", "City company"),
            Column("project", "项目", "Project"),
            Column("department", "部门", "Department"),
            Column("phone", "电话", "Phone"),
        ),
    ),
)
SHEET_BY_KEY = {s.key: s for s in SHEETS}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file: where (sheet, row, column) and a message id + params."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)
    sheet: str = ""  # as named in the file
    row: int | None = None  # the sheet's row number (YAML: the entry's number, from 1)
    column: str = ""  # the column letter (YAML: empty)
    header: str = ""  # the column's header (YAML: the field)


class OrgFileError(PQMError):
    """The organisation file has problems: every one of them, nothing was imported."""

    def __init__(self, path: Path, problems: Sequence[Problem]) -> None:
        super().__init__("errors.org.file.problems", path=str(path), count=len(problems))
        self.path = path
        self.problems = list(problems)


@dataclass
class FileRow:
    """A row of a sheet: its number, its values (text, or int for numbers) and their cells."""

    sheet: Sheet
    sheet_name: str
    number: int
    values: dict[str, Any]
    columns: Mapping[str, tuple[str, str]]  # field → (column letter, header) of the sheet
    bad: set[str] = field(default_factory=set)  # fields whose value was refused (and said)

    def problem(self, name: str, key: str, /, **params: object) -> Problem:
        """A problem about the value of field ``name`` (or the row, for a field not there)."""
        if name not in self.columns:
            return Problem(key, params, self.sheet_name, self.number)
        letter, header = self.columns[name]
        return Problem(key, params, self.sheet_name, self.number, letter, header)

    def text(self, name: str) -> str:
        value = self.values.get(name)
        return "" if value is None else str(value).strip()


@dataclass
class OrgFile:
    """What a file holds: rows per sheet key, and the problems of the file as a file."""

    rows: dict[str, list[FileRow]] = field(default_factory=lambda: {s.key: [] for s in SHEETS})
    problems: list[Problem] = field(default_factory=list)


def _match_sheet(name: str) -> Sheet | None:
    wanted = normalise(name)
    return next((s for s in SHEETS if wanted in (normalise(s.zh), normalise(s.en))), None)


def read_org_file(path: Path) -> OrgFile:
    """Read an organisation file (.xlsx or .yaml); problems are collected, not raised."""
    result = OrgFile()
    suffix = path.suffix.lower()
    if not path.is_file():
        missing = "errors.org.file.is_dir" if path.is_dir() else "errors.org.file.missing"
        result.problems.append(Problem(missing, {"path": str(path)}))
        return result
    size = path.stat().st_size
    if size > MAX_BYTES:
        result.problems.append(
            Problem(
                "errors.org.file.too_big",
                {"size": f"{size / 1024 / 1024:.1f}", "limit": MAX_BYTES // 1024 // 1024},
            )
        )
        return result
    if suffix not in SUFFIXES:
        result.problems.append(Problem("errors.org.file.suffix", {"suffix": suffix or "—"}))
        return result
    if suffix == ".xlsx":
        _read_xlsx(path, result)
    else:
        _read_yaml(path, result)
    return result


def _read_xlsx(path: Path, result: OrgFile) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    if not zipfile.is_zipfile(path):
        result.problems.append(Problem("errors.org.file.not_workbook"))
        return
    try:
        check_workbook(path, LIMITS)  # a zip bomb is refused before anything unpacks it
    except FileLimitError as exc:
        result.problems.append(Problem(exc.key, exc.params))
        return
    try:
        merged = merged_ranges(path)
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception:  # openpyxl and zipfile raise many kinds for a damaged file
        result.problems.append(Problem("errors.org.file.damaged"))
        return
    try:
        seen: set[str] = set()
        for name in book.sheetnames:
            if book[name].sheet_state != "visible":
                continue  # lists behind drop-downs and other helpers of the author's
            sheet = _match_sheet(name)
            if sheet is None:
                expected = "、".join(s.zh for s in SHEETS)
                result.problems.append(
                    Problem("errors.org.file.unknown_sheet", {"expected": expected}, name)
                )
                continue
            if sheet.key in seen:
                result.problems.append(Problem("errors.org.file.sheet_twice", {}, name))
                continue
            seen.add(sheet.key)
            for ref in merged.get(name, []):
                result.problems.append(
                    Problem("errors.org.file.merged", {"range": ref}, name, column=ref)
                )
            rows = (cells for _, cells in sheet_rows(book, name, LIMITS))
            header_cells = next(rows, ())
            columns = _read_headers(sheet, name, [c.value for c in header_cells], result)
            if columns is None:
                continue
            where = {
                column.field: (get_column_letter(index + 1), str(header_cells[index].value))
                for index, column in columns.items()
            }
            for number, cells in enumerate(rows, start=2):
                values: dict[str, Any] = {}
                bad: set[str] = set()
                for index, cell in enumerate(cells):
                    column = columns.get(index)
                    if column is None or cell.value is None:
                        continue
                    value = _cell_value(column, cell.value, getattr(cell, "data_type", ""))
                    if isinstance(value, Problem):
                        letter, header = where[column.field]
                        result.problems.append(
                            Problem(value.key, value.params, name, number, letter, header)
                        )
                        bad.add(column.field)
                    elif value != "":
                        values[column.field] = value
                if values:  # an empty row (also in the middle) is skipped
                    result.rows[sheet.key].append(FileRow(sheet, name, number, values, where, bad))
        if not seen and not result.problems:
            result.problems.append(Problem("errors.org.file.no_sheets"))
    except FileLimitError as exc:  # too many rows
        result.problems.append(Problem(exc.key, exc.params))
    finally:
        book.close()


def _read_headers(
    sheet: Sheet, name: str, headers: Sequence[object], result: OrgFile
) -> dict[int, Column] | None:
    """Column index → column of the sheet; None when the header row is unusable."""
    from openpyxl.utils import get_column_letter

    match = match_headers(sheet.columns, headers)
    for index, header in match.unknown:
        expected = "、".join(c.zh for c in sheet.columns)
        result.problems.append(
            Problem(
                "errors.org.file.unknown_header",
                {"expected": expected},
                name,
                1,
                get_column_letter(index + 1),
                str(header),
            )
        )
    found = match.found
    missing = [c.zh for c in match.missing]
    if missing:
        result.problems.append(
            Problem("errors.org.file.missing_headers", {"headers": "、".join(missing)}, name, 1)
        )
        return None
    return found


def _cell_value(column: Column, value: object, data_type: str) -> object:
    """A cell's value as text or int, or the Problem with it."""
    if data_type == "f" or (isinstance(value, str) and value.startswith("=")):
        return Problem("errors.org.file.formula", {"formula": value})
    return _plain(column, value)


def _plain(column: Column, value: object) -> object:
    if isinstance(value, datetime | date | time):
        return Problem("errors.org.file.date", {"value": str(value)})
    if column.number:
        if isinstance(value, bool):
            return Problem("errors.org.file.not_number", {"value": value})
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = str(value).strip()
        if text == "":
            return ""
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        return Problem("errors.org.file.not_number", {"value": text})
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed as a number
    if isinstance(value, list | tuple):
        return "、".join(str(v).strip() for v in value)
    if isinstance(value, dict):
        return Problem("errors.org.file.not_text", {"value": str(value)})
    return str(value).strip()


def _read_yaml(path: Path, result: OrgFile) -> None:
    try:
        data = load_yaml(decode_text(read_bytes(path, LIMITS), legacy=False), LIMITS)
    except FileLimitError as exc:
        if exc.key.startswith("errors.file.encoding"):
            result.problems.append(Problem("errors.org.file.encoding"))
        elif exc.key == "errors.file.unreadable":
            result.problems.append(Problem("errors.org.file.unreadable"))
        elif exc.key == "errors.file.yaml_at":  # a syntax error: said as before, by its line
            result.problems.append(Problem("errors.org.file.yaml", {"line": exc.params["line"]}))
        else:
            result.problems.append(Problem(exc.key, exc.params))
        return
    if not isinstance(data, dict):
        result.problems.append(Problem("errors.org.file.yaml_shape"))
        return
    for key, entries in data.items():
        sheet = SHEET_BY_KEY.get(str(key)) or _match_sheet(str(key))
        if sheet is None:
            expected = ", ".join(s.key for s in SHEETS)
            result.problems.append(
                Problem("errors.org.file.unknown_sheet", {"expected": expected}, str(key))
            )
            continue
        if not isinstance(entries, list):
            result.problems.append(Problem("errors.org.file.yaml_list", {}, str(key)))
            continue
        fields = {c.field: c for c in sheet.columns}
        where = {c.field: ("", c.field) for c in sheet.columns}
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                result.problems.append(Problem("errors.org.file.yaml_entry", {}, str(key), number))
                continue
            values: dict[str, Any] = {}
            bad: set[str] = set()
            for name, raw in entry.items():
                column = fields.get(str(name))
                if column is None:
                    result.problems.append(
                        Problem(
                            "errors.org.file.unknown_field",
                            {"expected": ", ".join(fields)},
                            str(key),
                            number,
                            header=str(name),
                        )
                    )
                    continue
                value = _plain(column, raw) if raw is not None else ""
                if isinstance(value, Problem):
                    # YAML reads 2026-01-02 as a date by itself: the fix is quotes, not Excel
                    said = "errors.org.file.yaml_date" if value.key.endswith(".date") else value.key
                    result.problems.append(
                        Problem(said, value.params, str(key), number, "", column.field)
                    )
                    bad.add(column.field)
                elif value != "":
                    values[column.field] = value
            if values:
                result.rows[sheet.key].append(FileRow(sheet, str(key), number, values, where, bad))


# --- writing -------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """The labels a user picks from (data-validation lists of the template)."""

    kinds: list[str]
    area_types: list[str]
    roles: list[str]


def write_org_xlsx(
    path: Path, rows: Mapping[str, Sequence[Mapping[str, object]]], choices: Choices, lang: str
) -> None:
    """A workbook with one sheet per kind of row, headers in ``lang``, drop-down lists."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.worksheets[0])
    lists = book.create_sheet("_lists")
    lists.sheet_state = "hidden"
    ranges = {}
    for index, (name, labels) in enumerate(
        (("kind", choices.kinds), ("area_type", choices.area_types), ("roles", choices.roles)),
        start=1,
    ):
        letter = get_column_letter(index)
        for number, label in enumerate(labels, start=1):
            lists.cell(row=number, column=index, value=label)
        ranges[name] = f"{quote_sheetname('_lists')}!${letter}$1:${letter}${len(labels)}"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.zh if lang == "zh" else sheet.en)
        headers = [
            (c.zh if lang == "zh" else c.en) + ("*" if c.required else "") for c in sheet.columns
        ]
        ws.append(headers)
        for cell in ws[1]:
            cell.font = bold
            cell.fill = fill
        separator = "、" if lang == "zh" else ", "
        for row in rows.get(sheet.key, []):
            ws.append([_xlsx_value(row.get(c.field), separator) for c in sheet.columns])
        ws.freeze_panes = "A2"
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = 24 if column.field != "address" else 36
            if not column.number:  # text: Excel does not turn "1-2" into a date
                ws.column_dimensions[letter].number_format = "@"
                for cell in ws[letter][1:]:
                    cell.number_format = "@"
            if column.field in ranges:
                # a person may hold several roles ("品质督导、品管组长"): the list only suggests
                strict = column.field != "roles"
                check = DataValidation(type="list", formula1=ranges[column.field], allow_blank=True)
                check.showErrorMessage = strict
                check.add(f"{letter}2:{letter}5000")
                ws.add_data_validation(check)
    book.move_sheet("_lists", offset=len(SHEETS))
    book.active = 0
    book.save(path)


def _xlsx_value(value: object, separator: str) -> object:
    if isinstance(value, list):
        return separator.join(str(v) for v in value)
    return value


def write_org_yaml(path: Path, rows: Mapping[str, Sequence[Mapping[str, object]]]) -> None:
    """The organisation as YAML: one list per kind of row, empty fields left out."""
    data = {
        sheet.key: [
            {c.field: row[c.field] for c in sheet.columns if row.get(c.field) not in (None, "")}
            for row in rows.get(sheet.key, [])
        ]
        for sheet in SHEETS
    }
    path.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )
