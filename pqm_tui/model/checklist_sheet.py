"""Checklists in a spreadsheet (Excel 或 CSV 检查表): rows in, the same spec out, and back.

One row per item, in walking order. Headers in Chinese or English:

    板块 Section* · 编号 Code* · 检查标准 Standard* · 检查方法 Method · 分值 Points* ·
    每处扣分 Per occurrence* · 需拍照 Photo required · 区域类型 Area types ·
    严重程度 Severity · 板块编号 Section code · 责任部门 Department ·
    板块区域类型 Section area types

Rows with the same 板块 form one section, in the order of its first row. A
section's code, department and area types may be given on any of its rows (one
value; two different ones are a problem). When no row gives the section's area
types, they are the union of its items' if every item names some, else every area.
An item's empty 区域类型 means its section's. A workbook may hold a second sheet
说明 / About with 名称 Name, 说明 Description and 适用项目 Project kinds (rows of a
key and a value); without it (and in a CSV file) the name is the file's.

The reader only turns rows into the data of the YAML format, with the place each
value came from: ``checklist_file.validate_checklist`` checks them, as it checks
YAML. Every problem is collected; none stops the reading.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from pqm_tui.model.checklist_file import (
    ChecklistFileError,
    ChecklistProblem,
    ChecklistSpec,
    validate_checklist,
)
from pqm_tui.model.file_limits import FileLimitError, Limits
from pqm_tui.model.workbook import (
    Column,
    Place,
    cell_problem,
    csv_rows,
    headers_of,
    match_headers,
    normalise,
    open_workbook,
    sheet_rows,
)

SUFFIXES = (".xlsx", ".csv")


COLUMNS = (
    Column("section", "板块", "Section", required=True),
    Column("code", "编号", "Code", required=True),
    Column("standard", "检查标准", "Standard", required=True),
    Column("method", "检查方法", "Method"),
    Column("points", "分值", "Points", required=True),
    Column("per_occurrence", "每处扣分", "Per occurrence", required=True),
    Column("photo_required", "需拍照", "Photo required"),
    Column("area_types", "区域类型", "Area types"),
    Column("severity", "严重程度", "Severity"),
    Column("section_code", "板块编号", "Section code"),
    Column("department", "责任部门", "Department"),
    Column("section_area_types", "板块区域类型", "Section area types"),
)
ABOUT = (
    Column("name", "名称", "Name"),
    Column("description", "说明", "Description"),
    Column("project_kinds", "适用项目", "Project kinds"),
)
ITEMS_SHEET = ("检查表", "Checklist")
ABOUT_SHEET = ("说明", "About")
LISTS_SHEET = "_lists"
UNKNOWN_WORD = {
    "area_types": "errors.checklist.sheet.unknown_area_types",
    "severity": "errors.checklist.sheet.unknown_severity",
    "project_kinds": "errors.checklist.sheet.unknown_project_kinds",
}
SECTION_FIELDS = {"section_code": "code", "department": "department"}
SPLIT = re.compile(r"[、,，;；/\n]+")


@dataclass(frozen=True)
class Words:
    """The words a sheet may use for enum values and yes/no, and the labels written.

    ``choices[field]`` maps a lower-cased word (value, label in either language) to its
    member; fields ``area_types``, ``severity``, ``project_kinds``. ``labels[field]`` maps
    a value to its label in the user's language.
    """

    choices: Mapping[str, Mapping[str, StrEnum]]
    labels: Mapping[str, Mapping[str, str]]
    yes: frozenset[str]
    no: frozenset[str]
    yes_label: str
    no_label: str
    separator: str = "、"


@dataclass
class _Reading:
    """What the rows give: data in the YAML format's shape, places and problems."""

    source: str
    data: dict[str, Any] = field(default_factory=dict)
    places: dict[tuple[int | str, ...], Place] = field(default_factory=dict)
    problems: list[ChecklistProblem] = field(default_factory=list)

    def problem(self, place: Place | None, key: str, /, **params: object) -> None:
        self.problems.append(ChecklistProblem("", key, **params).at(place))

    def said_of_cell(self, problem: ChecklistProblem) -> bool:
        """Whether the cell of ``problem`` already has a problem (its value was refused)."""
        place = problem.place
        if place is None or not place.column:
            return False
        cell = (place.sheet, place.row, place.column)
        return any(
            p.place is not None and (p.place.sheet, p.place.row, p.place.column) == cell
            for p in self.problems
        )


