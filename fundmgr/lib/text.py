"""The one rule for free text a person or a file gives us: no control characters and a
known maximum length, checked before anything is written (issue 21: a NUL byte passed the
form and the import check, then PostgreSQL refused the row mid-transaction with "string
literal cannot contain NUL characters", a 500 and a stuck job)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# C0 and C1 controls and DEL; tab, line feed and carriage return only in multi-line
# text. Also the Unicode line/paragraph separators, which break CSV and log lines.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def text_problem(value: str, *, max_length: int, multiline: bool = False) -> str | None:
    """What is wrong with `value` as free text, in the user's language, or None."""
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    bad = pattern.search(value)
    if bad is not None:
        return _("contains a control character (U+%(code)04X) at position %(pos)d") % {
            "code": ord(bad.group()),
            "pos": bad.start() + 1,
        }
    if len(value) > max_length:
        return _("is longer than %(max)d characters (it has %(n)d)") % {
            "max": max_length,
            "n": len(value),
        }
    return None


def check_text(
    value: str, *, field: str, label: str, max_length: int, multiline: bool = False
) -> str:
    """`value` stripped, or ValidationError({field: "<label> …"}): for services that take
    free text straight from a request."""
    value = (value or "").strip()
    problem = text_problem(value, max_length=max_length, multiline=multiline)
    if problem:
        raise ValidationError({field: f"{label} {problem}"})
    return value
