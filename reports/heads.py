"""The signed tree heads of a community's book, as the ledger's checks read them.

Registered with ledger.verify (ReportsConfig.ready), so `manage.py verify_ledger`, the
auditor's check and the nightly job recompute the root at every published month's size.
The head is read from the signed JSON - checked against the deployment's key - not from
the columns beside it, which an insider could change as easily as the entries; the
document's digest is checked against the head, and the leaf hashes it lists beside its
incomes let a difference be named to the receipt."""

from __future__ import annotations

import hashlib
import json

from ledger.models import Book
from ledger.verify import SignedHead

from . import signing
from .models import Disclosure


def _problem(d: Disclosure, head: dict, public_raw: bytes) -> str:
    if head.get("key_id") != signing.key_id(public_raw):
        return f"signed with key {head.get('key_id')}, not this deployment's key"
    if not signing.verify(public_raw, d.signed_head.encode("utf-8"), d.signature):
        return "its signature is not valid"
    if hashlib.sha256(d.document.encode("utf-8")).hexdigest() != head.get("document_digest"):
        return "the stored document is not the one it signed"
    from .supervision.services import broken_cosignatures

    if broken := broken_cosignatures(d):
        return (
            f"the co-signatures of {', '.join(broken)} no longer verify over it: the head "
            "was rebuilt and re-signed after the supervisors signed it"
        )
    if (d.tree_size, d.tree_root) != (head.get("tree_size"), head.get("root")):
        return (
            f"the size and root stored beside it ({d.tree_size}, {d.tree_root[:16]}…) "
            "are not the signed ones"
        )
    return ""


def signed_heads_of_book(book: Book) -> list[SignedHead]:
    public_raw = signing.public_key_raw()
    heads = []
    for d in (
        Disclosure.objects.filter(period__community__book=book)
        .select_related("period__community")
        .order_by("tree_size")
    ):
        head = json.loads(d.signed_head)
        label = f"{d.period.community.code} {head.get('month', d.period.label)}"
        problem = _problem(d, head, public_raw)
        try:
            incomes = json.loads(d.document).get("incomes", [])
        except ValueError:
            incomes = []
        heads.append(
            SignedHead(
                label=label,
                size=int(head.get("tree_size", d.tree_size)),
                root=str(head.get("root", d.tree_root)),
                leaves={
                    i["entry"]: (i["leaf"], f"receipt {i['receipt']}, published in {label}")
                    for i in incomes
                    if i.get("leaf") and i.get("entry")
                },
                problem=problem,
            )
        )
    return heads
