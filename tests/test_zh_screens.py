"""A scripted zh session: no English word and no internal id reaches a Chinese user's screen.

The session goes through the screens and dialogs a user meets on the demo data (home, the
palette with and without matches, help, the walk and its finding panel, the summary, the
review and its dialogs, the organisation) and reads the whole painted screen after every
step, as a person would. Codes people use (ZX-07, ZG-202611-0004), key names and the
product's own names are allowed; every other Latin word or hex id fails, naming the step.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock

# Words a Chinese screen may show: the product, file kinds, key names.
ALLOWED = {
    "pqm",
    "pdf",
    "svg",
    "excel",
    "xlsx",
    "csv",
    "pin",
    "ctrl",
    "enter",
    "esc",
    "tab",
    "space",
    "pgup",
    "pgdn",
    "home",
    "end",
    "del",
    "backspace",
    "shift",
    "alt",
    "super",
    "up",
    "down",
    "left",
    "right",
}  # fmt: skip  (compared in lower case)
CODE = re.compile(r"\b[A-Z]{1,4}\d*-\d+(?:-\d+)*\b")  # item codes, notice numbers
CUT_CODE = re.compile(r"\b[A-Z]{1,4}\d*-\d*(?=│)")  # a code beneath a dialog, cut by its border
WORD = re.compile(r"[A-Za-z]{2,}")
HEX_ID = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{6,}\b")
SIZES = [(80, 24), (120, 40)]


def screen_text(app: PQMApp) -> str:
    """The whole painted screen (with the screens beneath a dialog) as plain text."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), record=True)
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


def foreign(text: str, typed: str = "") -> list[str]:
    """English words and hex ids in ``text`` that a zh user should not see (what the user
    ``typed`` is his own)."""
    text = CUT_CODE.sub(" ", CODE.sub(" ", text))
    words = [w for w in WORD.findall(text) if w.lower() not in ALLOWED and w not in typed]
    return words + HEX_ID.findall(text)


class Session:
    """Presses keys and checks every painted screen."""

    def __init__(self, pilot: Pilot[Any]) -> None:
        self.pilot = pilot
        self.problems: list[str] = []
        self.typed = ""

    async def step(self, label: str, *keys: str) -> str:
        for key in keys:
            self.typed += key if len(key) == 1 else " "
            await self.pilot.press(key)
            await self.pilot.pause()
        await self.pilot.app.workers.wait_for_complete()
        await self.pilot.pause()
        text = screen_text(self.pilot.app)
        if found := foreign(text, self.typed):
            self.problems.append(f"{label}: {sorted(set(found))}")
        return text


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_no_english_or_ids_in_a_zh_session(
    demo_db_path: Path, clock: Clock, size: tuple[int, int]
) -> None:
    settings = Settings(timezone="Asia/Shanghai", lang="zh")
    app = create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)
    async with app.run_test(size=size) as pilot:
        s = Session(pilot)
        await s.step("resume offer")
        await s.step("home", "n")
        await s.step("palette", "ctrl+p")
        await s.step("palette without match", *"zzzz")
        await s.step("home again", "escape")
        await s.step("help", "question_mark")
        await s.step("home after help", "escape")
        await s.step("new inspection form", "n")
        await s.step("home after form", "escape")
        await s.step("review", "v")
        await s.step("review reply form", "r")
        await s.step("review after reply form", "escape")
        await s.step("review extension form", "e")
        await s.step("review after extension form", "escape")
        await s.step("review search", "slash", *"消防")
        await s.step("review palette", "ctrl+p")
        await s.step("review after palette", "escape")
        await s.step("review without search", "escape")
        await s.step("item detail", "enter")
        await s.step("review after detail", "escape")
        await s.step("columns", "C")
        await s.step("review after columns", "escape")
        await s.step("home from review", "escape")
        await s.step("amendment approvals", "m")
        await s.step("home from approvals", "escape")
        await s.step("assessment grid", "a")
        await s.step("assessment of a project", "enter")
        await s.step("assessment grid again", "escape")
        await s.step("assessment trend", "g")
        await s.step("assessment grid after trend", "escape")
        await s.step("home from assessment", "escape")
        await s.step("failure analysis", "t")
        await s.step("repeat offenders", "t")
        await s.step("home from analysis", "escape")
        await s.step("organisation", "g")
        await s.step("home from organisation", "escape")
        await s.step("walk (resumed draft)", "o")
        await s.step("finding panel", "f")
        await s.step("walk after panel", "escape")
        await s.step("walk help", "question_mark")
        await s.step("walk after help", "escape")
        await s.step("summary", "x")
        assert not s.problems, "\n".join(s.problems)