def read_checklist_sheet(
    path: Path, words: Words, limits: Limits, name: str | None = None
) -> ChecklistSpec:
    """A checklist from ``.xlsx`` or ``.csv``; ChecklistFileError lists every problem."""
    reading = _Reading(str(path))
    try:
        if path.suffix.lower() == ".csv":
            table = [(n, list(cells), Place("", n)) for n, cells in csv_rows(path, limits)]
            _read_table("", table, reading, words)
        else:
            _read_workbook(path, reading, words, limits)
    except FileLimitError as exc:
        raise ChecklistFileError(str(path), [ChecklistProblem("", exc.key, **exc.params)]) from None
    reading.data.setdefault("name", name or path.stem)
    if name:
        reading.data["name"] = name
    try:
        spec = validate_checklist(reading.data, str(path), reading.places)
    except ChecklistFileError as exc:
        more = [p for p in exc.problems if not reading.said_of_cell(p)]
        raise ChecklistFileError(str(path), reading.problems + more) from None
    if reading.problems:
        raise ChecklistFileError(str(path), reading.problems)
    return spec


def _read_workbook(path: Path, reading: _Reading, words: Words, limits: Limits) -> None:
    book, merged = open_workbook(path, limits)
    try:
        visible = [n for n in book.sheetnames if book[n].sheet_state == "visible"]
        about = next((n for n in visible if normalise(n) in map(normalise, ABOUT_SHEET)), None)
        items = next((n for n in visible if normalise(n) in map(normalise, ITEMS_SHEET)), None)
        items = items or next((n for n in visible if n != about), None)
        if items is None:
            reading.problem(None, "errors.checklist.sheet.no_items", expected=ITEMS_SHEET[0])
            return
        for sheet in (items, about):
            for ref in merged.get(sheet or "", []):
                reading.problem(Place(sheet or "", column=ref), "errors.file.merged", range=ref)
        table: list[tuple[int, list[Any], Place]] = []
        refused = []
        for number, cells in sheet_rows(book, items, limits):
            values = []
            for index, cell in enumerate(cells):
                said = cell_problem(cell)
                if said:
                    refused.append((number, index, said))
                values.append(None if said else cell.value)
            table.append((number, values, Place(items, number)))
        headers = next((v for _, v, _ in table if any(_text(c) for c in v)), [])
        for number, index, (key, params) in refused:
            header = _text(headers[index]) if index < len(headers) else ""
            reading.problem(Place(items, number, _letter(index), header), key, **params)
        _read_table(items, table, reading, words)
        if about:
            _read_about(about, list(sheet_rows(book, about, limits)), reading, words)
    finally:
        book.close()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def _read_table(
    sheet: str, table: Sequence[tuple[int, list[Any], Place]], reading: _Reading, words: Words
) -> None:
    """The items table: headers in its first non-empty row, then one item per row."""
    rows = [(n, cells, p) for n, cells, p in table if any(_text(c) for c in cells)]
    if not rows:
        reading.problem(Place(sheet), "errors.checklist.sheet.empty")
        return
    start = _header_row(rows, headers_of(COLUMNS))
    header_number, headers, _ = rows[start]
    match = match_headers(COLUMNS, headers)
    for index, header in match.unknown:
        reading.problem(
            Place(sheet, header_number, _letter(index), _text(header)),
            "errors.checklist.sheet.unknown_header",
            expected=tuple(f"{c.zh}/{c.en}" for c in COLUMNS),
        )
    columns = match.found
    missing = [f"{c.zh}/{c.en}" for c in match.missing]
    if missing:
        reading.problem(
            Place(sheet, header_number), "errors.checklist.sheet.missing_headers", headers=missing
        )
        return
    where = {c.field: (_letter(i), _text(headers[i])) for i, c in columns.items()}

    def place(number: int, name: str) -> Place:
        letter, header = where.get(name, ("", ""))
        return Place(sheet, number, letter, header)

    sections: dict[str, dict[str, Any]] = {}
    section_rows: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for number, cells, _ in rows[start + 1 :]:
        values = {c.field: cells[i] for i, c in columns.items() if i < len(cells)}
        title = _text(values.get("section"))
        if not title:
            reading.problem(place(number, "section"), "errors.checklist.sheet.no_section")
            continue
        sections.setdefault(title, {"name": title, "items": []})
        section_rows.setdefault(title, []).append((number, values))
    data_sections: list[dict[str, Any]] = []
    for s_index, (title, section) in enumerate(sections.items()):
        first = section_rows[title][0][0]
        reading.places[("sections", s_index)] = Place(sheet, first)
        reading.places[("sections", s_index, "name")] = place(first, "section")
        explicit_types: list[str] | None = None
        for field_name in ("section_code", "department", "section_area_types"):
            given = [(n, v[field_name]) for n, v in section_rows[title] if _text(v.get(field_name))]
            distinct = {_text(v) for _, v in given}
            target = SECTION_FIELDS.get(field_name, "area_types")
            reading.places[("sections", s_index, target)] = place(
                given[0][0] if given else first, field_name
            )
            if len(distinct) > 1:
                reading.problem(
                    place(given[1][0], field_name),
                    "errors.checklist.sheet.section_differs",
                    section=title,
                    values=sorted(distinct),
                )
            if not given:
                continue
            number, value = given[0]
            if field_name == "section_area_types":
                explicit_types = _choices(
                    reading, words, "area_types", value, place(number, field_name)
                )
            else:
                section[target] = _text(value)
        items = []
        for i_index, (number, values) in enumerate(section_rows[title]):
            loc = ("sections", s_index, "items", i_index)
            reading.places[loc] = Place(sheet, number)
            for column in COLUMNS:
                reading.places[(*loc, column.field)] = place(number, column.field)
            items.append(_item(reading, words, values, lambda n, at=number: place(at, n)))
        section["items"] = items
        if explicit_types is not None:
            section["area_types"] = explicit_types
        elif all(i.get("area_types") for i in items):
            union = [t for i in items for t in i["area_types"]]
            section["area_types"] = list(dict.fromkeys(union))
        section.setdefault("code", _section_code(items, s_index, data_sections))
        data_sections.append(section)
    reading.data["sections"] = data_sections
    reading.places[("sections",)] = Place(sheet)


