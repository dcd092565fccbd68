"""Fuzzing the checklist import (模糊测试): 1,200 seeded mutations of the built-in files.

Each case is a built-in checklist (YAML, or its rows as CSV) with one to three
mutations — lines deleted, duplicated or re-indented, numbers replaced by
hostile ones (1E-400, 5,000 digits, NaN), YAML syntax, aliases and deep nesting
inserted, random bytes, truncation. Every outcome must be a checklist that the
database then takes, or a ``PQMError``: never another exception (a crash). The
seed of a crashing case is in the failure, to reproduce it alone.
"""

from __future__ import annotations

import contextlib
import random
import re
import time
import zipfile
from importlib import resources
from pathlib import Path

import pytest

from pqm_tui.commands.checklist import sheet_words
from pqm_tui.i18n import Translator
from pqm_tui.model import checklists
from pqm_tui.model.checklist_file import dump_checklist, load_checklist_file, parse_checklist
from pqm_tui.model.checklist_sheet import (
    read_checklist_sheet,
    write_checklist_csv,
    write_checklist_xlsx,
)
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.errors import PQMError
from pqm_tui.model.file_limits import Limits

CASES = 1_200
BUDGET = 60.0  # CPU seconds (process_time: the load of a parallel run does not count)
NUMBERS = (
    "1E-400",
    "9" * 5000,
    ".nan",
    ".inf",
    "-.inf",
    "NaN",
    "Infinity",
    "-1",
    "0",
    "1e309",
    "100.001",
    "1E+999999999",
    "0x10",
    "1_000",
    "0.125",
    "1e-2",
    "100",
    "2.5",
    "'3'",
    "~",
)
SYNTAX = (
    "{",
    "}",
    "[",
    "]",
    ":",
    "- ",
    "&x ",
    "*x",
    "!!python/object:os.system ",
    "!!binary ",
    "? ",
    "|",
    ">",
    "'",
    '"',
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "\t",
    "~",
    "null",
    "true",
    "2026-01-01",
    "<<: *x",
    "&x [1, *x]",
    "\\u0000",
    "\x00",
    "\ufeff",
    "\u202e",
    "𪚥",
)
WORDS = ("urgent", "红线", "电梯、大堂", "lift", "car-park", "", "是", "yes", "1", "none")


def _bases() -> list[str]:
    folder = resources.files("pqm_tui") / "checklists"
    texts = [folder.joinpath(n).read_text(encoding="utf-8") for n in checklists.BUILTIN_FILES]
    # the largest is cut to its first sections too: more cases in the same time
    small = [parse_checklist(t, "base") for t in texts]
    cut = small[0].model_copy(update={"sections": small[0].sections[:2]})
    return [*texts, dump_checklist(cut)]


def _mutate(text: str, rng: random.Random) -> bytes:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(11)
        at = rng.randrange(len(lines)) if lines else 0
        if not lines:
            lines = [""]
        if kind == 0:
            del lines[at]
        elif kind == 1:
            lines.insert(at, lines[rng.randrange(len(lines))])
        elif kind == 2:
            other = rng.randrange(len(lines))
            lines[at], lines[other] = lines[other], lines[at]
        elif kind == 3:  # a number → a hostile number
            candidates = [i for i, line in enumerate(lines) if any(c.isdigit() for c in line)]
            if candidates:
                at = rng.choice(candidates)
                head, _, _ = lines[at].rpartition(":")
                lines[at] = f"{head}: {rng.choice(NUMBERS)}" if head else lines[at]
        elif kind == 4:  # YAML syntax somewhere in a line
            line = lines[at]
            cut = rng.randint(0, len(line))
            lines[at] = line[:cut] + rng.choice(SYNTAX) + line[cut:]
        elif kind == 5:
            lines[at] = " " * rng.randint(0, 12) + lines[at].lstrip()
        elif kind == 6:  # deep nesting or an alias bomb
            depth = rng.choice((10, 50, 200, 1000))
            lines.insert(at, f"x{at}: " + "[" * depth + "]" * depth)
        elif kind == 7:
            lines.insert(at, f"a: &a [{', '.join(['*b'] * 9)}]")
        elif kind == 8:  # an enum value → another word
            candidates = [i for i, line in enumerate(lines) if "severity" in line or "area" in line]
            if candidates:
                at = rng.choice(candidates)
                lines[at] = lines[at].split(":")[0] + f": {rng.choice(WORDS)}"
        elif kind == 9:
            lines = lines[: rng.randint(0, len(lines))]
        else:
            lines[at] = lines[at].replace(":", "", 1)
    data = "\n".join(lines).encode("utf-8")
    if rng.random() < 0.15:  # bytes: flipped, inserted, or another encoding
        choice = rng.randrange(3)
        cut = rng.randrange(len(data) + 1)
        if choice == 0 and data:
            data = data[:cut] + bytes([rng.randrange(256)]) + data[cut + 1 :]
        elif choice == 1:
            data = data[:cut] + rng.randbytes(rng.randint(1, 64)) + data[cut:]
        else:
            data = data.decode("utf-8", "replace").encode("gb18030", "replace")
    return data


