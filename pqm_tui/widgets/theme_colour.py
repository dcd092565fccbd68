"""A colour of the app's theme as Rich takes it, for widgets that draw with Rich styles."""

from __future__ import annotations

from textual.app import App
from textual.color import Color, ColorParseError


def theme_colour(app: App[object], variable: str, fallback: str) -> str:
    """The theme's ``variable`` (``primary``, ``error`` …) as ``#rrggbb`` (alpha blended),
    or ``fallback`` when the theme has none or it does not parse."""
    value = app.theme_variables.get(variable)
    if value is None:
        return fallback
    try:
        return Color.parse(value).hex6
    except ColorParseError:
        return fallback
