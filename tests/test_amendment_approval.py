"""Corrections by amendment with approval (更正申请与审批): proposal, approval, rejection."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import amendment_proposals, amendments, inspections, organisation
from pqm_tui.model.amendment_proposals import ProposalState
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import check_integrity, connect, set_actor
from pqm_tui.model.entities import (
    Finding,
    InspectionKind,
    InspectionStatus,
    RectificationStatus,
    Result,
)
from pqm_tui.model.errors import RuleError
from pqm_tui.model.rectification import items_of_finding, items_of_inspection, list_events
from pqm_tui.services import amendment_approval, inspection_state

SETTINGS = Settings(timezone="Asia/Shanghai")


@pytest.fixture
def db(demo_db_path: Path) -> Database:
    return connect(demo_db_path)


def person(db: Database, name: str) -> str:
    return organisation.find_person(db, name).id


def signed_with_failures(db: Database) -> str:
    rows = inspections.list_inspections(db, status=InspectionStatus.SIGNED)
    return next(
        r.inspection.id
        for r in rows
        if r.failed and r.inspection.kind != InspectionKind.REINSPECTION
    )


def failed_and_passed(db: Database, inspection_id: str) -> tuple[Finding, Finding]:
    """A failure with an open item, and a pass of another item."""
    found = amendments.effective_findings(db, inspection_id)
    failed = next(
        f
        for f in found
        if f.result == Result.FAIL
        and any(i.status == RectificationStatus.OPEN for i in items_of_finding(db, f.id))
    )
    passed = next(f for f in found if f.result == Result.PASS and f.item_id != failed.item_id)
    return failed, passed


def snapshot(db: Database, inspection_id: str) -> tuple[object, ...]:
    state = inspection_state.load_state(db, SETTINGS, inspection_id)
    items = [(i.id, i.status) for i in items_of_inspection(db, inspection_id)]
    return state.card.total, state.findings, items, amendments.list_amendments(db, inspection_id)


def propose_correction(db: Database, clock: Clock, inspection_id: str) -> tuple[str, str, str]:
    """王丽华 proposes: the failure was N/A, the pass was a failure twice."""
    failed, passed = failed_and_passed(db, inspection_id)
    proposal = amendment_approval.propose(
        db,
        clock,
        inspection_id,
        actor=person(db, "王丽华"),
        reason="区域记错：问题在另一处",
        changes={failed.id: {"result": "na"}, passed.id: {"result": "fail", "occurrences": "2"}},
    )
    return proposal.id, failed.id, passed.id


def test_a_proposal_changes_nothing_until_approved(db: Database, clock: Clock) -> None:
    inspection_id = signed_with_failures(db)
    before = snapshot(db, inspection_id)
    proposal_id, failed_id, passed_id = propose_correction(db, clock, inspection_id)
    assert snapshot(db, inspection_id) == before
    proposal = amendment_proposals.get_proposal(db, proposal_id[-8:])  # the short id
    assert proposal.state == ProposalState.PENDING
    assert proposal.actor == person(db, "王丽华")
    fields = {(c.finding_id, c.field): (c.old_value, c.new_value) for c in proposal.changes}
    assert fields[(failed_id, "result")] == ("fail", "na")
    assert fields[(failed_id, "deduction")][1] == "0"  # N/A deducts nothing
    assert fields[(passed_id, "result")] == ("pass", "fail")
    assert fields[(passed_id, "occurrences")] == ("0", "2")
    pending = amendment_proposals.list_proposals(db, pending_only=True)
    assert [p.id for p in pending] == [proposal_id]


def test_approval_applies_score_and_items_follow(db: Database, clock: Clock) -> None:
    inspection_id = signed_with_failures(db)
    total_before = inspection_state.load_state(db, SETTINGS, inspection_id).card.total
    proposal_id, failed_id, passed_id = propose_correction(db, clock, inspection_id)
    approved = amendment_approval.approve(
        db, clock, SETTINGS, proposal_id, actor=person(db, "黄建国")
    )
    assert approved.state == ProposalState.APPROVED
    assert approved.decision is not None and approved.decision.actor == person(db, "黄建国")
    effective = {f.id: f for f in amendments.effective_findings(db, inspection_id)}
    assert effective[failed_id].result == Result.NA
    assert effective[passed_id].result == Result.FAIL and effective[passed_id].occurrences == 2
    assert effective[passed_id].deduction > 0
    assert inspection_state.load_state(db, SETTINGS, inspection_id).card.total != total_before
    (withdrawn,) = items_of_finding(db, failed_id)
    assert withdrawn.status == RectificationStatus.VOIDED
    move = list_events(db, withdrawn.id)[-1]
    assert move.action == amendment_approval.WITHDRAWN and move.reason == "区域记错：问题在另一处"
    (added,) = items_of_finding(db, passed_id)
    assert added.status == RectificationStatus.OPEN and added.notice_id == withdrawn.notice_id
    assert added.deadline is not None  # the notice was received: counted from today
    # the original rows stay as signed: the seal still holds, db check is clean
    assert check_integrity(db).ok
    # the amendments carry the change's id, the proposer and the reason
    trail = amendment_proposals.approved_changes(db, inspection_id)
    assert {a.id for a in amendments.list_amendments(db, inspection_id)} >= set(trail)


def test_the_proposer_cannot_approve_and_a_decision_is_final(db: Database, clock: Clock) -> None:
    inspection_id = signed_with_failures(db)
    proposal_id, _, _ = propose_correction(db, clock, inspection_id)
    with pytest.raises(RuleError) as own:
        amendment_approval.approve(db, clock, SETTINGS, proposal_id, actor=person(db, "王丽华"))
    assert own.value.key == "errors.amendment.own"
    amendment_approval.approve(db, clock, SETTINGS, proposal_id, actor=person(db, "黄建国"))
    with pytest.raises(RuleError) as again:
        amendment_approval.reject(
            db, clock, proposal_id, actor=person(db, "刘芳"), reason="晚了一步"
        )
    assert again.value.key == "errors.amendment.approved_already"


def test_rejection_is_recorded_and_changes_nothing(db: Database, clock: Clock) -> None:
    inspection_id = signed_with_failures(db)
    before = snapshot(db, inspection_id)
    proposal_id, _, _ = propose_correction(db, clock, inspection_id)
    with pytest.raises(RuleError):  # a rejection needs its reason
        amendment_approval.reject(db, clock, proposal_id, actor=person(db, "黄建国"), reason=" ")
    rejected = amendment_approval.reject(
        db, clock, proposal_id, actor=person(db, "黄建国"), reason="现场照片显示就在该区域"
    )
    assert rejected.state == ProposalState.REJECTED
    assert rejected.decision is not None and rejected.decision.reason == "现场照片显示就在该区域"
    assert snapshot(db, inspection_id) == before
    assert check_integrity(db).ok


def test_a_proposal_made_stale_by_another_amendment_is_refused(db: Database, clock: Clock) -> None:
    inspection_id = signed_with_failures(db)
    proposal_id, failed_id, _ = propose_correction(db, clock, inspection_id)
    second = amendment_approval.propose(
        db,
        clock,
        inspection_id,
        actor=person(db, "王丽华"),
        reason="应作废",
        changes={failed_id: {"result": "pass"}},
    )
    amendment_approval.approve(db, clock, SETTINGS, second.id, actor=person(db, "黄建国"))
    with pytest.raises(RuleError) as stale:
        amendment_approval.approve(db, clock, SETTINGS, proposal_id, actor=person(db, "黄建国"))
    assert stale.value.key == "errors.amendment.stale"
    assert amendment_proposals.get_proposal(db, proposal_id).state == ProposalState.PENDING


def test_an_unsigned_inspection_is_edited_not_amended(db: Database, clock: Clock) -> None:
    rows = inspections.list_inspections(db)
    unsigned = next(r.inspection for r in rows if r.inspection.status != InspectionStatus.SIGNED)
    finding = amendments.effective_findings(db, unsigned.id)[0]
    with pytest.raises(RuleError) as refused:
        amendment_approval.propose(
            db,
            clock,
            unsigned.id,
            actor=person(db, "王丽华"),
            reason="笔误",
            changes={finding.id: {"note": "改"}},
        )
    assert refused.value.key == "errors.amendment.unsigned"
    assert amendment_proposals.list_proposals(db, unsigned.id) == []


def test_wrong_values_are_refused_and_nothing_is_recorded(db: Database, clock: Clock) -> None:
    inspection_id = signed_with_failures(db)
    failed, _ = failed_and_passed(db, inspection_id)
    for wanted, key in (
        ({"result": "maybe"}, "errors.amendment.value"),
        ({"occurrences": "-1"}, "errors.amendment.value"),
        ({"area": "不存在的区域"}, "errors.amendment.no_area"),
        ({"colour": "red"}, "errors.amendment.field"),
        ({"result": "fail"}, "errors.amendment.nothing"),
    ):
        with pytest.raises(RuleError) as refused:
            amendment_approval.propose(
                db,
                clock,
                inspection_id,
                actor=person(db, "王丽华"),
                reason="试",
                changes={failed.id: wanted},
            )
        assert refused.value.key == key, wanted
    assert amendment_proposals.list_proposals(db, inspection_id) == []


def test_the_proposal_tables_are_append_only(db: Database, clock: Clock) -> None:
    inspection_id = signed_with_failures(db)
    proposal_id, _, _ = propose_correction(db, clock, inspection_id)
    for sql in (
        "UPDATE amendment_proposals SET reason = 'x' WHERE id = ?",
        "DELETE FROM amendment_changes WHERE proposal_id = ?",
    ):
        with pytest.raises(Exception, match="append-only"):
            db.execute(sql, [proposal_id])
    audited = db.execute(
        "SELECT count(*) FROM audit_log WHERE table_name = 'amendment_proposals' AND row_id = ?",
        [proposal_id],
    ).fetchone()[0]
    assert audited == 1


def report_text(db: Database, path: Path, clock: Clock, inspection_id: str, out: Path) -> str:
    import pdfplumber

    from pqm_tui.reports.document_service import DocumentService
    from pqm_tui.services.points import format_points

    settings = Settings(lang="zh", timezone="Asia/Shanghai")
    DocumentService(db, path, settings, clock, person(db, "王丽华"), strict=True).report(
        inspection_id, out
    )
    with pdfplumber.open(out) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    total = inspection_state.load_state(db, SETTINGS, inspection_id).card.total
    assert format_points(total) in text  # the score printed is the one as amended
    return text


def test_the_report_prints_approved_amendments_only(
    db: Database, demo_db_path: Path, clock: Clock, tmp_path: Path
) -> None:
    inspection_id = signed_with_failures(db)
    proposal_id, _, _ = propose_correction(db, clock, inspection_id)
    pending = report_text(db, demo_db_path, clock, inspection_id, tmp_path / "pending.pdf")
    assert "更正记录" not in pending and "区域记错" not in pending
    amendment_approval.approve(db, clock, SETTINGS, proposal_id, actor=person(db, "黄建国"))
    text = report_text(db, demo_db_path, clock, inspection_id, tmp_path / "approved.pdf")
    flat = text.replace("\n", "")
    assert "更正记录" in text
    assert "区域记错" in flat
    assert "王丽华" in text and "黄建国" in text  # proposed by, approved by
    assert "结果：不合格 → 不适用" in flat and "结果：合格 → 不合格" in flat


def test_the_cli_proposes_lists_approves_and_rejects(
    demo_db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pqm_tui.cli import main

    db = connect(demo_db_path)
    inspection_id = signed_with_failures(db)
    failed, _ = failed_and_passed(db, inspection_id)
    code = db.execute("SELECT code FROM items WHERE id = ?", [failed.item_id]).fetchone()[0]
    area = organisation.get_area(db, failed.area_id).name
    base = ["--db", str(demo_db_path), "--tz", "Asia/Shanghai"]
    wang, chen = person(db, "王丽华"), person(db, "黄建国")
    amend = [*base, "--as", wang, "inspection", "amend", inspection_id[-8:], "--item", code]
    amend += ["--area", area, "--set", "result=na", "--reason", "该项不适用"]
    assert main(amend) == 0
    said = capsys.readouterr().out
    proposal_id = said.split()[1]  # 更正申请 <short id> 已提出…
    assert "结果：不合格 → 不适用" in said
    assert main([*base, "inspection", "amendments", "--pending"]) == 0
    listed = capsys.readouterr().out
    assert proposal_id in listed and "待审批" in listed and "王丽华" in listed
    assert main([*base, "--as", wang, "inspection", "approve-amendment", proposal_id]) == 2
    assert "不能审批自己提出的更正申请" in capsys.readouterr().err
    assert main([*base, "--as", chen, "inspection", "approve-amendment", proposal_id]) == 0
    assert "已批准" in capsys.readouterr().out
    again = [*base, "--as", chen, "inspection", "reject-amendment", proposal_id, "--reason", "x"]
    assert main(again) == 2
    assert "已由 黄建国" in capsys.readouterr().err
    assert main([*base, "inspection", "amendments", inspection_id]) == 0
    assert "已批准：黄建国" in capsys.readouterr().out
    assert main([*base, "db", "check"]) == 0
    assert amendments.effective_findings(db, inspection_id) != []
    effective = {f.id: f for f in amendments.effective_findings(db, inspection_id)}
    assert effective[failed.id].result == Result.NA


def test_the_cli_refuses_a_malformed_set(
    demo_db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pqm_tui.cli import main

    db = connect(demo_db_path)
    inspection_id = signed_with_failures(db)
    args = ["--db", str(demo_db_path), "inspection", "amend", inspection_id, "--item", "X"]
    assert main([*args, "--set", "result", "--reason", "r"]) == 2
    assert "字段=值" in capsys.readouterr().err
    assert amendment_proposals.list_proposals(db) == []


def test_a_wrong_area_moves_the_failure_and_its_item(db: Database, clock: Clock) -> None:
    inspection_id = signed_with_failures(db)
    found = amendments.effective_findings(db, inspection_id)
    source, target = next(
        (f, g)
        for f in found
        if f.result == Result.FAIL and items_of_finding(db, f.id)
        for g in found
        if g.item_id == f.item_id and g.area_id != f.area_id and g.result == Result.PASS
    )
    area = organisation.get_area(db, target.area_id).name
    proposal = amendment_approval.propose(
        db,
        clock,
        inspection_id,
        actor=person(db, "王丽华"),
        reason="区域记错",
        changes={source.id: {"area": area}},
    )
    amendment_approval.approve(db, clock, SETTINGS, proposal.id, actor=person(db, "黄建国"))
    effective = {f.id: f for f in amendments.effective_findings(db, inspection_id)}
    assert effective[source.id].result == Result.PASS and effective[source.id].deduction == 0
    moved = effective[target.id]
    assert moved.result == Result.FAIL and moved.note == source.note
    assert (moved.occurrences, moved.deduction) == (source.occurrences, source.deduction)
    assert items_of_finding(db, source.id)[0].status == RectificationStatus.VOIDED
    assert items_of_finding(db, target.id)[0].status == RectificationStatus.OPEN
    assert check_integrity(db).ok


def test_a_failure_found_later_gets_a_notice_of_its_own(
    db: Database, demo_db_path: Path, clock: Clock
) -> None:
    """An inspection signed without failures has no notice: approval issues one."""
    from pqm_tui.model import checklists, notices
    from pqm_tui.services import signoff
    from pqm_tui.services.walk_session import WalkSession

    project = next(p for p in organisation.list_projects(db) if p.name == "锦程·天府花园")
    version = next(c for c in checklists.list_checklists(db) if "物业服务" in c.checklist.name)
    inspection = inspections.create_inspection(
        db,
        clock,
        project.id,
        InspectionKind.SPECIAL,
        version.latest_version_id,
        [person(db, "王丽华")],
    )
    set_actor(db, person(db, "王丽华"))  # the inspector walks and signs
    session = WalkSession(db, clock, SETTINGS, inspection.id, demo_db_path)
    for area in session.plan.areas:
        session.answer_rest(area.id, Result.PASS)
    assert (
        signoff.sign_off(
            db, clock, SETTINGS, inspection.id, receiver_name="吴超", receiver_role="项目经理"
        )
        is None
    )
    finding = amendments.effective_findings(db, inspection.id)[0]
    proposal = amendment_approval.propose(
        db,
        clock,
        inspection.id,
        actor=person(db, "王丽华"),
        reason="漏记一处不合格",
        changes={finding.id: {"result": "fail", "note": "消防通道堆放杂物"}},
    )
    assert notices.notices_of_inspection(db, inspection.id) == []
    amendment_approval.approve(db, clock, SETTINGS, proposal.id, actor=person(db, "黄建国"))
    (notice,) = notices.notices_of_inspection(db, inspection.id)
    assert notice.received_at is None  # the project has not received it yet
    (item,) = items_of_finding(db, finding.id)
    assert item.notice_id == notice.id and item.deadline is None  # counted from receipt
    assert check_integrity(db).ok


def test_two_deciders_on_two_connections_one_wins(demo_db_path: Path, clock: Clock) -> None:
    first, second = connect(demo_db_path), connect(demo_db_path)
    inspection_id = signed_with_failures(first)
    proposal_id, _, _ = propose_correction(first, clock, inspection_id)
    seen = amendment_proposals.get_proposal(second, proposal_id)  # both screens show it pending
    assert seen.state == ProposalState.PENDING
    amendment_approval.approve(first, clock, SETTINGS, proposal_id, actor=person(first, "黄建国"))
    with pytest.raises(RuleError) as late:
        amendment_approval.reject(
            second, clock, proposal_id, actor=person(second, "刘芳"), reason="不同意"
        )
    assert late.value.key == "errors.amendment.approved_already"
    assert late.value.params["actor"] == "黄建国"
    decisions = second.execute(
        "SELECT count(*) FROM amendment_decisions WHERE proposal_id = ?", [proposal_id]
    ).fetchone()[0]
    assert decisions == 1
