"""The photo store: copied by sha256, clear refusals, folder import of new files only."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from PIL import Image

from pqm_tui.paths import media_dir
from pqm_tui.services import photos


def picture(path: Path, colour: tuple[int, int, int] = (10, 20, 30), fmt: str = "JPEG") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 12), colour).save(path, fmt)
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "pqm.sqlite3"


def test_store_copies_under_its_sha256_once(tmp_path: Path, db_path: Path) -> None:
    source = picture(tmp_path / "card" / "现场照片 1.jpg")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    first = photos.store_photo(db_path, source)
    second = photos.store_photo(db_path, str(source))
    assert first.sha256 == digest == second.sha256
    assert first.stored_path == media_dir(db_path) / f"{digest}.jpg"
    assert first.stored_path.read_bytes() == source.read_bytes()
    assert first.original_name == "现场照片 1.jpg"
    assert [p.name for p in media_dir(db_path).iterdir()] == [f"{digest}.jpg"]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda d: d / "nothing-here.jpg", "missing"),
        (lambda d: d, "folder"),
        (lambda d: _write(d / "notes.jpg", b"this is text, not a picture"), "not_image"),
    ],
)
def test_bad_files_are_refused_with_the_reason(tmp_path: Path, db_path: Path, make, reason) -> None:  # type: ignore[no-untyped-def]
    target = make(tmp_path)
    with pytest.raises(photos.PhotoError) as caught:
        photos.store_photo(db_path, target)
    assert caught.value.reason == reason
    assert str(target) in str(caught.value)
    assert not media_dir(db_path).exists() or not any(media_dir(db_path).iterdir())


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_refused(tmp_path: Path, db_path: Path) -> None:
    source = picture(tmp_path / "locked.jpg")
    source.chmod(0)
    with pytest.raises(photos.PhotoError) as caught:
        photos.store_photo(db_path, source)
    assert caught.value.reason == "unreadable"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_folder_import_takes_only_new_pictures(tmp_path: Path, db_path: Path) -> None:
    card = tmp_path / "DCIM"
    old = picture(card / "IMG_0001.jpg", (1, 1, 1))
    png = picture(card / "IMG_0002.png", (2, 2, 2), "PNG")
    _write(card / "README.txt", b"not a photo, not even looked at")
    _write(card / "IMG_0003.jpg", b"broken")
    for n, path in enumerate((old, png, card / "IMG_0003.jpg")):
        os.utime(path, (1_700_000_000 + n, 1_700_000_000 + n))

    offered, _, mark, _ = photos.import_folder(db_path, card, remember=False)
    assert len(offered) == 2 and mark == 1_700_000_002
    stored, problems, _, _ = photos.import_folder(db_path, card)  # not remembered: again
    assert [s.original_name for s in stored] == ["IMG_0001.jpg", "IMG_0002.png"]
    assert [p.reason for p in problems] == ["not_image"]

    again, problems, mark, _ = photos.import_folder(db_path, card)
    assert again == [] and problems == [] and mark is None  # nothing newer

    newer = picture(card / "IMG_0004.jpg", (4, 4, 4))
    os.utime(newer, (1_800_000_000, 1_800_000_000))
    copy = card / "IMG_0005.jpg"
    copy.write_bytes(old.read_bytes())  # same picture under another name
    os.utime(copy, (1_800_000_001, 1_800_000_001))
    third, _, _, _ = photos.import_folder(db_path, card)
    assert [s.original_name for s in third] == ["IMG_0004.jpg", "IMG_0005.jpg"]
    assert third[1].stored_path == stored[0].stored_path  # same picture, stored once


def test_missing_folder_is_named(tmp_path: Path, db_path: Path) -> None:
    with pytest.raises(photos.PhotoError) as caught:
        photos.import_folder(db_path, tmp_path / "no-card")
    assert caught.value.reason == "no_folder"
    assert "no-card" in str(caught.value)