def _header_row(
    rows: Sequence[tuple[int, list[Any], Place]], by_header: Mapping[str, Column]
) -> int:
    """The index of the headers' row: the first of the first ten rows naming two required
    columns (a title such as “XX公司品质检查表” may stand above it), else the first row."""
    for index, (_, cells, _) in enumerate(rows[:10]):
        named = {by_header.get(normalise(c)) for c in cells if _text(c)}
        if sum(1 for c in named if c is not None and c.required) >= 2:
            return index
    return 0


def _item(reading: _Reading, words: Words, values: Mapping[str, Any], place: Any) -> dict[str, Any]:
    """One item's data from its row's values (a refused value is left out, and said)."""
    item: dict[str, Any] = {}
    for name in ("code", "standard", "method"):
        if _text(values.get(name)):
            item[name] = _text(values[name])
        elif name != "method":
            item[name] = ""  # said by the validation: empty
    for name in ("points", "per_occurrence"):
        item[name] = _number(values.get(name))
    photo = _text(values.get("photo_required")).lower()
    if photo in words.yes:
        item["photo_required"] = True
    elif photo and photo not in words.no:
        reading.problem(
            place("photo_required"),
            "errors.checklist.sheet.yes_no",
            value=photo,
            yes=words.yes_label,
            no=words.no_label,
        )
    if _text(values.get("severity")):
        chosen = _choices(reading, words, "severity", values["severity"], place("severity"))
        if chosen:
            item["severity"] = chosen[0]
    if _text(values.get("area_types")):
        item["area_types"] = _choices(
            reading, words, "area_types", values["area_types"], place("area_types")
        )
    return item


def _choices(reading: _Reading, words: Words, name: str, value: Any, place: Place) -> list[str]:
    """The enum values of a cell listing labels (一般; 大堂、电梯); unknown words are said."""
    known = words.choices[name]
    found: list[str] = []
    listed = [w.strip() for w in SPLIT.split(_text(value)) if w.strip()]
    for word in listed:  # "大堂 电梯": separated by spaces when each part is known
        parts = word.split()
        if word.lower() not in known and len(parts) > 1 and all(p.lower() in known for p in parts):
            listed[listed.index(word) : listed.index(word) + 1] = parts
    for word in listed:
        member = known.get(word.lower())
        if member is None:
            allowed = list(dict.fromkeys(words.labels[name][m.value] for m in known.values()))
            reading.problem(place, UNKNOWN_WORD[name], value=word, allowed=allowed)
        elif member.value not in found:
            found.append(member.value)
    return found


def _read_about(
    sheet: str, rows: Sequence[tuple[int, list[Any]]], reading: _Reading, words: Words
) -> None:
    """名称 / 说明 / 适用项目: a key in column A, its value in column B; other rows are notes."""
    by_key = {normalise(h): c for c in ABOUT for h in (c.zh, c.en)}
    for number, cells in rows:
        values = [c.value for c in cells]
        column = by_key.get(normalise(values[0])) if values else None
        if column is None:
            continue
        value = values[1] if len(values) > 1 else None
        place = Place(sheet, number, "B", _text(values[0]))
        said = cell_problem(cells[1]) if len(cells) > 1 else None
        if said:
            reading.problem(place, said[0], **said[1])
            continue
        reading.places[(column.field,)] = place
        if column.field == "project_kinds":
            reading.data["project_kinds"] = _choices(reading, words, "project_kinds", value, place)
        elif _text(value):
            reading.data[column.field] = _text(value)


