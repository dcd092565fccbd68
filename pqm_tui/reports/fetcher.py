"""What a render may fetch (render child only: imports WeasyPrint).

WeasyPrint fetches every ``src``/``url()`` through :class:`SafeFetcher`, which
serves only files under our template folders and the photo cache; anything
else (``file:///etc/passwd``, ``http://…``) is refused and recorded.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcher, URLFetcherResponse


class SafeFetcher(URLFetcher):  # type: ignore[misc]
    """Serves ``file:`` URLs under ``roots`` only; records every URL asked for."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.roots = [r.resolve() for r in roots]
        self.requested: list[str] = []
        self.refused: list[str] = []

    def allows(self, url: str) -> Path | None:
        parsed = urlparse(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parsed.path)).resolve()
        if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
            return path
        return None

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        self.requested.append(url)
        path = self.allows(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"refused to fetch {url!r}: only template assets and photos")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), headers={"Content-Type": mime})
