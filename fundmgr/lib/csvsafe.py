"""Cells written to CSV/XLSX that a spreadsheet could run as a formula are defused.

A resident's name such as `=HYPERLINK("http://evil","点我")` must come back as text,
never as a live formula (OWASP "CSV injection"): such cells get a leading apostrophe.
"""

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell(value: T) -> T | str:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[T]) -> list[T | str]:
    return [safe_cell(v) for v in values]
