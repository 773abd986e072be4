"""Corrections are reversals with a reason, at most one per entry."""

import pytest
from djmoney.money import Money

from ledger import services
from ledger.models import Entry
from ledger.services import LedgerError
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_reversal_mirrors_the_entry_links_to_it_and_restores_the_balances():
    book = f.book()
    original = f.income(book, "100.00", "70.00", "25.00", "5.00")
    reversal = services.reverse(original, reason="录错金额", actor="officer2")

    assert reversal.seq == 2
    assert reversal.reverses == original
    assert original.reversed_by == reversal
    assert reversal.reason == "录错金额"
    assert reversal.memo.startswith("冲销 #1")
    assert [ln.amount_fen for ln in reversal.lines.order_by("position")] == [
        -10000,
        7000,
        2500,
        500,
    ]
    for code in ("1001", "2201", "2202", "3001"):
        account = f.account(book, code)
        assert account.balance == Money("0.00", "CNY")
        assert account.line_count == 2


def test_an_entry_is_reversed_at_most_once():
    book = f.book()
    original = f.income(book)
    services.reverse(original, reason="重复录入", actor="a")
    with pytest.raises(LedgerError) as err:
        services.reverse(original, reason="again", actor="a")
    assert err.value.code == "already_reversed"
    assert Entry.objects.count() == 2


def test_a_reversal_is_not_itself_reversed():
    book = f.book()
    reversal = services.reverse(f.income(book), reason="错", actor="a")
    with pytest.raises(LedgerError) as err:
        services.reverse(reversal, reason="undo", actor="a")
    assert err.value.code == "reversal_of_reversal"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reversal_needs_a_reason(reason):
    book = f.book()
    original = f.income(book)
    with pytest.raises(LedgerError) as err:
        services.reverse(original, reason=reason, actor="a")
    assert err.value.code == "reason_required"
    assert Entry.objects.count() == 1
