"""Settings (设置): a wrong value names the source that gave it, in the user's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from pqm_tui.cli import main
from pqm_tui.config import SettingsError, SettingSource, load_settings
from pqm_tui.i18n import LANGUAGES, Translator


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PQM_CONFIG", str(path))
    return path


def test_bad_tz_option_is_said_in_chinese_or_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "pqm.sqlite3")
    code, err = run(capsys, "--db", db, "--tz", "Mars/Olympus", "inspection", "list")
    assert code == 2 and "Traceback" not in err
    assert err.strip() == (
        "pqm: 命令行选项 --tz：未知时区“Mars/Olympus”；请使用 IANA 时区名，如 Asia/Shanghai"
    )
    code, err = run(
        capsys, "--db", db, "--lang", "en", "--tz", "Mars/Olympus", "inspection", "list"
    )
    assert code == 2
    assert "option --tz: unknown timezone “Mars/Olympus”" in err
    assert not Path(db).exists()  # refused before anything was opened


@pytest.mark.parametrize("name", ["Asia", "../etc/passwd", "Asia/Shanghai "])
def test_timezone_names_that_are_not_zones_are_refused(name: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(timezone=name)
    assert caught.value.key == "config.err.timezone"
    assert caught.value.params["name"] == "--tz"


def test_a_wrong_environment_variable_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PQM_TZ", "Europe/Atlantis")
    code, err = run(capsys, "--db", str(tmp_path / "pqm.sqlite3"), "inspection", "list")
    assert code == 2 and "环境变量 PQM_TZ：未知时区“Europe/Atlantis”" in err
    monkeypatch.delenv("PQM_TZ")
    monkeypatch.setenv("PQM_LANG", "fr")
    code, err = run(capsys, "--db", str(tmp_path / "pqm.sqlite3"), "inspection", "list")
    assert code == 2 and "环境变量 PQM_LANG：不支持的语言“fr”" in err


def test_a_wrong_file_value_names_the_file_in_its_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path, monkeypatch, "lang: en\ndeadline_days: 0\n")
    code, err = run(capsys, "--db", str(tmp_path / "pqm.sqlite3"), "inspection", "list")
    assert code == 2
    assert f"configuration file {path}: the setting deadline_days is invalid" in err


def test_the_source_given_last_is_the_one_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path, monkeypatch, "timezone: Nowhere/Town\n")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert caught.value.params["origin"] == SettingSource.FILE
    assert caught.value.params["name"] == str(path)
    monkeypatch.setenv("PQM_TZ", "Also/Nowhere")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert (caught.value.params["name"], caught.value.params["value"]) == ("PQM_TZ", "Also/Nowhere")
    assert load_settings(timezone="Asia/Shanghai").timezone == "Asia/Shanghai"  # the option wins


def test_an_unreadable_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path, monkeypatch, "- just\n- a list\n")
    code, err = run(capsys, "--db", str(tmp_path / "pqm.sqlite3"), "inspection", "list")
    assert code == 2 and f"配置文件 {path} 的内容必须是" in err
    write_config(tmp_path, monkeypatch, "a: [")
    code, err = run(capsys, "--db", str(tmp_path / "pqm.sqlite3"), "inspection", "list")
    assert code == 2 and f"无法读取配置文件 {path}" in err and "Traceback" not in err


def test_keymap_section_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path, monkeypatch, "keymap:\n  walk.pass: g\n  home.review: ctrl+r,v\n")
    assert load_settings().keymap == {"walk.pass": "g", "home.review": "ctrl+r,v"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_setting_source_has_a_label(lang: str) -> None:
    tr = Translator(lang)
    for source in SettingSource:
        assert not tr.enum(source).startswith("enum."), (lang, source)
