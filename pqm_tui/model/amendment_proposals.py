"""Amendment proposals (更正申请) and their decisions (审批): storage only.

A proposal says who wants to correct a signed inspection, when and why, and
holds its changes (finding, field, old → new). It is pending until one decision
(approved or rejected, by whom, when, why) is recorded; every row is written
once (append-only). The rules live in ``services.amendment_approval``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlite_utils import Database

from pqm_tui.model.errors import NotFoundError


class ProposalState(StrEnum):
    """Where a proposal is (更正申请状态)."""

    PENDING = "pending"  # 待审批
    APPROVED = "approved"  # 已批准
    REJECTED = "rejected"  # 已驳回


@dataclass(frozen=True)
class Change:
    """One field of one finding: old → new (更正内容)."""

    id: str
    finding_id: str
    field: str
    old_value: str
    new_value: str


@dataclass(frozen=True)
class Decision:
    """The decision on a proposal: approved or rejected, by whom, when, why."""

    id: str
    state: ProposalState
    at: str
    actor: str
    reason: str


@dataclass(frozen=True)
class Proposal:
    """A set of changes to one signed inspection, proposed together."""

    id: str
    inspection_id: str
    at: str
    actor: str
    reason: str
    changes: tuple[Change, ...]
    decision: Decision | None = None

    @property
    def state(self) -> ProposalState:
        return ProposalState.PENDING if self.decision is None else self.decision.state


def insert_proposal(db: Database, proposal: Proposal) -> None:
    """Write a proposal and its changes (call inside the caller's transaction)."""
    db.table("amendment_proposals").insert(
        {
            "id": proposal.id,
            "inspection_id": proposal.inspection_id,
            "proposed_at": proposal.at,
            "proposed_by": proposal.actor,
            "reason": proposal.reason,
        }
    )
    db.table("amendment_changes").insert_all(
        {
            "id": c.id,
            "proposal_id": proposal.id,
            "finding_id": c.finding_id,
            "field": c.field,
            "old_value": c.old_value,
            "new_value": c.new_value,
        }
        for c in proposal.changes
    )


def insert_decision(db: Database, proposal_id: str, decision: Decision) -> None:
    db.table("amendment_decisions").insert(
        {
            "id": decision.id,
            "proposal_id": proposal_id,
            "decision": decision.state.value,
            "decided_at": decision.at,
            "decided_by": decision.actor,
            "reason": decision.reason,
        }
    )


def _proposals(db: Database, where: str, params: list[str]) -> list[Proposal]:
    rows = list(
        db.query(
            f"""SELECT p.*, d.id AS decision_id, d.decision, d.decided_at, d.decided_by,
                       d.reason AS decision_reason
                FROM amendment_proposals p
                LEFT JOIN amendment_decisions d ON d.proposal_id = p.id
                WHERE {where} ORDER BY p.proposed_at, p.rowid""",
            params,
        )
    )
    changes: dict[str, list[Change]] = {}
    if rows:
        marks = ", ".join("?" for _ in rows)
        for c in db.query(
            f"SELECT * FROM amendment_changes WHERE proposal_id IN ({marks}) ORDER BY rowid",
            [r["id"] for r in rows],
        ):
            changes.setdefault(c["proposal_id"], []).append(
                Change(c["id"], c["finding_id"], c["field"], c["old_value"], c["new_value"])
            )
    return [
        Proposal(
            r["id"],
            r["inspection_id"],
            r["proposed_at"],
            r["proposed_by"],
            r["reason"],
            tuple(changes.get(r["id"], [])),
            None
            if r["decision_id"] is None
            else Decision(
                r["decision_id"],
                ProposalState(r["decision"]),
                r["decided_at"],
                r["decided_by"],
                r["decision_reason"],
            ),
        )
        for r in rows
    ]


def get_proposal(db: Database, proposal_id: str) -> Proposal:
    """A proposal by id or by the short id printed in lists (its tail)."""
    found = _proposals(db, "p.id = ?", [proposal_id])
    if not found and len(proposal_id) >= 6:
        found = _proposals(db, "p.id LIKE ?", ["%" + proposal_id])
        if len(found) > 1:
            raise NotFoundError("errors.amendment.ambiguous", id=proposal_id)
    if not found:
        raise NotFoundError("errors.amendment.not_found", id=proposal_id)
    return found[0]


def list_proposals(
    db: Database, inspection_id: str | None = None, *, pending_only: bool = False
) -> list[Proposal]:
    """Proposals of one inspection (or all), oldest first; ``pending_only``: undecided."""
    where, params = ("p.inspection_id = ?", [inspection_id]) if inspection_id else ("1", [])
    if pending_only:
        where += " AND d.id IS NULL"
    return _proposals(db, where, params)


def approved_changes(db: Database, inspection_id: str) -> dict[str, tuple[Proposal, Change]]:
    """Amendment id → the approved proposal and change it came from (an amendment made by
    approval has its change's id)."""
    return {
        c.id: (p, c)
        for p in list_proposals(db, inspection_id)
        if p.state == ProposalState.APPROVED
        for c in p.changes
    }
