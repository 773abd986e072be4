"""Receipt codes: 80 random bits in Crockford base32, printed in groups of four.

Unguessable (DESIGN 4.4 asks for at least 64 bits), short enough to read over the phone,
and forgiving when typed: case, spaces and dashes are ignored, and the letters that look
like digits (O, I, L) read as the digits.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
BITS = 80
LENGTH = BITS // 5  # 16 characters
_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1"})
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


def new_code() -> str:
    n = secrets.randbits(BITS)
    return "".join(ALPHABET[(n >> (5 * i)) & 31] for i in range(LENGTH - 1, -1, -1))


def normalise(text: str) -> str | None:
    """The stored form of what a resident typed, or None if it cannot be a code."""
    cleaned = re.sub(r"[\s\-]", "", text or "").upper().translate(_TYPO)
    return cleaned if _VALID.match(cleaned) else None


_FRAGMENT = re.compile(f"^[{ALPHABET}]{{4,{LENGTH}}}$")


def fragment(text: str) -> str | None:
    """A piece of a code as staff type it from a slip ("A4ZD-W528"): at least four
    characters, read as forgivingly as a whole code; None if it cannot be part of one.
    For staff search only - the public page needs the whole code."""
    cleaned = re.sub(r"[\s\-]", "", text or "").upper().translate(_TYPO)
    return cleaned if _FRAGMENT.match(cleaned) else None


def display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
