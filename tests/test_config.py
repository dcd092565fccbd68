"""Settings (设置): a wrong value names the source that gave it, in the user's language."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pqm_tui.cli import main
from pqm_tui.config import ScoreBand, Settings, SettingsError, SettingSource, load_settings
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


def test_a_file_full_of_settings_is_checked_and_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        tmp_path,
        monkeypatch,
        "deadline_days: '10'\ncarry_over_points: 1.5\nunknown_key: kept out\n"
        "bands:\n  - {min_score: 60, label_zh: 及格, label_en: Pass}\n"
        "  - {min_score: 90, label_zh: 好, label_en: Good, pay_adjust_percent: 3}\n"
        "assessment: {kinds: [monthly, self], combine: min, close_day: 28}\n",
    )
    settings = load_settings()
    assert (settings.deadline_days, settings.carry_over_points) == (10, Decimal("1.5"))
    assert [b.label_en for b in settings.bands] == ["Good", "Pass"]  # highest first
    assert isinstance(settings.bands[0], ScoreBand) and settings.bands[0].min_score == 90
    assert settings.assessment.kinds == ["monthly", "self"] and settings.assessment.close_day == 28


@pytest.mark.parametrize(
    ("text", "field", "detail"),
    [
        ("deadline_days: 91\n", "deadline_days", "errors.value.not_at_most"),
        ("bands: []\n", "bands", "errors.value.empty"),
        ("bands:\n  - {min_score: lots, label_zh: a, label_en: b}\n", "bands.0.min_score", ""),
        ("assessment: {kinds: [weekly]}\n", "assessment.kinds.0", "errors.value.not_one_of"),
        ("assessment: {close_day: 0}\n", "assessment.close_day", "errors.value.not_at_least"),
    ],
)
def test_a_wrong_nested_value_names_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, field: str, detail: str
) -> None:
    path = write_config(tmp_path, monkeypatch, text)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert caught.value.key == "config.err.invalid"
    assert (caught.value.params["field"], caught.value.params["name"]) == (field, str(path))
    assert caught.value.params["detail"].key == (detail or "errors.value.not_number")


def test_settings_made_in_code_keep_the_bands_highest_first() -> None:
    low = ScoreBand(min_score=Decimal(0), label_zh="差", label_en="Poor")
    high = ScoreBand(min_score=Decimal(90), label_zh="好", label_en="Good")
    assert Settings(bands=[low, high]).bands == [high, low]


@pytest.mark.parametrize(
    ("text", "limit"),
    [("deadline_days: 91\n", 90), ("photo_max_pixels: 100\n", 200), ("carry_over_points: -1\n", 0)],
)
def test_a_value_out_of_bounds_says_the_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, limit: int
) -> None:
    write_config(tmp_path, monkeypatch, text)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert caught.value.params["detail"].params == {"limit": limit}
