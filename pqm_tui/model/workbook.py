"""Reading workbooks and CSV tables that users fill in (工作簿与表格): shared by the
organisation file and the checklist spreadsheets.

Workbooks are opened read-only (openpyxl streams the rows), after the limits of
``file_limits`` (size, zip bomb) are checked. Merged cells, which read-only mode
does not report, are read from the sheet's XML; formulas and dates where text is
expected are said, not guessed.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from pqm_tui.model.file_limits import (
    FileLimitError,
    Limits,
    check_size,
    check_workbook,
    decode_text,
    read_bytes,
)

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook


@dataclass(frozen=True)
class Column:
    """A column of a sheet users fill in: field name, Chinese and English headers."""

    field: str
    zh: str
    en: str
    required: bool = False
    number: bool = False  # an integer (an order, say), else text


@dataclass(frozen=True)
class HeaderMatch:
    """A header row read against the columns of its sheet."""

    found: dict[int, Column]  # column index → column
    unknown: list[tuple[int, object]]  # headers no column has, with their index
    missing: list[Column]  # required columns with no header


def headers_of(columns: Sequence[Column]) -> dict[str, Column]:
    """Every header a column may have (Chinese or English, as compared) → the column."""
    return {normalise(h): c for c in columns for h in (c.zh, c.en)}


def match_headers(columns: Sequence[Column], headers: Sequence[object]) -> HeaderMatch:
    """Which column each header names, which headers are unknown, which columns are missing."""
    by_header = headers_of(columns)
    found: dict[int, Column] = {}
    unknown: list[tuple[int, object]] = []
    for index, header in enumerate(headers):
        if header is None or str(header).strip() == "":
            continue
        column = by_header.get(normalise(header))
        if column is None:
            unknown.append((index, header))
        else:
            found[index] = column
    missing = [c for c in columns if c.required and c not in found.values()]
    return HeaderMatch(found, unknown, missing)


@dataclass(frozen=True)
class Place:
    """Where a value is: sheet (empty in a CSV file), row number, column letter and header."""

    sheet: str = ""
    row: int | None = None
    column: str = ""
    header: str = ""


def merged_ranges(path: Path) -> dict[str, list[str]]:
    """Merged cell ranges per sheet name, read from the workbook's XML (read-only mode
    does not give them)."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    merged: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", ns)}
        for sheet in book.findall("m:sheets/m:sheet", ns):
            target = targets.get(sheet.get(f"{{{ns['r']}}}id"), "")
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if member not in archive.namelist():
                continue
            data = archive.read(member)
            start = data.find(b"<mergeCells")
            if start < 0:
                continue
            refs = re.findall(rb'<mergeCell ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"', data[start:])
            merged[sheet.get("name", "")] = [r.decode() for r in refs]
    return merged


def open_workbook(path: Path, limits: Limits) -> tuple[Workbook, dict[str, list[str]]]:
    """A workbook opened read-only, and its merged ranges; refused when it is too big, a
    zip bomb, not a workbook or damaged (``FileLimitError``). Close it after use."""
    from openpyxl import load_workbook

    check_size(path, limits)
    check_workbook(path, limits)
    try:
        merged = merged_ranges(path)
        with warnings.catch_warnings():  # openpyxl's English asides on what it skips
            warnings.simplefilter("ignore")
            book = load_workbook(path, read_only=True, data_only=False)
    except Exception:  # openpyxl and zipfile raise many kinds for a damaged file
        raise FileLimitError("errors.file.damaged") from None
    return book, merged


def sheet_rows(book: Workbook, name: str, limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    """(row number, raw cells) of a sheet, at most ``limits.max_rows`` data rows (then
    ``FileLimitError``) and ``limits.max_columns`` columns."""
    rows = book[name].iter_rows(max_row=limits.max_rows + 2, max_col=limits.max_columns)
    number = 0
    while True:
        try:  # read-only mode parses the sheet's XML while it is read: damage shows here
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cells = next(rows)
        except StopIteration:
            return
        except Exception:  # the XML parser, openpyxl and zipfile raise many kinds
            raise FileLimitError("errors.file.damaged") from None
        number += 1
        if number > limits.max_rows + 1:
            if any(c.value is not None for c in cells):
                raise FileLimitError("errors.file.too_many_rows", limit=limits.max_rows)
            continue
        yield number, list(cells)


def csv_rows(path: Path, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of a CSV file: UTF-8 (BOM or not) or GB18030, separated by
    commas, semicolons or tabs (as the first line shows), at most ``limits.max_rows``."""
    text = decode_text(read_bytes(path, limits), legacy=True)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, fields in enumerate(reader, start=1):
            if number > limits.max_rows + 1:
                raise FileLimitError("errors.file.too_many_rows", limit=limits.max_rows)
            yield reader.line_num, [f.strip() for f in fields[: limits.max_columns]]
    except csv.Error:
        raise FileLimitError("errors.file.csv", line=reader.line_num) from None


def cell_problem(cell: Any) -> tuple[str, dict[str, object]] | None:
    """A formula or a date in a cell, as a message id and parameters (None: a plain value)."""
    value = cell.value if hasattr(cell, "value") else cell
    if getattr(cell, "data_type", "") == "f" or (isinstance(value, str) and value.startswith("=")):
        return "errors.file.formula", {"formula": value}
    if isinstance(value, datetime | date | time):
        return "errors.file.date", {"value": str(value)}
    return None


def normalise(header: object) -> str:
    """A header or sheet name as compared: no spaces, no required-marks, lower case."""
    return re.sub(r"[\s*\uff0a]", "", str(header or "")).lower()  # ＊: the full-width star
