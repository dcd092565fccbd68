"""Keys (按键): every footer key has a tooltip in both languages; a user keymap rebinds keys."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.dom import DOMNode

import pqm_tui.screens
import pqm_tui.widgets
from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.i18n import LANGUAGES, catalog
from pqm_tui.model.clock import Clock


def pqm_bindings() -> list[tuple[str, Binding]]:
    """(class name, binding) of every ``BINDINGS`` declared in PQM's app, screens and widgets."""
    for package in (pqm_tui.screens, pqm_tui.widgets):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    found: list[tuple[str, Binding]] = []
    classes: list[type[DOMNode]] = [DOMNode]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        if cls.__module__.startswith("pqm_tui.") and "BINDINGS" in vars(cls):
            found += [(cls.__name__, b) for b in cls.BINDINGS if isinstance(b, Binding)]
    return found


def test_bindings_are_found() -> None:
    names = {name for name, _ in pqm_bindings()}
    assert {"PQMApp", "HomeScreen", "WalkScreen", "SummaryScreen", "ReviewScreen"} <= names


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_in_the_footer_has_a_tooltip(lang: str) -> None:
    messages = catalog(lang)
    for name, binding in pqm_bindings():
        if binding.show and binding.description:
            assert binding.tooltip in messages, (name, binding.key, binding.tooltip)


def test_keys_with_a_description_have_an_id_for_the_keymap() -> None:
    missing = [
        (name, binding.key)
        for name, binding in pqm_bindings()
        if binding.description and not binding.id and not binding.key.isdigit()
    ]
    assert missing == []  # only the document dialog's 1/2/3 (aliases of n/r/s) have none


def make_app(path: Path, clock: Clock, **settings: object) -> PQMApp:
    return create_app(
        Settings(timezone="Asia/Shanghai", **settings), db_path=path, actor="王丽华", clock=clock
    )


async def test_footer_tooltips_are_translated(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("n")  # not now: the home screen
        await pilot.pause()
        tips = {key.tooltip for key in app.screen.query("FooterKey")}
        assert catalog("en")["keys.home.new_tip"] in tips
        assert not [tip for tip in tips if str(tip).startswith(("keys.", "review."))]


async def test_user_keymap_rebinds_a_key(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock, keymap={"home.review": "g"})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("n")  # not now: the home screen
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
        bindings = app.screen.active_bindings  # what the footer and the help show
        assert bindings["g"].binding.id == "home.review" and "v" not in bindings
        await pilot.press("v")  # the default key no longer opens the review
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
        await pilot.press("g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
