"""The Textual application: one factory used by the CLI and by the tests.

Start-up (启动): ``create_app`` opens the database before the app runs (the tests,
and any database that needs migrating). ``start_app`` — the CLI's — paints the home
screen first when the database needs nothing done to it, then loads the database
layer (sqlite-utils, the pydantic entities) and fills the screen: this module and
the home screen import that layer only when they use it.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.screen import ModalScreen, Screen
from textual.theme import ThemeProvider

from pqm_tui.config import Settings
from pqm_tui.i18n import Translator
from pqm_tui.model.clock import Clock, resolve_timezone
from pqm_tui.model.errors import PQMError
from pqm_tui.model.person_lookup import NamedPerson
from pqm_tui.preferences import Preferences
from pqm_tui.screens.base import PQMScreen
from pqm_tui.screens.dialogs.quit import QuitDialog
from pqm_tui.screens.registry import BROWSING, ScreenName, is_screen, screen_class
from pqm_tui.widgets.command_palette import PQMCommandPalette
from pqm_tui.widgets.footer import binding
from pqm_tui.widgets.typing_guard import hand_over_typing

if TYPE_CHECKING:
    from sqlite_utils import Database

    from pqm_tui.model.entities import Person


class PQMApp(App[None]):
    """PQM: walk, record, sign, follow up."""

    CSS_PATH = "app.tcss"
    BINDINGS = [
        binding("ctrl+q", "quit", "keys.app.quit", "app.quit", priority=True),
    ]

    db: Database  # set by ``__init__``, or after the first paint (``opening``)

    def __init__(
        self,
        db: Database | None,
        settings: Settings,
        clock: Clock,
        person: Person | None,
        db_path: Path | None = None,
        *,
        ask_identity: bool = False,
        opening: NamedPerson | None = None,
    ) -> None:
        """``db`` None: the database at ``db_path`` is opened after the first paint,
        acting as ``opening`` (found by ``start_app``; None: nobody named)."""
        super().__init__()
        if db is not None:
            self.db = db
        self.database_open = db is not None  # the database is open: screens may read it
        self._opening = opening
        self.settings = settings
        self.clock = clock
        self.person: Person | None = None  # who acts (操作人); None: nobody, read only
        self.actor = ""  # the acting person's id, what the audit trail records
        self.db_path = db_path
        self.ask_identity = ask_identity
        # asking who acts on start: home offers to resume a walk only once that is known
        self.identity_pending = False
        self.tr = Translator(settings.lang)
        # what this user chose before on this database (偏好); None without a database file
        self.preferences = Preferences(db_path) if db_path is not None else None
        self._asked_for = ""  # what the start's identity dialog says first
        self._quit_warned = False
        self.title = self.tr("app.title")
        if self.database_open:
            self.act_as(person, remember=False)
        elif opening is not None:  # the header names who acts from the first paint
            self.sub_title = self.tr("identity.acting", name=opening.name, title=opening.role)
        if settings.keymap:  # the user's keys (``keymap:`` of config.yaml), by binding id
            self.set_keymap(settings.keymap)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette (命令面板): this screen's actions, the other screens, Textual's own.

        All in the user's language. Our help replaces Textual's "Keys" panel, which would
        show the message ids of our bindings.
        """
        if hasattr(screen, "action_help"):
            yield SystemCommand(
                self.tr("palette.help"),
                self.tr("palette.help_more"),
                partial(screen.run_action, "help"),
            )
        titles: set[str] = set()
        for command in (*self._screen_actions(screen), *self._screens(screen)):
            if command.title not in titles:  # a screen's key may open another screen
                titles.add(command.title)
                yield command
        for command in super().get_system_commands(screen):
            if command.title == "Keys":
                continue
            slug = command.title.lower()
            title = self.tr(f"palette.{slug}")
            more = f"palette.{slug}_more"
            if slug == "quit" and self._typing() is not None:
                more = "palette.quit_unsaved_more"  # not "all saved" while a form is typed in
            if title == f"palette.{slug}":  # a command we have no words for: as Textual has it
                yield command
            else:
                yield command._replace(title=title, help=self.tr(more))

    def _screen_actions(self, screen: Screen[object]) -> Iterator[SystemCommand]:
        """Every enabled key PQM gives ``screen`` (not Textual's focus or copy keys)."""
        seen = {"help"}
        for active in screen.active_bindings.values():
            key = active.binding
            ours = key.description in self.tr.messages  # a message id: made by ``binding()``
            if active.node is not screen or not active.enabled or not ours:
                continue
            if key.action in seen:
                continue
            seen.add(key.action)
            tip = self.tr(key.tooltip) if key.tooltip in self.tr.messages else ""
            shown = self.get_key_display(key)
            yield SystemCommand(
                self.tr.key(key.description),
                f"{shown} · {tip}" if tip else shown,
                partial(screen.run_action, key.action),
            )

    def _screens(self, screen: Screen[object]) -> Iterator[SystemCommand]:
        """The screens one can go to from ``screen`` (导航): not from a dialog, not itself."""
        if isinstance(screen, ModalScreen):
            return
        yield SystemCommand(
            self.tr("palette.switch_user"), self.tr("palette.switch_user_more"), self.ask_who
        )
        if not is_screen(screen, "home") and self._home_below(screen):
            yield SystemCommand(
                self.tr("palette.home"), self.tr("palette.home_more"), self._back_home
            )
        if not is_screen(screen, "review"):
            yield SystemCommand(
                self.tr("palette.review"),
                self.tr("palette.review_more"),
                partial(self.open, "review"),
            )
        if not is_screen(screen, "amendments"):
            yield SystemCommand(
                self.tr("palette.amendments"),
                self.tr("palette.amendments_more"),
                partial(self.open, "amendments"),
            )
        if not is_screen(screen, "analysis"):
            yield SystemCommand(
                self.tr("palette.analysis"),
                self.tr("palette.analysis_more"),
                partial(self.open, "analysis"),
            )
        if not is_screen(screen, "organisation"):
            for name, tab in (("organisation", "projects"), ("people", "people")):
                yield SystemCommand(
                    self.tr(f"palette.{name}"),
                    self.tr(f"palette.{name}_more"),
                    partial(self.open, "organisation", tab=tab),
                )
        if not is_screen(screen, "welcome"):
            yield SystemCommand(
                self.tr("palette.welcome"),
                self.tr("palette.welcome_more"),
                partial(self.open, "welcome"),
            )

    def _home_below(self, screen: Screen[object]) -> bool:
        """True when only browsing screens (review, organisation, welcome) lie above home."""
        stack = self.screen_stack
        if screen not in stack:
            return False
        for above in reversed(stack[: stack.index(screen) + 1]):
            if is_screen(above, "home"):
                return True
            if not is_screen(above, *BROWSING):
                return False
        return False

    def _back_home(self) -> None:
        """Close the browsing screens above home (nothing typed is lost there)."""
        while not is_screen(self.screen, "home"):
            self.pop_screen()

    def action_command_palette(self) -> None:
        """ctrl+p: Textual's palette with its placeholder and "no matches" translated."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            palette = PQMCommandPalette(
                self.tr("textual_ui.palette_placeholder"), self.tr("textual_ui.no_matches")
            )
            self.push_screen(palette)

    def search_themes(self) -> None:
        """The palette's 主题 command: Textual's theme list with our words."""
        palette = PQMCommandPalette(
            self.tr("textual_ui.theme_placeholder"),
            self.tr("textual_ui.no_matches"),
            [ThemeProvider],
        )
        self.push_screen(palette)

    def on_key(self, event: events.Key) -> None:
        """Keys typed while a dialog opens (they went to the screen below) go into it."""
        hand_over_typing(self.screen, event)

    def action_help_quit(self) -> None:
        """ctrl+c does not quit (it copies): say which key does, in the user's language."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(
                    self.tr("textual_ui.quit_hint", keys=key.title()),
                    title=self.tr("textual_ui.quit_title"),
                )
                return

    def watch_theme(self, theme: str) -> None:
        """Remember the theme chosen (偏好 ``app.theme``) for the next start."""
        if self.preferences is not None and self.is_running:
            self.preferences.set("app.theme", theme)

    def on_mount(self) -> None:
        if self.preferences is not None:  # the theme chosen last time, if still known
            theme = self.preferences.get("app.theme")
            if isinstance(theme, str) and theme in self.available_themes:
                self.theme = theme
        if not self.database_open:  # home painted first, filled once the database is open
            self.open("home")
            self.call_after_refresh(self._open_database)
            return
        self._prepare()
        self.open("home")
        self._after_home()

    def _open_database(self) -> None:
        """After the first paint: open the database, act as whom ``--as`` named, fill home."""
        from pqm_tui.model.db import connect
        from pqm_tui.model.identity import IdentityError, active_person

        if self.db_path is None:
            raise ValueError("the app opens its database after the first paint only from a file")
        try:
            self.db = connect(self.db_path)
        except PQMError as exc:  # changed since it was looked at (start_app): said, as the CLI
            self.exit(return_code=2, message=f"pqm: {self.tr.error(exc)}")
            return
        self.database_open = True
        if self._opening is not None:
            try:
                self.act_as(active_person(self.db, self._opening.id), remember=False)
            except IdentityError as exc:  # archived in the moment between: say it, ask
                self.act_as(None, remember=False)
                self.notify(self.tr.error(exc), severity="error")
        else:
            self.act_as(None, remember=False)
        self._prepare()
        from pqm_tui.screens.home import HomeScreen  # loaded at start: no import cost

        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.database_ready()
        self._after_home()

    def _prepare(self) -> None:
        """Before home fills: the shipped checklists, who acts (remembered, or asked)."""
        from pqm_tui.model import checklists

        try:  # a new database gets the shipped checklists; a start of any other one reads
            if not checklists.list_checklists(self.db):  # no checklist file (start-up time)
                checklists.install_builtins(self.db, self.clock)
        except PQMError as exc:  # storage busy or read-only: said, and the app still opens
            self.notify(self.tr.error(exc), severity="error", timeout=15)
        if self.ask_identity and self.person is None:
            self._recall_identity()

    def _after_home(self) -> None:
        """Once home is shown: the backup made by a migration, the "who are you" dialog."""
        from pqm_tui.model.db import PQMDatabase

        if isinstance(self.db, PQMDatabase) and self.db.migration_backup is not None:
            self.notify(self.tr("common.db_backup", path=self.db.migration_backup), timeout=15)
        if self.identity_pending:
            self.ask_who(self._asked_for)
        # what start-up made (Textual, PQM's modules, home) lives as long as the app: the
        # collector's full passes stop walking it, which had kept a key's answer waiting
        self.call_after_refresh(gc.freeze)

    def on_unmount(self) -> None:
        """What was frozen at start can be collected again (tests run many apps)."""
        gc.unfreeze()

    def close_database(self) -> None:
        """Close the database if it was opened (SQLite refreshes its statistics)."""
        if self.database_open:
            self.db.close()

    # ------------------------------------------------------------------ who acts
    def act_as(self, person: Person | None, *, remember: bool = True) -> None:
        """Act as ``person`` from now on (操作人): the audit trail, the history and the
        permission checks name them; shown in the header; remembered per OS user."""
        from pqm_tui.model.db import PQMDatabase, set_actor
        from pqm_tui.model.identity import active_people

        self.person = person
        self.actor = person.id if person else ""
        if isinstance(self.db, PQMDatabase):
            set_actor(self.db, self.actor)
        if person is None:  # nobody to be yet on a new company's database (开始使用)
            nobody = "identity.nobody" if active_people(self.db) else "app.subtitle"
            self.sub_title = self.tr(nobody)
        else:
            self.sub_title = self.tr("identity.acting", name=person.name, title=person.role)
        if remember and person is not None and self.db_path is not None:
            Preferences(self.db_path).set("identity.person", person.id)

    def _recall_identity(self) -> None:
        """The person remembered for this OS user, else ask (again, when archived since):
        ``identity_pending`` and what the dialog is to say first."""
        from pqm_tui.model.identity import IdentityError, active_people, active_person

        if not active_people(self.db):  # a new company: nobody to be yet (开始使用)
            return
        remembered = Preferences(self.db_path).get("identity.person") if self.db_path else None
        self._asked_for = ""
        if isinstance(remembered, str) and remembered:
            try:
                self.act_as(active_person(self.db, remembered), remember=False)
                return
            except IdentityError as exc:
                if exc.key == "errors.identity.archived":
                    name = exc.params.get("name", "")
                    self._asked_for = self.tr("identity.remembered_archived", name=name)
        self.identity_pending = True

    def ask_who(self, notice: str = "") -> None:
        """The "who are you" dialog (切换用户); the chosen person acts from then on."""
        self.open("identity", notice=notice, callback=self._chosen)

    def _chosen(self, person_id: str | None) -> None:
        if self.identity_pending:  # the start's question answered: home may offer the walk
            self.identity_pending = False
            home = self.screen_stack[1] if len(self.screen_stack) > 1 else None
            from pqm_tui.screens.home import HomeScreen  # loaded at start: no import cost

            if isinstance(home, HomeScreen):
                self.call_after_refresh(home.offer_resume_walk)
        if not person_id:
            return
        from pqm_tui.model.identity import IdentityError, active_person

        try:
            person = active_person(self.db, person_id)
        except IdentityError as exc:  # archived while the dialog was open
            self.notify(self.tr.error(exc), severity="error")
            return
        self.act_as(person)
        self.notify(self.tr("identity.switched", name=person.name))

    def _typing(self) -> PQMScreen[Any] | None:
        """The topmost screen holding typed, unsaved text (a finding panel …), if any."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, PQMScreen) and screen.unsaved_typing():
                return screen
        return None

    async def action_quit(self) -> None:
        """Quit; asked first when a form holds typed text (save / discard / stay), and
        with answers still unsaved (storage refused them) only when asked twice."""
        typing = self._typing()
        if typing is not None and not isinstance(self.screen, QuitDialog):
            self.push_screen(QuitDialog(typing.unsaved_typing()), partial(self._quit_as, typing))
            return
        unsaved = sum(s.unsaved_count() for s in self.screen_stack if isinstance(s, PQMScreen))
        if unsaved and not self._quit_warned:
            self._quit_warned = True
            self.notify(self.tr("common.unsaved_quit", count=unsaved), severity="warning")
            return
        self.exit()

    def _quit_as(self, typing: PQMScreen[Any], choice: str | None) -> None:
        """Save (then quit once it is saved: a refused save stays open), discard, or stay."""
        if choice == "discard":
            self.exit()
        elif choice == "save":
            typing.save_typing()
            if typing not in self.screen_stack:  # saved and closed
                self.call_later(self.action_quit)

    def open(
        self,
        name: ScreenName,
        /,
        *,
        replace: bool = False,
        callback: Callable[[Any], None] | None = None,
        **params: Any,
    ) -> None:
        """Show the screen called ``name`` (导航), built with ``params``.

        Screens navigate by name through here and never import each other;
        ``replace`` takes the place of the current screen (the walk becomes the
        summary), ``callback`` receives what a dialog dismisses with.
        """
        screen = screen_class(name)(**params)
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen, callback)


def create_app(
    settings: Settings,
    *,
    db_path: Path,
    actor: str | None = None,
    clock: Clock | None = None,
    ask_identity: bool = False,
) -> PQMApp:
    """Open the database, then build the app (the tests; ``start_app`` when a database
    needs migrating or a name needs saying why it is refused).

    ``actor`` names who acts (a person's id or exact name; IdentityError when nobody
    active is so named). Without it the app acts as nobody (read only) — unless
    ``ask_identity``: then it takes the person remembered for this OS user, or asks.
    """
    from pqm_tui.model.db import connect
    from pqm_tui.model.identity import resolve_person

    clock = clock or Clock(resolve_timezone(settings.timezone))
    db = connect(db_path)
    try:
        person = resolve_person(db, actor) if actor else None
    except BaseException:
        db.close()
        raise
    return PQMApp(db, settings, clock, person, db_path, ask_identity=ask_identity)


def start_app(
    settings: Settings,
    *,
    db_path: Path,
    actor: str | None = None,
    clock: Clock | None = None,
    ask_identity: bool = False,
) -> PQMApp:
    """The app as ``pqm`` starts it: painted first, the database opened right after.

    That is when the database needs no migration and ``actor`` (when given) names one
    active person plainly: both read on a plain connection. Otherwise, as
    ``create_app``: opened (migrated, or refused) first, and a wrong name refused.
    """
    from pqm_tui.model.person_lookup import active_person_named
    from pqm_tui.model.plain_connection import open_current

    conn = open_current(db_path)
    if conn is None:
        return create_app(
            settings, db_path=db_path, actor=actor, clock=clock, ask_identity=ask_identity
        )
    try:
        named = active_person_named(conn, actor) if actor else None
    finally:
        conn.close()
    if actor and named is None:  # unknown, archived, ambiguous: said by resolve_person
        return create_app(
            settings, db_path=db_path, actor=actor, clock=clock, ask_identity=ask_identity
        )
    clock = clock or Clock(resolve_timezone(settings.timezone))
    return PQMApp(None, settings, clock, None, db_path, ask_identity=ask_identity, opening=named)
