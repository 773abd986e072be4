"""Several officers posting at once, each on its own database connection (PostgreSQL).

Without the book-row lock two writers would both read head N and both write #N+1: the
unique (book, seq) key would then refuse one and lose its entry, or, without that key,
the chain would fork. These tests commit for real, so they need the ledger_purge fixture.
"""

import threading
import time

import pytest
from django.db import connection

from ledger import services
from ledger.models import Book, Entry
from ledger.services import LedgerError
from ledger.verify import verify
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_threads(n, target):
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []
    results: list = []

    def worker(i):
        try:
            barrier.wait()
            results.append(target(i))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def test_concurrent_writers_to_one_book_give_a_gapless_valid_chain(ledger_purge):
    writers, per_writer = 8, 25
    book = f.book("CONC")

    def write(i):
        b = Book.objects.get(pk=book.pk)
        return [
            f.income(b, memo=f"writer {i} entry {k}", actor=f"officer{i}").seq
            for k in range(per_writer)
        ]

    started = time.perf_counter()
    results, errors = run_threads(writers, write)
    elapsed = time.perf_counter() - started
    print(
        f"\n{writers} writers x {per_writer} entries to one book: {elapsed:.2f}s, "
        f"{writers * per_writer / elapsed:.0f} entries/s"
    )

    assert errors == []
    seqs = sorted(s for r in results for s in r)
    assert seqs == list(range(1, writers * per_writer + 1))
    assert Entry.objects.filter(book=book).count() == writers * per_writer
    [report] = verify(Book.objects.filter(pk=book.pk))
    assert report.ok, report.problems
    assert f.account(book, "1001").debit_fen == writers * per_writer * 10000


def test_concurrent_writers_to_different_books_do_not_mix(ledger_purge):
    books = [f.book(f"PAR{i}") for i in range(4)]

    def write(i):
        b = Book.objects.get(pk=books[i].pk)
        for _ in range(20):
            f.income(b)

    _, errors = run_threads(4, write)
    assert errors == []
    reports = verify()
    assert all(r.ok for r in reports), [r.problems for r in reports]
    assert sorted(r.entries for r in reports) == [20, 20, 20, 20]


def test_the_same_idempotency_key_from_many_writers_records_once(ledger_purge):
    book = f.book("IDEM")
    results, errors = run_threads(
        8, lambda i: f.income(Book.objects.get(pk=book.pk), key="WX-RETRY-1").pk
    )
    assert errors == []
    assert len(set(results)) == 1
    assert Entry.objects.filter(book=book).count() == 1


def test_two_officers_reversing_the_same_entry_reverse_it_once(ledger_purge):
    book = f.book("REV")
    original = f.income(book)

    def rev(i):
        return services.reverse(Entry.objects.get(pk=original.pk), reason=f"r{i}", actor=f"o{i}")

    results, errors = run_threads(4, rev)
    assert len(results) == 1
    assert len(errors) == 3
    assert all(isinstance(e, LedgerError) and e.code == "already_reversed" for e in errors)
    assert Entry.objects.filter(book=book).count() == 2
