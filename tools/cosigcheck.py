#!/usr/bin/env python3
"""Check supervisors' co-signatures of a published month without trusting the server.

Needs Python 3.11+ and `cryptography`, nothing of fundmgr. Used by
`verify_disclosure.py cosign` and runnable on its own:

    python3 cosigcheck.py COSIGS.json SUPERVISORS.json KEY.json

    COSIGS.json       /api/v1/communities/<code>/periods/<YYYY-MM>/cosignatures/
    SUPERVISORS.json  /api/v1/communities/<code>/supervisors/  (keys and their history;
                      compare them with the names and key ids posted on the notice board)
    KEY.json          /api/v1/public-key/

It checks the deployment's signature over the month's tree head, rebuilds the message
each supervisor signed (fundmgr.cosign/1, below) from that head, and checks every
co-signature with the supervisor's published public key. Exit 0 when at least the
quorum of distinct supervisors co-signed, 1 otherwise, with the reason.

The signed message, UTF-8, one line each, every line ending in LF:
    fundmgr.cosign/1
    community=<code>
    month=<YYYY-MM>
    tree_size=<decimal>
    root=<hex>
    document_digest=<hex>
    head_signature=<hex: the deployment's signature over the head>
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field

FORMAT = "fundmgr.cosign/1"
FIELDS = ("community", "month", "tree_size", "root", "document_digest")


def canonical(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def cosign_message(head: dict, head_signature: str) -> bytes:
    lines = [FORMAT, *(f"{name}={head[name]}" for name in FIELDS)]
    lines.append(f"head_signature={head_signature.lower()}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def ed25519_ok(public_hex: str, signature_hex: str, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(
            bytes.fromhex(signature_hex), message
        )
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass
class Result:
    community: str
    month: str
    quorum: int
    valid: list[dict] = field(default_factory=list)  # {supervisor, key_id, in_window}
    problems: list[str] = field(default_factory=list)

    @property
    def signers(self) -> set[str]:
        return {v["supervisor"] for v in self.valid}

    @property
    def signers_in_window(self) -> set[str]:
        return {v["supervisor"] for v in self.valid if v["in_window"]}

    @property
    def ok(self) -> bool:
        return not self.problems and len(self.signers) >= self.quorum


def check(cosigs: dict, supervisors: dict, key: dict) -> Result:
    head, head_sig = cosigs["signed_tree_head"], cosigs["signature"]
    result = Result(head["community"], head["month"], int(supervisors.get("quorum", 2)))
    raw = bytes.fromhex(key["public_key_hex"])
    if hashlib.sha256(raw).hexdigest()[:16] != head.get("key_id"):
        result.problems.append("the tree head was signed by another key than the one given")
    elif not ed25519_ok(key["public_key_hex"], head_sig, canonical(head)):
        result.problems.append("the deployment's signature over the tree head is not valid")
    message = cosign_message(head, head_sig)
    if cosigs.get("message") is not None and cosigs["message"].encode("utf-8") != message:
        result.problems.append("the server's copy of the co-signed message differs from the head")
    keys = {
        k["key_id"]: (s["name"], k)
        for s in supervisors.get("supervisors", [])
        for k in s.get("keys", [])
    }
    for c in cosigs.get("cosignatures", []):
        found = keys.get(c["key_id"])
        if found is None:
            result.problems.append(
                f"key {c['key_id']} is not among the published supervisors' keys"
            )
            continue
        name, k = found
        if hashlib.sha256(bytes.fromhex(k["public_key_hex"])).hexdigest()[:16] != c["key_id"]:
            result.problems.append(f"key {c['key_id']}: its id does not match its public key")
        elif k.get("revoked_at") and c.get("signed_at") and c["signed_at"] > k["revoked_at"]:
            result.problems.append(f"{name}: signed with key {c['key_id']} after it was revoked")
        elif not ed25519_ok(k["public_key_hex"], c["signature"], message):
            result.problems.append(
                f"{name}: the co-signature with key {c['key_id']} is not valid for "
                f"{result.community} {result.month}"
            )
        else:
            result.valid.append(
                {"supervisor": name, "key_id": c["key_id"], "in_window": bool(c.get("in_window"))}
            )
    return result


def report(result: Result) -> tuple[bool, str]:
    names = "、".join(sorted(result.signers)) or "-"
    if result.problems:
        return False, "NOT VERIFIED: " + "; ".join(result.problems)
    if len(result.signers) < result.quorum:
        return False, (
            f"NOT VERIFIED: {result.community} {result.month} has {len(result.signers)} valid "
            f"co-signatures, {result.quorum} needed ({names})"
        )
    return True, (
        f"verified: {result.community} {result.month} co-signed by {len(result.signers)} "
        f"supervisors ({names}), {len(result.signers_in_window)} within the disclosure window; "
        f"quorum {result.quorum}"
    )


def load(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__)
        return 2
    ok, line = report(check(load(argv[0]), load(argv[1]), load(argv[2])))
    print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
