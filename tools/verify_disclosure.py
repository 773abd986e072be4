#!/usr/bin/env python3
"""Check fundmgr's published accounts without trusting the server that published them.

Needs Python 3.11+ and the `cryptography` package (for Ed25519), nothing of fundmgr.

    python3 verify_disclosure.py month  MONTH.json  KEY.json
        the document's digest, and the deployment's signature over its tree head
    python3 verify_disclosure.py receipt RECEIPT.json KEY.json
        the receipt's inclusion proof against the signed tree head of its month
    python3 verify_disclosure.py consistency CONSISTENCY.json HEADS.json KEY.json
        that an earlier signed head is a prefix of a later one (nothing rewritten or cut)
    python3 verify_disclosure.py cosign COSIGS.json SUPERVISORS.json KEY.json
        the supervisors' co-signatures of a month's head, and their quorum (cosigcheck.py)

The JSON files are what the open-data API returns:
    MONTH.json        /api/v1/communities/<code>/periods/<YYYY-MM>/
    RECEIPT.json      /api/v1/receipts/<code>/
    HEADS.json        /api/v1/communities/<code>/heads/
    CONSISTENCY.json  /api/v1/communities/<code>/consistency/?from=<size>&to=<size>
    KEY.json          /api/v1/public-key/  (compare its key_id with one published elsewhere)
Exit status 0 when everything checks, 1 otherwise, with the reason.
"""

import hashlib
import json
import os
import sys


def canonical(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def check_signature(head: dict, signature: str, key: dict) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    raw = bytes.fromhex(key["public_key_hex"])
    if hashlib.sha256(raw).hexdigest()[:16] != head["key_id"]:
        fail("the head was signed by another key than the one given")
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(bytes.fromhex(signature), canonical(head))
    except InvalidSignature:
        fail("the signature over the tree head is not valid")


def verify_inclusion(leaf: bytes, index: int, size: int, path, root: bytes) -> bool:
    # RFC 9162, 2.1.3.2
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(m: int, n: int, old: bytes, new: bytes, proof) -> bool:
    # RFC 9162, 2.1.4.2
    if m < 1 or m > n:
        return False
    if m == n:
        return not proof and old == new
    path = list(proof)
    if m & (m - 1) == 0:
        path.insert(0, old)
    if not path:
        return False
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old and sr == new


def fail(reason: str) -> None:
    print(f"NOT VERIFIED: {reason}")
    sys.exit(1)


def load(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def month(doc_path: str, key_path: str) -> None:
    data, key = load(doc_path), load(key_path)
    head, signature = data.pop("signed_tree_head"), data.pop("signature")
    digest = data.pop("digest")
    data.pop("reversed_later", None)  # beside the document, not in it: later months' news
    if hashlib.sha256(canonical(data)).hexdigest() != digest:
        fail("the document does not match its digest")
    if head["document_digest"] != digest:
        fail("the signed tree head names another document")
    check_signature(head, signature, key)
    print(
        f"verified: {head['community']} {head['month']}, {len(data['incomes'])} incomes, "
        f"digest {digest}, tree {head['tree_size']} {head['root']}"
    )


def receipt(receipt_path: str, key_path: str) -> None:
    data, key = load(receipt_path), load(key_path)
    proof = data.get("inclusion")
    if not proof:
        fail("the receipt is not in a published month yet")
    head = proof["signed_tree_head"]
    check_signature(head, proof["signature"], key)
    ok = verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        proof["leaf_index"],
        head["tree_size"],
        [bytes.fromhex(p) for p in proof["path"]],
        bytes.fromhex(head["root"]),
    )
    if not ok or proof["tree_size"] != head["tree_size"]:
        fail("the inclusion proof does not lead to the signed root")
    print(
        f"verified: receipt {data['receipt']} is entry {proof['leaf_index'] + 1} of "
        f"{head['community']}'s books as published for {head['month']}"
    )


def consistency(proof_path: str, heads_path: str, key_path: str) -> None:
    data, heads, key = load(proof_path), load(heads_path), load(key_path)
    by_size = {h["tree_size"]: h for h in heads}
    for end in ("from", "to"):
        h = by_size.get(data[end]["tree_size"])
        if h is None or h["root"] != data[end]["root"]:
            fail(f"the '{end}' head is not among the signed heads given")
        check_signature(h["signed_tree_head"], h["signature"], key)
    old, new = data["from"], data["to"]
    steps = [bytes.fromhex(p) for p in data["proof"]]
    if not verify_consistency(
        old["tree_size"],
        new["tree_size"],
        bytes.fromhex(old["root"]),
        bytes.fromhex(new["root"]),
        steps,
    ):
        fail("the later tree does not extend the earlier one")
    print(f"verified: tree {old['tree_size']} is a prefix of tree {new['tree_size']}")


def cosign(cosigs_path: str, supervisors_path: str, key_path: str) -> None:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import cosigcheck  # beside this file: the logic lives there

    ok, line = cosigcheck.report(
        cosigcheck.check(load(cosigs_path), load(supervisors_path), load(key_path))
    )
    if not ok:
        fail(line.removeprefix("NOT VERIFIED: "))
    print(line)


if __name__ == "__main__":
    commands = {"month": (month, 2), "receipt": (receipt, 2), "consistency": (consistency, 3)}
    commands["cosign"] = (cosign, 3)
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    if name not in commands or len(sys.argv) != commands[name][1] + 2:
        print(__doc__)
        sys.exit(2)
    commands[name][0](*sys.argv[2:])
