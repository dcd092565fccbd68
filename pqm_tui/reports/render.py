"""Context → Jinja (autoescape on) → HTML → WeasyPrint → PDF.

Templates and CSS are looked up first in the company's folder
(``<data dir>/templates``), then in the ones shipped with PQM, so a company
overrides its letterhead or logo by dropping a file of the same name there.
WeasyPrint's own warnings (missing glyphs, refused URLs, broken images) are
captured; ``strict=True`` turns any of them into an error (the tests do).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from pqm_tui.model.errors import PQMError
from pqm_tui.reports.context import PhotoRef
from pqm_tui.reports.parts import idle_cores, split
from pqm_tui.reports.printable import Printable
from pqm_tui.reports.render_child import RenderChild

STYLESHEETS = ("print.css",)
OPTIONAL_STYLESHEETS = ("company.css",)


def missing_photos(context: Any) -> list[PhotoRef]:
    """Photos and signature images of a context whose file was not found, once each."""
    found: dict[str, PhotoRef] = {}

    def walk(value: Any) -> None:
        if isinstance(value, PhotoRef):
            if value.url is None:
                found.setdefault(value.missing_reason, value)
        elif is_dataclass(value) and not isinstance(value, type):
            for f in fields(value):
                walk(getattr(value, f.name))
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(context)
    return list(found.values())


class RenderError(PQMError):
    """WeasyPrint reported a problem while rendering (strict mode)."""


@dataclass(frozen=True)
class TemplateDirs:
    """Where templates are looked up, first match wins."""

    dirs: tuple[Path, ...]

    def find(self, name: str) -> Path | None:
        for folder in self.dirs:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        return None


def default_dirs() -> TemplateDirs:
    from pqm_tui.paths import package_templates_dir, user_templates_dir

    return TemplateDirs((user_templates_dir(), package_templates_dir()))


def _bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (a template's change recompiles it): ~0.08 s each."""
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only place: compile every time
    return jinja2.FileSystemBytecodeCache(str(folder))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def weasyprint_warnings() -> Iterator[list[str]]:
    """Collect WeasyPrint's (and its fontTools') warnings instead of printing them."""
    loggers = [logging.getLogger(name) for name in ("weasyprint", "fontTools")]
    handler = _Collect()
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


class Renderer:
    """Renders one kind of document from a context to HTML and to PDF."""

    def __init__(
        self,
        dirs: TemplateDirs,
        translate: Callable[..., str],
        lang: str,
        extra_roots: list[Path],
        compiled: Path | None = None,
    ) -> None:
        self.dirs = dirs
        self.lang = lang
        self.translate = translate
        existing = [d for d in dirs.dirs if d.is_dir()]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in existing]),
            autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=self._printable,
            bytecode_cache=_bytecode_cache(compiled),
        )
        self.printable = Printable()
        self.env.globals.update(
            t=translate, asset=self.asset, svg=self.svg, lang=lang, missing_photos=missing_photos
        )
        self.roots = [*existing, *extra_roots]  # what the child's SafeFetcher may serve
        self.fetcher = FetchLog()  # what the last render asked for
        self.child: RenderChild | None = None
        self.workers: int | None = None  # parts rendered at once; None: the idle cores
        self.base_url = (existing[-1] if existing else Path.cwd()).as_uri() + "/"

    def asset(self, name: str) -> str:
        """URL of a template asset (logo …), the company's copy first; '' if none."""
        found = self.dirs.find(name)
        return found.as_uri() if found else ""

    @staticmethod
    def svg(markup: str) -> Markup:
        """Mark SVG generated by our own code (labels already escaped) as safe."""
        return Markup(markup)

    def _printable(self, value: Any) -> Any:
        """Every printed value: text cleaned (``printable``), our own markup as it is."""
        if isinstance(value, str) and not isinstance(value, Markup):
            return self.printable(value)
        return value

    def html(self, template: str, context: Any) -> str:
        """The document as HTML (the context is the ``doc`` variable).

        ``unprintable`` then names the characters no installed font has (printed
        as ``[U+…]``), before anything is rendered.
        """
        self.printable = Printable()
        return self.env.get_template(template).render(doc=context)

    @property
    def unprintable(self) -> list[str]:
        """The characters of the last :meth:`html` that no font has, by name."""
        return list(self.printable.unprintable.values())

    def stylesheets(self) -> list[Path]:
        """The stylesheet files of this language, the company's copies first."""
        names = [*STYLESHEETS, f"pages-{self.lang}.css"]
        sheets = []
        for name in names:
            path = self.dirs.find(name)
            if path is None:
                raise RenderError(
                    "errors.report.stylesheet_missing",
                    name=name,
                    dirs=", ".join(map(str, self.dirs.dirs)),
                )
            sheets.append(path)
        sheets += [p for p in map(self.dirs.find, OPTIONAL_STYLESHEETS) if p is not None]
        return sheets

    def prepare(self) -> None:
        """Start the render child now: it imports WeasyPrint while the document is built."""
        if self.child is None:
            text = self.translate("reports.project")  # warms up the fonts of this language
            self.child = RenderChild(self.base_url, self.stylesheets(), self.roots, text)

    def close(self) -> None:
        """Stop a render child started for a document that was not rendered."""
        if self.child is not None:
            self.child.close()
            self.child = None

    def pdf(self, html: str, *, strict: bool = False) -> tuple[bytes, int, list[str]]:
        """Render HTML to PDF bytes in the render child; returns (pdf, page count, warnings)."""
        self.prepare()
        assert self.child is not None
        child, self.child = self.child, None
        try:
            parts = split(html, self.workers or idle_cores())
            data, result = child.render(parts, self.base_url)
        finally:
            child.close()
        self.fetcher = FetchLog(result.requested, result.refused)
        if strict and result.warnings:
            raise RenderError("errors.report.render", detail="; ".join(result.warnings))
        return data, result.pages, result.warnings


@dataclass
class FetchLog:
    """The URLs the last render asked for and those the SafeFetcher refused."""

    requested: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
