"""Summary and sign-off (检查汇总与签字): score per section, total, band, failures.

Signing is refused while items are unanswered unless they are explicitly
marked N/A (``a``). After signing the screen shows the locked state and the
rectification notice number; ``r`` hands over to the report dialog; ``m``
proposes a correction by amendment (更正申请), which the quality manager approves
on the amendments screen (更正审批).

A re-inspection (复检) shows its target items instead of scores: each one's
result and what signing will do (close / escalate) or did (closed / escalated,
new deadline, follow-up notice number).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.reactive import var
from textual.widgets import DataTable, Static

from pqm_tui.model import amendment_proposals, inspections, organisation
from pqm_tui.model.entities import (
    Finding,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Person,
    Result,
)
from pqm_tui.model.errors import ModelError, NotFoundError
from pqm_tui.model.notices import notices_of_inspection
from pqm_tui.screens.base import PQMScreen
from pqm_tui.screens.dialogs.amend import AmendDialog, wanted
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.screens.dialogs.signoff import SignOffDialog
from pqm_tui.services import amendment_approval, inspection_state, signoff
from pqm_tui.services.points import format_points
from pqm_tui.services.reinspection_context import target_contexts
from pqm_tui.services.reinspection_summary import Verdict, target_lines
from pqm_tui.services.walk_pace import walk_pace
from pqm_tui.services.walk_session import mark_unanswered_na
from pqm_tui.widgets.footer import PQMFooter, binding

if TYPE_CHECKING:
    from pqm_tui.screens.dialogs.signoff import SignOffForm

NOTE_WIDTH = 40
UNSIGNED_ONLY = {"sign", "mark_na", "walk"}
SIGNED_ONLY = {"amend"}


SHORT = 12  # terminal cells of a note in a table cell (80 columns hold a re-inspection's)


def short(text: str, cells: int = SHORT) -> str:
    """A note cut to ``cells`` terminal cells (CJK count two), with … (the walk shows it whole)."""
    if cell_len(text) <= cells:
        return text
    kept = ""
    for char in text:
        if cell_len(kept + char) > cells - 1:
            break
        kept += char
    return kept + "…"


class SummaryScreen(PQMScreen[None]):
    """What the walk found, and the sign-off."""

    CSS_PATH = "summary.tcss"
    BINDINGS = [
        binding("s", "sign", "keys.summary.sign", "summary.sign"),
        binding("a", "mark_na", "keys.summary.mark_na", "summary.mark_na"),
        binding("w", "walk", "keys.summary.walk", "summary.walk"),
        binding("r", "report", "keys.summary.report", "summary.report"),
        binding("m", "amend", "keys.summary.amend", "summary.amend"),
        binding("question_mark", "help", "keys.walk.help", "summary.help"),
        binding("escape", "leave", "keys.summary.leave", "summary.leave"),
    ]

    state: var[inspection_state.InspectionState | None] = var(None, init=False, always_update=True)
    """The inspection with its plan, findings and score; setting it redraws the screen."""

    def __init__(self, inspection_id: str) -> None:
        super().__init__()
        self._signed_number: str | None = None  # the notice signing issued
        self.inspection_id = inspection_id
        self.notice_number: str | None = None
        self.proposed = ""  # the last amendment proposal made here

    @property
    def signed(self) -> bool:
        return self.state is not None and self.state.inspection.status == InspectionStatus.SIGNED

    def compose(self) -> ComposeResult:
        yield Static("", id="summary-title")
        yield DataTable(id="sections", cursor_type="row", zebra_stripes=True)
        yield Static("", id="total")
        yield DataTable(id="failures", cursor_type="row", zebra_stripes=True)
        yield Static("", id="summary-status")
        yield PQMFooter()

    def on_mount(self) -> None:
        tr = self.tr
        sections = self.query_one("#sections", DataTable)
        for key in ("section", "points", "applicable", "deducted", "percent", "failed"):
            sections.add_column(tr(f"walk.summary.col.{key}"), key=key)
        failures = self.query_one("#failures", DataTable)
        for key in ("area", "code", "deduction", "note"):
            failures.add_column(tr(f"walk.summary.col.{key}"), key=key)
        self.reload()
        self.query_one("#failures", DataTable).focus()

    def reload(self) -> None:
        """Read the inspection again (after a change): the watcher redraws everything."""
        app = self.pqm
        self.state = inspection_state.load_state(app.db, app.settings, self.inspection_id)

    def watch_state(self, state: inspection_state.InspectionState | None) -> None:
        if state is None:
            return
        app, tr = self.pqm, self.tr
        inspection = state.inspection
        project = organisation.get_project(app.db, inspection.project_id)
        self.query_one("#summary-title", Static).update(
            tr(
                "walk.summary.title",
                project=project.name,
                kind=tr.enum(inspection.kind),
                started=inspection.started_at[:16].replace("T", " "),
                status=tr.enum(inspection.status),
            )
        )
        if inspection.kind == InspectionKind.REINSPECTION:  # its targets, not a score
            self._show_targets(state)
            self._status()
            self.refresh_bindings()
            return
        sections = self.query_one("#sections", DataTable)
        sections.clear()
        for s in state.card.sections:
            sections.add_row(
                f"{s.code} {s.name}",
                format_points(s.points),
                format_points(s.applicable),
                format_points(s.deducted),
                f"{s.percent:.1f}%" if s.applicable else "—",
                str(s.failed_items or ""),
            )
        band = state.band
        label = band.label_zh if tr.lang == "zh" else band.label_en
        findings = state.findings
        failed = [f for f in findings if f.result == Result.FAIL]
        counts = state.counts
        total = tr(
            "walk.summary.total",
            total=state.card.total,
            band=label,
            pay=f"{band.pay_adjust_percent:+d}%",
        )
        if inspection.signed_at is None and counts.unanswered:  # not a final score yet
            provisional = tr(
                "walk.summary.provisional",
                answers=tr("walk.summary.answers", n=counts.unanswered),
                items=tr("walk.summary.items_short", n=counts.unanswered_items),
            )
            total = f"{provisional} · {total}"
        # the counts on a line of their own: a wrapped line would part a number from its
        # unit (未查 171 / 处)
        total += "\n" + tr(
            "walk.summary.tally",
            failed_answers=tr("walk.summary.failed_answers", n=counts.failed),
            failed_items=tr("walk.summary.items", n=counts.failed_items),
            na=counts.na,
            unanswered=counts.unanswered,
        )
        self.query_one("#total", Static).update(Text.assemble(total, *self._pace(findings)))
        failures = self.query_one("#failures", DataTable)
        failures.clear()
        areas = {a.id: a.name for a in state.plan.areas}
        items = {i.id: i for i in state.content.items}
        for f in failed:
            note = f.note if len(f.note) <= NOTE_WIDTH else f.note[:NOTE_WIDTH] + "…"
            code = items[f.item_id].code if f.item_id in items else "?"
            points = (
                f"-{format_points(f.deduction)}" if f.deduction else "0"
            )  # 0: the cap is reached
            failures.add_row(areas.get(f.area_id, "?"), code, points, note, key=f.id)
        notices = notices_of_inspection(app.db, self.inspection_id)
        self.notice_number = notices[0].number if notices else None
        self._status()
        self.refresh_bindings()

    def _pace(self, findings: list[Finding]) -> list[str | tuple[str, str]]:
        """A second line: when and how fast the answers came (纸面合规 check)."""
        tr, pace = self.tr, walk_pace(findings)
        if pace is None:
            return []
        line = tr(
            "walk.summary.pace",
            first=pace.first.strftime("%H:%M"),
            last=pace.last.strftime("%H:%M"),
            minutes=pace.minutes,
            single=pace.single,
            median="—" if pace.median_seconds is None else f"{pace.median_seconds:.0f}",
            bulk=pace.bulk,
        )
        parts: list[str | tuple[str, str]] = ["\n", line]
        if pace.too_fast:
            parts.append((tr("walk.summary.too_fast"), "bold red"))
        return parts

    def _show_targets(self, state: inspection_state.InspectionState) -> None:
        """A re-inspection: per target, the result and what signing does or did."""
        tr = self.tr
        self.query_one("#sections", DataTable).display = False
        table = self.query_one("#failures", DataTable)
        table.clear(columns=True)
        for key in ("item", "before", "reply", "result", "outcome"):  # two or three lines
            table.add_column(tr(f"walk.reinspection.col.{key}"), key=key)  # a row: 80 columns
        lines = target_lines(self.pqm.db, state)
        targets = target_contexts(self.pqm.db, state.inspection.id, self.pqm.db_path)
        contexts = {c.rectification_item_id[-8:]: (where, c) for where, c in targets.items()}
        found = {(f.area_id, f.item_id): f for f in state.findings}
        for line in lines:
            where, context = contexts[line.item_short_id]
            outcome = tr(
                f"walk.reinspection.{line.verdict.value}",
                level=line.level,
                deadline=line.deadline or "—",
                notice=line.notice_number or "—",
            )
            now = found.get(where)
            result = tr.enum(line.result) if line.result else "—"
            if now is not None and now.note:
                result += f"\n{short(now.note)}"
            before = tr(
                "walk.reinspection.before",
                deduction=format_points(context.deduction),
                note=short(context.original.note or "—"),
            )
            reply = context.reply
            replied = (
                tr("walk.reinspection.replied", date=reply.date[5:], done=short(reply.done))
                if reply
                else tr("walk.reinspection.not_replied")
            )
            cells = (f"{line.code}\n{short(line.area)}", before, replied, result, outcome)
            table.add_row(*cells, height=max(c.count("\n") + 1 for c in cells))
        results = [line.result for line in lines]
        self.query_one("#total", Static).update(
            tr(
                "walk.reinspection.total",
                count=len(lines),
                passed=results.count(Result.PASS),
                failed=results.count(Result.FAIL),
                other=len(lines) - results.count(Result.PASS) - results.count(Result.FAIL),
            )
        )
        numbers = [n.notice_number for n in lines if n.verdict == Verdict.ESCALATED]
        self.notice_number = "、".join(dict.fromkeys(n for n in numbers if n)) or None

    def _status(self, message: str = "") -> None:
        tr, state = self.tr, self.state
        assert state is not None
        inspection = state.inspection
        if self.signed:
            line = tr(
                "walk.summary.locked",
                at=(inspection.signed_at or "")[:16].replace("T", " "),
                receiver=inspection.receiver_name or "",
                role=inspection.receiver_role or "",
                notice=self.notice_number or tr("walk.summary.no_notice"),
            )
            pending = amendment_proposals.list_proposals(
                self.pqm.db, inspection.id, pending_only=True
            )
            if pending:
                line += tr("amend.summary.pending", count=len(pending))
        elif state.unanswered:
            line = tr("walk.summary.unanswered", count=len(state.unanswered))
        else:
            line = tr("walk.summary.ready")
        self.query_one("#summary-status", Static).update(
            "  ·  ".join(p for p in (line, message) if p)
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # hidden once signed: the inspection is locked (dimmed keys looked usable)
        if action in SIGNED_ONLY:
            return self.signed and self._amendable()
        return not (action in UNSIGNED_ONLY and self.signed)

    def _amendable(self) -> bool:
        """A signed inspection that is not a re-inspection (its targets are re-inspected)."""
        return self.state is not None and self.state.inspection.kind != InspectionKind.REINSPECTION

    # ------------------------------------------------------------ actions
    def action_mark_na(self) -> None:
        assert self.state is not None
        count = len(self.state.unanswered)
        if not count:
            self._status(self.tr("walk.summary.nothing_unanswered"))
            return

        def done(confirmed: bool | None) -> None:
            if not confirmed:
                return
            app = self.pqm
            try:
                marked = mark_unanswered_na(app.db, app.clock, app.settings, self.inspection_id)
            except ModelError as exc:
                self._status(app.tr("walk.error", error=app.tr.error(exc)))
                return
            self.reload()
            self._status(app.tr("walk.summary.marked_na", count=marked))

        question = self.tr("walk.summary.mark_na_question", count=count)
        self.app.push_screen(ConfirmDialog(question), done)

    def action_sign(self) -> None:
        app, state = self.pqm, self.state
        assert state is not None
        if state.unanswered:
            self._status(app.tr("walk.summary.refused", count=len(state.unanswered)))
            return
        inspectors = [
            organisation.get_person(app.db, pid) for pid in state.inspection.inspector_ids
        ]
        people = organisation.list_people(app.db, state.inspection.project_id)
        if state.inspection.kind == InspectionKind.REINSPECTION:
            results = [line.result for line in target_lines(app.db, state)]
            effect = app.tr(
                "walk.signoff.effect_reinspection",
                passed=results.count(Result.PASS),
                failed=results.count(Result.FAIL),
            )
        else:
            failed = sum(f.result == Result.FAIL for f in state.findings)
            effect = app.tr("walk.signoff.effect", failures=failed)
        receiver = self._receiver(state.inspection)
        dialog = SignOffDialog(inspectors, people, effect, receiver, sign=self._sign)
        self.app.push_screen(dialog, self._signed)

    def _receiver(self, inspection: Inspection) -> Person | None:
        """The project's receiver of notices (通知接收人), when one is set and still there."""
        project = organisation.get_project(self.pqm.db, inspection.project_id)
        if project.receiver_id is None:
            return None
        try:
            return organisation.get_person(self.pqm.db, project.receiver_id)
        except NotFoundError:
            return None

    def _sign(self, form: SignOffForm) -> str | None:
        """Sign from the dialog: a refusal is said there, where what was typed stays."""
        app = self.pqm
        try:
            self._signed_number = signoff.sign_off(
                app.db,
                app.clock,
                app.settings,
                self.inspection_id,
                receiver_name=form.receiver_name,
                receiver_role=form.receiver_role,
            )
        except ModelError as exc:
            return app.tr("walk.error", error=app.tr.error(exc))
        return None

    def _signed(self, form: SignOffForm | None) -> None:
        if form is None:
            return
        app = self.pqm
        self.reload()
        number = self._signed_number
        message = app.tr("walk.summary.signed", notice=number or app.tr("walk.summary.no_notice"))
        self.notify(message)

    def action_walk(self) -> None:
        try:
            inspections.reopen(self.pqm.db, self.inspection_id)
        except ModelError as exc:
            self._status(self.tr("walk.error", error=self.tr.error(exc)))
            return
        self.pqm.open("walk", inspection_id=self.inspection_id, replace=True)

    def action_report(self) -> None:
        """The documents of the inspection (生成文件): notice, report, signed report."""
        self.pqm.open("report", inspection_id=self.inspection_id)

    def action_amend(self) -> None:
        """更正申请: propose a correction of the highlighted failure (or of any item)."""
        app, state = self.pqm, self.state
        assert state is not None
        areas = [(a.id, a.name) for a in state.plan.areas]
        items = {i.id: i.code for i in state.content.items}
        failures = self.query_one("#failures", DataTable)
        findings = {f.id: f for f in state.findings}
        code, area_id = "", areas[0][0] if areas else ""
        if failures.row_count:
            key = failures.coordinate_to_cell_key(failures.cursor_coordinate).row_key.value
            if key in findings:
                code, area_id = items.get(findings[key].item_id, ""), findings[key].area_id
        names = dict(areas)

        def save(values: dict[str, str]) -> None:
            finding = amendment_approval.find_finding(
                app.db, self.inspection_id, values["item"], names.get(values["area"], "")
            )
            proposal = amendment_approval.propose(
                app.db,
                app.clock,
                self.inspection_id,
                actor=app.actor,
                reason=values["reason"],
                changes={finding.id: wanted(values)},
            )
            self.proposed = proposal.id

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return
            self.reload()
            self.notify(app.tr("amend.summary.proposed"))

        self.app.push_screen(AmendDialog(app.tr, areas, code, area_id, save), done)

    def action_help(self) -> None:
        self.pqm.open("help", target=self)

    def action_leave(self) -> None:
        self.app.pop_screen()
