"""Amendment approval (更正审批): the proposals to correct signed inspections.

The quality manager sees the pending proposals (all of them with ``a``), each
with its inspection, who proposed it, when and why; below, the highlighted
proposal's changes (old → new) and its decision. ``y`` approves (the changes
take effect: score and rectification items follow), ``n`` rejects with a reason.
A refused decision (one's own proposal, already decided, changed since) is said
in the form, which stays open.
"""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from pqm_tui.i18n.amendment_text import change_text, person_name
from pqm_tui.model import amendment_proposals, findings, inspections, organisation
from pqm_tui.model.amendment_proposals import Proposal
from pqm_tui.screens.base import PQMScreen
from pqm_tui.screens.dialogs.form import FormDialog, FormField
from pqm_tui.services import amendment_approval
from pqm_tui.widgets.footer import PQMFooter, binding


class AmendmentsScreen(PQMScreen[None]):
    """Pending amendment proposals, approved or rejected here."""

    CSS_PATH = "amendments.tcss"
    BINDINGS = [
        binding("y", "approve", "amend.key.approve", "amendments.approve"),
        binding("n", "reject", "amend.key.reject", "amendments.reject"),
        binding("a", "all", "amend.key.all", "amendments.all"),
        binding("escape", "back", "review.key.back", "amendments.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_all = False
        self.proposals: dict[str, Proposal] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="amendments-title")
        yield DataTable(id="proposals", cursor_type="row", zebra_stripes=True)
        yield Static("", id="amendment-changes")
        yield PQMFooter()

    def on_mount(self) -> None:
        table = self.query_one("#proposals", DataTable)
        for key in ("state", "inspection", "by", "at", "reason", "changes"):
            table.add_column(self.tr(f"amend.screen.col.{key}"), key=key)
        self.reload()
        table.focus()

    def _when(self, stamp: str) -> str:
        return datetime.fromisoformat(stamp).astimezone(self.pqm.clock.tz).strftime("%m-%d %H:%M")

    def reload(self) -> None:
        db, tr = self.pqm.db, self.tr
        found = amendment_proposals.list_proposals(db, pending_only=not self.show_all)
        self.proposals = {p.id: p for p in reversed(found)}  # newest first
        people = organisation.names(db, "people")
        projects = organisation.names(db, "projects")
        table = self.query_one("#proposals", DataTable)
        table.clear()
        for p in self.proposals.values():
            inspection = inspections.get_inspection(db, p.inspection_id)
            table.add_row(
                tr.enum(p.state),
                f"{projects.get(inspection.project_id, '')} {inspection.started_at[:10]}",
                person_name(people, p.actor),
                self._when(p.at),
                p.reason,
                str(len(p.changes)),
                key=p.id,
            )
        title = "amend.screen.title_all" if self.show_all else "amend.screen.title"
        self.query_one("#amendments-title", Static).update(tr(title, count=len(found)))
        self._show(self.current())

    def current(self) -> Proposal | None:
        table = self.query_one("#proposals", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.proposals.get(key or "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(self.proposals.get(event.row_key.value or ""))

    def _show(self, proposal: Proposal | None) -> None:
        """The proposal's changes, one a line (item, area, old → new), and its decision."""
        tr, db = self.tr, self.pqm.db
        if proposal is None:
            self.query_one("#amendment-changes", Static).update(tr("amend.screen.none"))
            return
        inspection = inspections.get_inspection(db, proposal.inspection_id)
        areas = {a.id: a.name for a in organisation.list_areas(db, inspection.project_id)}
        codes = findings.finding_item_codes(db, inspection.id)
        area_of = {f.id: f.area_id for f in findings.list_findings(db, inspection.id)}
        lines = [tr("amend.screen.changes", what=self._what(proposal), reason=proposal.reason)]
        for c in proposal.changes:
            where = f"{codes.get(c.finding_id, '')} {areas.get(area_of.get(c.finding_id, ''), '')}"
            lines.append(f"  {where}  {change_text(tr, c.field, c.old_value, c.new_value, areas)}")
        if proposal.decision is not None:
            people = organisation.names(db, "people")
            lines.append(
                tr(
                    "amend.decision",
                    state=tr.enum(proposal.state),
                    by=person_name(people, proposal.decision.actor),
                    at=self._when(proposal.decision.at),
                    reason=proposal.decision.reason or "—",
                )
            )
        self.query_one("#amendment-changes", Static).update("\n".join(lines))

    def _what(self, proposal: Proposal) -> str:
        """How people name a proposal: the inspection's project and date (no internal id)."""
        inspection = inspections.get_inspection(self.pqm.db, proposal.inspection_id)
        project = organisation.names(self.pqm.db, "projects").get(inspection.project_id, "")
        return f"{project} {inspection.started_at[:10]}"

    def _decide(self, approve: bool) -> None:
        proposal = self.current()
        if proposal is None:
            self.notify(self.tr("amend.screen.none"))
            return
        if proposal.decision is not None:  # the "all" view: said before any typing
            self.notify(self.tr("amend.screen.decided", what=self._what(proposal)))
            return
        app = self.pqm

        def save(values: dict[str, str]) -> None:
            if approve:
                amendment_approval.approve(
                    app.db,
                    app.clock,
                    app.settings,
                    proposal.id,
                    actor=app.actor,
                    reason=values["reason"],
                )
            else:
                amendment_approval.reject(
                    app.db, app.clock, proposal.id, actor=app.actor, reason=values["reason"]
                )

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return
            self.reload()
            said = "amend.screen.approved" if approve else "amend.screen.rejected"
            self.notify(app.tr(said, what=self._what(proposal)))

        title = "amend.screen.approve_title" if approve else "amend.screen.reject_title"
        label = "amend.screen.remark" if approve else "amend.screen.reason"
        dialog = FormDialog(
            app.tr(title, what=self._what(proposal)),
            [FormField("reason", app.tr(label), required=not approve)],
            app.tr("amend.screen.approve_hint" if approve else "amend.screen.reject_hint"),
            save,
        )
        self.app.push_screen(dialog, done)

    def action_approve(self) -> None:
        self._decide(True)

    def action_reject(self) -> None:
        self._decide(False)

    def action_all(self) -> None:
        self.show_all = not self.show_all
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
