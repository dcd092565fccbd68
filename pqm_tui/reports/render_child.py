"""The render child (排版子进程), as the parent sees it: WeasyPrint runs there, never here.

The parent starts ``python -m pqm_tui.reports.typesetting`` as early as it can (``pqm
report`` before it even opens the document's modules: :func:`start_early`), so that the
child imports WeasyPrint while the parent reads the database and renders the template.
It then sends one JSON line of setup (stylesheets, base URL, the folders a
:class:`~.fetcher.SafeFetcher` may serve, a few words to warm the fonts with) and, at
EOF, a :class:`RenderJob`: the HTML in one or more parts. The child writes the PDF to
the job's ``out`` file and prints a JSON result (pages, warnings, what was fetched and
refused). Its memory is returned to the system when it exits, and a crash or a kill
there is an error the parent translates, never a traceback.
"""

from __future__ import annotations

import atexit
import json
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pqm_tui.model.errors import PQMError
from pqm_tui.reports.parts import CpuTime

CHILD_ARGV = [sys.executable, "-m", "pqm_tui.reports.typesetting"]


class RenderCrashed(PQMError):
    """The render child died (killed, out of memory, a crash) before writing the PDF."""


@dataclass(frozen=True)
class RenderJob:
    """What the child renders: HTML parts joined in order into one PDF at ``out``."""

    parts: list[str]
    base_url: str
    out: str


@dataclass
class RenderResult:
    """What the child reports back."""

    pages: int
    warnings: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


class RenderChild:
    """One render child process, started ahead of its setup and its job."""

    def __init__(self) -> None:
        self.started = CpuTime.now()  # what other programs use from now on: parts.idle_cores
        self.process = subprocess.Popen(
            CHILD_ARGV,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.ready = False  # given its setup

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def setup(self, base_url: str, sheets: list[Path], roots: list[Path], text: str) -> None:
        """What every part shares: the child parses the stylesheets and warms up on it."""
        setup: dict[str, Any] = {"base_url": base_url, "text": text}
        setup["stylesheets"] = [str(s) for s in sheets]
        setup["roots"] = [str(r) for r in roots]
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(setup).encode() + b"\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pass  # it died: render() says so
        self.ready = True

    def render(self, parts: list[str], base_url: str) -> tuple[bytes, RenderResult]:
        """The PDF bytes and the child's report; RenderCrashed if it died."""
        with tempfile.TemporaryDirectory(prefix="pqm-render-") as folder:
            out = Path(folder) / "document.pdf"
            job = RenderJob(parts, base_url, str(out))
            try:
                stdout, stderr = self.process.communicate(json.dumps(asdict(job)).encode())
            except BrokenPipeError:
                stdout, stderr = b"", b""
                self.process.wait()
            code = self.process.returncode
            if code != 0 or not out.is_file():
                detail = stderr.decode(errors="replace").strip().splitlines()[-1:] or [
                    f"exit {code}"
                ]
                if code < 0:
                    detail = [f"signal {-code}"]
                raise RenderCrashed("errors.report.crashed", detail=detail[0])
            return out.read_bytes(), RenderResult(**json.loads(stdout))

    def close(self) -> None:
        """Stop a child that was never given a job."""
        if self.alive:
            self.process.kill()
            self.process.communicate()


_early: list[RenderChild] = []  # started by start_early, not yet taken


def start_early() -> None:
    """Start a render child now; the next document rendered in this process takes it.

    ``pqm report`` calls it first: Python and WeasyPrint start (~0.5 s) while the
    command opens the database and builds the document; the document dialog when it
    opens and after each document, while its user chooses. Stopped at exit if unused.
    """
    if not _early:
        _early.append(RenderChild())


def take_child() -> RenderChild:
    """The child started early if it is still waiting for its setup, else a new one."""
    while _early:
        child = _early.pop()
        if child.alive and not child.ready:
            return child
        child.close()
    return RenderChild()


@atexit.register
def stop_early() -> None:
    """Stop a child started early that no document took."""
    while _early:
        _early.pop().close()
