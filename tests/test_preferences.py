"""Preferences are remembered per database, survive a restart, and never break start-up."""

from __future__ import annotations

from pathlib import Path

from pqm_tui.preferences import Preferences


def test_remembered_per_database(tmp_path: Path) -> None:
    store = tmp_path / "prefs.json"
    one = Preferences(tmp_path / "a.sqlite3", store)
    two = Preferences(tmp_path / "b.sqlite3", store)
    one.set("app.theme", "gruvbox")
    one.set("review.filters", {"overdue": True})
    assert Preferences(tmp_path / "a.sqlite3", store).get("app.theme") == "gruvbox"
    assert one.get("review.filters") == {"overdue": True}
    assert two.get("app.theme", "textual-dark") == "textual-dark"
    one.set("app.theme", None)
    assert one.get("app.theme") is None


def test_damaged_file_gives_defaults_and_is_rewritten(tmp_path: Path) -> None:
    store = tmp_path / "prefs.json"
    store.write_text("{not json", encoding="utf-8")
    prefs = Preferences(tmp_path / "a.sqlite3", store)
    assert prefs.get("identity.person") is None
    prefs.set("identity.person", "p1")
    assert prefs.get("identity.person") == "p1"


def test_unwritable_place_is_quiet(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    prefs = Preferences(tmp_path / "a.sqlite3", blocker / "sub" / "prefs.json")
    prefs.set("app.theme", "nord")  # the folder cannot exist under a file
    assert prefs.get("app.theme") is None
