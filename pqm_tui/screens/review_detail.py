"""An item's detail (整改项详情): the pane beside the review's list and the screen behind Enter.

``story_text`` writes an ``ItemStory`` (model.item_story) as the lines a supervisor
reads: the finding (project, area, checklist item, standard, note, location,
severity, department, responsible person, inspectors), its photos, the notices
with their receipt, the deadline and days left, the reply with its evidence, the
extension/appeal history and every move with who, when (local time) and why.
``ItemDetail`` shows it (the review's pane); ``ItemDetailScreen`` shows it full
size with the photos in a list, a small preview of the highlighted one drawn in
half-blocks (any terminal with colours shows it), ``o`` opening it in the system
viewer (``xdg-open`` / ``open``), ``k``/``N``/``r``/``i`` receipt, second notice, reply
and re-inspection (the review asks for them), Esc back.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from pqm_tui.model.errors import PQMError
from pqm_tui.model.item_story import ItemStory, StoryMove, item_story
from pqm_tui.model.review import APPEAL_STAGES
from pqm_tui.screens.base import PQMScreen
from pqm_tui.screens.system_viewer import open_in_viewer
from pqm_tui.widgets.footer import PQMFooter, binding

if TYPE_CHECKING:
    from pqm_tui.i18n import Translator
    from pqm_tui.model.clock import Clock

REQUESTS = (
    "extension-requested",
    "extension-approved",
    "extension-rejected",
    "appeal-requested",
    "appeal-upheld",
    "appeal-rejected",
)


def local_time(clock: Clock, stamp: str) -> str:
    """A stored ISO-8601 stamp as local ``YYYY-MM-DD HH:MM`` (a bare date stays as it is)."""
    if len(stamp) <= 10:
        return stamp
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(clock.tz)
    return moment.strftime("%Y-%m-%d %H:%M")


def state_name(tr: Translator, status: str | None) -> str:
    """A status in the user's language."""
    return tr(f"enum.RectificationStatus.{status}") if status else ""


def action_name(tr: Translator, action: str) -> str:
    """A move in the user's language (an unknown one as it is stored)."""
    key = f"review.action.{action}"
    text = tr(key)
    return action if text == key else text


def _move_line(story_move: StoryMove, tr: Translator, clock: Clock) -> Text:
    line = Text("  ")
    line.append(local_time(clock, story_move.at), style="dim")
    line.append(f"  {story_move.actor}  ")
    line.append(action_name(tr, story_move.action), style="bold")
    before, after = story_move.from_status, story_move.to_status
    if before and after and before != after:
        line.append(f"  {state_name(tr, before)} → {state_name(tr, after)}")
    if story_move.reason:
        line.append(tr("review.detail.why", why=story_move.reason))
    return line


def days_text(story: ItemStory, today: date, tr: Translator) -> str:
    """Days left or overdue for an open item, else ""."""
    if story.deadline is None or story.status not in ("open", "replied"):
        return ""
    if story.pending_stage in APPEAL_STAGES:  # a pending appeal suspends the deadline
        return tr("review.days_suspended")
    left = (date.fromisoformat(story.deadline) - today).days
    if left >= 0:
        return tr("review.days_left", n=left)
    if story.status == "open":
        return tr("review.days_overdue", n=-left)
    return tr("review.days_past", n=-left)


