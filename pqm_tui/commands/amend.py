"""``pqm inspection amend|amendments|approve-amendment|reject-amendment``: corrections of
signed inspections by amendment, with approval (更正申请与审批); the arguments are registered
in commands/inspection.py, which imports this module only when one of these runs.

pqm inspection amend INSPECTION --item CODE [--area NAME] --set FIELD=VALUE … --reason TEXT
pqm inspection amendments [INSPECTION] [--pending]
pqm inspection approve-amendment ID [--reason TEXT]
pqm inspection reject-amendment ID --reason TEXT
"""

from __future__ import annotations

import argparse

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.i18n.amendment_text import change_text, person_name
from pqm_tui.model import amendment_proposals, findings, inspections, organisation
from pqm_tui.model.amendment_proposals import Proposal
from pqm_tui.model.ids import short_id
from pqm_tui.services import amendment_approval


def _when(ctx: CommandContext, stamp: str) -> str:
    return ctx.clock.local_time_of(stamp)


def _pairs(ctx: CommandContext, typed: list[str]) -> dict[str, str]:
    pairs = {}
    for text in typed:
        field, sep, value = text.partition("=")
        if not sep or not field.strip():
            raise UserError(ctx.tr("cli.amend.bad_set", text=text))
        pairs[field.strip()] = value
    return pairs


def run_amend(ctx: CommandContext, args: argparse.Namespace) -> int:
    db = ctx.db()
    pairs = _pairs(ctx, args.changes)
    inspection = amendment_approval.amendable(db, args.inspection)
    finding = amendment_approval.find_finding(db, inspection.id, args.item, args.area)
    proposal = amendment_approval.propose(
        db,
        ctx.clock,
        inspection.id,
        actor=ctx.actor,
        reason=args.reason,
        changes={finding.id: pairs},
    )
    print(ctx.tr("cli.amend.proposed", id=short_id(proposal.id), count=len(proposal.changes)))
    _print_changes(ctx, proposal)
    return 0


def _print_changes(ctx: CommandContext, proposal: Proposal) -> None:
    """Each change on a line: item code, area, field, old → new."""
    db = ctx.db()
    inspection = inspections.get_inspection(db, proposal.inspection_id)
    areas = {a.id: a.name for a in organisation.list_areas(db, inspection.project_id)}
    codes = findings.finding_item_codes(db, inspection.id)
    area_of = {f.id: f.area_id for f in findings.list_findings(db, inspection.id)}
    for c in proposal.changes:
        line = change_text(ctx.tr, c.field, c.old_value, c.new_value, areas)
        where = f"{codes.get(c.finding_id, '')} {areas.get(area_of.get(c.finding_id, ''), '')}"
        print(f"  {where}  {line}")


def run_list(ctx: CommandContext, args: argparse.Namespace) -> int:
    """A block per proposal: id, state, inspection, who, when, why; its changes; the decision."""
    db = ctx.db()
    inspection_id = inspections.get_inspection(db, args.inspection).id if args.inspection else None
    proposals = amendment_proposals.list_proposals(db, inspection_id, pending_only=args.pending)
    people = organisation.names(db, "people")
    projects = organisation.names(db, "projects")
    tr = ctx.tr
    if not proposals:
        print(tr("cli.amend.none"))
    for p in proposals:
        inspection = inspections.get_inspection(db, p.inspection_id)
        print(
            tr(
                "cli.amend.head",
                id=short_id(p.id),
                state=tr.enum(p.state),
                project=projects.get(inspection.project_id, ""),
                date=inspection.started_at[:10],
                by=person_name(people, p.actor),
                at=_when(ctx, p.at),
                reason=p.reason,
            )
        )
        _print_changes(ctx, p)
        if p.decision is not None:
            said = tr(
                "amend.decision",
                state=tr.enum(p.state),
                by=person_name(people, p.decision.actor),
                at=_when(ctx, p.decision.at),
                reason=p.decision.reason or "—",
            )
            print(f"  {said}")
    return 0


def run_approve(ctx: CommandContext, args: argparse.Namespace) -> int:
    db = ctx.db()
    proposal = amendment_approval.approve(
        db, ctx.clock, ctx.settings, args.id, actor=ctx.actor, reason=args.reason
    )
    print(ctx.tr("cli.amend.approved", id=short_id(proposal.id), count=len(proposal.changes)))
    _print_changes(ctx, proposal)
    return 0


def run_reject(ctx: CommandContext, args: argparse.Namespace) -> int:
    proposal = amendment_approval.reject(
        ctx.db(), ctx.clock, args.id, actor=ctx.actor, reason=args.reason
    )
    print(ctx.tr("cli.amend.rejected", id=short_id(proposal.id)))
    return 0
