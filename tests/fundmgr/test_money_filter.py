"""The one money filter of every page (issue 14): ¥ with thousands separators and two
places in both languages, from Money, Decimal yuan, int fen or a document's amount text."""

from decimal import Decimal

import pytest
from django.utils import translation
from djmoney.money import Money
from hypothesis import given
from hypothesis import strategies as st

from fundmgr.lib.money import fen
from fundmgr.lib.money import yuan as plain
from fundmgr.templatetags.money import day, month, yuan

AMOUNTS = st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1)


def read(text: str) -> int:
    """The printed amount back as fen, through the one parser of amounts."""
    negative = text.startswith("-")
    return (-1 if negative else 1) * fen(text.lstrip("-"))


@given(AMOUNTS)
def test_every_form_of_an_amount_prints_the_same(amount):
    text = yuan(amount)
    assert text == yuan(plain(amount)) == yuan(Decimal(amount).scaleb(-2))
    assert text == yuan(Money(Decimal(amount).scaleb(-2), "CNY"))
    assert read(text) == amount
    whole = text.lstrip("-").lstrip("¥").split(".")[0]
    groups = whole.split(",")
    assert 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    assert "CN" not in text and text.count("¥") == 1


@given(st.lists(st.integers(min_value=0, max_value=10**10), min_size=1, max_size=8))
def test_the_printed_parts_add_up_to_the_printed_sum(parts):
    assert sum(read(yuan(p)) for p in parts) == read(yuan(sum(parts)))


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_same_in_both_languages(lang):
    with translation.override(lang):
        assert yuan("60370.00") == "¥60,370.00" and yuan(Money("6000", "CNY")) == "¥6,000.00"


def test_dates_one_format_per_language():
    with translation.override("zh-hans"):
        assert day("2026-10-08") == "2026年10月8日" and month("2026-10") == "2026年10月"
    with translation.override("en"):
        assert day("2026-10-08") == "8 Oct 2026" and month("2026-10") == "Oct 2026"


def test_what_is_not_an_amount_is_shown_as_it_is():
    assert yuan("") == "" and yuan(None) == "" and yuan("—") == "—"
