"""The compiled message catalogue (start-up): read instead of the YAML files, never stale."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pqm_tui.i18n import _parse, catalog
from pqm_tui.paths import compiled_catalog_path

ZH = Path(__file__).resolve().parent.parent / "pqm_tui" / "i18n" / "zh"


@pytest.fixture(autouse=True)
def fresh_catalogs() -> Iterator[None]:
    """Each test compiles into its own cache folder (conftest's XDG_CACHE_HOME)."""
    catalog.cache_clear()
    yield
    catalog.cache_clear()


def test_a_second_start_reads_the_compiled_catalogue_without_yaml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed = _parse(sorted(ZH.glob("*.yaml")))
    assert catalog("zh") == parsed
    assert compiled_catalog_path("zh").is_file()
    catalog.cache_clear()
    monkeypatch.setitem(sys.modules, "yaml", None)  # ``import yaml`` would fail now
    assert catalog("zh") == parsed


def test_a_damaged_or_stale_compiled_catalogue_is_parsed_again() -> None:
    expected = catalog("zh")
    compiled = compiled_catalog_path("zh")
    compiled.write_bytes(b"\x00not marshal")
    catalog.cache_clear()
    assert catalog("zh") == expected
    import marshal

    stamp, messages = marshal.loads(compiled.read_bytes())
    compiled.write_bytes(marshal.dumps((stamp[:-1], {**messages, "home.projects": "旧的"})))
    catalog.cache_clear()  # one file's stamp missing: as if a YAML file was added since
    assert catalog("zh") == expected


def test_an_unwritable_cache_folder_still_gives_the_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert catalog("en")["home.projects"] == "Projects"
