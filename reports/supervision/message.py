"""What a supervisor signs: pure, no database. tools/cosigcheck.py builds the same bytes
on its own (it may not import the product); tests/reports/test_supervision.py holds the
two to one answer."""

from __future__ import annotations

import hashlib

FORMAT = "fundmgr.cosign/1"
FIELDS = ("community", "month", "tree_size", "root", "document_digest")


def cosign_message(head: dict, head_signature: str) -> bytes:
    """The co-signed statement, UTF-8, one `name=value` per line, each ending in LF:

        fundmgr.cosign/1
        community=<code>
        month=<YYYY-MM>
        tree_size=<decimal>
        root=<64 hex>
        document_digest=<64 hex>
        head_signature=<128 hex: the deployment's Ed25519 signature over the head>

    `head` is the deployment's signed tree head (its canonical JSON, as published)."""
    lines = [FORMAT]
    lines += [f"{name}={head[name]}" for name in FIELDS]
    lines.append(f"head_signature={head_signature.lower()}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def key_id(public_raw: bytes) -> str:
    """The same short name as the deployment key's (reports.signing.key_id)."""
    return hashlib.sha256(public_raw).hexdigest()[:16]
