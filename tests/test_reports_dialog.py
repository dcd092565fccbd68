"""The document dialog (生成文件) driven by keys: worker, progress, signer, keys, messages."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import Button, Input, ProgressBar, Static

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model import inspections, notices, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import InspectionStatus, Person
from pqm_tui.paths import keys_dir
from pqm_tui.reports.document_service import DocumentService, RenderedDocument
from pqm_tui.reports.render import RenderError
from pqm_tui.screens.dialogs.report import ReportDialog
from pqm_tui.screens.dialogs.report_messages import describe_failure
from pqm_tui.services.demo import DEMO_PIN
from pqm_tui.services.signing import KeyLockedError, KeyMissingError, key_path

CLASS_NAMES = ("Error", "Exception", "Traceback")


def signed_failed_inspection(app: PQMApp) -> str:
    """A signed inspection with failures (it has a rectification notice)."""
    rows = inspections.list_inspections(app.db, status=InspectionStatus.SIGNED)
    return next(r.inspection.id for r in rows if r.failed)


def act_as_outsider(app: PQMApp, inspection_id: str) -> None:
    """Act as a department head of another project: a real person, but none of those who
    could sign this inspection's documents (as the OS user "root" was before identities)."""
    project = inspections.get_inspection(app.db, inspection_id).project_id
    outsider = next(
        p
        for p in organisation.list_people(app.db)
        if p.project_id not in (None, project) and "department-head" in p.roles
    )
    app.act_as(outsider)


def text_of(dialog: ReportDialog, selector: str) -> str:
    return str(dialog.query_one(selector, Static).render())


async def open_dialog(app: PQMApp, pilot, inspection_id: str, out: Path) -> ReportDialog:  # type: ignore[no-untyped-def]
    dialog = ReportDialog(inspection_id, output_dir=out)
    app.push_screen(dialog)
    await pilot.pause()
    return dialog


