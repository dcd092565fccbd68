"""Failure analysis screen (不合格统计): the Pareto of failures and the repeat offenders.

A period (month, quarter or year; ``[`` and ``]`` step it, ``p`` changes its length), a
scope (``s``: the company, a city company or a project) and a grouping (``b``: item,
section, department). The Pareto shows as a chart with the cumulative share and as a
table; ``t`` switches to the repeat offenders. Queries run on a thread of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, DataTable, Header, Static

from pqm_tui.model import failure_stats, organisation
from pqm_tui.model.db import connect
from pqm_tui.model.errors import PQMError
from pqm_tui.model.failure_stats import Grouping, Pareto, RepeatOffender, Scope
from pqm_tui.screens.base import PQMScreen
from pqm_tui.screens.dialogs.scope import ScopeChoice, ScopeDialog
from pqm_tui.services.analysis_period import Period, PeriodKind
from pqm_tui.widgets.footer import PQMFooter, binding
from pqm_tui.widgets.pareto_chart import ChartData, ParetoChart

KINDS = list(PeriodKind)
GROUPINGS = list(Grouping)
LABEL = 18  # characters of an item or section name in the table (the counts stay in view)
NAME_CELLS = 2 * LABEL - 6  # "ZX-07 " and the rest in Chinese


class AnalysisScreen(PQMScreen[None]):
    """The Pareto (chart and table) or the repeat offenders of a period and scope."""

    CSS_PATH = "analysis.tcss"
    BINDINGS = [
        binding("escape", "back", "analysis.key.back", "analysis.back"),
        binding("left_square_bracket", "shift(-1)", "analysis.key.previous", "analysis.previous"),
        binding("right_square_bracket", "shift(1)", "analysis.key.next", "analysis.next"),
        binding("p", "period", "analysis.key.period", "analysis.period"),
        binding("s", "scope", "analysis.key.scope", "analysis.scope"),
        binding("b", "grouping", "analysis.key.grouping", "analysis.grouping"),
        binding("t", "switch", "analysis.key.switch", "analysis.switch"),
        binding("question_mark", "help", "keys.walk.help", "analysis.help"),
    ]

    period: reactive[Period | None] = reactive(None, init=False)
    grouping: reactive[Grouping] = reactive(Grouping.ITEM, init=False)
    scope: reactive[ScopeChoice | None] = reactive(None, init=False)

    @dataclass
    class ParetoLoaded(Message):
        """The Pareto of one request (``generation``), computed off the UI thread."""

        generation: int
        pareto: Pareto

    @dataclass
    class RepeatsLoaded(Message):
        """The repeat offenders of one request (slower: they come after the Pareto)."""

        generation: int
        repeats: list[RepeatOffender]

    @dataclass
    class Failed(Message):
        text: str

    def __init__(self) -> None:
        super().__init__()
        self._generation = 0
        self._pareto_rows: int | None = None  # None: still counting
        self._repeat_rows: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="analysis-title")
        with ContentSwitcher(initial="analysis-pareto-view", id="analysis-views"):
            with Vertical(id="analysis-pareto-view"):
                yield ParetoChart(id="analysis-chart")
                yield DataTable(id="analysis-pareto", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="analysis-repeats", cursor_type="row", zebra_stripes=True)
        yield Static("", id="analysis-status")
        yield PQMFooter()

    def on_mount(self) -> None:
        tr = self.tr
        self.title = tr("analysis.title")
        repeats = self.query_one("#analysis-repeats", DataTable)
        names = ("project", "code", "run", "dates", "ongoing", "standard")
        repeats.add_columns(*(tr(f"analysis.col.{c}") for c in names))
        self.set_reactive(AnalysisScreen.scope, ScopeChoice(tr("analysis.scope_company")))
        self.period = Period.holding(PeriodKind.QUARTER, self.pqm.clock.today())
        self.query_one("#analysis-pareto", DataTable).focus()

    def watch_period(self) -> None:
        self._load()

    def watch_grouping(self) -> None:
        self._load()

    def watch_scope(self) -> None:
        self._load()

    def _request(self) -> tuple[Scope, Grouping] | None:
        if self.period is None or self.scope is None:
            return None
        tz = self.pqm.clock.tz
        return (
            Scope(
                self.period.first,
                self.period.last,
                tz,
                project_id=self.scope.project_id,
                city_id=self.scope.city_id,
            ),
            self.grouping,
        )

    def _load(self) -> None:
        request = self._request()
        if request is None:
            return
        self._generation += 1
        self._pareto_rows = self._repeat_rows = None
        self._show_title(None)
        if self.pqm.db_path is None:  # an in-memory database: on this thread
            scope, grouping = request
            pareto = failure_stats.pareto(self.pqm.db, scope, grouping)
            self._show_pareto(self.ParetoLoaded(self._generation, pareto))
            repeats = failure_stats.repeat_offenders(self.pqm.db, scope)
            self._show_repeats(self.RepeatsLoaded(self._generation, repeats))
            return
        self._load_worker(self._generation, *request)

    @work(thread=True, exclusive=True, group="analysis-load")
    def _load_worker(self, generation: int, scope: Scope, grouping: Grouping) -> None:
        path = self.pqm.db_path
        assert path is not None
        db = None
        try:
            db = connect(path, actor=self.pqm.actor, migrate_schema=False)
            pareto = failure_stats.pareto(db, scope, grouping)
            self.post_message(self.ParetoLoaded(generation, pareto))
            repeats = failure_stats.repeat_offenders(db, scope)
            self.post_message(self.RepeatsLoaded(generation, repeats))
        except (PQMError, ValueError) as exc:  # storage busy or gone included
            self.post_message(self.Failed(self.tr.error(exc)))
        finally:
            if db is not None:
                db.close()

    def on_analysis_screen_pareto_loaded(self, message: ParetoLoaded) -> None:
        self._show_pareto(message)

    def on_analysis_screen_repeats_loaded(self, message: RepeatsLoaded) -> None:
        self._show_repeats(message)

    def on_analysis_screen_failed(self, message: Failed) -> None:
        self.notify(message.text, severity="error")

    def _show_title(self, pareto: Pareto | None) -> None:
        tr = self.tr
        assert self.period is not None and self.scope is not None
        parts = [
            self.period.name(),
            self.scope.label,
            tr("analysis.grouped_by", by=tr(f"analysis.by.{self.grouping.value}")),
        ]
        if pareto is None:
            parts.append(tr("analysis.loading"))
        else:
            parts.append(tr("analysis.counts", inspections=pareto.inspections, total=pareto.total))
        self.query_one("#analysis-title", Static).update(" · ".join(parts))

    def _show_pareto(self, loaded: ParetoLoaded) -> None:
        if loaded.generation != self._generation:
            return  # an older request answered late
        tr = self.tr
        pareto = loaded.pareto
        self._show_title(pareto)
        department = pareto.grouping == Grouping.DEPARTMENT
        table = self.query_one("#analysis-pareto", DataTable)
        table.clear(columns=True)
        names = ("count", "deduction", "share", "cumulative")
        table.add_column(tr("analysis.col.rank"))
        # a fixed width: measured anew after clear(columns=True), it came out as the
        # header's now and then, cutting every name to its code
        table.add_column(tr(f"analysis.by.{pareto.grouping.value}"), width=NAME_CELLS)
        table.add_columns(*(tr(f"analysis.col.{c}") for c in names))
        for rank, row in enumerate(pareto.rows, start=1):
            name = (row.key or tr("analysis.no_department")) if department else row.key
            if not department:
                name = f"{row.key} {row.label}"
                name = name if len(name) <= LABEL else name[: LABEL - 1] + "…"
            table.add_row(
                str(rank),
                name,
                Text(str(row.count), justify="right"),
                Text(str(row.deduction), justify="right"),
                Text(f"{row.share}%", justify="right"),
                Text(f"{row.cumulative}%", justify="right"),
            )
        labels = [
            str(rank) if department else row.key for rank, row in enumerate(pareto.rows, start=1)
        ]
        self.query_one(ParetoChart).show(
            ChartData(
                labels, [r.count for r in pareto.rows], [float(r.cumulative) for r in pareto.rows]
            )
        )
        self._pareto_rows = len(pareto.rows)
        self._show_status()

    def _show_repeats(self, loaded: RepeatsLoaded) -> None:
        if loaded.generation != self._generation:
            return
        tr = self.tr
        repeats = self.query_one("#analysis-repeats", DataTable)
        repeats.clear()
        sep = tr("common.list_sep")
        for r in loaded.repeats:
            repeats.add_row(
                r.project_name,
                r.code,
                Text(str(r.run), justify="right"),
                sep.join(d.strftime("%m-%d") for d in r.dates[-3:]),
                Text(tr("analysis.ongoing_mark"), style="bold red") if r.ongoing else "",
                r.standard,  # last: the one cut by a narrow terminal
            )
        self._repeat_rows = len(loaded.repeats)
        self._show_status()

    def _show_status(self) -> None:
        """Under the table: nothing failed, or how many repeat offenders."""
        tr = self.tr
        status = tr("analysis.no_failures") if self._pareto_rows == 0 else ""
        if self._showing_repeats():
            status = tr("analysis.repeats_count", count=self._repeat_rows or 0)
            if self._repeat_rows is None:
                status = tr("analysis.loading")
        self.query_one("#analysis-status", Static).update(status)

    def _showing_repeats(self) -> bool:
        return self.query_one(ContentSwitcher).current == "analysis-repeats"

    def action_shift(self, step: int) -> None:
        """The period before or after (上一期 / 下一期)."""
        if self.period is not None:
            self.period = self.period.shifted(step)

    def action_period(self) -> None:
        """Month → quarter → year → month, around today when the period holds it (else
        around its first day)."""
        if self.period is not None:
            kind = KINDS[(KINDS.index(self.period.kind) + 1) % len(KINDS)]
            today = self.pqm.clock.today()
            inside = self.period.first <= today <= self.period.last
            self.period = Period.holding(kind, today if inside else self.period.first)

    def action_grouping(self) -> None:
        """Item → section → department → item."""
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]

    def action_switch(self) -> None:
        """The Pareto ⇄ the repeat offenders."""
        switcher = self.query_one(ContentSwitcher)
        showing = "analysis-pareto-view" if self._showing_repeats() else "analysis-repeats"
        switcher.current = showing
        table = "#analysis-repeats" if showing == "analysis-repeats" else "#analysis-pareto"
        self.query_one(table, DataTable).focus()
        self._show_status()

    def action_scope(self) -> None:
        tr = self.tr
        db = self.pqm.db
        choices = [ScopeChoice(tr("analysis.scope_company"))]
        choices += [
            ScopeChoice(tr("analysis.scope_city", name=c.name), city_id=c.id)
            for c in organisation.list_city_companies(db, active_only=True)
        ]
        choices += [
            ScopeChoice(tr("analysis.scope_project", name=p.name), project_id=p.id)
            for p in organisation.list_projects(db, active_only=True)
        ]

        def chosen(choice: ScopeChoice | None) -> None:
            if choice is not None:
                self.scope = choice

        self.app.push_screen(ScopeDialog(choices), chosen)

    def action_help(self) -> None:
        self.pqm.open("help", target=self)

    def action_back(self) -> None:
        self.dismiss(None)
