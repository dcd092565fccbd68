"""The running PQM app, typed (one ``cast`` for every screen and widget, as Posting does)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from pqm_tui.app import PQMApp


def pqm_app(node: DOMNode) -> PQMApp:
    """The ``PQMApp`` ``node`` runs in: its database, settings, clock, actor and translator."""
    return cast("PQMApp", node.app)
