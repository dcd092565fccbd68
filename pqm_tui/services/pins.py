"""Per-person sign-off PINs (签字密码): scrypt hashes, never the PIN itself.

A PIN is 4–8 ASCII digits. It is stored in ``people.pin_hash`` as
``scrypt$n$r$p$salt_hex$hash_hex`` with a random 16-byte salt, and checked in
constant time. PINs never reach the database, the audit trail or a log.

Every place that asks a PIN (sign-off, decisions, PDF signing, changing it) checks
it with :func:`check_pin`: five wrong tries lock that person for fifteen minutes
(``pin_lockouts``, kept in the database); a right PIN resets the count.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from pqm_tui.model import pin_lockouts
from pqm_tui.model.clock import Clock
from pqm_tui.model.errors import RuleError
from pqm_tui.model.organisation import get_person, set_person_pin

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # ~16 MiB, a few tens of ms: fine for one signature at a time
SALT_BYTES = 16
KEY_BYTES = 32
MIN_DIGITS, MAX_DIGITS = 4, 8
MAX_TRIES = 5  # wrong PINs in a row before the lock
LOCK_TIME = timedelta(minutes=15)


class PinFormatError(RuleError):
    """A PIN that is not 4–8 digits."""


class PinError(RuleError):
    """A PIN refused: none set yet, wrong (``left`` tries remain), or locked (``until``)."""


class PinNotSetError(PinError):
    """The person has no PIN yet: he sets one first (``pqm person pin``)."""


class PinWrongError(PinError):
    """A wrong PIN; ``left`` tries remain before the lock."""


class PinLockedError(PinError):
    """Too many wrong PINs: refused until ``until`` (local time)."""


def check_format(pin: str) -> None:
    """Refuse anything but 4–8 ASCII digits, with a message saying so."""
    if not (MIN_DIGITS <= len(pin) <= MAX_DIGITS and pin.isascii() and pin.isdigit()):
        digits = pin.isascii() and pin.isdigit()
        raise PinFormatError(
            "errors.pin.format" if digits else "errors.pin.not_digits",
            low=MIN_DIGITS,
            high=MAX_DIGITS,
            length=len(pin),
        )


def _derive(pin: str, salt: bytes, n: int, r: int, p: int, length: int = KEY_BYTES) -> bytes:
    memory = 128 * r * (n + p + 2) + 2**20  # what scrypt needs, with headroom
    return hashlib.scrypt(
        pin.encode("ascii"), salt=salt, n=n, r=r, p=p, maxmem=memory, dklen=length
    )


def hash_pin(pin: str) -> str:
    """The storable hash of a well-formed PIN (a new random salt each time)."""
    check_format(pin)
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _derive(pin, salt, N, R, P)
    return f"{SCHEME}${N}${R}${P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches ``stored``; False for a wrong, malformed or unreadable one."""
    try:
        scheme, n, r, p, salt_hex, hash_hex = stored.split("$")
        if scheme != SCHEME:
            return False
        n_, r_, p_ = int(n), int(r), int(p)
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(hash_hex)
    except ValueError:
        return False
    try:
        check_format(pin)
    except PinFormatError:
        return False
    if not expected or not (1 < n_ <= 2**20 and 0 < r_ <= 32 and 0 < p_ <= 16):
        return False
    return hmac.compare_digest(_derive(pin, salt, n_, r_, p_, len(expected)), expected)


def _local(clock: Clock, stamp: str) -> str:
    """A UTC stamp as the user's local date and time, to the minute."""
    return clock.local_time_of(stamp)


def check_pin(db: Database, clock: Clock, person_id: str, pin: str) -> None:
    """校验签字密码: return when ``pin`` is the person's PIN, else raise a ``PinError``.

    Refused without checking while the person is locked; the fifth wrong PIN in a
    row locks him for ``LOCK_TIME``; a right PIN clears the count.
    """
    person = get_person(db, person_id)
    if not person.pin_hash:
        raise PinNotSetError("errors.pin.not_set", person=person.name)
    state = pin_lockouts.get_lockout(db, person_id)
    now = clock.now().astimezone(UTC)
    lock_ended = False
    if state.locked_until is not None:
        if now < datetime.fromisoformat(state.locked_until):
            until = _local(clock, state.locked_until)
            raise PinLockedError("errors.pin.locked", person=person.name, until=until)
        lock_ended = True
    if verify_pin(pin, person.pin_hash):
        if state.failures or state.locked_until:
            pin_lockouts.clear(db, person_id)
        return
    failures = pin_lockouts.record_failure(db, person_id, restart=lock_ended)
    if failures >= MAX_TRIES:
        until = (now + LOCK_TIME).isoformat(timespec="seconds")
        pin_lockouts.lock(db, person_id, until)
        raise PinLockedError(
            "errors.pin.locked_now", person=person.name, tries=MAX_TRIES, until=_local(clock, until)
        )
    raise PinWrongError("errors.pin.wrong", person=person.name, left=MAX_TRIES - failures)


def set_first_pin(db: Database, person_id: str, new_pin: str) -> None:
    """设置签字密码: a person without a PIN sets his first one."""
    person = get_person(db, person_id)
    if person.pin_hash:
        raise PinError("errors.pin.already_set", person=person.name)
    set_person_pin(db, person_id, hash_pin(new_pin))


def change_pin(db: Database, clock: Clock, person_id: str, old_pin: str, new_pin: str) -> None:
    """修改签字密码: the person gives his current PIN (checked, with the lock) and a new one."""
    check_format(new_pin)
    check_pin(db, clock, person_id, old_pin)
    set_person_pin(db, person_id, hash_pin(new_pin))


def reset_pin(db: Database, person_id: str, new_pin: str | None) -> None:
    """重置签字密码 (an administrator's act): a new PIN, or none, without the old one.

    The lock and the count go; the audit trail records who changed ``people`` and when
    (the hash changes, the PIN itself is nowhere).
    """
    stored = hash_pin(new_pin) if new_pin is not None else None
    with db.atomic():
        set_person_pin(db, person_id, stored)
        pin_lockouts.clear(db, person_id)