def story_text(story: ItemStory, today: date, tr: Translator, clock: Clock) -> Text:
    """The item's story as lines of text (the pane and the screen show the same)."""
    out = Text()

    def line(text: str | Text = "", style: str = "") -> None:
        out.append(text if isinstance(text, Text) else Text(text, style=style))
        out.append("\n")

    def heading(key: str, **values: object) -> None:
        line()
        line(tr(key, **values), "bold underline")

    sep = tr("review.detail.sep")  # between names in a list
    number = story.notices[0].number if story.notices else ""
    line(f"{number} {story.item_code}".strip(), "bold")
    line(story.item_standard)
    line(tr("review.detail.where", project=story.project_name, area=story.area_name))
    line(tr("review.detail.note", note=story.note or tr("review.detail.none")))
    if story.location:
        line(tr("review.detail.location", location=story.location))
    line(
        tr(
            "review.detail.severity",
            severity=tr(f"enum.Severity.{story.severity}"),
            points=story.points,
        )
    )
    line(
        tr(
            "review.detail.people",
            department=story.department or "—",
            person=story.responsible_person or "—",
        )
    )
    line(
        tr(
            "review.detail.inspection",
            kind=tr(f"enum.InspectionKind.{story.inspection_kind}"),
            date=local_time(clock, story.inspected_on)[:10],
            inspectors=sep.join(story.inspectors) or "—",
        )
    )
    finding_photos = [p.name for p in story.photos if not p.evidence]
    line(
        tr("review.detail.photos", count=len(finding_photos), names=sep.join(finding_photos))
        if finding_photos
        else tr("review.detail.no_photos")
    )

    heading("review.detail.rectification")
    status = state_name(tr, story.status)
    if story.pending_stage:
        status += tr("review.pending", what=tr(f"review.state.{story.pending_stage}"))
    days = days_text(story, today, tr)
    line(
        tr(
            "review.detail.deadline",
            status=status,
            deadline=story.deadline or "—",
            days=tr("review.detail.days", days=days) if days else "",
            level=story.escalation_level,
        )
    )
    for notice in story.notices:
        issued = local_time(clock, notice.issued_at)[:10]
        receipt = (
            tr(
                "review.detail.received",
                who=notice.received_by or "",
                date=local_time(clock, notice.received_at)[:10],
            )
            if notice.received_at
            else tr("review.detail.not_received")
        )
        key = "review.detail.notice" if notice.sequence < 2 else "review.detail.notice_later"
        line(tr(key, number=notice.number, date=issued, n=notice.sequence, receipt=receipt))
    if not story.notices:
        line(tr("review.detail.no_notice"))

    replies = [m for m in story.moves if m.action == "reply"]
    heading("review.detail.reply_heading")
    if not replies:
        line(tr("review.detail.no_reply"))
    for move in replies:
        line(
            tr(
                "review.detail.reply",
                done=move.reason,
                date=str(move.data.get("date", "")),
                who=move.actor,
            )
        )
        shots = [str(s.get("name", "")) for s in move.data.get("evidence") or []]
        if shots:
            line(tr("review.detail.evidence", count=len(shots), names=sep.join(shots)))

    requests = [m for m in story.moves if m.action in REQUESTS]
    if requests:
        heading("review.detail.requests")
        for move in requests:
            line(_move_line(move, tr, clock))

    heading("review.detail.moves", count=len(story.moves))
    if not story.moves:
        line(tr("review.detail.no_moves"))
    for move in story.moves:
        line(_move_line(move, tr, clock))
    out.rstrip()
    return out


def thumbnail(path: Path, width: int, rows: int) -> Text | None:
    """A small picture of ``path`` within ``width`` cells and ``rows`` lines, in half-blocks
    (▀: the top pixel in front, the bottom one behind), or None when it is no image."""
    from PIL import Image  # lazily: only a detail with photos needs it

    try:
        with Image.open(path) as image:
            image.draft("RGB", (width * 4, rows * 8))  # JPEG: decode at a fraction
            picture = image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    picture.thumbnail((width, rows * 2))
    columns, rows = picture.size
    text = Text()
    for y in range(0, rows - 1, 2):
        for x in range(columns):
            top = picture.getpixel((x, y))
            bottom = picture.getpixel((x, y + 1))
            assert isinstance(top, tuple) and isinstance(bottom, tuple)
            style = Style(color=Color.from_rgb(*top[:3]), bgcolor=Color.from_rgb(*bottom[:3]))
            text.append("▀", style=style)
        text.append("\n")
    text.rstrip()
    return text


