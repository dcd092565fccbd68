"""Refused rectification moves said in the user's language (for the CLI and the screens)."""

from __future__ import annotations

from pqm_tui.i18n import Translator
from pqm_tui.services.rectification import RectificationError, TransitionError


def explain(tr: Translator, exc: Exception) -> str:
    """The message of ``exc``; state-machine errors are looked up by their key."""
    if isinstance(exc, TransitionError):
        allowed = "、".join(tr(f"review.action.{a.value}") for a in exc.allowed)
        return tr(
            "review.err.transition",
            state=tr(f"review.state.{exc.state.value}"),
            action=tr(f"review.action.{exc.action.value}"),
            allowed=allowed or tr("review.err.final"),
        )
    if isinstance(exc, RectificationError):
        params = {k: getattr(v, "value", v) for k, v in exc.params.items()}
        if "state" in params:
            params["state"] = tr(f"review.state.{params['state']}")
        return tr(f"review.err.{exc.key}", **params)
    return str(exc)
