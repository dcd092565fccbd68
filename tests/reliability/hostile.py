"""Hostile files (恶意文件) for the import tests and the benchmark: bombs, deep nesting,
numbers out of range, junk, wrong encodings, oversized files."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

MB = 1024 * 1024


def billion_laughs(levels: int = 9, width: int = 9, pad_to: int = 11 * 1024) -> str:
    """The classic alias bomb: ``width ** levels`` strings from a few hundred bytes."""
    lines = ["name: bomb", "a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]")
    lines.append(f"sections: [*a{levels - 1}]")
    text = "\n".join(lines) + "\n"
    return text + "#" * max(0, pad_to - len(text) - 1) + "\n"


def item_yaml(points: str, per: str = "1") -> str:
    return (
        "name: x\nsections:\n  - code: A\n    name: a\n    items:\n"
        f"      - {{code: A-01, standard: s, points: {points}, per_occurrence: {per}}}\n"
    )


def zip_bomb(path: Path, unpacked: int) -> Path:
    """An .xlsx whose sheet unpacks to ``unpacked`` bytes of spaces (a ~1,000:1 zip bomb)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b" " * MB
            for _ in range(unpacked // MB):
                member.write(chunk)
    return path


def many_members(path: Path, count: int = 2000) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(count):
            archive.writestr(f"xl/m{n}.xml", "")
    return path


def junk(size: int = 20_000, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


def workbook_rows(path: Path, rows: int) -> Path:
    """A real workbook with ``rows`` item rows (beyond the row limit when large)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("检查表")
    sheet.append(["板块", "编号", "检查标准", "分值", "每处扣分"])
    for n in range(rows):
        sheet.append(["甲", f"A-{n}", "标准", 1, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


# name → (file name, writer of its content into a folder)
Writer = Callable[[Path], Path]


def _text(name: str, text: str) -> Writer:
    def write(folder: Path) -> Path:
        (folder / name).write_text(text, encoding="utf-8")
        return folder / name

    return write


def _bytes(name: str, data: bytes) -> Writer:
    def write(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return write


def _big(name: str, size: int) -> Writer:
    def write(folder: Path) -> Path:
        with (folder / name).open("wb") as stream:
            stream.write(b"name: x\n")
            stream.truncate(size)
        return folder / name

    return write


CHECKLIST_CASES: dict[str, Writer] = {
    "billion_laughs_11kb": _text("bomb.yaml", billion_laughs()),
    "billion_laughs_33kb": _text("bomb33.yaml", billion_laughs(12, 12, 33 * 1024)),
    "recursive_alias": _text("loop.yaml", "name: x\nsections: &s [*s]\n"),
    "flow_nesting_1000": _text("deep.yaml", "name: x\nsections: " + "[" * 1000 + "]" * 1000),
    "block_nesting_600": _text(
        "deep2.yaml", "name: x\nsections:\n" + "".join("  " * n + "- \n" for n in range(600))
    ),
    "int_5000_digits": _text("int.yaml", item_yaml("9" * 5000)),
    "tiny_1e-400": _text("tiny.yaml", item_yaml("100", "1E-400")),
    "nan_infinity": _text("nan.yaml", item_yaml(".nan", ".inf")),
    "nan_text": _text("nan2.yaml", item_yaml("NaN", "Infinity")),
    "decimal_overflow": _text("overflow.yaml", item_yaml("1E+999999999", "1E+999999999")),
    "float_overflow": _text("float.yaml", item_yaml("1.0e+99999", "1")),
    "over_5mb": _big("big.yaml", 6 * MB),
    "binary_junk": _bytes("junk.yaml", junk()),
    "gbk_yaml": _bytes("gbk.yaml", "name: 检查表\nsections: []\n".encode("gb18030")),
    "utf16_junk": _bytes("u16.yaml", b"\xff\xfe" + b"\x00\xd8" * 100),
    "xlsx_zip_bomb": lambda folder: zip_bomb(folder / "bomb.xlsx", 64 * MB),
    "xlsx_many_members": lambda folder: many_members(folder / "many.xlsx"),
    "xlsx_not_a_zip": _bytes("junk.xlsx", junk()),
    "xlsx_truncated": lambda folder: _truncated(workbook_rows(folder / "cut.xlsx", 10)),
    "xlsx_over_5mb": _big("big.xlsx", 6 * MB),
    "xlsx_too_many_rows": lambda folder: workbook_rows(folder / "rows.xlsx", 2_100),
    "csv_binary_junk": _bytes("junk.csv", junk()),
    "csv_unknown_encoding": _bytes("latin.csv", "板块,编号\n".encode() + b"\x80\xff\x80\n"),
    "csv_over_5mb": _big("big.csv", 6 * MB),
    "csv_too_many_rows": _text(
        "rows.csv", "板块,编号,检查标准,分值,每处扣分\n" + "甲,A,s,1,1\n" * 2100
    ),
    "csv_huge_field": _text("field.csv", '板块,编号\n"' + "x" * 200_000 + '",A\n'),
}


def _truncated(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


ORG_CASES: dict[str, Writer] = {
    "billion_laughs": _text("org.yaml", billion_laughs().replace("sections", "projects")),
    "nesting": _text("org2.yaml", "projects: " + "[" * 1000 + "]" * 1000),
    "int_5000_digits": _text(
        "org3.yaml", "areas:\n  - {project: a, name: b, position: " + "9" * 5000 + "}\n"
    ),
    "zip_bomb": lambda folder: zip_bomb(folder / "org.xlsx", 64 * MB),
    "binary_junk": _bytes("org4.yaml", junk()),
}