class ItemDetail(VerticalScroll):
    """The detail pane: the story of the item under the review's cursor."""

    DEFAULT_CSS = """
    ItemDetail { height: 1fr; padding: 0 1; }
    ItemDetail > Static { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-text")

    def show(self, text: Text | str) -> None:
        self.query_one("#detail-text", Static).update(text)
        self.scroll_home(animate=False)


class ItemDetailScreen(PQMScreen[None]):
    """One item's story full size; its photos in a list (``o`` opens one), Esc back."""

    DEFAULT_CSS = """
    ItemDetailScreen #detail-media { height: auto; }
    ItemDetailScreen #detail-photos { width: 1fr; height: auto; max-height: 8; }
    ItemDetailScreen #detail-thumb { width: auto; height: auto; padding: 0 1; }
    """

    BINDINGS = [
        binding("escape", "back", "review.key.back", "detail.back"),
        binding("o", "open_photo", "review.key.open_photo", "detail.open_photo"),
        binding("k", "in_review('receive')", "review.key.receive", "detail.receive"),
        binding("r", "in_review('reply')", "review.key.reply", "detail.reply"),
        binding("i", "in_review('reinspect')", "review.key.reinspect", "detail.reinspect"),
        binding(
            "N", "in_review('second_notice')", "review.key.second_notice", "detail.second_notice"
        ),
    ]

    def __init__(self, item_id: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.story: ItemStory | None = None

    def compose(self) -> ComposeResult:
        app = self.pqm
        tr = self.tr
        yield Header()
        try:
            self.story = item_story(app.db, self.item_id)
        except PQMError as exc:
            yield Static(tr.error(exc), id="detail-missing")
            yield PQMFooter()
            return
        detail = ItemDetail(id="detail")
        yield detail
        options = [
            Option(
                tr("review.detail.photo_evidence" if p.evidence else "review.detail.photo_finding")
                + p.name,
                id=str(n),
            )
            for n, p in enumerate(self.story.photos)
        ]
        if options:
            with Horizontal(id="detail-media"):
                yield OptionList(*options, id="detail-photos")
                yield Static("", id="detail-thumb")
        yield PQMFooter()

    def on_mount(self) -> None:
        if self.story is None:
            return
        text = story_text(self.story, self.pqm.clock.today(), self.tr, self.pqm.clock)
        self.query_one(ItemDetail).show(text)
        photos = self.query(OptionList)
        if photos:
            photos.first().focus()
        else:
            self.query_one(ItemDetail).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open_photo()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """The highlighted photo's preview, or why there is none."""
        path = self.photo_path(event.option_index)
        rows = max(4, self.size.height // 3)  # the story keeps the rest of the screen
        picture = thumbnail(path, self.size.width // 2, rows) if path.is_file() else None
        shown = picture or self.tr(
            "review.detail.photo_missing" if not path.is_file() else "review.detail.no_preview",
            path=path,
        )
        self.query_one("#detail-thumb", Static).update(shown)

    def photo_path(self, index: int) -> Path:
        """The file of photo ``index`` (stored paths are relative to the database's folder)."""
        assert self.story is not None
        stored = Path(self.story.photos[index].path)
        if stored.is_absolute() or self.pqm.db_path is None:
            return stored
        return self.pqm.db_path.parent / stored

    def action_open_photo(self) -> None:
        tr = self.tr
        if self.story is None or not self.story.photos:
            self.notify(tr("review.detail.photo_none"), severity="warning")
            return
        lists = self.query(OptionList)
        index = (lists.first().highlighted if lists else None) or 0
        path = self.photo_path(index)
        if not path.is_file():
            self.notify(tr("review.detail.photo_missing", path=path), severity="error")
            return
        if open_in_viewer(path) is None:
            self.notify(tr("review.detail.photo_no_viewer", path=path), timeout=15)
            return
        self.notify(tr("review.detail.photo_opened", name=path.name))

    def action_in_review(self, action: str) -> None:
        """签收 / 二次通知 / 回复 / 复检 from here: back to the review (its cursor is on this
        item), which asks for it."""
        self.app.pop_screen()
        below = self.app.screen
        self.app.call_later(below.run_action, action)

    def action_back(self) -> None:
        self.app.pop_screen()
