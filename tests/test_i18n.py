"""Every language has the same messages, and enums all have labels."""

from __future__ import annotations

import pytest

from pqm_tui.i18n import LANGUAGES, Translator, catalog
from pqm_tui.model import entities


def test_languages_have_identical_keys() -> None:
    keys = {lang: set(catalog(lang)) for lang in LANGUAGES}
    assert keys["zh"] - keys["en"] == set()
    assert keys["en"] - keys["zh"] == set()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_enum_member_has_a_label(lang: str) -> None:
    tr = Translator(lang)
    for enum in (
        entities.ProjectKind,
        entities.AreaType,
        entities.Severity,
        entities.InspectionKind,
        entities.InspectionStatus,
        entities.Result,
        entities.RectificationStatus,
        entities.NoteKind,
    ):
        for member in enum:
            assert not tr.enum(member).startswith("enum."), (lang, member)


def test_placeholders_match_between_languages() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    zh, en = catalog("zh"), catalog("en")
    mismatched = [k for k in zh if k in en and fields(zh[k]) != fields(en[k])]
    assert mismatched == []


def test_english_counts_agree_with_their_number() -> None:
    tr = Translator("en")
    assert tr("review.days_left", n=1) == "1 day left"
    assert tr("review.days_left", n=3) == "3 days left"
    assert tr("review.days_overdue", n=1) == "1 day overdue"
    assert tr("items.total", count=0) == "0 items"
    assert Translator("zh")("review.days_left", n=1) == "剩 1 天"


def test_review_form_titles_agree_in_number() -> None:
    """ "Rectification reply (1 item)", not "(1 items)" (seen at 80×24 in --lang en)."""
    en = Translator("en")
    for key, word in (("reply", "Rectification reply"), ("extension", "Extension request")):
        assert en(f"review.{key}.title", count=1) == f"{word} (1 item)"
        assert en(f"review.{key}.title", count=2) == f"{word} (2 items)"
    assert en("review.appeal.title", count=1) == "Appeal (1 item)"
    assert en("walk.panel.photos", count=1) == "1 photo"  # the finding panel's photo line
    assert en("walk.panel.photos", count=0) == "0 photos"
    one = en("walk.reinspection.total", count=1, passed=0, failed=1, other=0)
    assert one.startswith("Re-inspection of 1 item ·")
