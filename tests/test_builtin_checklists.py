"""Built-in checklists are installed once; a company's own version is never replaced silently."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from textual.widgets import Select

from pqm_tui.app import create_app
from pqm_tui.cli import main
from pqm_tui.config import Settings
from pqm_tui.model import checklists, organisation
from pqm_tui.model.checklist_file import ChecklistSpec
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import ProjectKind
from pqm_tui.screens.dialogs.start import StartInspectionScreen

PROPERTY = "物业服务品质检查表"


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def latest(db_path: Path, name: str) -> tuple[int, bool]:
    """(latest version number, still flagged built-in) of the checklist ``name``."""
    db = connect(db_path)
    found = checklists.find_checklist(db, name)
    number = checklists.get_latest_version(db, found.id).version
    db.close()
    return number, found.builtin


def edited_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str], db: Path) -> Path:
    """The company's edit of the built-in: export it and change one standard."""
    path = tmp_path / "ours.yaml"
    assert run(capsys, db, "checklist", "export", PROPERTY, "-o", str(path))[0] == 0
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sections"][0]["items"][0]["standard"] += "（本公司修订）"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


SHIPPED = checklists.builtin_specs


def older_builtins() -> list[ChecklistSpec]:
    """What an older PQM shipped: the property checklist with one item fewer and one other."""
    specs = SHIPPED()
    spec = specs[0]
    first, second = spec.sections[0], spec.sections[1]
    dropped = first.items[-1]
    first.items[0] = first.items[0].model_copy(update={"standard": "旧版标准"})
    first.items = first.items[:-1]
    second.items[0] = second.items[0].model_copy(
        update={"points": second.items[0].points + dropped.points}
    )
    assert spec.total_points == Decimal(100)
    return specs


def test_company_edit_of_a_builtin_stays_latest_after_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "pqm.sqlite3"
    assert run(capsys, db, "checklist", "list")[0] == 0  # installs the built-ins once
    assert latest(db, PROPERTY) == (1, True)
    code, out, _ = run(capsys, db, "checklist", "import", str(edited_copy(tmp_path, capsys, db)))
    assert code == 0 and "v2" in out
    for _ in range(2):  # listing, showing, exporting never reinstall the built-in
        assert run(capsys, db, "checklist", "list")[0] == 0
        assert run(capsys, db, "checklist", "show", PROPERTY)[0] == 0
    assert latest(db, PROPERTY) == (2, False)
    conn = connect(db)
    ours = next(s for s in checklists.list_checklists(conn) if s.checklist.name == PROPERTY)
    content = checklists.load_version(conn, ours.latest_version_id)
    assert content.items[0].standard.endswith("（本公司修订）")


async def test_start_dialog_defaults_to_the_company_version(
    demo_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], clock: Clock
) -> None:
    code, _, _ = run(
        capsys,
        demo_db_path,
        "--as",
        "陈志强",  # 品管组长: the quality group keeps the checklists
        "checklist",
        "import",
        str(edited_copy(tmp_path, capsys, demo_db_path)),
    )
    assert code == 0
    assert run(capsys, demo_db_path, "checklist", "list")[0] == 0
    db = connect(demo_db_path)
    ours = checklists.get_latest_version(db, checklists.find_checklist(db, PROPERTY).id)
    residential = next(
        p.id for p in organisation.list_projects(db) if p.kind == ProjectKind.RESIDENTIAL
    )
    app = create_app(Settings(timezone="Asia/Shanghai"), db_path=demo_db_path, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()  # nobody acts: no draft offered to resume
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, StartInspectionScreen)
        app.screen.query_one("#project", Select).value = residential
        await pilot.pause()
        assert app.screen.query_one("#checklist", Select).value == ours.id


def test_update_builtins_shows_the_change_and_needs_confirmation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "pqm.sqlite3"
    with monkeypatch.context() as old_pqm:
        old_pqm.setattr(checklists, "builtin_specs", older_builtins)
        assert run(capsys, db, "checklist", "list")[0] == 0
    assert latest(db, PROPERTY) == (1, True)

    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    code, out, _ = run(capsys, db, "--lang", "en", "checklist", "update-builtins")
    assert code == 1
    assert f"{PROPERTY} v1 → v2: 1 items added, 0 removed, 2 changed" in out
    assert "nothing was changed" in out
    assert latest(db, PROPERTY) == (1, True)

    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    code, out, _ = run(capsys, db, "checklist", "update-builtins")
    assert code == 0
    assert f"《{PROPERTY}》v1 → v2：新增 1 项，删除 0 项，修改 2 项" in out
    assert f"已更新《{PROPERTY}》为 v2" in out
    assert latest(db, PROPERTY) == (2, True)
    code, out, _ = run(capsys, db, "checklist", "update-builtins")
    assert code == 0 and "均为最新" in out


def test_update_builtins_keeps_the_company_version_unless_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "pqm.sqlite3"
    assert run(capsys, db, "checklist", "list")[0] == 0
    assert run(capsys, db, "checklist", "import", str(edited_copy(tmp_path, capsys, db)))[0] == 0
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("must not ask"))
    code, out, _ = run(capsys, db, "checklist", "update-builtins", "--yes")
    assert code == 0
    assert "贵公司导入或修改的版本，保持不变" in out and "--replace-own" in out
    assert latest(db, PROPERTY) == (2, False)

    code, out, _ = run(capsys, db, "checklist", "update-builtins", "--yes", "--replace-own")
    assert code == 0
    assert (
        f"《{PROPERTY}》v2（贵公司导入的版本）→ v3 内置版本：新增 0 项，删除 0 项，修改 1 项" in out
    )
    assert latest(db, PROPERTY) == (3, True)
