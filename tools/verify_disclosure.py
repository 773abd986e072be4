#!/usr/bin/env python3
"""Check fundmgr's published accounts without trusting the server that published them.

Needs Python 3.11+ and the `cryptography` package (for Ed25519), nothing of fundmgr.

    python3 verify_disclosure.py month  MONTH.json  KEY.json
        the document's digest, and the deployment's signature over its tree head;
        then the arithmetic of its spaces (service owed and delivered, the rent) and
        of its decisions (a result only from a quorum and two equal tallies) and of
        its earmarks and projects (free + earmarked = fund; decided - paid = remaining)
    python3 verify_disclosure.py receipt RECEIPT.json KEY.json
        the receipt's inclusion proof against the signed tree head of its month
    python3 verify_disclosure.py consistency CONSISTENCY.json HEADS.json KEY.json
        that an earlier signed head is a prefix of a later one (nothing rewritten or cut)

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
    extra = check_spaces(data) + check_decisions(data) + check_projects(data)
    print(
        f"verified: {head['community']} {head['month']}, {len(data['incomes'])} incomes, "
        f"digest {digest}, tree {head['tree_size']} {head['root']}{extra}"
    )


def fen(text: str) -> int:
    whole, _dot, part = text.lstrip("-").partition(".")
    value = int(whole) * 100 + int((part + "00")[:2])
    return -value if text.startswith("-") else value


def check_spaces(data: dict) -> str:
    """Each agreement's month: sessions owed from its obligations and days in force,
    delivered from its confirmed deliveries, valued at the listed prices; the rent
    income account moved by the rents booked. Documents before spaces have none."""
    import datetime as dt

    spaces = data.get("spaces")
    if spaces is None:
        return ""
    start = dt.date.fromisoformat(data["period"]["start"])
    end = dt.date.fromisoformat(data["period"]["end"])
    for a in spaces["agreements"]:
        lo = max(start, dt.date.fromisoformat(a["term"]["from"]))
        hi = min(end, dt.date.fromisoformat(a["term"]["to"]))
        days, total = max(0, (hi - lo).days + 1), (end - start).days + 1
        price = {(o["package"], o["tier"]): fen(o["unit_price"]) for o in a["obligations"]}
        owed = [(2 * o["per_month"] * days + total) // (2 * total) for o in a["obligations"]]
        units_owed = sum(owed)
        value_owed = sum(
            n * fen(o["unit_price"]) for n, o in zip(owed, a["obligations"], strict=True)
        )
        done = [d for d in a["deliveries"] if d["confirmed_as"]]
        units = sum(d["quantity"] for d in done)
        value = sum(d["quantity"] * price.get((d["package"], d["tier"]), 0) for d in done)
        m = a["this_month"]
        if (m["sessions_owed"], fen(m["value_owed"])) != (units_owed, value_owed):
            fail(f"agreement {a['number']}: the service owed does not follow from its obligations")
        if (m["sessions_delivered"], fen(m["value_delivered"])) != (units, value):
            fail(f"agreement {a['number']}: the service delivered differs from its deliveries")
        if any(d["tier"] not in ("public_benefit", "low_cost") for d in a["deliveries"]):
            fail(f"agreement {a['number']}: a delivery outside the 公益/低偿 tiers")
        if a["rent"]["split"] is not False:
            fail(f"agreement {a['number']}: its rent says it was split")
    rents = sum(fen(r["amount"]) for r in spaces["rents"])
    moved = fen(spaces["rent_income"]["closing"]) - fen(spaces["rent_income"]["opening"])
    if rents != moved:
        fail("the rent income account moved by another amount than the rents booked")
    return f", {len(spaces['agreements'])} space agreements"


def check_decisions(data: dict) -> str:
    """An item passed or not only at a quorate meeting, on two equal tallies, by a
    majority of the members present."""
    meetings = data.get("decisions")
    if meetings is None:
        return ""
    for m in meetings:
        for i in m["items"]:
            if i["outcome"] not in ("passed", "rejected"):
                continue
            tallies = i["tallies"]
            votes = [i["votes"]["for"], i["votes"]["against"], i["votes"]["abstain"]]
            if m["members_present"] < m["quorum"]:
                fail(f"{m['reference']} item {i['number']}: a result without a quorum")
            if len(tallies) != 2 or tallies[0] != tallies[1] or tallies[0] != votes:
                fail(f"{m['reference']} item {i['number']}: a result without two equal tallies")
            passed = votes[0] * 2 > m["members_present"]
            if passed != (i["outcome"] == "passed"):
                fail(f"{m['reference']} item {i['number']}: the result does not follow the votes")
    return f", {len(meetings)} meetings"


def check_projects(data: dict) -> str:
    """The fund split into its free balance and its earmarks adds up to the whole fund;
    each earmark and project: decided - paid - returned = remaining, the ledger holds
    what remains, a project's payments add up to what it says was paid, and its final
    payment follows the residents' acceptance; the plan's months add up to its actuals.
    Documents before projects (#19) have none."""
    earmarks = data.get("earmarks")
    if earmarks is None:
        return ""
    held = 0
    for e in earmarks["rows"]:
        if fen(e["decided"]) - fen(e["paid"]) - fen(e["released"]) != fen(e["remaining"]):
            fail(f"earmark {e['account']}: decided - paid - returned is not what remains")
        if fen(e["remaining"]) != fen(e["ledger"]):
            fail(f"earmark {e['account']}: the ledger holds another amount than remains")
        held += fen(e["ledger"])
    if held != fen(earmarks["earmarked"]):
        fail("the earmarks do not add up to the fund's earmarked balance")
    if fen(earmarks["free"]) + held != fen(data["balances"]["closing"]["fund"]):
        fail("free and earmarked balances do not add up to the fund")
    for p in data["projects"]:
        paid = sum(fen(x["amount"]) for x in p["payments"])
        if paid != fen(p["paid"]):
            fail(f"project {p['number']}: its payments do not add up to what it says was paid")
        if fen(p["decided"]) - paid - fen(p["released"]) != fen(p["remaining"]):
            fail(f"project {p['number']}: decided - paid - returned is not what remains")
        accepted = (p["acceptance"] or {}).get("on")
        for x in p["payments"]:
            if x["final"] and (accepted is None or accepted > x["date"]):
                fail(f"project {p['number']}: its final payment came before acceptance")
    for line in (data.get("plan") or {}).get("lines", []):
        if sum(fen(v) for v in line["paid_by_month"].values()) != fen(line["paid"]):
            fail(f"plan {line['category']}: the months do not add up to what was paid")
    return f", {len(data['projects'])} projects, {len(earmarks['rows'])} earmarks"


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


if __name__ == "__main__":
    commands = {"month": (month, 2), "receipt": (receipt, 2), "consistency": (consistency, 3)}
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    if name not in commands or len(sys.argv) != commands[name][1] + 2:
        print(__doc__)
        sys.exit(2)
    commands[name][0](*sys.argv[2:])
