"""The system's file viewer (系统查看器): ``xdg-open`` on Linux, ``open`` on macOS."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

VIEWERS = ("xdg-open", "open")


def viewer_name() -> str | None:
    """The viewer command found on this system, or None."""
    for viewer in VIEWERS:
        if shutil.which(viewer):
            return viewer
    return None


def open_in_viewer(path: Path) -> str | None:
    """Open ``path`` with the system viewer (detached); the viewer's name, or None."""
    viewer = viewer_name()
    found = shutil.which(viewer) if viewer else None
    if viewer is None or found is None:
        return None
    subprocess.Popen(  # detached viewer; we do not wait for it
        [found, str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return viewer