def _section_code(items: Sequence[Mapping[str, Any]], index: int, before: Sequence[Any]) -> str:
    """A section's code when no row gives it: its first item code's prefix (KF of KF-01)."""
    taken = {s["code"] for s in before}
    code = str(items[0].get("code", "")) if items else ""
    prefix = code.rpartition("-")[0] if "-" in code else re.sub(r"\d+$", "", code)
    return prefix if prefix and prefix not in taken else f"S{index + 1}"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: object) -> object:
    """A number cell as Decimal (a float by its shortest text, 2.5 not 2.5000000001)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return _text(value)


# --- writing -------------------------------------------------------------------------


def spec_rows(spec: ChecklistSpec, words: Words) -> list[list[object]]:
    """The items table of ``spec``: one row per item; a section's own values on its first."""
    rows: list[list[object]] = []
    join = words.separator.join
    for section in spec.sections:
        for index, item in enumerate(section.items):
            first = index == 0
            rows.append(
                [
                    section.name,
                    item.code,
                    item.standard,
                    item.method,
                    _cell_number(item.points),
                    _cell_number(item.per_occurrence),
                    words.yes_label if item.photo_required else words.no_label,
                    join(words.labels["area_types"][a.value] for a in item.area_types),
                    words.labels["severity"][item.severity.value],
                    section.code if first else "",
                    section.department if first else "",
                    join(words.labels["area_types"][a] for a in section.area_types)
                    if first
                    else "",
                ]
            )
    return rows


def _cell_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral() else float(value)


def headers(lang: str) -> list[str]:
    """The items table's headers in ``lang`` (required ones marked *)."""
    return [(c.zh if lang == "zh" else c.en) + ("*" if c.required else "") for c in COLUMNS]


def write_checklist_csv(path: Path, spec: ChecklistSpec, words: Words, lang: str) -> None:
    """The items table as CSV, UTF-8 with a BOM (Excel opens it with Chinese intact)."""
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(headers(lang))
        writer.writerows(spec_rows(spec, words))


def write_checklist_xlsx(
    path: Path, spec: ChecklistSpec, words: Words, lang: str, notes: Sequence[str] = ()
) -> None:
    """A workbook: the items sheet, the About sheet (name, description, kinds, ``notes``)
    and drop-down lists for area types, severity and yes/no."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    zh = lang == "zh"
    book = Workbook()
    ws = book.worksheets[0]
    ws.title = ITEMS_SHEET[0 if zh else 1]
    ws.append(headers(lang))
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    for row in spec_rows(spec, words):
        ws.append(row)
    ws.freeze_panes = "A2"
    widths = {"standard": 60, "method": 40, "section": 16, "area_types": 24}
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = widths.get(column.field, 12)
        if column.field not in ("points", "per_occurrence"):  # text: "1-2" stays "1-2"
            for cell in ws[letter][1:]:
                cell.number_format = "@"
        if column.field in ("standard", "method"):
            for cell in ws[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")

    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    choices = {
        "area_types": list(words.labels["area_types"].values()),
        "severity": list(words.labels["severity"].values()),
        "photo_required": [words.yes_label, words.no_label],
        "project_kinds": list(words.labels["project_kinds"].values()),
    }
    ranges = {}
    for index, (name, labels) in enumerate(choices.items(), start=1):
        letter = get_column_letter(index)
        for number, label in enumerate(labels, start=1):
            lists.cell(row=number, column=index, value=label)
        ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(labels)}"
    for index, column in enumerate(COLUMNS, start=1):
        source = "area_types" if column.field == "section_area_types" else column.field
        if source not in ranges:
            continue
        check = DataValidation(type="list", formula1=ranges[source], allow_blank=True)
        check.showErrorMessage = source in ("severity", "photo_required")  # types: a list
        letter = get_column_letter(index)
        check.add(f"{letter}2:{letter}{max(2000, ws.max_row + 500)}")
        ws.add_data_validation(check)

    about = book.create_sheet(ABOUT_SHEET[0 if zh else 1], 1)
    kinds = words.separator.join(words.labels["project_kinds"][k] for k in spec.project_kinds)
    for column, value in zip(ABOUT, (spec.name, spec.description, kinds), strict=True):
        about.append([column.zh if zh else column.en, value])
        about.cell(row=about.max_row, column=1).font = bold
    kinds_check = DataValidation(type="list", formula1=ranges["project_kinds"], allow_blank=True)
    kinds_check.showErrorMessage = False
    kinds_check.add("B3")
    about.add_data_validation(kinds_check)
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 80
    if notes:
        about.append([])
        for note in notes:
            about.append([note])
    book.move_sheet(LISTS_SHEET, offset=1)
    book.active = 0
    book.save(path)
