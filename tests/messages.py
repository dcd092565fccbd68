"""Errors of the core as users read them, for assertions (``--lang en`` wording)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from pqm_tui.cli import error_lines
from pqm_tui.i18n import Translator
from pqm_tui.model.checklist_file import ChecklistFileError


def english(exc: BaseException) -> str:
    """The English sentence of ``exc`` (a checklist file: every line the CLI prints)."""
    tr = Translator("en")
    if isinstance(exc, ChecklistFileError):
        return "\n".join(line.removeprefix("pqm: ").strip() for line in error_lines(tr, exc))
    return tr.error(exc)


@contextmanager
def raises_saying(
    kind: type[BaseException], pattern: str
) -> Iterator[pytest.ExceptionInfo[BaseException]]:
    """Like ``pytest.raises(kind, match=pattern)``, matched on the English sentence."""
    with pytest.raises(kind) as caught:
        yield caught
    assert re.search(pattern, english(caught.value)), english(caught.value)
