"""The Merkle log: roots, inclusion and consistency proofs, and that any change to a leaf,
a proof step or a head makes verification fail."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import merkle

leaves_st = st.lists(st.binary(min_size=0, max_size=16), min_size=1, max_size=40).map(
    lambda items: [merkle.leaf_hash(x) for x in items]
)


def test_small_trees_match_the_rfc_definition_by_hand():
    a, b, c = (merkle.leaf_hash(x) for x in (b"a", b"b", b"c"))
    assert merkle.root([]) == hashlib.sha256(b"").digest()
    assert merkle.root([a]) == a
    assert merkle.root([a, b]) == merkle.node_hash(a, b)
    assert merkle.root([a, b, c]) == merkle.node_hash(merkle.node_hash(a, b), c)
    assert merkle.leaf_hash(b"a") == hashlib.sha256(b"\x00a").digest()


@settings(max_examples=150)
@given(leaves_st, st.data())
def test_every_leaf_has_a_verifying_inclusion_proof(leaves, data):
    index = data.draw(st.integers(0, len(leaves) - 1))
    root = merkle.root(leaves)
    proof = merkle.inclusion_proof(leaves, index)
    assert merkle.verify_inclusion(leaves[index], index, len(leaves), proof, root)


@settings(max_examples=150)
@given(leaves_st, st.data())
def test_a_changed_leaf_step_index_or_root_fails_inclusion(leaves, data):
    index = data.draw(st.integers(0, len(leaves) - 1))
    root = merkle.root(leaves)
    proof = merkle.inclusion_proof(leaves, index)
    flip = bytes([leaves[index][0] ^ 1]) + leaves[index][1:]
    assert not merkle.verify_inclusion(flip, index, len(leaves), proof, root)
    assert not merkle.verify_inclusion(
        leaves[index], index, len(leaves), proof, hashlib.sha256(root).digest()
    )
    if proof:
        step = data.draw(st.integers(0, len(proof) - 1))
        bad = list(proof)
        bad[step] = hashlib.sha256(bad[step]).digest()
        assert not merkle.verify_inclusion(leaves[index], index, len(leaves), bad, root)
        assert not merkle.verify_inclusion(leaves[index], index, len(leaves), proof[:-1], root)
    if len(set(leaves)) == len(leaves) and len(leaves) > 1:
        other = (index + 1) % len(leaves)
        assert not merkle.verify_inclusion(leaves[index], other, len(leaves), proof, root)


@settings(max_examples=150)
@given(leaves_st, st.data())
def test_every_earlier_tree_is_consistent_with_a_later_one(leaves, data):
    m = data.draw(st.integers(1, len(leaves)))
    old_root, new_root = merkle.root(leaves[:m]), merkle.root(leaves)
    proof = merkle.consistency_proof(leaves, m)
    assert merkle.verify_consistency(m, len(leaves), old_root, new_root, proof)


@settings(max_examples=150)
@given(leaves_st, st.data())
def test_a_rewritten_history_fails_consistency(leaves, data):
    if len(leaves) < 2:
        return
    m = data.draw(st.integers(1, len(leaves) - 1))
    victim = data.draw(st.integers(0, m - 1))
    old_root = merkle.root(leaves[:m])
    rewritten = list(leaves)
    rewritten[victim] = merkle.leaf_hash(b"forged" + rewritten[victim])
    proof = merkle.consistency_proof(rewritten, m)
    assert not merkle.verify_consistency(m, len(leaves), old_root, merkle.root(rewritten), proof)
    honest = merkle.consistency_proof(leaves, m)
    new_root = merkle.root(leaves)
    if honest:
        step = data.draw(st.integers(0, len(honest) - 1))
        bad = list(honest)
        bad[step] = hashlib.sha256(bad[step]).digest()
        assert not merkle.verify_consistency(m, len(leaves), old_root, new_root, bad)
    assert not merkle.verify_consistency(
        m, len(leaves), old_root, hashlib.sha256(new_root).digest(), honest
    )


def test_a_cut_history_fails_consistency():
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(10)]
    old_root = merkle.root(leaves)
    shorter = leaves[:7]
    assert not merkle.verify_consistency(10, 7, old_root, merkle.root(shorter), [])


def test_bad_arguments_are_refused():
    leaves = [merkle.leaf_hash(b"x")]
    with pytest.raises(IndexError):
        merkle.inclusion_proof(leaves, 1)
    with pytest.raises(ValueError):
        merkle.consistency_proof(leaves, 0)
    assert not merkle.verify_inclusion(leaves[0], 3, 1, [], leaves[0])
