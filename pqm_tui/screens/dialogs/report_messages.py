"""Messages of the document dialog (生成文件): what was made, or what failed and why.

A render or a signature can fail in many layers (model, reports, signing, the file
system); :func:`~pqm_tui.reports.production.document_error` gives each a message id
and ``Translator.error`` says it. The dialog adds what only it can say: how to make
a missing key (k, or the ``pqm keys init`` command for this database) and that its
inspection is gone. It never shows a Python class name. No Textual here, so the
mapping is tested on its own.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from pqm_tui.i18n import Translator

if TYPE_CHECKING:
    from pqm_tui.reports.document_service import RenderedDocument

_PLAIN = re.compile(r"[^\s'\"\\$`!*?&;|<>(){}\[\]#~]+")  # no quoting needed (Chinese names too)


def keys_init_command(db_path: Path, person: str) -> str:
    """The CLI command that makes ``person`` a signing key for this database."""
    words = ["pqm", "--db", str(db_path), "keys", "init", "--person", person]
    return " ".join(w if _PLAIN.fullmatch(w) else shlex.quote(w) for w in words)


def describe_failure(
    tr: Translator, exc: BaseException, *, out: Path, signer: str, db_path: Path
) -> str:
    """What went wrong and what to do, for any error of the render worker."""
    from pqm_tui.model.errors import NotFoundError
    from pqm_tui.paths import keys_dir
    from pqm_tui.reports.production import SignerKeyMissing, document_error

    error = document_error(exc, out=out, signer=signer, keys=keys_dir(db_path))
    if error is None:  # not foreseen: say it, never swallow it
        return tr("reports.dialog.unexpected", detail=exc)
    if isinstance(error, SignerKeyMissing):
        command = keys_init_command(db_path, signer)
        return tr("reports.dialog.key_missing", person=signer, command=command)
    if isinstance(error, NotFoundError):
        return tr("reports.dialog.not_found")
    return tr.error(error)


def describe_result(tr: Translator, result: RenderedDocument, *, viewer: bool) -> str:
    """Where the document went, its pages and code, what is missing, who signed it."""
    lines = [tr("reports.cli.written", path=result.path, pages=result.pages, code=result.code)]
    lines += [tr("reports.cli.missing", reason=m.missing_reason) for m in result.missing]
    lines += [tr("reports.cli.unprintable", char=c) for c in result.unprintable]
    if result.warnings:
        log = result.log or "-"
        lines.append(tr("reports.cli.warnings", count=len(result.warnings), log=log))
    if result.signer is not None:
        lines.append(tr("reports.cli.signed", signer=result.signer))
    lines.append(tr("reports.dialog.keys_open") if viewer else tr("reports.dialog.no_viewer"))
    return "\n".join(lines)
