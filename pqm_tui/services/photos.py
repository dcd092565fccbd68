"""The photo store (照片库): evidence copied beside the database, named by its sha256.

A photo is checked (exists, readable, really an image) and copied into
``paths.media_dir(db_path)`` as ``<sha256><suffix>`` before any row refers to
it; the same picture attached twice is stored once. "Import new photos from a
folder" (a camera card, a phone's sync folder) takes the images that are newer
than the last import from that folder and not yet in the store.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Collection
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pqm_tui.model.errors import ModelError
from pqm_tui.paths import media_dir

CHUNK = 1 << 20
STATE_FILE = ".imports.json"
SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".heif", ".bmp", ".tif", ".tiff"}


class PhotoError(ModelError):
    """A photo cannot be stored: missing, unreadable or not an image (``errors.photo.*``).

    ``path`` is the file or folder concerned, ``reason`` the last part of the key.
    """

    def __init__(self, key: str, /, *, path: Path, detail: str = "") -> None:
        super().__init__(key, path=path, detail=detail)
        self.path = path
        self.detail = detail

    @property
    def reason(self) -> str:
        return self.key.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class StoredPhoto:
    """A picture now in the media store."""

    sha256: str
    original_name: str
    stored_path: Path
    source: Path


def image_kind(head: bytes) -> str | None:
    """The image format from a file's first bytes, or None when it is not an image."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif"):
        return "heic"
    if head[:2] == b"BM":
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    return None


SUFFIX_OF = {
    "jpeg": ".jpg",
    "png": ".png",
    "gif": ".gif",
    "webp": ".webp",
    "heic": ".heic",
    "bmp": ".bmp",
    "tiff": ".tif",
}


def _check(source: Path) -> tuple[str, str]:
    """(sha256, format) of an image file, or PhotoError naming the file and the fault."""
    if not source.exists():
        raise PhotoError("errors.photo.missing", path=source)
    if source.is_dir():
        raise PhotoError("errors.photo.folder", path=source)
    digest = hashlib.sha256()
    try:
        with source.open("rb") as handle:
            head = handle.read(32)
            digest.update(head)
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise PhotoError(
            "errors.photo.unreadable", path=source, detail=str(exc.strerror or exc)
        ) from None
    kind = image_kind(head)
    if kind is None:
        raise PhotoError("errors.photo.not_image", path=source)
    return digest.hexdigest(), kind


