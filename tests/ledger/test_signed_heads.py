"""verify recomputes the root at every signed head's size from the rows (pure ledger:
the heads are given, as a publishing app's head source would give them)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import merkle
from ledger.chain import canonical
from ledger.models import Book
from ledger.verify import SignedHead, stored_entries, verify_book
from tests import factories as f
from tests.ledger.tamper import execute, guards_lifted

pytestmark = pytest.mark.django_db


def heads_of(book, sizes, with_leaves=()):
    leaves = [merkle.leaf_hash(canonical(s.record)) for s in stored_entries(book)]
    return [
        SignedHead(
            label=f"M{size}",
            size=size,
            root=merkle.root(leaves[:size]).hex(),
            leaves={seq: (leaves[seq - 1].hex(), f"item {seq}") for seq in with_leaves},
        )
        for size in sizes
    ]


@pytest.fixture
def book():
    b = f.book("SH")
    for i in range(7):
        f.income(b, key=f"K{i}")
    return Book.objects.get(pk=b.pk)


def rewrite_memo(book, seq):
    """Change entry #seq and re-hash everything after it, as an insider would."""
    from ledger.chain import GENESIS_HASH, entry_hash

    entry = book.entries.get(seq=seq)
    with guards_lifted():
        execute("UPDATE ledger_entry SET memo = %s WHERE id = %s", ["改过", entry.pk])
        running = GENESIS_HASH
        for stored in stored_entries(book):
            digest = entry_hash(running, stored.record)
            execute(
                "UPDATE ledger_entry SET prev_hash = %s, hash = %s WHERE id = %s",
                [running, digest, stored.id],
            )
            running = digest
        execute("UPDATE ledger_book SET head_hash = %s WHERE id = %s", [running, book.pk])


def test_matching_heads_verify(book):
    report = verify_book(book, heads_of(book, [3, 5, 7]))
    assert report.ok and report.signed_heads == 3


def test_a_rewrite_is_named_to_the_published_leaf_that_differs(book):
    heads = heads_of(book, [3, 5, 7], with_leaves=[4, 5])
    rewrite_memo(book, 5)
    report = verify_book(book, heads)
    assert [p.seq for p in report.problems] == [5, 5]  # heads M5 and M7
    first = str(report.problems[0])
    assert "entry #5" in first and "M5" in first and "item 5" in first


def test_without_published_leaves_the_difference_is_given_a_range(book):
    heads = heads_of(book, [3, 5, 7])
    rewrite_memo(book, 4)
    problems = verify_book(book, heads).problems
    assert "among entries #4-#5" in str(problems[0]) and "M5" in str(problems[0])
    assert problems[0].seq == 4


def test_a_head_beyond_the_book_says_history_was_cut_short(book):
    heads = heads_of(book, [7])
    heads.append(SignedHead(label="M9", size=9, root="00" * 32))
    problems = verify_book(book, heads).problems
    assert len(problems) == 1 and "cut short" in str(problems[0]) and "M9" in str(problems[0])


def test_what_the_source_found_wrong_with_a_head_is_reported(book):
    head = heads_of(book, [7])[0]
    bad = SignedHead(label=head.label, size=head.size, root=head.root, problem="bad signature")
    assert "bad signature" in str(verify_book(book, [bad]).problems[0])


@given(
    st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40),
    st.integers(min_value=0, max_value=39),
)
def test_root_from_path_gives_the_root_for_every_leaf(leaves, index):
    index %= len(leaves)
    proof = merkle.inclusion_proof(leaves, index)
    assert merkle.root_from_path(leaves[index], index, len(leaves), proof) == merkle.root(leaves)
    assert merkle.root_from_path(leaves[index], len(leaves), len(leaves), proof) is None


@given(
    st.lists(st.binary(min_size=32, max_size=32), min_size=0, max_size=300),
    st.lists(st.integers(min_value=0, max_value=300), max_size=8),
)
def test_roots_at_many_sizes_are_the_roots_of_each_prefix(leaves, sizes):
    sizes = [s for s in sizes if s <= len(leaves)]
    assert merkle.roots_at(leaves, sizes) == {s: merkle.root(leaves[:s]) for s in sizes}
