#!/usr/bin/env python3
"""Check fundmgr's published accounts without trusting the server that published them.

Needs Python 3.11+ and the `cryptography` package (for Ed25519), nothing of fundmgr.

    python3 verify_disclosure.py month  MONTH.json  KEY.json
        the document's digest, and the deployment's signature over its tree head;
        then the arithmetic of its spaces (service owed and delivered, the rent) and
        of its decisions (a result only from a quorum and two equal tallies) and of
        its earmarks and projects (free + earmarked = fund; decided - paid = remaining)
    python3 verify_disclosure.py receipt RECEIPT.json KEY.json [MONTH.json]
        the receipt's inclusion proof against the signed tree head of its month, and
        that the amount shown, the signed document's line for it and the proven leaf
        agree (with MONTH.json the line is read from the signed document itself)
    python3 verify_disclosure.py consistency CONSISTENCY.json HEADS.json KEY.json
        that an earlier signed head is a prefix of a later one (nothing rewritten or cut)
    python3 verify_disclosure.py witness SITE STATE.json
        fetch every community's signed heads from SITE (https://...), check each later
        head extends the one before, and that they still extend the heads saved in
        STATE.json last time; report a changed head or a history that no longer
        extends what was seen, and save the heads (only when all is well)
    python3 verify_disclosure.py cosign COSIGS.json SUPERVISORS.json KEY.json
        the supervisors' co-signatures of a month's head, and their quorum (cosigcheck.py)

The JSON files are what the open-data API returns (a file, or its https:// address):
    MONTH.json        /api/v1/communities/<code>/periods/<YYYY-MM>/
    RECEIPT.json      /api/v1/receipts/<code>/
    HEADS.json        /api/v1/communities/<code>/heads/
    CONSISTENCY.json  /api/v1/communities/<code>/consistency/?from=<size>&to=<size>
    KEY.json          /api/v1/public-key/  (compare its key_id with one published elsewhere)
Exit status 0 when everything checks, 1 otherwise, with the reason.
"""

import datetime as dt
import hashlib
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


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


class Unreachable(Exception):
    pass


def fetch_json(url: str):
    """GET a JSON document (the one place the network is used: tests replace it)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return json.load(response)
    except urllib.error.HTTPError as exc:
        try:
            body = json.load(exc)
        except ValueError:
            body = {}
        raise Unreachable(f"{url}: HTTP {exc.code} {body.get('error', '')}".strip()) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise Unreachable(f"{url}: {exc}") from None


def load(path: str):
    if path.startswith(("https://", "http://")):
        try:
            return fetch_json(path)
        except Unreachable as exc:
            fail(str(exc))
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
    extra = check_spaces(data) + check_decisions(data) + check_inflows(data)
    extra += check_projects(data)
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


def check_inflows(data: dict) -> str:
    """Donations, restricted funds, markets and contracts (issue 18): the donations add
    up by kind, each restricted fund moved by what it received and spent, each market
    stall posted no more than either count, and no contract line delivered or paid past
    what it allows. Documents before them have none."""
    gifts = data.get("donations")
    if gifts is None:
        return ""
    by_kind: dict[str, int] = {}
    for g in gifts["lines"]:
        by_kind[g["donor_kind"]] = by_kind.get(g["donor_kind"], 0) + fen(g["amount"])
    if {k: fen(v) for k, v in gifts["by_kind"].items()} != by_kind:
        fail("the donations by kind of donor do not add up to the donations listed")
    restricted = sum(fen(g["amount"]) for g in gifts["lines"] if g["restricted_to"])
    if (
        fen(gifts["restricted"]) != restricted
        or fen(gifts["unrestricted"]) != sum(by_kind.values()) - restricted
    ):
        fail("the restricted and unrestricted donations do not add up")
    funds = data["restricted_funds"]
    for f in funds["funds"]:
        if fen(f["opening"]) + fen(f["received"]) - fen(f["spent"]) != fen(f["closing"]):
            fail(f"restricted fund {f['code']}: opening + received - spent is not its closing")
        if fen(f["closing"]) < 0:
            fail(f"restricted fund {f['code']}: spent past its balance")
        gave = sum(fen(g["amount"]) for g in gifts["lines"] if g["restricted_to"] == f["code"])
        spent = sum(fen(s["amount"]) for s in funds["spending"] if s["fund"] == f["code"])
        if gave > fen(f["received"]) or spent != fen(f["spent"]):
            fail(f"restricted fund {f['code']}: its movements differ from the lines listed")
    for s in funds["spending"]:
        fund = next((f for f in funds["funds"] if f["code"] == s["fund"]), None)
        if fund is None or fund["purpose_code"] != s["purpose_code"]:
            fail(f"a payment from restricted fund {s['fund']} for another purpose")
    for m in data["markets"]["events"]:
        for st in m["stalls"]:
            if st["posted"] is not None and any(fen(st["posted"]) > fen(c) for c in st["counts"]):
                fail(f"market {m['code']} stall {st['code']}: posted more than was counted")
    src = data["inflows_by_source"]
    total = fen(src["package_shares"]) + sum(fen(v) for v in src["donations"].values())
    if fen(src["total"]) != total + fen(src["markets"]) + fen(src["other"]):
        fail("the fund's inflows by source do not add up")
    if fen(src["package_shares"]) != fen(data["totals"]["fund"]):
        fail("the package shares differ from the month's fund total")
    n = 0
    for c in data["contracts"]["contracts"]:
        for line in c["lines"]:
            n += 1
            if line["delivered"] > line["units_allowed"] or line["paid"] > line["delivered"]:
                fail(f"contract {c['number']} {line['package']}: more units than allowed")
            if fen(line["billed_amount"]) > fen(line["cap_allowed"]):
                fail(f"contract {c['number']} {line['package']}: billed past its cap")
            if fen(line["billed_amount"]) != line["delivered"] * fen(line["unit_price"]):
                fail(f"contract {c['number']} {line['package']}: billed at another price")
    return f", {len(gifts['lines'])} donations, {n} contract lines"


def month_line(doc: dict, key: dict, head: dict, receipt_code: str):
    """Check a month document as `month` does, that it is the receipt's month, and
    return the receipt's line in it (None when it has none)."""
    data = dict(doc)
    signed, signature = data.pop("signed_tree_head"), data.pop("signature")
    digest = data.pop("digest")
    data.pop("reversed_later", None)
    if hashlib.sha256(canonical(data)).hexdigest() != digest or signed["document_digest"] != digest:
        fail("the month document does not match its digest")
    check_signature(signed, signature, key)
    if canonical(signed) != canonical(head):
        fail("the month document is not the one of the receipt's signed tree head")
    for line in data["incomes"]:
        if line["receipt"] == receipt_code:
            return line
    return None


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