def test_fuzzed_checklist_files_never_crash(tmp_path: Path, clock: Clock) -> None:
    bases = _bases()
    specs = [parse_checklist(text, "base") for text in bases[:3]]
    db = connect(tmp_path / "fuzz.sqlite3")
    limits = Limits()
    words = sheet_words(Translator("zh"))
    outcomes = {"imported": 0, "refused": 0}
    crashes: list[str] = []
    started = time.process_time()
    for seed in range(CASES):
        rng = random.Random(seed)
        base = bases[seed % len(bases)]
        as_csv = seed % 10 == 9  # one case in ten: the rows of a spreadsheet
        path = tmp_path / ("case.csv" if as_csv else "case.yaml")
        if as_csv:
            write_checklist_csv(path, specs[seed % len(specs)], words, "zh")
            path.write_bytes(_mutate(path.read_text(encoding="utf-8-sig"), rng))
        else:
            path.write_bytes(_mutate(base, rng))
        try:
            if as_csv:
                spec = read_checklist_sheet(path, words, limits, name=f"fuzz {seed}")
            else:
                spec = load_checklist_file(path, limits)
            checklists.import_spec(db, spec, clock)
            outcomes["imported"] += 1
        except PQMError:
            outcomes["refused"] += 1
        except Exception as exc:  # the crash this test is for
            crashes.append(f"seed {seed} ({path.suffix}): {type(exc).__name__}: {exc}"[:300])
    elapsed = time.process_time() - started
    print(f"{CASES} cases in {elapsed:.1f} s: {outcomes}, {len(crashes)} crashes")
    assert crashes == []
    assert outcomes["imported"] > 0 and outcomes["refused"] > CASES // 4
    assert elapsed < BUDGET


@pytest.mark.parametrize("seed", [7, 8])
def test_one_fuzz_case_alone(seed: int, tmp_path: Path) -> None:
    """Reproduce a case by its seed (as the failure of the test above names it)."""
    path = tmp_path / "case.yaml"
    path.write_bytes(_mutate(_bases()[seed % 4], random.Random(seed)))
    with contextlib.suppress(PQMError):
        load_checklist_file(path)


def _mutate_xml(data: bytes, rng: random.Random) -> bytes:
    """A workbook member's XML with a few bytes or tags changed."""
    text = data.decode("utf-8", "replace")
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(text) + 1)
        kind = rng.randrange(6)
        if kind == 0:
            text = text[:at]  # truncated
        elif kind == 1:
            text = text[:at] + rng.choice(XML_BITS) + text[at:]
        elif kind == 2:
            text = text[:at] + text[at + rng.randint(1, 40) :]
        elif kind == 3:
            text = re.sub(r"<v>[^<]*</v>", lambda _: f"<v>{rng.choice(NUMBERS)}</v>", text, count=3)
        elif kind == 4:
            text = text.replace('t="s"', rng.choice(('t="str"', 't="b"', 't="e"', 't="d"', "")), 2)
        else:
            text = text[:at] + chr(rng.randrange(1, 0x3000)) * rng.randint(1, 5) + text[at:]
    return text.encode("utf-8", "replace")


XML_BITS = (
    "<",
    ">",
    "&",
    "&amp;",
    "&#0;",
    "<f>SUM(A1:A9)</f>",
    '<c r="ZZZ99999"><v>1</v></c>',
    '<row r="0">',
    "</row>",
    '<c r="A1" t="s"><v>99999</v></c>',
    "<!DOCTYPE x [<!ENTITY a 'b'>]>",
    '<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>',
    "\x00",
    "]]>",
)


def test_fuzzed_workbooks_never_crash(tmp_path: Path, clock: Clock) -> None:
    """200 workbooks of a built-in checklist with one XML member (sheet, strings …) mutated."""
    words = sheet_words(Translator("zh"))
    source = tmp_path / "source.xlsx"
    write_checklist_xlsx(source, checklists.builtin_specs()[2], words, "zh")
    with zipfile.ZipFile(source) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    targets = [n for n in members if n.endswith(".xml")]  # sheets, strings, styles, book
    crashes: list[str] = []
    refused = 0
    for seed in range(200):
        rng = random.Random(seed)
        path = tmp_path / "case.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                mutated = _mutate_xml(data, rng) if name == targets[seed % len(targets)] else data
                archive.writestr(name, mutated)
        try:
            read_checklist_sheet(path, words, Limits(), name=f"fuzz {seed}")
        except PQMError:
            refused += 1
        except Exception as exc:  # the crash this test is for
            crashes.append(f"seed {seed}: {type(exc).__name__}: {exc}"[:300])
    assert crashes == []
    assert refused > 50
