"""What the walk shows (现场检查的显示): titles, table cells and the item's detail, as text.

Functions of the walk's ``WalkSession`` and the translator only; the screen
puts what they return into its widgets.
"""

from __future__ import annotations

from rich.text import Text

from pqm_tui.i18n import Translator
from pqm_tui.model.entities import Result
from pqm_tui.services.points import format_points
from pqm_tui.services.reinspection_context import TargetContext
from pqm_tui.services.walk_session import AreaProgress, WalkSession

STYLE = {Result.PASS: "green", Result.FAIL: "bold red", Result.NA: "dim"}


def area_name(walk: WalkSession, area_id: str) -> str:
    return walk.areas[walk.area_index[area_id]].name


def walk_title(walk: WalkSession, tr: Translator, totals: AreaProgress) -> tuple[str, str]:
    """The top line: project, kind and checklist (cut first when narrow), then the progress
    and the failures (always whole)."""
    title = tr(
        "walk.title",
        project=walk.project.name,
        kind=tr.enum(walk.inspection.kind),
        checklist=walk.content.checklist.name,
        version=walk.content.version.version,
    )
    counts = tr(
        "walk.counts", answered=totals.answered, total=totals.applicable, failed=totals.failed
    )
    return title, counts


def area_title(walk: WalkSession, tr: Translator, area_id: str) -> str:
    """The current area, named prominently with its progress, above its items."""
    progress = walk.progress(area_id)
    return tr(
        "walk.area_title",
        area=area_name(walk, area_id),
        answered=progress.answered,
        total=progress.applicable,
        failed=progress.failed,
    )


def area_cells(walk: WalkSession, area_id: str) -> tuple[str, str]:
    """An area row's progress and failures."""
    progress = walk.progress(area_id)
    mark = "✓ " if progress.answered == progress.applicable else ""
    return f"{mark}{progress.answered}/{progress.applicable}", str(progress.failed or "")


def item_cells(walk: WalkSession, tr: Translator, area_id: str, item_id: str) -> tuple[Text, str]:
    """An item row's result (``!``: a required photo is missing) and deduction."""
    finding = walk.finding(area_id, item_id)
    if finding is None:
        return Text("·", style="dim"), ""
    label = tr.enum(finding.result)
    if walk.missing_photo(area_id, item_id):
        label += " !"
    deduction = f"-{format_points(finding.deduction)}" if finding.result == Result.FAIL else ""
    return Text(label, style=STYLE[finding.result]), deduction


def target_lines(tr: Translator, context: TargetContext) -> list[str]:
    """A re-inspection target: the original finding, its notice, and the project's reply."""
    original = context.original
    lines = [
        tr(
            "walk.target.original",
            date=context.inspected_on,
            notice=context.notice_number or tr("common.none"),
            note=original.note or "—",
        ),
        tr(
            "walk.target.where",
            location=original.location or "—",
            severity=tr.enum(original.severity),
            occurrences=original.occurrences,
            deduction=format_points(original.deduction),
            photos=len(context.photos),
        ),
    ]
    reply = context.reply
    if reply is None:
        lines.append(tr("walk.target.no_reply", deadline=context.deadline or "—"))
    else:
        lines.append(
            tr(
                "walk.target.reply",
                date=reply.date,
                actor=reply.actor,
                done=reply.done or "—",
                photos=len(reply.evidence),
            )
        )
    if context.all_photos():
        lines.append(tr("walk.target.photos_key", count=len(context.all_photos())))
    return lines


def item_detail(
    walk: WalkSession,
    tr: Translator,
    area_id: str,
    item_id: str,
    context: TargetContext | None = None,
) -> str:
    """The item's rule, standard and method, its finding when it failed, and (re-inspection)
    what the item was found and replied."""
    item = walk.items[item_id]
    section = walk.sections[item.section_id]
    lines = [
        tr(
            "walk.detail.head",
            code=item.code,
            section=section.name,
            points=tr("walk.detail.points", n=item.points, shown=format_points(item.points)),
            per=format_points(item.per_occurrence),
            cap=format_points(walk.cap(item_id, area_id)),
            severity=tr.enum(item.severity),
        )
        + (tr("walk.detail.photo_required") if item.photo_required else ""),
        tr("walk.detail.standard", text=item.standard),
    ]
    if context is None:
        lines.append(tr("walk.detail.method", text=item.method))
    else:
        lines.extend(target_lines(tr, context))
    finding = walk.finding(area_id, item_id)
    if finding is not None and finding.result == Result.FAIL:
        lines.append(
            tr(
                "walk.detail.finding",
                occurrences=finding.occurrences,
                deduction=format_points(finding.deduction),
                note=finding.note or "—",
                photos=walk.photo_counts.get(finding.id, 0),
            )
        )
    return "\n".join(lines)