def store_photo(db_path: Path, source: Path | str) -> StoredPhoto:
    """Check ``source`` and copy it into the media store (once per content)."""
    path = Path(source).expanduser()
    sha256, kind = _check(path)
    folder = media_dir(db_path)
    target = folder / f"{sha256}{SUFFIX_OF[kind]}"
    if not target.exists():
        partial = target.with_name(target.name + ".part")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, partial)
            with partial.open("rb") as handle:
                os.fsync(handle.fileno())
            partial.replace(target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise PhotoError(
                "errors.photo.copy_failed", path=path, detail=str(exc.strerror or exc)
            ) from None
    return StoredPhoto(sha256, path.name, target, path)


def is_stored(db_path: Path, sha256: str) -> bool:
    folder = media_dir(db_path)
    return any(folder.glob(f"{sha256}.*")) if folder.is_dir() else False


def _state_path(db_path: Path) -> Path:
    return media_dir(db_path) / STATE_FILE


def _load_state(db_path: Path) -> dict[str, float]:
    try:
        data = json.loads(_state_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}


def last_import(db_path: Path, folder: Path) -> float | None:
    """Modification time of the newest file taken by the last import from ``folder``."""
    return _load_state(db_path).get(str(folder.expanduser().resolve()))


def new_photos(db_path: Path, folder: Path | str) -> list[Path]:
    """Images in ``folder`` newer than its last import, oldest first (not hashed yet)."""
    where = Path(folder).expanduser()
    if not where.is_dir():
        raise PhotoError("errors.photo.no_folder", path=where)
    since = last_import(db_path, where)
    try:
        entries = [p for p in where.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES]
    except OSError as exc:
        raise PhotoError(
            "errors.photo.unlistable", path=where, detail=str(exc.strerror or exc)
        ) from None
    fresh = [p for p in entries if since is None or p.stat().st_mtime > since]
    return sorted(fresh, key=lambda p: (p.stat().st_mtime, p.name))


class FolderImport(NamedTuple):
    """What a folder import took: the photos stored, the files refused, the newest
    modification time looked at, and how many pictures were left out as already used."""

    stored: list[StoredPhoto]
    problems: list[PhotoError]
    mark: float | None
    left_out: int = 0


def import_folder(
    db_path: Path,
    folder: Path | str,
    *,
    remember: bool = True,
    leave_out: Collection[str] = (),
) -> FolderImport:
    """Store the new images of ``folder``; return (stored, problems, mark, left_out).

    New = modified after the folder's last import, and not one of the pictures
    ``leave_out`` names by SHA-256 (those already attached to a finding: the same
    picture under any file name). Problems (an unreadable file, a file that is not
    an image) are reported one each; the other files are still imported. ``mark`` is
    the newest modification time looked at; with ``remember`` it becomes the folder's
    last import at once, otherwise the caller calls ``remember_import`` when the photos
    are really used (a cancelled finding panel leaves them to be offered again).
    """
    where = Path(folder).expanduser()
    candidates = new_photos(db_path, where)
    stored: list[StoredPhoto] = []
    problems: list[PhotoError] = []
    left_out = 0
    for path in candidates:
        try:
            photo = store_photo(db_path, path)
        except PhotoError as exc:
            problems.append(exc)  # reported now, not again after the next import
            continue
        if photo.sha256 in leave_out:
            left_out += 1
        else:
            stored.append(photo)
    mark = max((p.stat().st_mtime for p in candidates), default=None)
    if remember and mark is not None:
        remember_import(db_path, where, mark)
    return FolderImport(stored, problems, mark, left_out)


def remember_import(db_path: Path, folder: Path, mark: float) -> None:
    """Record that ``folder`` was imported up to modification time ``mark``."""
    state = _load_state(db_path)
    key = str(folder.expanduser().resolve())
    state[key] = max(mark, state.get(key, 0.0))
    with suppress(OSError):  # only a convenience (what to offer next time): a full disk may refuse
        media_dir(db_path).mkdir(parents=True, exist_ok=True)
        _state_path(db_path).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")


@dataclass(frozen=True)
class PhotoRef:
    """A photo to show: its original name, its file now (None: gone) and its row, if any."""

    name: str
    path: Path | None
    photo_id: str = ""


def locate(db_path: Path, stored_path: str) -> Path | None:
    """The file of a stored photo (``photos.stored_path`` or a reply's evidence path), or None.

    Relative paths are relative to the database's folder; a store moved with its
    database is searched by the file's name.
    """
    stored = Path(stored_path)
    store = media_dir(db_path)
    candidates = [stored] if stored.is_absolute() else [db_path.parent / stored]
    candidates.append(store / stored.name)
    return next((c for c in candidates if c.is_file()), None)


VIEWER = "xdg-open"  # the desktop's viewer for a file (Linux desktops)


def open_photo(path: Path | None, name: str = "") -> None:
    """Show a photo in the system's viewer (查看照片), without waiting for it.

    ``PhotoError`` when the file is gone (``errors.photo.gone``) or there is no
    viewer on this machine (``errors.photo.no_viewer``: a server or a bare terminal).
    """
    if path is None or not path.is_file():
        raise PhotoError("errors.photo.gone", path=Path(name or "?"))
    viewer = shutil.which(VIEWER)
    if viewer is None:
        raise PhotoError("errors.photo.no_viewer", path=path, detail=VIEWER)
    try:
        subprocess.Popen(
            [viewer, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        raise PhotoError(
            "errors.photo.no_viewer", path=path, detail=str(exc.strerror or exc)
        ) from None
