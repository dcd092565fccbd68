"""What is due (待办): a few lines for the home screen, from ``services.cadence``."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from pqm_tui.widgets.pqm_app import pqm_app

MAX_LINES = 6


class DuePanel(Static):
    """Overdue items, deadlines within 2 days, checks and self-check reports due.

    Mount it anywhere on a screen of the PQM app (it reads ``app.db``,
    ``app.clock`` and ``app.tr``) and call ``refresh_due()`` to read again.
    """

    DEFAULT_CSS = """
    DuePanel {
        height: auto;
        max-height: 8;
        padding: 0 1;
        border-left: thick $warning;
    }
    """

    def on_mount(self) -> None:
        if pqm_app(self).database_open:  # else the screen calls refresh_due once it is open
            self.call_after_refresh(self.refresh_due)  # read after the screen's first paint

    def refresh_due(self) -> None:
        from pqm_tui.services.cadence import due_items  # the database layer: after the paint

        app = pqm_app(self)
        tr = app.tr
        entries = due_items(app.db, app.clock.today())
        if not entries:
            self.update(tr("cadence.nothing"))
            return
        text = Text()
        for entry in entries[:MAX_LINES]:
            line = tr(
                f"cadence.{entry.kind}",
                project=entry.project,
                due=entry.due.isoformat(),
                count=entry.count,
            )
            style = "bold red" if entry.kind == "overdue" else ""
            text.append(line + "\n", style=style)
        if len(entries) > MAX_LINES:
            text.append(tr("cadence.more", count=len(entries) - MAX_LINES))
        self.update(text)
