"""A real terminal for the benchmarks: a pseudo-terminal and a terminal emulator (pyte).

The program runs in its own process on a pty of the given size, as in a terminal window;
everything it writes is fed to a ``pyte`` screen (which, like a real terminal, lays out
wide Chinese characters in two cells). ``press`` writes key bytes as a keyboard does and
``wait_for`` returns the moment the screen first shows what is asked: the time a person
would see the answer, not the time the program thinks it is done.
"""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Sequence

import pyte

KEYS = {"enter": "\r", "escape": "\x1b", "tab": "\t", "ctrl+q": "\x11", "ctrl+s": "\x13"}


class Terminal:
    """A program on a ``cols`` × ``rows`` pty, its output painted on a pyte screen."""

    def __init__(
        self,
        argv: Sequence[str],
        cols: int = 120,
        rows: int = 36,
        env: dict[str, str] | None = None,
    ) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.changed = threading.Condition()
        self.painted_at = 0.0  # perf_counter of the last chunk fed to the screen
        self.output_bytes = 0
        # called with (time, screen text) for every chunk painted, from the reader thread:
        # what was shown when, while the benchmark is busy typing (a burst)
        self.watch: Callable[[float, str], None] | None = None
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        environment = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        environment.update(env or {})
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=environment,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                chunk = b""
            with self.changed:
                if chunk:
                    self.stream.feed(chunk)
                    self.output_bytes += len(chunk)
                self.painted_at = time.perf_counter()
                if chunk and self.watch is not None:
                    self.watch(self.painted_at, self._display())
                self.changed.notify_all()
            if not chunk:
                return

    def _display(self) -> str:
        # pyte's own ``display`` fails on a cell holding an empty string; a wide
        # character's second cell holds one, so join the cells' text directly.
        screen = self.screen
        return "\n".join(
            "".join(screen.buffer[y][x].data for x in range(screen.columns))
            for y in range(screen.lines)
        )

    def text(self) -> str:
        """The screen as lines of text (a wide character's second cell is dropped)."""
        with self.changed:
            return self._display()

    def wait_for(self, shown: str | Callable[[str], bool], timeout: float = 20.0) -> float:
        """Block until the screen shows ``shown`` (text, or a test of the screen text);
        return the perf_counter time of the output that made it so."""
        test = shown if callable(shown) else (lambda text: shown in text)
        deadline = time.perf_counter() + timeout
        with self.changed:
            while True:
                if test(self._display()):
                    return self.painted_at
                left = deadline - time.perf_counter()
                if left <= 0 or (self.process.poll() is not None and not self.reader.is_alive()):
                    screen = self._display()
                    raise TimeoutError(f"not shown within {timeout} s: {shown!r}\n{screen}")
                self.changed.wait(left)

    def press(self, *keys: str) -> float:
        """Type ``keys`` (characters or names in ``KEYS``); return the time of the last."""
        for key in keys:
            os.write(self.master, KEYS.get(key, key).encode())
        return time.perf_counter()

    def close(self, quit_keys: Sequence[str] = ("ctrl+q",), timeout: float = 10.0) -> None:
        """Quit the program by keys; kill it if it does not go."""
        try:
            self.press(*quit_keys)
            self.process.wait(timeout)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            os.close(self.master)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.close()
