"""Typesetting in the render child (排版子进程): the only module that runs WeasyPrint.

Started by :mod:`.render_child` as ``python -m pqm_tui.reports.typesetting``: it imports
WeasyPrint at once, then reads its setup (one JSON line: stylesheets, base URL, the
folders the :class:`~.fetcher.SafeFetcher` may serve, words to warm the fonts with),
parses the stylesheets and lays out a line of the document's language, and last reads
the job (to EOF): the HTML parts to render into one PDF. It imports nothing of PQM but
the fetcher, so that it is ready before the parent has built the document.

Parts (分段): a long document is rendered as parts in parallel, one forked worker
per part after the first. Every part is paginated on its own; before page numbers
are drawn the parts exchange their page counts, so each page says
"第 X 页 共 Y 页" of the whole, and the later parts receive the running headers
(company, title, number) the first part ends with. pypdf joins the parts.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import select
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape as html_escape
from pathlib import Path
from typing import Any

SETUP_WAIT = 600  # seconds an early child waits for its setup before it gives up


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


def _number_pages(exchange: Callable[[int, Any], tuple[int, int, dict[str, str]]]) -> None:
    """Hook WeasyPrint's margin boxes: page numbers of the whole document, headers carried on.

    ``exchange(pages, context)`` is called once, when this part is paginated and before
    its first margin box; it returns this part's first page number less one, the total
    and the running strings to start with.
    """
    import copy

    import weasyprint.layout as layout

    original = layout.make_margin_boxes
    agreed: dict[int, tuple[int, int]] = {}

    def margin_boxes(context: Any, page: Any, state: Any) -> Any:
        if id(context) not in agreed:
            offset, total, strings = exchange(state[1]["pages"][0], context)
            agreed[id(context)] = (offset, total)
            for name, text in strings.items():
                if 1 not in context.string_set[name]:
                    context.string_set[name][1] = [text]
        offset, total = agreed[id(context)]
        state = copy.deepcopy(state)
        counters = state[1]
        counters["page"] = [counters["page"][0] + offset]
        counters["pages"] = [total]
        return original(context, page, state)

    layout.make_margin_boxes = margin_boxes


def _last_strings(context: Any) -> dict[str, str]:
    """Each running string's value at the end of a part (its last assignment)."""
    last: dict[str, str] = {}
    for name, pages in context.string_set.items():
        if pages:
            last[name] = pages[max(pages)][-1]
    return last


_KEPT: list[Any] = []  # font blobs read in place, alive as long as this child


def _fonts_without_copies() -> None:
    """Read each whole font file in place (the mapped file), not as a copy in memory.

    WeasyPrint copies the whole font file of every face it draws with (the Noto CJK
    collections: 19-27 MB each, five faces in a report) until it subsets them when the
    PDF is written. The child reads them in place instead; the subsets are still copied.
    """
    import weasyprint.pdf.fonts as pdf_fonts
    from weasyprint.text.ffi import ffi, harfbuzz

    copy = pdf_fonts.get_hb_object_data

    def in_place(hb_object: Any, ot_color: Any = None, glyph: Any = None) -> Any:
        if ot_color is not None:
            return copy(hb_object, ot_color, glyph)
        blob = harfbuzz.hb_face_reference_blob(hb_object)
        with ffi.new("unsigned int *") as length:
            data = harfbuzz.hb_blob_get_data(blob, length)
            size = int(length[0])
        if data == ffi.NULL or size < 4_000_000:  # a subset: bytes, as WeasyPrint expects
            harfbuzz.hb_blob_destroy(blob)
            return copy(hb_object)
        _KEPT.append(blob)
        return ffi.buffer(data, size)

    pdf_fonts.get_hb_object_data = in_place


class _Prepared:
    """What every part shares, made before the job arrives: fetcher, fonts, parsed stylesheets."""

    def __init__(self, setup: dict[str, Any]) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        from pqm_tui.reports.fetcher import SafeFetcher

        _fonts_without_copies()
        self.fetcher = SafeFetcher([Path(r) for r in setup["roots"]])
        self.fonts = FontConfiguration()
        with weasyprint_warnings() as warnings:  # a company.css typo is said once
            self.sheets = [
                weasyprint.CSS(filename=name, url_fetcher=self.fetcher, font_config=self.fonts)
                for name in setup["stylesheets"]
            ]
        self.warnings = list(warnings)
        # lay out and write a line of Chinese: fontconfig, Pango and HarfBuzz warm up
        text = html_escape(setup.get("text", ""))
        self.render(WARM_UP.format(text), setup["base_url"]).write_pdf()

    def render(self, html: str, base_url: str) -> Any:
        import weasyprint

        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=self.fetcher).render(
            stylesheets=self.sheets, font_config=self.fonts
        )


WARM_UP = (  # the text: a few words of the document's language (``setup["text"]``)
    "<html><body><h1>{0} 1</h1><table><tr><th>{0}</th><td><b>{0}</b></td></tr></table>"
    "</body></html>"
)


