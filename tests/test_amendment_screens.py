"""The app's amendments (更正): the form on a signed inspection's summary, and approval."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model import amendment_proposals, amendments, inspections, organisation
from pqm_tui.model.amendment_proposals import ProposalState
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import InspectionKind, InspectionStatus, Result
from pqm_tui.screens.amendments import AmendmentsScreen
from pqm_tui.screens.dialogs.amend import AmendDialog
from pqm_tui.screens.dialogs.form import FormDialog
from pqm_tui.screens.summary import SummaryScreen
from pqm_tui.services import inspection_state

SETTINGS = Settings(timezone="Asia/Shanghai")


def make_app(path: Path, clock: Clock, name: str) -> PQMApp:
    return create_app(SETTINGS, db_path=path, actor=name, clock=clock)


def signed_inspection(app: PQMApp) -> str:
    rows = inspections.list_inspections(app.db, status=InspectionStatus.SIGNED)
    return next(
        r.inspection.id
        for r in rows
        if r.failed and r.inspection.kind != InspectionKind.REINSPECTION
    )


def error_of(dialog: FormDialog) -> str:
    """What the form says is wrong: under a field, or for the whole form."""
    lines = [str(w.render()) for w in dialog.query(Static) if (w.id or "").startswith("error")]
    return "".join(lines).strip()


async def test_propose_from_the_summary_then_approve(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock, "王丽华")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")  # not resuming the demo draft
        inspection_id = signed_inspection(app)
        total = inspection_state.load_state(app.db, SETTINGS, inspection_id).card.total
        app.open("summary", inspection_id=inspection_id)
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("m")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, AmendDialog)
        first = next(
            f
            for f in amendments.effective_findings(app.db, inspection_id)
            if f.result == Result.FAIL
        )
        code = app.db.execute("SELECT code FROM items WHERE id = ?", [first.item_id]).fetchone()
        assert dialog.query_one("#field-item", Input).value == code[0]  # the highlighted row's
        # only a reason: nothing would change, refused in the form, which stays open
        await pilot.press(*["tab"] * 6, *"笔误", "ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and "没有要更正的" in error_of(dialog)
        await pilot.press("shift+tab", "shift+tab", *"大堂地面有水渍 已拍照", "ctrl+s")
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        (proposal,) = amendment_proposals.list_proposals(app.db, inspection_id)
        assert proposal.reason == "笔误" and proposal.actor == app.actor
        assert [(c.field, c.new_value) for c in proposal.changes] == [
            ("note", "大堂地面有水渍 已拍照")
        ]
        status = str(summary.query_one("#summary-status", Static).render())
        assert "1 条更正申请待审批" in status
        assert inspection_state.load_state(app.db, SETTINGS, inspection_id).card.total == total
        note_before = {f.id: f.note for f in amendments.effective_findings(app.db, inspection_id)}

        # the proposer cannot approve: said in the form, which stays open
        await pilot.press("escape")  # summary → home
        await pilot.pause()
        await pilot.press("m")  # home → amendment approval
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AmendmentsScreen)
        changes = str(screen.query_one("#amendment-changes", Static).render())
        assert "问题描述" in changes and "大堂地面有水渍" in changes
        await pilot.press("y")
        await pilot.pause()
        decision = app.screen
        assert isinstance(decision, FormDialog)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is decision and "不能审批自己提出的" in error_of(decision)
        await pilot.press("escape")
        await pilot.pause()

        app.act_as(organisation.find_person(app.db, "黄建国"))  # the quality manager
        await pilot.press("y", *"核实无误", "ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        decided = amendment_proposals.get_proposal(app.db, proposal.id)
        assert decided.state == ProposalState.APPROVED and decided.decision is not None
        assert decided.decision.reason == "核实无误"
        changed = proposal.changes[0].finding_id
        after = {f.id: f.note for f in amendments.effective_findings(app.db, inspection_id)}
        assert after[changed] == "大堂地面有水渍 已拍照" != note_before[changed]
        assert "没有待审批的更正申请" in str(
            screen.query_one("#amendment-changes", Static).render()
        )


async def test_a_rejection_needs_its_reason(demo_db_path: Path, clock: Clock) -> None:
    from pqm_tui.services import amendment_approval

    app = make_app(demo_db_path, clock, "黄建国")
    inspection_id = signed_inspection(app)
    finding = next(
        f for f in amendments.effective_findings(app.db, inspection_id) if f.result == Result.FAIL
    )
    proposal = amendment_approval.propose(
        app.db,
        clock,
        inspection_id,
        actor=inspections.get_inspection(app.db, inspection_id).inspector_ids[0],
        reason="应为不适用",
        changes={finding.id: {"result": "na"}},
    )
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        app.open("amendments")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and error_of(dialog)  # the reason is required
        await pilot.press(*"现场确有此问题", "ctrl+s")
        await pilot.pause()
    rejected = amendment_proposals.get_proposal(app.db, proposal.id)
    assert rejected.state == ProposalState.REJECTED
    assert rejected.decision is not None and rejected.decision.reason == "现场确有此问题"
    still = {f.id: f for f in amendments.effective_findings(app.db, inspection_id)}
    assert still[finding.id].result == Result.FAIL