async def settle(app: PQMApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_dialog_renders_notice_in_worker(
    demo_db_path: Path,
    settings: Settings,
    clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[int] = []
    original = DocumentService.issue

    def recording(self: DocumentService, kind: str, ref: str, out: Path) -> RenderedDocument:
        threads.append(threading.get_ident())
        return original(self, kind, ref, out)

    monkeypatch.setattr(DocumentService, "issue", recording)
    app = create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)
    inspection_id = signed_failed_inspection(app)
    results: list[Path | None] = []
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = ReportDialog(inspection_id, output_dir=tmp_path)
        app.push_screen(dialog, results.append)
        await pilot.pause()
        await pilot.press("n")
        await settle(app, pilot)
        text = text_of(dialog, "#result")
        assert dialog.written is not None and dialog.written.exists(), text
        assert str(dialog.written) in text
        assert dialog.query_one(ProgressBar).progress == 4
        assert threads and threads[0] != threading.get_ident()  # not on the UI thread
        await pilot.press("escape")
        await pilot.pause()
    assert results == [dialog.written]


async def test_title_names_the_inspection_and_signer_is_prefilled(
    demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    app = create_app(settings, db_path=demo_db_path, clock=clock)
    inspection_id = signed_failed_inspection(app)
    act_as_outsider(app, inspection_id)
    inspection = inspections.get_inspection(app.db, inspection_id)
    project = organisation.get_project(app.db, inspection.project_id)
    first = organisation.get_person(app.db, inspection.inspector_ids[0])
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(app, pilot, inspection_id, tmp_path)
        title = str(dialog.query_one(".dialog-title", Static).render())
        assert project.name in title and inspection.started_at[:10] in title
        assert "月度检查" in title or "检查" in title
        # the acting person could not sign: the inspection's first inspector signs
        assert dialog.query_one("#signer", Input).value == first.name
        assert "签名人" in str(dialog.query_one(".form Static", Static).render())
        keys = text_of(dialog, "#keys")
        assert "1" in keys and "Esc" in keys
        assert not dialog.query_one(ProgressBar).display  # nothing claimed before anything ran


async def test_actor_who_is_a_person_is_the_default_signer(
    demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    app = create_app(settings, db_path=demo_db_path, actor="刘芳", clock=clock)
    inspection_id = signed_failed_inspection(app)
    organisation.find_person(app.db, "刘芳")  # a person of the demo
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_dialog(app, pilot, inspection_id, tmp_path)
        assert dialog.query_one("#signer", Input).value == "刘芳"


async def test_unknown_signer_is_named_in_chinese_and_nothing_is_written(
    demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    app = create_app(settings, db_path=demo_db_path, clock=clock)
    inspection_id = signed_failed_inspection(app)
    act_as_outsider(app, inspection_id)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_dialog(app, pilot, inspection_id, tmp_path)
        await pilot.press("tab", "tab", "tab")  # notice → report → signed → signer
        signer = dialog.query_one("#signer", Input)
        assert app.focused is signer
        await pilot.press(*["backspace"] * len(signer.value), "r", "o", "o", "t")
        await pilot.press("enter")  # Enter in the signer field: the signed report
        await settle(app, pilot)
        message = text_of(dialog, "#key-state")
        assert "没有名为“root”的人员" in message
        assert dialog.query_one("#key-state").has_class("error")
        assert not any(word in message for word in CLASS_NAMES)
        assert not dialog.query_one(ProgressBar).display
        assert dialog.written is None and not list(tmp_path.glob("*.pdf"))


def project_and_date(app: PQMApp, inspection_id: str) -> tuple[str, str]:
    """The inspection's project name and date, as its document file names carry them."""
    inspection = inspections.get_inspection(app.db, inspection_id)
    project = organisation.get_project(app.db, inspection.project_id).name
    return project, inspection.started_at[:10]


def first_inspector(app: PQMApp, inspection_id: str) -> Person:
    inspection = inspections.get_inspection(app.db, inspection_id)
    return organisation.get_person(app.db, inspection.inspector_ids[0])


async def test_missing_key_names_the_command_then_k_makes_one_and_signs(
    demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    app = create_app(settings, db_path=demo_db_path, clock=clock)
    inspection_id = signed_failed_inspection(app)
    act_as_outsider(app, inspection_id)
    person = first_inspector(app, inspection_id)
    folder = keys_dir(demo_db_path)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_dialog(app, pilot, inspection_id, tmp_path)
        await pilot.press("3")
        await settle(app, pilot)
        message = text_of(dialog, "#key-state")
        assert f"{person.name} 还没有签名密钥" in message
        assert f"pqm --db {demo_db_path} keys init --person {person.name}" in message
        assert dialog.query_one("#key-state").has_class("error")
        assert app.focused is dialog.query_one("#signer-pin", Input)  # the PIN makes the key
        assert not list(tmp_path.glob("*.pdf"))
        await pilot.press("k")  # someone else's key: only he or an administrator makes it
        await pilot.pause()
        assert "无权管理签名密钥：仅限系统管理员或本人" in text_of(dialog, "#result")
        assert not key_path(folder, person.id).exists()
        app.act_as(person)
        await pilot.press("k")  # his PIN protects the key: asked first
        await pilot.pause()
        assert not key_path(folder, person.id).exists()
        assert f"请输入 {person.name} 的签字密码" in text_of(dialog, "#key-state")
        pin = dialog.query_one("#signer-pin", Input)
        assert app.focused is pin and pin.password
        pin.value = DEMO_PIN
        dialog.query_one("#make-key", Button).focus()
        await pilot.press("k")
        await pilot.pause()
        assert key_path(folder, person.id).is_file()
        assert "有效" in text_of(dialog, "#key-state")
        pin.value = "0000"
        await pilot.press("3")  # a wrong PIN: said under the signer, nothing written
        await settle(app, pilot)
        assert "签字密码不对；再错 4 次" in text_of(dialog, "#key-state")
        assert not list(tmp_path.glob("*.pdf")) and pin.value == ""
        assert app.focused is pin
        await pilot.press(*DEMO_PIN, "enter")  # Enter in the PIN field signs
        await settle(app, pilot)
        assert pin.value == ""  # asked again for the next signature
        text = text_of(dialog, "#result")
        project, date = project_and_date(app, inspection_id)
        assert dialog.written == tmp_path / f"检查报告-{project}-{date}-签名.pdf", text
        assert dialog.written.is_file()
        assert str(dialog.written) in text and f"已签名：{person.name}" in text


async def test_as_the_hint_says_the_pin_typed_then_k_makes_the_key_and_3_signs(
    demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    """The keys the dialog names work from where the cursor is: the PIN field takes digits
    only (k is the key's command, not a hidden fifth dot); a signed report asked for
    without a key or a PIN says in red what is missing and puts the cursor there."""
    app = create_app(settings, db_path=demo_db_path, clock=clock)
    inspection_id = signed_failed_inspection(app)
    person = first_inspector(app, inspection_id)
    app.act_as(person)  # the inspector makes his own key
    folder = keys_dir(demo_db_path)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_dialog(app, pilot, inspection_id, tmp_path)
        pin = dialog.query_one("#signer-pin", Input)
        await pilot.press("3")  # no key yet
        await settle(app, pilot)
        assert text_of(dialog, "#result") == (
            f"未生成检查报告（签名）：先为 {person.name} 生成签名密钥（见上）"
        )
        assert dialog.query_one("#result").has_class("error") and app.focused is pin
        await pilot.press(*DEMO_PIN, "k")  # typed where the cursor is, as the hint says
        await pilot.pause()
        assert key_path(folder, person.id).is_file()
        assert pin.value == DEMO_PIN  # k was not typed into the PIN
        assert "有效" in text_of(dialog, "#key-state")
        await pilot.press("3")
        await settle(app, pilot)
        assert dialog.written is not None and dialog.written.is_file()
        assert f"已签名：{person.name}" in text_of(dialog, "#result")
        await pilot.press("3")  # again, the PIN asked again for each signature: none typed
        await settle(app, pilot)
        assert text_of(dialog, "#result") == (
            f"未生成检查报告（签名）：先在“签名人密码”栏输入 {person.name} 的签字密码，再按 Enter"
        )
        assert app.focused is pin and not dialog.query_one(ProgressBar).display
        await pilot.press(*DEMO_PIN, "s")  # s (sign) works from the PIN field too
        await settle(app, pilot)
        assert pin.value == "" and f"已签名：{person.name}" in text_of(dialog, "#result")


async def test_a_damaged_certificate_is_said_and_k_makes_the_key_again(
    demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    from pqm_tui.services.signing import create_self_signed

    app = create_app(settings, db_path=demo_db_path, clock=clock)
    inspection_id = signed_failed_inspection(app)
    act_as_outsider(app, inspection_id)
    person = first_inspector(app, inspection_id)
    folder = keys_dir(demo_db_path)
    create_self_signed(folder, person.id, person.name, "公司", DEMO_PIN.encode())
    (folder / f"{person.id}.pem").write_text("not a certificate")
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_dialog(app, pilot, inspection_id, tmp_path)  # no crash
        assert "证书文件已损坏" in text_of(dialog, "#key-state")
        app.act_as(organisation.find_person(app.db, "徐静"))  # an administrator remakes it
        dialog.query_one("#signer-pin", Input).value = DEMO_PIN
        dialog.query_one("#make-key", Button).focus()
        await pilot.press("k")
        await pilot.pause()
        assert "有效" in text_of(dialog, "#key-state")


async def test_a_refused_notice_names_who_may_issue_it(
    demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    app = create_app(settings, db_path=demo_db_path, clock=clock)
    inspection_id = signed_failed_inspection(app)
    act_as_outsider(app, inspection_id)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(app, pilot, inspection_id, tmp_path)
        await pilot.press("1")
        await settle(app, pilot)
        said = text_of(dialog, "#result")
        assert "无权签发整改通知单：仅限品质督导、品管组长、品质部经理" in said
        assert app.screen is dialog and dialog.written is None  # the dialog stays, nothing written
        assert not list(tmp_path.glob("*.pdf"))


async def test_notice_by_number_key_needs_no_signing_key(
    demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    app = create_app(settings, db_path=demo_db_path, actor="黄建国", clock=clock)  # 品质部经理
    inspection_id = signed_failed_inspection(app)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(app, pilot, inspection_id, tmp_path)
        await pilot.press("1")
        await settle(app, pilot)
        text = text_of(dialog, "#result")
        number = notices.notices_of_inspection(app.db, inspection_id)[0].number
        project, _ = project_and_date(app, inspection_id)
        assert dialog.written == tmp_path / f"整改通知单-{number}-{project}.pdf", text
        assert inspection_id[-8:] not in dialog.written.name
        assert dialog.written.is_file() and str(dialog.written) in text
        assert not keys_dir(demo_db_path).exists()
        assert dialog.query_one(ProgressBar).display
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReportDialog)


async def test_no_notice_is_said_before_rendering(
    demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    app = create_app(settings, db_path=demo_db_path, actor="黄建国", clock=clock)
    draft = inspections.list_inspections(app.db, status=InspectionStatus.DRAFT)[0]
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_dialog(app, pilot, draft.inspection.id, tmp_path)
        await pilot.press("1")
        await settle(app, pilot)
        assert "没有整改通知单" in text_of(dialog, "#result")
        assert not list(tmp_path.glob("*.pdf"))


async def test_render_failure_is_said_plainly_and_hides_progress(
    demo_db_path: Path,
    settings: Settings,
    clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: DocumentService, kind: str, ref: str, out: Path) -> RenderedDocument:
        raise RenderError("errors.report.render", detail="template stylesheet x.css not found")

    monkeypatch.setattr(DocumentService, "issue", broken)
    app = create_app(settings, db_path=demo_db_path, clock=clock)
    inspection_id = signed_failed_inspection(app)
    act_as_outsider(app, inspection_id)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_dialog(app, pilot, inspection_id, tmp_path)
        await pilot.press("2")
        await settle(app, pilot)
        text = text_of(dialog, "#result")
        assert "生成失败：生成 PDF 时出现问题：template stylesheet x.css not found" in text
        assert "RenderError" not in text
        assert not dialog.query_one(ProgressBar).display
        assert dialog.written is None


def test_failures_are_sentences_not_class_names(tmp_path: Path) -> None:
    from pqm_tui.i18n import Translator

    tr = Translator("zh")
    db = tmp_path / "x.sqlite3"
    out = tmp_path / "r.pdf"

    def say(exc: BaseException) -> str:
        return describe_failure(tr, exc, out=out, signer="王丽华", db_path=db)

    locked = say(KeyLockedError("errors.signing.key_locked", path="k.p12"))
    assert "k.p12" in locked and "pqm keys init --force" in locked
    missing = say(KeyMissingError("errors.signing.key_missing", path=f"{db}.keys/abc.p12"))
    assert missing.startswith("王丽华 还没有签名密钥") and "keys init --person 王丽华" in missing
    denied = say(PermissionError(13, "Permission denied"))
    assert str(out) in denied and "Permission denied" in denied
    odd = say(ValueError("could not convert"))
    assert "could not convert" in odd
    for text in (locked, missing, denied, odd):
        assert not any(word in text for word in CLASS_NAMES), text


async def test_english_file_names_carry_no_internal_id(
    demo_db_path: Path, clock: Clock, tmp_path: Path
) -> None:
    settings = Settings(timezone="Asia/Shanghai", lang="en")
    app = create_app(settings, db_path=demo_db_path, clock=clock)
    inspection_id = signed_failed_inspection(app)
    act_as_outsider(app, inspection_id)
    number = notices.notices_of_inspection(app.db, inspection_id)[0].number
    project, date = project_and_date(app, inspection_id)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_dialog(app, pilot, inspection_id, tmp_path)
        assert dialog.target_path("notice").name == f"notice-{number}-{project}.pdf"
        assert dialog.target_path("report").name == f"report-{project}-{date}.pdf"
        assert dialog.target_path("signed_report").name == f"report-{project}-{date}-signed.pdf"


async def test_weasyprint_starts_while_a_document_is_chosen_and_stops_with_the_dialog(
    demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    from pqm_tui.reports import render_child

    app = create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)
    inspection_id = signed_failed_inspection(app)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_dialog(app, pilot, inspection_id, tmp_path)
        waiting = list(render_child._early)
        assert len(waiting) == 1 and waiting[0].alive  # started as the dialog opened
        await pilot.press("n")
        await settle(app, pilot)
        assert dialog.written is not None and dialog.written.exists()
        assert waiting[0] not in render_child._early  # the notice took it
        following = list(render_child._early)
        assert len(following) == 1 and following[0].alive  # ready for the next document
        await pilot.press("escape")
        await pilot.pause()
    assert not render_child._early and not following[0].alive  # none left behind