def _worker(prepared: _Prepared, html: str, job: dict[str, Any], conn: Any, out: str) -> None:
    """A forked worker: one later part, to ``out``; its result through ``conn``."""
    fetcher = prepared.fetcher
    fetcher.requested, fetcher.refused = [], []

    def exchange(pages: int, _context: Any) -> tuple[int, int, dict[str, str]]:
        conn.send(pages)
        offset, total, strings = conn.recv()
        return offset, total, strings

    _number_pages(exchange)
    with weasyprint_warnings() as warnings:
        prepared.render(html, job["base_url"]).write_pdf(out)
    conn.send((list(warnings), fetcher.requested, fetcher.refused))


def run(prepared: _Prepared, job: dict[str, Any]) -> dict[str, Any]:
    """Render the job's parts (the first here, the others in forked workers) and join them.

    Returns what :class:`~.render_child.RenderResult` holds: pages, warnings, requested, refused.
    """
    import multiprocessing

    parts: list[str] = job["parts"]
    fetcher = prepared.fetcher
    fetcher.requested, fetcher.refused = [], []
    fork = multiprocessing.get_context("fork")  # this process holds only WeasyPrint
    workers = []
    folder = Path(job["out"]).parent
    for n, html in enumerate(parts[1:], start=1):
        mine, theirs = fork.Pipe()
        out = str(folder / f"part-{n}.pdf")
        args = (prepared, html, job, theirs, out)
        process = fork.Process(target=_worker, args=args, daemon=True)
        process.start()
        theirs.close()  # a worker that dies is an EOFError here, not a wait forever
        workers.append((process, mine, out))
    totals: list[int] = []

    def exchange(pages: int, context: Any) -> tuple[int, int, dict[str, str]]:
        counts = [pages, *(conn.recv() for _, conn, _ in workers)]
        strings = _last_strings(context)
        offset = pages
        for (_, conn, _), count in zip(workers, counts[1:], strict=True):
            conn.send((offset, sum(counts), strings))
            offset += count
        totals.append(sum(counts))
        return 0, sum(counts), {}

    _number_pages(exchange)
    with weasyprint_warnings() as warnings:
        document = prepared.render(parts[0], job["base_url"])
        first = document.write_pdf()
    result: dict[str, Any] = {
        "pages": len(document.pages),
        "warnings": [*prepared.warnings, *warnings],
        "requested": list(fetcher.requested),
        "refused": list(fetcher.refused),
    }
    if not workers:
        Path(job["out"]).write_bytes(first)
        return result
    from pypdf import PdfReader, PdfWriter

    head = PdfReader(_io(first))
    writer = PdfWriter(clone_from=head)  # metadata, language, fonts of the first part
    del writer.root_object["/Outlines"]  # rebuilt below, the later parts' under the title
    titles = _outline(writer, head, head.outline, 0, None)
    for process, conn, out in workers:
        more, requested, refused = conn.recv()
        process.join()
        result["warnings"] += more
        result["requested"] += requested
        result["refused"] += refused
        offset = len(writer.pages)
        reader = PdfReader(out)
        writer.append(reader, import_outline=False)
        _outline(writer, reader, reader.outline, offset, titles[0] if titles else None)
    writer.write(job["out"])
    result["pages"] = totals[0]
    return result


def _outline(writer: Any, reader: Any, items: list[Any], offset: int, parent: Any) -> list[Any]:
    """A part's bookmarks into the joined file, pages moved by ``offset``; the added top ones."""
    added: list[Any] = []
    for item in items:
        if isinstance(item, list):  # the children of the item before
            _outline(writer, reader, item, offset, added[-1] if added else parent)
            continue
        page = reader.get_destination_page_number(item) + offset
        added.append(writer.add_outline_item(item.title, page, parent=parent))
    return added


def _io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def _collect_less() -> None:
    """Fewer garbage collections while rendering: ~10 % less CPU, the same peak memory.

    WeasyPrint allocates millions of small objects and frees almost all of them by
    reference counting, so the collector's passes over the heap find next to nothing.
    What is alive now (modules, fonts, stylesheets) is frozen out of its passes, which
    also keeps the forked part workers from copying it page by page.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    gc.enable()


def main() -> None:
    """Import WeasyPrint, wait for the setup, prepare, render the job, print the result."""
    gc.disable()  # importing and preparing makes no garbage worth a pass (~0.04 s)
    import weasyprint  # noqa: F401  the half second, while the parent builds the document

    ready, _, _ = select.select([sys.stdin], [], [], SETUP_WAIT)
    line = sys.stdin.buffer.readline() if ready else b""
    if not line.strip():  # the parent went away or never needed us
        return
    prepared = _Prepared(json.loads(line))
    _collect_less()
    job = json.loads(sys.stdin.buffer.read())
    result = run(prepared, job)
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # the PDF is written: no need to tear down WeasyPrint's objects one by one


if __name__ == "__main__":
    main()
