"""The welcome screen (开始使用): what a new company still has to enter, and how.

Shown over the home screen when a first inspection cannot start yet. Three steps
in the order a company enters them — the organisation (import a workbook with
``pqm org template`` / ``pqm org import``, or add it by hand here), checklists
(the built-in ones are installed; ``pqm checklist import`` adds the company's
own) and people — each marked done or missing. ``g`` opens the organisation,
``p`` its people, Enter goes on to the home screen. It reads the state again
whenever it comes back on top.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import var
from textual.widgets import Header, Static

from pqm_tui.paths import pqm_command
from pqm_tui.screens.base import PQMScreen
from pqm_tui.services.setup import SetupState, setup_state
from pqm_tui.widgets.footer import PQMFooter, binding

STEPS = ("organisation", "checklists", "people")


class WelcomeScreen(PQMScreen[None]):
    """The three steps before a first inspection, each done (✓) or to do (✗)."""

    BINDINGS = [
        binding("g", "organisation", "welcome.key.organisation", "welcome.organisation"),
        binding("p", "people", "welcome.key.people", "welcome.people"),
        binding("enter,escape", "home", "welcome.key.home", "welcome.home"),
        binding("question_mark", "help", "keys.walk.help", "welcome.help"),
    ]

    state: var[SetupState | None] = var[SetupState | None](None, init=False)
    """What the database holds: the steps are redrawn when it changes."""

    def compose(self) -> ComposeResult:
        tr = self.tr
        yield Header()
        with VerticalScroll(id="welcome"):
            yield Static(tr("welcome.title"), id="welcome-title")
            yield Static(
                tr("welcome.database", path=self.pqm.db_path or ":memory:"), id="welcome-db"
            )
            for step in STEPS:
                yield Static("", id=f"step-{step}", classes="welcome-step")
            yield Static("", id="welcome-next")
        yield PQMFooter()

    def on_mount(self) -> None:
        self.state = setup_state(self.pqm.db)

    def on_screen_resume(self) -> None:
        """Back from the organisation screen: show what is there now."""
        self.state = setup_state(self.pqm.db)

    def watch_state(self, state: SetupState | None) -> None:
        if state is None:
            return
        tr = self.tr
        missing = state.missing
        done = {
            "organisation": "organisation" not in missing and "areas" not in missing,
            "checklists": "checklists" not in missing,
            "people": "people" not in missing,
        }
        counts = {
            "cities": state.city_companies,
            "projects": state.projects,
            "with_areas": state.projects_with_areas,
            "checklists": state.checklists,
            "inspectors": state.inspectors,
        }
        for n, step in enumerate(STEPS, start=1):
            mark = tr("welcome.done") if done[step] else tr("welcome.todo")
            text = tr(
                f"welcome.step.{step}",
                n=n,
                mark=mark,
                pqm=pqm_command(self.pqm.db_path),
                **counts,
            )
            widget = self.query_one(f"#step-{step}", Static)
            widget.update(text)
            widget.set_class(done[step], "done")
        self.query_one("#welcome-next", Static).update(
            tr("welcome.ready") if not missing else tr("welcome.next")
        )

    def action_organisation(self) -> None:
        tab = "cities" if self.state is not None and not self.state.city_companies else "projects"
        self.pqm.open("organisation", tab=tab)

    def action_people(self) -> None:
        self.pqm.open("organisation", tab="people")

    def action_home(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        self.pqm.open("help", target=self)
