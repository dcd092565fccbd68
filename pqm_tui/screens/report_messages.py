"""Messages of the document dialog (生成文件): failures said in the user's language.

A render or a signature can fail in many layers (model, reports, signing, the
file system). The dialog never shows a Python class name: ``describe_failure``
turns each error into a sentence saying what is wrong and what to do.
No Textual here, so the mapping is tested on its own.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from pqm_tui.i18n import Translator as Tr

_PLAIN = re.compile(r"[^\s'\"\\$`!*?&;|<>(){}\[\]#~]+")  # no quoting needed (Chinese names too)


def keys_init_command(db_path: Path, person: str) -> str:
    """The CLI command that makes ``person`` a signing key for this database."""
    words = ["pqm", "--db", str(db_path), "keys", "init", "--person", person]
    return " ".join(w if _PLAIN.fullmatch(w) else shlex.quote(w) for w in words)


def describe_failure(tr: Tr, exc: BaseException, *, out: Path, signer: str, db_path: Path) -> str:
    """What went wrong and what to do, for any error of the render worker."""
    from pqm_tui.model.errors import NotFoundError, RuleError
    from pqm_tui.paths import keys_dir
    from pqm_tui.reports.assets import FontMissingError
    from pqm_tui.reports.render import RenderError
    from pqm_tui.services.signing import LOG_NAME, KeyLockedError, KeyMissingError, SigningError

    if isinstance(exc, FontMissingError | RuleError):  # their messages are translated already
        return tr.error(exc)
    if isinstance(exc, NotFoundError):
        return tr("reports.dialog.not_found")
    if isinstance(exc, RenderError):
        return tr("reports.dialog.render_failed", detail=tr.error(exc))
    if isinstance(exc, KeyMissingError):
        command = keys_init_command(db_path, signer)
        return tr("reports.dialog.key_missing", person=signer, command=command)
    if isinstance(exc, KeyLockedError):
        return tr("reports.dialog.key_locked", person=signer)
    if isinstance(exc, SigningError):
        return tr(
            "reports.dialog.sign_failed", detail=tr.error(exc), log=keys_dir(db_path) / LOG_NAME
        )
    if isinstance(exc, OSError):
        return tr("reports.dialog.write_failed", path=out, detail=exc.strerror or exc)
    return tr("reports.dialog.unexpected", detail=exc)
