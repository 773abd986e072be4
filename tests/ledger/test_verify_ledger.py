"""verify_ledger passes on fresh data and names the first broken entry of each tamper."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ledger import services
from ledger.verify import verify
from tests import factories as f
from tests.ledger.tamper import execute, guards_lifted

pytestmark = pytest.mark.django_db


@pytest.fixture
def books():
    a, b = f.book("SQ-A"), f.book("SQ-B")
    for i in range(3):
        f.income(a, key=f"A{i}")
    f.income(b)
    services.reverse(a.entries.get(seq=1), reason="录入错误", actor="officer")
    return a, b


def run():
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_ledger", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def broken():
    with pytest.raises(CommandError) as failure:
        run()
    return str(failure.value)


def test_fresh_books_verify(books):
    out, err = run()
    assert "ok      SQ-A: 4 entries" in out
    assert "ok      SQ-B: 1 entries" in out
    assert "intact: 2 books, 5 entries" in out
    assert err == ""


def test_a_balanced_tamper_of_one_fen_is_found(books):
    a, _ = books
    entry = a.entries.get(seq=2)
    with guards_lifted():
        execute(
            "UPDATE ledger_line SET amount_fen = amount_fen + 1 "
            "WHERE entry_id = %s AND position = 2",
            [entry.pk],
        )
        execute(
            "UPDATE ledger_line SET amount_fen = amount_fen - 1 "
            "WHERE entry_id = %s AND position = 3",
            [entry.pk],
        )
    message = broken()
    assert "book SQ-A entry #2" in message
    assert "hash mismatch" in message
    (report_a, report_b) = verify()
    assert report_b.ok
    # The running totals no longer match the lines either: both are reported.
    assert any("account 2201" in p.reason for p in report_a.problems)


def test_a_changed_memo_is_found(books):
    a, _ = books
    with guards_lifted():
        execute(
            "UPDATE ledger_entry SET memo = '改过的摘要' WHERE id = %s", [a.entries.get(seq=3).pk]
        )
    message = broken()
    assert "entry #3" in message and "hash mismatch" in message


def test_a_removed_last_entry_is_found(books):
    a, _ = books
    last = a.entries.get(seq=4)
    with guards_lifted():
        execute("DELETE FROM ledger_line WHERE entry_id = %s", [last.pk])
        execute("DELETE FROM ledger_entry WHERE id = %s", [last.pk])
    assert "book head says 4 entries but 3 were found" in broken()


def test_a_removed_middle_entry_is_found(books):
    a, _ = books
    middle = a.entries.get(seq=2)
    with guards_lifted():
        execute("DELETE FROM ledger_line WHERE entry_id = %s", [middle.pk])
        execute("DELETE FROM ledger_entry WHERE id = %s", [middle.pk])
    message = broken()
    assert "entry #3" in message and "sequence gap" in message


def test_an_unbalanced_change_is_named_as_such(books):
    a, _ = books
    with guards_lifted():
        execute(
            "UPDATE ledger_line SET amount_fen = 1 WHERE entry_id = %s AND position = 1",
            [a.entries.get(seq=2).pk],
        )
    message = broken()
    assert "entry #2" in message and "unbalanced" in message


def test_a_doctored_running_total_is_found(books):
    a, _ = books
    execute(
        "UPDATE ledger_account SET credit_fen = credit_fen - 100 WHERE book_id = %s "
        "AND code = '3001'",
        [a.pk],
    )
    message = broken()
    assert "account 3001" in message


def test_verify_can_be_limited_to_one_book_and_refuses_an_unknown_one(books):
    out = io.StringIO()
    call_command("verify_ledger", "--book", "SQ-B", stdout=out)
    assert "intact: 1 books, 1 entries" in out.getvalue()
    with pytest.raises(CommandError, match="no such book: NOPE"):
        call_command("verify_ledger", "--book", "NOPE")
