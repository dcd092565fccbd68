"""What a render may touch: the CJK font check, the URL fetcher, downscaled images.

WeasyPrint (in the render child) fetches every ``src``/``url()`` through
:class:`.fetcher.SafeFetcher`; this module does not import WeasyPrint.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
from pathlib import Path

from pqm_tui.model.errors import PQMError
from pqm_tui.reports.context import PhotoRef

CJK_FONT_PACKAGE = "fonts-noto-cjk"


class FontMissingError(PQMError):
    """No Chinese font is installed: the PDF would print boxes."""


def cjk_fonts() -> list[str]:
    """Font files fontconfig knows for Chinese (``fc-list :lang=zh``)."""
    if shutil.which("fc-list") is None:
        return []
    out = subprocess.run(
        ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False
    ).stdout
    return [line.split(":")[0] for line in out.splitlines() if line.strip()]


def require_cjk_font() -> None:
    """Raise FontMissingError when no Chinese font is installed."""
    if not cjk_fonts():
        raise FontMissingError("reports.font_missing", package=CJK_FONT_PACKAGE)


class ImageCache:
    """Downscaled copies of photos and signature images for the PDF (Pillow)."""

    def __init__(self, media_dir: Path, max_pixels: int) -> None:
        self.media_dir = media_dir.absolute()  # ``pqm --db x.sqlite3``: file URLs need a root
        self.cache_dir = self.media_dir / ".pdf-cache"
        self.max_pixels = max_pixels
        self.missing: list[PhotoRef] = []

    def locate(self, stored_path: str) -> Path:
        """The file of a ``photos.stored_path``, or the place it should be when missing.

        The convention (what the walk writes): relative to the database's folder,
        ``<db name>.media/<sha256>.<ext>``. Also found: absolute paths inside the
        store, paths relative to the store itself (older sample databases), and a
        store moved or renamed with its database (the content-named file in the
        store). Nothing outside the media store is ever read.
        """
        stored = Path(stored_path)
        store = self.media_dir.resolve()
        if stored.is_absolute():
            candidates = [stored, self.media_dir / stored.name]
        else:
            candidates = [
                self.media_dir.parent / stored,
                self.media_dir / stored,
                self.media_dir / stored.name,
            ]
        for candidate in candidates:
            if candidate.resolve().is_relative_to(store) and candidate.is_file():
                return candidate
        return candidates[0]

    def photo(self, sha256: str, name: str, stored_path: str, missing_text: str) -> PhotoRef:
        """A photo of the media store, downscaled; a missing file is recorded, not dropped."""
        source = self.locate(stored_path)
        inside = source.resolve().is_relative_to(self.media_dir.resolve())
        if not inside or not source.is_file():
            ref = PhotoRef(sha256, name, None, missing_text.format(name=name, path=source))
            self._missing(ref)
            return ref
        try:
            return PhotoRef(sha256, name, self._downscaled(source, sha256, "jpg").as_uri())
        except OSError as exc:  # unreadable or not an image (PIL.UnidentifiedImageError)
            ref = PhotoRef(sha256, name, None, missing_text.format(name=name, path=exc))
            self._missing(ref)
            return ref

    def signature(self, image_path: str, name: str, missing_text: str) -> PhotoRef:
        """A person's handwritten-signature image (PNG kept transparent)."""
        source = Path(image_path)
        if not source.is_absolute():
            source = self.media_dir / source
        if not source.is_file():
            ref = PhotoRef("", name, None, missing_text.format(name=name, path=source))
            self._missing(ref)
            return ref
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        try:
            return PhotoRef(digest, name, self._downscaled(source, digest, "png").as_uri())
        except OSError as exc:
            ref = PhotoRef(digest, name, None, missing_text.format(name=name, path=exc))
            self._missing(ref)
            return ref

    def _missing(self, ref: PhotoRef) -> None:
        """Record a missing file once (one picture may be attached to several findings)."""
        if all(m.missing_reason != ref.missing_reason for m in self.missing):
            self.missing.append(ref)

    def _downscaled(self, source: Path, digest: str, ext: str) -> Path:
        from PIL import Image, ImageOps

        target = self.cache_dir / f"{digest}-{self.max_pixels}.{ext}"
        if target.is_file():
            return target
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with Image.open(source) as img:
            image = ImageOps.exif_transpose(img)
            image.thumbnail((self.max_pixels, self.max_pixels))
            tmp = target.with_name(f".{target.name}.{os.getpid()}-{threading.get_ident()}.tmp")
            try:
                if ext == "jpg":
                    image.convert("RGB").save(tmp, "JPEG", quality=85, optimize=True)
                else:
                    image.save(tmp, "PNG")
                tmp.replace(target)
            finally:
                tmp.unlink(missing_ok=True)  # a full disk leaves no half-written copy
        return target
