"""Per-person sign-off PINs (签字密码): scrypt hashes, never the PIN itself.

A PIN is 4–8 ASCII digits. It is stored in ``people.pin_hash`` as
``scrypt$n$r$p$salt_hex$hash_hex`` with a random 16-byte salt, and checked in
constant time. PINs never reach the database, the audit trail or a log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pqm_tui.model.errors import RuleError

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # ~16 MiB, a few tens of ms: fine for one signature at a time
SALT_BYTES = 16
KEY_BYTES = 32
MIN_DIGITS, MAX_DIGITS = 4, 8


class PinFormatError(RuleError):
    """A PIN that is not 4–8 digits."""


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
