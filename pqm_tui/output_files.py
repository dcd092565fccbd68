"""Writing a file the user named (输出文件): reports, workbooks, exports — one way for all.

Only regular files are written or replaced: never a device (``/dev/null``), a FIFO
or a folder, whatever ``--force`` says. The folder must exist (a typo is not
created silently). The content goes to a temporary file in the same folder and is
renamed into place only when everything succeeded (rendering, signing, saving):
a failure leaves the target as it was and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

from pqm_tui.model.errors import PQMError


class OutputError(PQMError):
    """The output path cannot take a file (message id ``errors.output.*``)."""


_UNSAFE = frozenset('/\\:*?"<>|')  # not allowed in a file name on Windows or (/) anywhere


def safe_file_name(text: str, limit: int = 120) -> str:
    """``text`` made fit to be one file name (文件名): no slash, control or reserved character.

    Such characters become ``_``; runs of spaces one space; leading dots and ends trimmed;
    at most ``limit`` characters (a long project name must not exceed the system's limit).
    """
    cleaned = "".join("_" if ch in _UNSAFE or ord(ch) < 32 or ord(ch) == 127 else ch for ch in text)
    cleaned = " ".join(cleaned.split()).strip(" .")
    return cleaned[:limit].rstrip(" .") or "_"


def _kind(mode: int) -> str:
    """What a non-regular path is: the last word of its message id ``errors.output.*``."""
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "other"


def check_output(path: Path) -> None:
    """Refuse a target that is not a regular file (a link counts as what it points to)
    or whose folder does not exist; an absent target in an existing folder is fine."""
    folder = path.parent
    if not folder.is_dir():
        raise OutputError("errors.output.no_folder", path=path, folder=folder)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():  # a dangling link: writing would create its target elsewhere
            raise OutputError("errors.output.other", path=path) from None
        return
    except OSError as exc:
        raise OutputError("errors.output.unusable", path=path, detail=exc.strerror) from None
    if not stat.S_ISREG(mode):
        raise OutputError(f"errors.output.{_kind(mode)}", path=path)


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary file beside ``path`` to write; rename it onto ``path`` on success.

    The temporary file is created with the user's umask (not mkstemp's 0600), so the
    result is shared like any file the user saves. On any failure it is removed.
    """
    path = Path(path)
    check_output(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    try:
        yield temporary
        with temporary.open("rb+") as written:  # on disk before it takes the name
            os.fsync(written.fileno())
        check_output(path)  # still a regular file (or nothing) just before the rename
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through :func:`atomic_output`."""
    with atomic_output(path) as temporary:
        temporary.write_bytes(data)
