"""A book as a Merkle log: leaves computed from the stored entries once per tree size,
then kept; a longer tree or another chain never reuses them; the leaf a proof proves is
always read from its row."""

import datetime as dt

import pytest

from ledger import log, merkle
from ledger.chain import canonical
from ledger.verify import stored_entries
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_leaves_are_read_once_per_tree_size_and_proofs_still_verify(monkeypatch):
    book = f.book()
    for day in range(1, 8):
        f.income(book, date=dt.date(2026, 3, day))
    expected = [merkle.leaf_hash(canonical(s.record)) for s in stored_entries(book)]
    head = log.tree_head(book, 7)
    assert head.root == merkle.root(expected).hex()

    def no_reading(_book, first=1, last=None):
        if first == last:  # the entry being proven: always read afresh
            return stored_entries(_book, first, last)
        raise AssertionError("the book was read again")

    monkeypatch.setattr(log, "stored_entries", no_reading)
    proof = log.inclusion(book, 3, 7)
    assert proof["root"] == head.root
    assert merkle.verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        2,
        7,
        [bytes.fromhex(p) for p in proof["path"]],
        bytes.fromhex(head.root),
    )
    monkeypatch.undo()

    f.income(book, date=dt.date(2026, 3, 9))  # a longer tree: its own leaves
    monkeypatch.setattr(log, "stored_entries", no_reading)
    with pytest.raises(AssertionError, match="read again"):
        log.tree_head(book, 8)
    assert log.tree_head(book, 7) == head


def test_the_leaf_of_one_entry_is_the_leaf_the_book_gives():
    book = f.book()
    for day in range(1, 5):
        f.income(book, date=dt.date(2026, 3, day))
    from ledger import services

    services.reverse(book.entries.get(seq=2), reason="录入错误", actor="officer")
    expected = [merkle.leaf_hash(canonical(s.record)) for s in stored_entries(book)]
    assert [log.leaf_of(book, seq) for seq in range(1, 6)] == expected
    with pytest.raises(ValueError, match="no entry #6"):
        log.leaf_of(book, 6)