def receipt(receipt_path: str, key_path: str, month_path: str = "") -> None:
    data, key = load(receipt_path), load(key_path)
    proof = data.get("inclusion")
    if not proof:
        fail("the receipt is not in a published month yet")
    head = proof["signed_tree_head"]
    check_signature(head, proof["signature"], key)
    if month_path:
        line, source = month_line(load(month_path), key, head, data["receipt"]), "signed"
    else:
        line, source = data.get("disclosed"), "quoted"
    proven = proof["leaf_hash"]
    differs = []
    ok = verify_inclusion(
        bytes.fromhex(proven),
        proof["leaf_index"],
        head["tree_size"],
        [bytes.fromhex(p) for p in proof["path"]],
        bytes.fromhex(head["root"]),
    )
    if not ok or proof["tree_size"] != head["tree_size"]:
        differs.append(
            f"the proven leaf (entry {proof['leaf_index'] + 1} as the server reads it now, "
            f"{proven[:16]}…) does not lead to the signed root: the inclusion proof "
            "does not lead to the signed root"
        )
    if line is None:
        if month_path or "disclosed" in data:
            differs.append(f"the {source} month document has no line for this receipt")
    else:
        if line.get("leaf") and line["leaf"] != proven:
            differs.append(
                f"the {source} document's line names leaf {line['leaf'][:16]}…, "
                f"the proof is for leaf {proven[:16]}…"
            )
        if line["amount"] != data["amount"]:
            differs.append(
                f"the amount shown ({data['amount']}) is not the {source} document's "
                f"({line['amount']})"
            )
    if differs:
        fail("; ".join(differs))
    tied = (
        f"; amount {data['amount']} is the signed document's line"
        if month_path and line is not None
        else (
            f"; amount {data['amount']} matches the line the server quoted (give MONTH.json "
            "to compare it with the signed document itself)"
            if line is not None
            else ""
        )
    )
    print(
        f"verified: receipt {data['receipt']} is entry {proof['leaf_index'] + 1} of "
        f"{head['community']}'s books as published for {head['month']}{tied}"
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


WITNESS_FORMAT = "fundmgr.witness/1"


def _saved(path: str) -> dict:
    if not os.path.exists(path):
        return {"format": WITNESS_FORMAT, "communities": {}}
    state = load(path)
    if state.get("format") != WITNESS_FORMAT:
        fail(f"{path} is not a witness file")
    return state


def _save(path: str, state: dict) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(state, fh, ensure_ascii=False, indent=1, sort_keys=True)
    os.replace(tmp, path)  # never half a file: the last good heads stay if this fails


def _proves(site: str, code: str, old: dict, new: dict) -> str:
    """'' when the site proves `new` extends `old`, else what is wrong."""
    if old["tree_size"] == new["tree_size"]:
        return "" if old["root"] == new["root"] else "the same size, another root"
    query = urllib.parse.urlencode({"from": old["tree_size"], "to": new["tree_size"]})
    try:
        data = fetch_json(
            f"{site}/api/v1/communities/{urllib.parse.quote(code)}/consistency/?{query}"
        )
    except Unreachable as exc:
        return f"the site gives no consistency proof ({exc})"
    if data["from"]["root"] != old["root"] or data["to"]["root"] != new["root"]:
        return "the site's proof is between other roots"
    if not verify_consistency(
        old["tree_size"],
        new["tree_size"],
        bytes.fromhex(old["root"]),
        bytes.fromhex(new["root"]),
        [bytes.fromhex(p) for p in data["proof"]],
    ):
        return "its consistency proof does not verify: the books no longer extend it"
    return ""


def witness(site: str, state_path: str) -> int:
    """Keep what was seen: every community's signed heads, checked against each other
    and against the heads saved last time. Returns the exit status (0: all well)."""
    site = site.rstrip("/")
    state = _saved(state_path)
    trouble: list[str] = []
    try:
        key = fetch_json(f"{site}/api/v1/public-key/")
        communities = fetch_json(f"{site}/api/v1/communities/")
    except Unreachable as exc:
        print(f"TROUBLE: {exc}")
        return 1
    if state.get("key_id") and state["key_id"] != key["key_id"]:
        trouble.append(f"the site's signing key changed from {state['key_id']} to {key['key_id']}")
    seen = dict(state.get("communities", {}))
    now: dict[str, list] = {}
    for community in communities:
        code = community["code"]
        try:
            heads = fetch_json(f"{site}/api/v1/communities/{urllib.parse.quote(code)}/heads/")
        except Unreachable as exc:
            trouble.append(f"{code}: {exc}")
            continue
        rows = []
        for h in heads:
            signed = h["signed_tree_head"]
            raw = bytes.fromhex(key["public_key_hex"])
            if hashlib.sha256(raw).hexdigest()[:16] != signed.get("key_id"):
                trouble.append(f"{code} {h['month']}: signed by another key")
            else:
                from cryptography.exceptions import InvalidSignature
                from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

                try:
                    Ed25519PublicKey.from_public_bytes(raw).verify(
                        bytes.fromhex(h["signature"]), canonical(signed)
                    )
                except (InvalidSignature, ValueError):
                    trouble.append(f"{code} {h['month']}: the signature is not valid")
            if (signed["tree_size"], signed["root"]) != (h["tree_size"], h["root"]):
                trouble.append(f"{code} {h['month']}: the head shown is not the one signed")
            rows.append(
                {
                    "month": signed["month"],
                    "tree_size": signed["tree_size"],
                    "root": signed["root"],
                    "document_digest": signed.get("document_digest", ""),
                }
            )
        now[code] = rows
        by_month = {r["month"]: r for r in rows}
        for old in seen.get(code, []):
            new = by_month.get(old["month"])
            if new is None:
                trouble.append(f"{code} {old['month']}: its signed head is gone")
            elif (new["tree_size"], new["root"], new["document_digest"]) != (
                old["tree_size"],
                old["root"],
                old.get("document_digest", new["document_digest"]),
            ):
                trouble.append(
                    f"{code} {old['month']}: its signed head changed (was {old['tree_size']} "
                    f"{old['root'][:16]}…, now {new['tree_size']} {new['root'][:16]}…)"
                )
        # Each head extends the one before it; the newest extends the newest seen before.
        pairs = list(zip(rows, rows[1:], strict=False))
        if seen.get(code) and rows:
            pairs.append((max(seen[code], key=lambda r: r["tree_size"]), rows[-1]))
        for old, new in pairs:
            if old["tree_size"] > new["tree_size"]:
                trouble.append(
                    f"{code}: the history was cut short: {old['month']} had "
                    f"{old['tree_size']} entries, the newest head {new['tree_size']}"
                )
                continue
            wrong = _proves(site, code, old, new)
            if wrong:
                trouble.append(
                    f"{code}: the history no longer extends what was seen - "
                    f"{new['month']} (size {new['tree_size']}) from {old['month']} "
                    f"(size {old['tree_size']}): {wrong}"
                )
    for code in seen:
        if code not in now and seen[code]:
            trouble.append(f"{code}: the community and its signed heads are gone")
    if trouble:
        for line in trouble:
            print(f"TROUBLE: {line}")
        print(f"{len(trouble)} problems; {state_path} keeps the heads seen before")
        return 1
    state.update(
        {
            "format": WITNESS_FORMAT,
            "site": site,
            "key_id": key["key_id"],
            "communities": now,
            "checked_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )
    _save(state_path, state)
    total = sum(len(r) for r in now.values())
    print(f"witnessed: {len(now)} communities, {total} signed heads, all extend what was seen")
    return 0


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
    commands = {
        "month": (month, (2,)),
        "receipt": (receipt, (2, 3)),
        "consistency": (consistency, (3,)),
        "witness": (lambda *a: sys.exit(witness(*a)), (2,)),
        "cosign": (cosign, (3,)),
    }
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    if name not in commands or len(sys.argv) - 2 not in commands[name][1]:
        print(__doc__)
        sys.exit(2)
    commands[name][0](*sys.argv[2:])
