"""The screens by name (导航), each imported the first time it is opened.

A screen asks ``PQMApp.open(name, …)`` for another and never imports it
(tests/test_screen_navigation.py). Only the home screen is needed to paint the
first screen: the others (review, organisation, assessment …) pull in their own
services and widgets, so they load when first opened, not at start
(tests/test_import_hygiene.py).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Literal

from textual.screen import Screen

ScreenName = Literal[
    "home",
    "welcome",
    "organisation",
    "start",
    "walk",
    "summary",
    "review",
    "item",
    "report",
    "document",
    "help",
    "amendments",
    "assessment",
    "assessment_project",
    "analysis",
    "assessment_trend",
    "identity",
]
SCREENS: dict[ScreenName, tuple[str, str]] = {  # name → (module, class)
    "home": ("pqm_tui.screens.home", "HomeScreen"),
    "welcome": ("pqm_tui.screens.welcome", "WelcomeScreen"),
    "organisation": ("pqm_tui.screens.organisation", "OrganisationScreen"),
    "start": ("pqm_tui.screens.dialogs.start", "StartInspectionScreen"),
    "walk": ("pqm_tui.screens.walk", "WalkScreen"),
    "summary": ("pqm_tui.screens.summary", "SummaryScreen"),
    "review": ("pqm_tui.screens.review", "ReviewScreen"),
    "item": ("pqm_tui.screens.review_detail", "ItemDetailScreen"),
    "report": ("pqm_tui.screens.dialogs.report", "ReportDialog"),
    "document": ("pqm_tui.screens.dialogs.document", "DocumentDialog"),
    "help": ("pqm_tui.screens.dialogs.help", "HelpScreen"),
    "amendments": ("pqm_tui.screens.amendments", "AmendmentsScreen"),
    "assessment": ("pqm_tui.screens.assessment", "AssessmentScreen"),
    "assessment_project": ("pqm_tui.screens.assessment", "AssessmentProjectScreen"),
    "analysis": ("pqm_tui.screens.analysis", "AnalysisScreen"),
    "assessment_trend": ("pqm_tui.screens.assessment_trend", "AssessmentTrendScreen"),
    "identity": ("pqm_tui.screens.dialogs.identity", "IdentityDialog"),
}

# Screens that hold nothing typed: the palette's "home" may close them.
BROWSING: tuple[ScreenName, ...] = (
    "review",
    "item",
    "organisation",
    "welcome",
    "amendments",
    "assessment",
    "assessment_project",
    "analysis",
    "assessment_trend",
)


def screen_class(name: ScreenName) -> type[Screen[Any]]:
    """The class of the screen called ``name`` (its module imported now if not yet)."""
    module, cls = SCREENS[name]
    found: type[Screen[Any]] = getattr(importlib.import_module(module), cls)
    return found


def is_screen(screen: object, *names: ScreenName) -> bool:
    """True when ``screen`` is one of the screens ``names`` (none that was never loaded
    can be on screen, so this imports nothing)."""
    for name in names:
        module, cls = SCREENS[name]
        loaded = sys.modules.get(module)
        if loaded is not None and isinstance(screen, getattr(loaded, cls)):
            return True
    return False
