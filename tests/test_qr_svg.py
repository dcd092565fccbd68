"""The verification QR (校验二维码) drawn as runs of dark modules: every module as qrcode has it."""

from __future__ import annotations

import re

import qrcode

from pqm_tui.reports.svg import qr_svg

RUN = re.compile(r"M(\d+),(\d+)h(\d+)v1h-(\d+)z")


def test_the_runs_draw_exactly_the_dark_modules_at_the_printed_size() -> None:
    payload = "pqm:verify:TRYSY-TB5CL:" + "52f306576958cce7ddaa871ff092d1bf" * 2
    svg = qr_svg(payload, size_mm=24)
    code = qrcode.QRCode(border=1)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    assert f'viewBox="0 0 {n} {n}"' in svg and 'width="24mm" height="24mm"' in svg
    drawn: set[tuple[int, int]] = set()
    for x, y, width, back in RUN.findall(svg):
        assert width == back  # each run is a closed one-module-high rectangle
        drawn |= {(int(x) + dx, int(y)) for dx in range(int(width))}
    dark = {(x, y) for y, row in enumerate(matrix) for x, on in enumerate(row) if on}
    assert drawn == dark and len(dark) > 300
    assert len(RUN.findall(svg)) < len(dark)  # runs, not a square per module
