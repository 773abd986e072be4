"""Posting rules: balanced, one currency, the book's own accounts, whole fen; and every
refusal leaves nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from djmoney.money import Money

from ledger import services
from ledger.chain import GENESIS_HASH
from ledger.models import Account, Book, Entry, Line
from ledger.services import LedgerError, Leg, credit, debit
from tests import factories as f

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        Entry.objects.count(),
        Line.objects.count(),
        list(Book.objects.order_by("pk").values_list("last_seq", "head_hash")),
        list(Account.objects.order_by("pk").values_list("debit_fen", "credit_fen", "line_count")),
    )


def test_an_income_posts_one_balanced_entry_and_moves_the_balances():
    book = f.book()
    entry = f.income(book, "100.00", "70.00", "25.00", "5.00")

    assert entry.seq == 1
    assert entry.prev_hash == GENESIS_HASH
    assert len(entry.hash) == 64
    assert [(ln.account.code, ln.amount) for ln in entry.lines.order_by("position")] == [
        ("1001", Money("100.00", "CNY")),
        ("2201", Money("-70.00", "CNY")),
        ("2202", Money("-25.00", "CNY")),
        ("3001", Money("-5.00", "CNY")),
    ]
    book.refresh_from_db()
    assert (book.last_seq, book.head_hash) == (1, entry.hash)
    assert f.account(book, "1001").balance == Money("100.00", "CNY")
    assert f.account(book, "2201").balance == Money("70.00", "CNY")
    assert f.account(book, "2202").balance == Money("25.00", "CNY")
    assert f.account(book, "3001").balance == Money("5.00", "CNY")


def test_entries_chain_one_after_another_with_gapless_numbers():
    book = f.book()
    entries = [f.income(book) for _ in range(5)]
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash


def test_books_number_and_chain_independently():
    a, b = f.book(), f.book()
    f.income(a)
    f.income(a)
    first_b = f.income(b)
    assert first_b.seq == 1
    assert first_b.prev_hash == GENESIS_HASH


def test_running_totals_equal_the_sum_of_lines_after_many_postings():
    book = f.book()
    for i in range(1, 30):
        f.income(
            book,
            f"{i}.00",
            f"{Decimal(i) * Decimal('0.7'):.2f}",
            f"{Decimal(i) * Decimal('0.25'):.2f}",
            f"{Decimal(i) * Decimal('0.05'):.2f}",
        )
    cash = f.account(book, "1001")
    assert cash.debit_fen == sum(range(1, 30)) * 100
    assert cash.line_count == 29
    assert cash.balance == Money(sum(range(1, 30)), "CNY")


@pytest.mark.parametrize(
    ("make_legs", "code"),
    [
        (lambda b: [debit(f.account(b, "1001"), Money("10.00", "CNY"))], "too_few_lines"),
        (
            lambda b: [
                debit(f.account(b, "1001"), Money("10.00", "CNY")),
                credit(f.account(b, "2201"), Money("9.99", "CNY")),
            ],
            "unbalanced",
        ),
        (
            lambda b: [
                Leg(f.account(b, "1001"), 1000, "USD"),
                Leg(f.account(b, "2201"), -1000, "USD"),
            ],
            "currency_mismatch",
        ),
        (
            lambda b: [Leg(f.account(b, "1001"), 0, "CNY"), Leg(f.account(b, "2201"), 0, "CNY")],
            "zero_line",
        ),
        (
            lambda b: [
                Leg(f.account(b, "1001"), 10**16, "CNY"),
                Leg(f.account(b, "2201"), -(10**16), "CNY"),
            ],
            "too_large",
        ),
        (
            lambda b: [
                debit(f.account(b, "1001"), Money("1.00", "CNY")),
                credit(f.account(f.book(), "2201"), Money("1.00", "CNY")),
            ],
            "foreign_account",
        ),
    ],
    ids=[
        "one line",
        "unbalanced by a fen",
        "wrong currency",
        "zero lines",
        "absurdly large",
        "another book's account",
    ],
)
def test_an_invalid_posting_is_refused_and_writes_nothing(make_legs, code):
    book = f.book()
    f.income(book)
    legs = make_legs(book)
    before = snapshot()
    with pytest.raises(LedgerError) as err:
        services.post(book=book, legs=legs, date=dt.date(2026, 3, 2), memo="m", actor="a")
    assert err.value.code == code
    assert snapshot() == before


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0.001", "too_many_places"),
        ("-5.00", "not_positive"),
        ("0", "not_positive"),
        ("NaN", "not_finite"),
        ("Infinity", "not_finite"),
        ("100000000000000.00", "too_large"),
    ],
)
def test_debit_and_credit_refuse_amounts_that_are_not_positive_whole_fen(amount, code):
    book = f.book()
    with pytest.raises(LedgerError) as err:
        debit(f.account(book, "1001"), Money(Decimal(amount), "CNY"))
    assert err.value.code == code


def test_a_float_or_plain_number_is_not_money():
    book = f.book()
    with pytest.raises(LedgerError) as err:
        debit(f.account(book, "1001"), 1.5)  # type: ignore[arg-type]
    assert err.value.code == "not_money"


@pytest.mark.parametrize(
    ("memo", "actor", "code"),
    [
        ("", "a", "memo_required"),
        ("  ", "a", "memo_required"),
        ("x" * 501, "a", "memo_too_long"),
        ("m", "", "actor_required"),
    ],
)
def test_memo_and_actor_are_required(memo, actor, code):
    book = f.book()
    legs = [
        debit(f.account(book, "1001"), Money("1", "CNY")),
        credit(f.account(book, "2201"), Money("1", "CNY")),
    ]
    with pytest.raises(LedgerError) as err:
        services.post(book=book, legs=legs, date=dt.date(2026, 1, 1), memo=memo, actor=actor)
    assert err.value.code == code
    assert Entry.objects.count() == 0


def test_a_datetime_is_not_an_entry_date():
    book = f.book()
    legs = [
        debit(f.account(book, "1001"), Money("1", "CNY")),
        credit(f.account(book, "2201"), Money("1", "CNY")),
    ]
    with pytest.raises(LedgerError) as err:
        services.post(book=book, legs=legs, date=dt.datetime(2026, 1, 1, 8), memo="m", actor="a")
    assert err.value.code == "bad_date"


def test_a_retry_with_the_same_idempotency_key_returns_the_first_entry():
    book = f.book()
    first = f.income(book, key="WX-2026-0001")
    before = snapshot()
    again = f.income(book, key="WX-2026-0001")
    assert again.pk == first.pk
    assert snapshot() == before


def test_the_same_key_in_another_book_is_a_different_entry():
    a, b = f.book(), f.book()
    assert f.income(a, key="K1").book_id != f.income(b, key="K1").book_id


def test_reusing_a_key_for_different_lines_is_refused():
    book = f.book()
    f.income(book, key="WX-1")
    before = snapshot()
    with pytest.raises(LedgerError) as err:
        f.income(book, "200.00", "140.00", "50.00", "10.00", key="WX-1")
    assert err.value.code == "idempotency_conflict"
    assert snapshot() == before


def test_a_blank_key_is_no_key():
    book = f.book()
    one, two = f.income(book, key=" "), f.income(book, key=" ")
    assert one.pk != two.pk
    assert one.idempotency_key is None


def test_an_entry_in_another_currency_book_is_kept_in_that_currency():
    book = f.book(currency="HKD")
    f.income(book, "10.00", "7.00", "2.50", "0.50")
    assert f.account(book, "1001").balance == Money("10.00", "HKD")


def _posting(book, gross="10.00", key=None, memo="批量导入"):
    return services.Posting(
        legs=[
            debit(f.account(book, "1001"), Money(gross, "CNY")),
            credit(f.account(book, "3001"), Money(gross, "CNY")),
        ],
        date=dt.date(2026, 4, 1),
        memo=memo,
        actor="importer",
        idempotency_key=key,
    )


def test_a_batch_posts_in_order_under_one_chain():
    from ledger.verify import verify_book

    book = f.book()
    f.income(book)
    entries = services.post_many(
        book=book, postings=[_posting(book, f"{i}.00") for i in range(1, 301)]
    )
    assert [e.seq for e in entries] == list(range(2, 302))
    assert entries[0].prev_hash == book.entries.get(seq=1).hash
    assert f.account(book, "3001").credit_fen == 500 + sum(range(1, 301)) * 100
    assert verify_book(book).ok


def test_one_bad_posting_in_a_batch_writes_nothing():
    book = f.book()
    before = snapshot()
    bad = services.Posting(
        legs=[debit(f.account(book, "1001"), Money("1.00", "CNY"))],
        date=dt.date(2026, 4, 1),
        memo="m",
        actor="a",
    )
    with pytest.raises(LedgerError) as err:
        services.post_many(book=book, postings=[_posting(book), _posting(book), bad])
    assert err.value.code == "too_few_lines"
    assert snapshot() == before


def test_a_key_repeated_within_a_batch_or_already_posted_records_once():
    book = f.book()
    first = services.post(
        book=book,
        legs=_posting(book).legs,
        date=dt.date(2026, 4, 1),
        memo="m",
        actor="a",
        idempotency_key="K0",
    )
    entries = services.post_many(
        book=book,
        postings=[
            _posting(book, key="K0"),
            _posting(book, key="K1"),
            _posting(book, key="K1"),
        ],
    )
    assert entries[0].pk == first.pk
    assert entries[1].pk == entries[2].pk
    assert book.entries.count() == 2


def test_a_keyed_batch_larger_than_one_statement_posts_once_and_retries_to_the_same():
    """Past 500 rows the writes and the key look-ups go in several statements: the chain,
    the totals and idempotency hold across the seams."""
    from ledger.verify import verify_book

    book = f.book()
    postings = [_posting(book, f"{i % 97 + 1}.00", key=f"B{i}") for i in range(1203)]
    entries = services.post_many(book=book, postings=postings)
    assert [e.seq for e in entries] == list(range(1, 1204))
    assert len({e.pk for e in entries}) == 1203
    assert Line.objects.filter(entry__book=book).count() == 2406
    total = sum((i % 97 + 1) * 100 for i in range(1203))
    assert f.account(book, "3001").credit_fen == total
    assert f.account(book, "1001").line_count == 1203
    assert verify_book(book).ok

    again = services.post_many(book=book, postings=postings[::-1])
    assert [e.pk for e in again] == [e.pk for e in entries][::-1]
    assert book.entries.count() == 1203


def test_a_callers_rows_go_in_with_the_entries_and_not_before_it_runs_them():
    """post_many(writes=...) leaves the ledger's statements to the caller, who adds rows
    referring to the entries and runs them all (one round trip on PostgreSQL)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from ledger.bulk import Statements
    from ledger.verify import verify_book

    book = f.book()
    with pytest.raises(ValueError, match="savepoint"):
        services.post_many(book=book, postings=[_posting(book)], writes=Statements())
    before = snapshot()
    with transaction.atomic():
        writes = Statements()
        entries = services.post_many(
            book=book, postings=[_posting(book), _posting(book)], savepoint=False, writes=writes
        )
        # Lines, totals and the head wait for the caller (on SQLite the entries go in at
        # once, for their ids; PostgreSQL took them with the lock).
        assert Line.objects.count() == before[1] and snapshot()[2:] == before[2:]
        if connection.vendor == "postgresql":
            assert Entry.objects.count() == before[0]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        ids = writes.run_inserting(
            "ledger_book",
            ["code", "name", "currency", "last_seq", "head_hash", "created_at"],
            [[f"X{e.seq}", "n", "CNY", 0, GENESIS_HASH, now] for e in entries],
        )
    assert [e.seq for e in entries] == [1, 2] and len(ids) == 2
    assert list(Book.objects.filter(pk__in=ids).order_by("pk").values_list("code", flat=True)) == [
        "X1",
        "X2",
    ]
    assert [e.pk for e in entries] == list(
        book.entries.order_by("seq").values_list("pk", flat=True)
    )
    assert verify_book(book).ok


def test_a_closed_period_refuses_entries_dated_inside_it():
    from django.db import IntegrityError, transaction

    book = f.book()
    f.income(book, date=dt.date(2026, 3, 31))
    services.close_through(book=book, date=dt.date(2026, 3, 31))
    before = snapshot()
    with pytest.raises(LedgerError) as err:
        f.income(book, date=dt.date(2026, 3, 31))
    assert err.value.code == "period_closed"
    assert snapshot() == before
    assert f.income(book, date=dt.date(2026, 4, 1)).seq == 2
    with pytest.raises(LedgerError) as err:
        services.close_through(book=book, date=dt.date(2026, 2, 28))
    assert err.value.code == "reopen"
    # The database refuses it too, past the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        from ledger.models import Entry as E

        E.objects.create(
            book=book,
            seq=3,
            date=dt.date(2026, 3, 15),
            memo="backdated",
            actor="x",
            line_count=2,
            prev_hash="0" * 64,
            hash="b" * 64,
            created_at=dt.datetime(2026, 4, 2, tzinfo=dt.UTC),
        )
