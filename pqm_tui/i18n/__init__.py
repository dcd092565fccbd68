"""User-visible text: one catalog per language, one YAML file per feature.

``pqm_tui/i18n/<lang>/*.yaml`` are merged into one flat mapping of message
ids to text; ``{name}`` placeholders are filled with ``str.format``. Tests
check that every language has exactly the same ids.

A message that depends on a number (复数) has two forms, ``<id>.one`` and
``<id>.other``; ``tr("<id>", n=1)`` picks by its ``n`` (or ``count``) parameter.

The merged catalogue is kept compiled in the user's cache folder (``marshal``, like
Python's own bytecode), stamped with the YAML files' names, sizes and times: a start
reads it in well under a millisecond instead of parsing every YAML file (and without
importing a YAML parser). A changed, added or removed file makes it parse again.
"""

from __future__ import annotations

import marshal
import os
from contextlib import suppress
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from pqm_tui.paths import compiled_catalog_path

LANGUAGES = ("zh", "en")
# Enums labelled outside ``enum.*``: the rectification state machine's words live with the review's.
ENUM_LABELS = {
    "State": "review.state",
    "Action": "review.action",
    "pqm_tui.model.permissions.Action": "enum.Permission",
}
CACHE_FORMAT = 1  # raised when what the compiled file holds changes


@cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of ``lang`` (merged from its YAML files; compiled once, then cached)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    files = sorted(p for p in (Path(__file__).parent / lang).iterdir() if p.suffix == ".yaml")
    stamp: list[tuple[object, ...]] = [(CACHE_FORMAT, lang)]
    stamp += [(p.name, *_size_and_time(p)) for p in files]
    compiled = compiled_catalog_path(lang)
    merged = _read_compiled(compiled, stamp)
    if merged is None:
        merged = _parse(files)
        _write_compiled(compiled, stamp, merged)
    return merged


def _size_and_time(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def _parse(files: list[Path]) -> dict[str, str]:
    """The YAML files merged into one flat mapping of message ids to text."""
    import yaml  # only when the compiled catalogue is missing or stale

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    merged: dict[str, str] = {}
    for path in files:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        _flatten(data, "", merged)
    return merged


def _read_compiled(path: Path, stamp: list[tuple[object, ...]]) -> dict[str, str] | None:
    """The compiled catalogue when it was made from these very files, else None."""
    try:
        kept_stamp, messages = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):  # missing, unreadable, damaged
        return None
    if kept_stamp != stamp or not isinstance(messages, dict):
        return None
    return messages


def _write_compiled(path: Path, stamp: list[tuple[object, ...]], messages: dict[str, str]) -> None:
    """Keep the catalogue for the next start; quietly not, where the cache cannot be written."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    with suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(marshal.dumps((stamp, messages)))
        os.replace(partial, path)
    with suppress(OSError):
        partial.unlink(missing_ok=True)


def _flatten(data: dict[str, Any], prefix: str, into: dict[str, str]) -> None:
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, full + ".", into)
        else:
            into[full] = str(value)


class Translator:
    """Looks up messages of one language: ``tr("home.title")``, ``tr("x", n=3)``."""

    def __init__(self, lang: str = "zh") -> None:
        self.lang = lang
        self.messages = catalog(lang)

    def __call__(self, key: str, **values: object) -> str:
        text = self.messages.get(key) or self._plural(key, values)
        if text is None:
            return key  # visible in the UI and caught by the catalog tests
        return text.format(**values) if values else text

    def _plural(self, key: str, values: dict[str, object]) -> str | None:
        """The ``.one`` or ``.other`` form of ``key`` for its ``n`` (or ``count``)."""
        number = values.get("n", values.get("count"))
        form = "one" if number == 1 else "other"
        return self.messages.get(f"{key}.{form}")

    def key(self, description: str) -> str:
        """A key binding's description: our message id, or Textual's own words translated."""
        if description in self.messages:
            return self.messages[description]
        return self.messages.get(f"textual.{description}", description)

    def short(self, description: str) -> str:
        """A label where room is short (a footer, a row of buttons): its short form
        (message id + ``_short``) if it has one, else the label.

        The palette and help name a key whole ("Open inspection"); a footer has one line
        for all of a screen's keys, 80 columns on a small terminal.
        """
        return self.messages.get(f"{description}_short") or self.key(description)

    def error(self, exc: BaseException) -> str:
        """The user's sentence for an error of the core (``PQMError``: key and parameters).

        Enum parameters are shown by their label, a tuple or list of them as a list
        (「、」 in Chinese), an error (the cause of this one) by its own sentence.
        Anything else is shown as its text (only for errors that are not ours: an OS
        error's reason, say).
        """
        key = getattr(exc, "key", None)
        params = getattr(exc, "params", None)
        if not isinstance(key, str) or not isinstance(params, dict):
            return str(exc)
        return self(key, **{name: self._shown(value) for name, value in params.items()})

    def _shown(self, value: object) -> object:
        if isinstance(value, Enum):
            return self.enum(value)
        if isinstance(value, BaseException):
            return self.error(value)
        if isinstance(value, tuple | list):
            return self("common.list_sep").join(str(self._shown(v)) for v in value)
        return value

    def enum(self, value: object) -> str:
        """Label of an enum member: ``enum.<ClassName>.<value>``."""
        kind = type(value)
        name = kind.__name__
        prefix = ENUM_LABELS.get(f"{kind.__module__}.{name}") or ENUM_LABELS.get(
            name, f"enum.{name}"
        )
        return self(f"{prefix}.{getattr(value, 'value', value)}")
