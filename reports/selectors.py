"""Published data only: what the public site and the open-data API may show."""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.cache import cache

from fundmgr.chart import METHOD_ACCOUNTS
from fundmgr.decisions.selectors import item_ref
from fundmgr.lib import dates
from fundmgr.lib.dates import month_start
from fundmgr.lib.split import percent
from fundmgr.models import Community, Income, IncomeStatus, ServicePackage, SplitPolicy
from ledger import log, merkle
from ledger.models import Entry

from .checking.selectors import month_checks
from .models import Disclosure, Period, PeriodState


def published_periods(community: Community):
    return (
        Period.objects.filter(community=community, state=PeriodState.PUBLISHED)
        .select_related("disclosure")
        .order_by("-month")
    )


PUBLISHED_LOOKUP_SECONDS = 60


def published_period(code: str, month) -> Period | None:
    """A community's published month with its community and disclosure (the document
    itself unread until asked for, see document()). A month once published stays
    published, so the look-up is kept for a minute: the page and the API of a month are
    the most read of the site, and composing this query was a third of their time
    (bench/ web). A community renamed shows its new name within that minute."""
    key = f"reports:published:{code}:{month}"
    period = cache.get(key)
    if period is None:
        period = (
            Period.objects.select_related("community", "disclosure")
            .defer("disclosure__document")
            .filter(community__code=code, month=month, state=PeriodState.PUBLISHED)
            .first()
        )
        if period is not None:
            cache.set(key, period, PUBLISHED_LOOKUP_SECONDS)
    return period


def document(disclosure: Disclosure) -> dict:
    key = f"reports:document:{disclosure.digest}"
    doc = cache.get(key)
    if doc is None:
        doc = json.loads(disclosure.document)
        cache.set(key, doc, None)
    return doc


def latest_key(community_id: int) -> str:
    return f"reports:latest:{community_id}"


def latest_published_month(community: Community) -> str:
    """The latest published month of a community ("" for none). Kept in the cache: it is
    read on every view of a published month and changes only when one is published,
    which forgets it (reports.services.period_publish)."""
    key = latest_key(community.pk)
    latest = cache.get(key)
    if latest is None:
        month = (
            Period.objects.filter(community=community, state=PeriodState.PUBLISHED)
            .order_by("-month")
            .values_list("month", flat=True)
            .first()
        )
        latest = f"{month:%Y-%m}" if month else ""
        cache.set(key, latest, None)
    return latest


def later_reversals(period: Period, doc: dict) -> dict[str, dict]:
    """Incomes of a published month taken back later, by receipt: when, and in which
    month the reversal is booked. A published document never changes: what happened
    after it is read from the documents published after it (and, for a reversal made
    before its month was published, from its own line)."""
    receipts = {i["receipt"] for i in doc["incomes"]}
    found = {
        i["receipt"]: {"date": i["reversed_on"], "month": i["reversed_in"]}
        for i in doc["incomes"]
        if i.get("reversed_on")
    }
    later = (
        Period.objects.filter(
            community_id=period.community_id, month__gt=period.month, state=PeriodState.PUBLISHED
        )
        .select_related("disclosure")
        .defer("disclosure__document")  # read only when not already in the cache
        .order_by("month")
    )
    for p in later:
        later_doc = document(p.disclosure)
        for r in later_doc["reversals"]:
            if r["receipt"] in receipts:
                found[r["receipt"]] = {"date": r["date"], "month": later_doc["month"]}
    return found


CASH_NAMES = {code: name for code, name in METHOD_ACCOUNTS.values()}


def month_extras(period: Period, doc: dict) -> dict:
    """What the month page shows beside the published document, from it and the later
    ones: the split in force in the month, every balance with its name, the settlements'
    total, and the later fate of its incomes (reversed when, booked in which month)."""
    start, end = doc["period"]["start"], doc["period"]["end"]
    policies = doc.get("policies", [])
    in_force = [p for p in policies if p["effective_from"] <= start][-1:]
    in_force += [p for p in policies if start < p["effective_from"] <= end]
    opening, closing = doc["balances"]["opening"], doc["balances"]["closing"]
    names = {r["code"]: r["name"] for r in doc["by_provider"]}

    def row(kind: str, name: str, was: str, now: str) -> dict:
        return {"kind": kind, "name": name, "opening": was, "closing": now}

    # Cash and provider accounts that were and stayed at zero are left out.
    rows = [
        row("cash", CASH_NAMES.get(code, code), opening["cash"].get(code, "0.00"), value)
        for code, value in closing["cash"].items()
        if value != "0.00" or opening["cash"].get(code, "0.00") != "0.00"
    ]
    rows.append(row("fund", doc["community"]["fund"], opening["fund"], closing["fund"]))
    rows.append(row("owed", doc["community"]["hub"], opening["hub"], closing["hub"]))
    rows += [
        row("owed", names.get(code, code), opening["providers"].get(code, "0.00"), value)
        for code, value in closing["providers"].items()
        if value != "0.00" or opening["providers"].get(code, "0.00") != "0.00"
    ]
    settled = sum((Decimal(x["amount"]) for x in doc["settlements"]), Decimal("0.00"))
    return {
        "policies": [
            {**p, "percents": {k: percent(p[f"{k}_bp"]) for k in ("provider", "hub", "fund")}}
            for p in in_force
        ],
        "balance_rows": rows,
        "settled": f"{settled:.2f}",
        "corrections": later_reversals(period, doc),
    }


def community_public(community: Community) -> dict:
    # In force today - not a version decided for a later date.
    policy = SplitPolicy.in_force(community, dates.today())
    packages = (
        ServicePackage.objects.filter(community=community, active=True)
        .select_related("provider")
        .order_by("code")
    )
    providers = {p.provider.code: p.provider for p in packages}
    return {
        "code": community.code,
        "name": community.name,
        "subdistrict": community.subdistrict,
        "currency": community.currency,
        "hub": {"code": community.hub.code, "name": community.hub.name},
        "fund": {"name": community.fund.name},
        "providers": [
            {"code": p.code, "name": p.name, "category": p.category}
            for p in sorted(providers.values(), key=lambda p: p.code)
        ],
        "packages": [
            {
                "code": p.code,
                "name": p.name,
                "provider": p.provider.code,
                "prices": {
                    t: (f"{p.price(t).amount:.2f}" if p.price(t) else None)
                    for t in ("public_benefit", "paid", "low_cost")
                },
                "low_cost_eligibility": p.low_cost_eligibility,
            }
            for p in packages
        ],
        "split_policy": {
            "version": policy.version,
            "provider_bp": policy.provider_bp,
            "hub_bp": policy.hub_bp,
            "fund_bp": policy.fund_bp,
            "percents": policy.percents,
            "effective_from": policy.effective_from.isoformat(),
            "approved_by": policy.approved_by,
            "decision_ref": policy.decision_ref,
            "decision": item_ref(policy.decision) if policy.decision_id else None,
        }
        if policy
        else None,
    }


def period_summary(period: Period) -> dict:
    d = period.disclosure
    doc = document(d)
    return {
        "month": period.label,
        "published_at": period.published_at.isoformat(),
        "totals": doc["totals"],
        "digest": d.digest,
        "tree_head": {"size": d.tree_size, "root": d.tree_root},
        "signature": d.signature,
        "key_id": d.key_id,
        # Beside the signed figures, not in them: it grows as residents look.
        "checked_by_payers": month_checks(period),
    }


def disclosure_of_entry(community: Community, entry_date) -> Disclosure | None:
    month = month_start(entry_date)
    return (
        Disclosure.objects.filter(
            period__community=community, period__month=month, period__state=PeriodState.PUBLISHED
        )
        .select_related("period")
        .first()
    )


def receipt_public(income: Income) -> dict:
    """A receipt's public record, its period, and its inclusion proof once published."""
    from fundmgr.lib.privacy import mask_name

    record = {
        "receipt": income.receipt_display,
        "community": income.community.code,
        "date": income.entry.date.isoformat() if income.entry else None,
        "package": income.package.code,
        "package_name": income.package.name,
        "provider": income.package.provider.name,
        "tier": income.tier,
        "amount": f"{income.amount.amount:.2f}",
        "currency": income.community.currency,
        "split": {
            "provider": f"{income.provider_share.amount:.2f}",
            "hub": f"{income.hub_share.amount:.2f}",
            "fund": f"{income.fund_share.amount:.2f}",
        },
        "payer": mask_name(income.payer),
        "status": income.status,
        "period": None,
        "published": False,
        "inclusion": None,
    }
    if income.entry is None or income.status == IncomeStatus.REJECTED:
        return record
    record["period"] = income.entry.date.strftime("%Y-%m")
    disclosure = disclosure_of_entry(income.community, income.entry.date)
    if disclosure is None:
        return record
    head = json.loads(disclosure.signed_head)
    book, seq = income.community.book, income.entry.seq
    # The leaf is read from the entry's row on every look-up and is part of the key: a
    # rewritten entry is a new key, its proof made afresh, checked against the signed
    # root - a warm cache can never vouch for what the row says now.
    leaf = log.leaf_of(book, seq).hex()
    key = f"reports:inclusion:v2:{head['tree_size']}:{head['root']}:{seq}:{leaf}"
    proof = cache.get(key)
    if proof is None:
        proof = log.inclusion(book, seq, head["tree_size"])
        proof["verified"] = proof["leaf_hash"] == leaf and merkle.verify_inclusion(
            bytes.fromhex(proof["leaf_hash"]),
            proof["leaf_index"],
            proof["tree_size"],
            [bytes.fromhex(p) for p in proof["path"]],
            bytes.fromhex(head["root"]),
        )
        cache.set(key, proof, None)
    record["published"] = True
    record["inclusion"] = {**proof, "signed_tree_head": head, "signature": disclosure.signature}
    line = _document_line(disclosure, income.receipt_display)
    record["disclosed"] = line
    record["agreement"] = receipt_agreement(record["amount"], line, proof)
    return record


def _document_line(disclosure: Disclosure, receipt: str) -> dict | None:
    """The receipt's line in its month's signed document: its amount and leaf."""
    for line in document(disclosure)["incomes"]:
        if line["receipt"] == receipt:
            return {"amount": line["amount"], "entry": line["entry"], "leaf": line.get("leaf")}
    return None


def receipt_agreement(amount: str, line: dict | None, proof: dict) -> dict:
    """Do the amount shown, the signed document's line and the proven leaf agree? Each
    disagreement is named: `proof` (the entry as it reads now does not lead to the
    signed root), `line` (the signed document has no line for the receipt), `leaf` (the
    line names another leaf than the one proven), `amount` (the amount shown is not the
    line's). Documents published before lines carried their leaf are compared on the
    amount only."""
    differs = []
    if not proof.get("verified"):
        differs.append("proof")
    if line is None:
        differs.append("line")
    else:
        if line.get("leaf") and line["leaf"] != proof.get("leaf_hash"):
            differs.append("leaf")
        if line["amount"] != amount:
            differs.append("amount")
    return {"agree": not differs, "differs": differs}


def signed_heads(community: Community) -> list[dict]:
    return [
        {
            "month": p.label,
            "tree_size": p.disclosure.tree_size,
            "root": p.disclosure.tree_root,
            "signed_tree_head": json.loads(p.disclosure.signed_head),
            "signature": p.disclosure.signature,
        }
        for p in reversed(list(published_periods(community)))
    ]


def consistency_between(
    community: Community, old_size: int, new_size: int, *, heads: list[dict] | None = None
) -> dict | None:
    """A consistency proof between two published heads, checked against their roots."""
    return consistencies(community, [(old_size, new_size)], heads=heads)[0]


def consistencies(
    community: Community, pairs: list[tuple[int, int]], *, heads: list[dict] | None = None
) -> list[dict | None]:
    """Consistency proofs between pairs of published heads (old size, new size), each
    checked against the signed roots; None for a pair that is not two published sizes.

    Kept under both roots and the chain hash of entry #new_size as stored now, which
    commits to every entry the proof is made from: a rewrite that re-hashes the chain is
    a new key, and the proof is made afresh from the rows (and fails). A rewrite that
    does not re-hash breaks the chain, which every check recomputes. The stored hashes
    of all the pairs are read in one query (the community page asks for every month)."""
    roots = {h["tree_size"]: h["root"] for h in (heads or signed_heads(community))}
    wanted = {new for old, new in pairs if old in roots and new in roots and old <= new}
    stored = dict(
        Entry.objects.filter(book_id=community.book_id, seq__in=wanted).values_list("seq", "hash")
    )
    results: list[dict | None] = []
    for old_size, new_size in pairs:
        if new_size not in wanted or old_size not in roots or old_size > new_size:
            results.append(None)
            continue
        key = (
            f"reports:consistency:v2:{community.book_id}:{old_size}:{roots[old_size]}:"
            f"{new_size}:{roots[new_size]}:{stored.get(new_size)}"
        )
        result = cache.get(key)
        if result is None:
            proof = log.consistency(community.book, old_size, new_size)
            result = {
                "from": {"tree_size": old_size, "root": roots[old_size]},
                "to": {"tree_size": new_size, "root": roots[new_size]},
                "proof": proof,
                "verified": merkle.verify_consistency(
                    old_size,
                    new_size,
                    bytes.fromhex(roots[old_size]),
                    bytes.fromhex(roots[new_size]),
                    [bytes.fromhex(p) for p in proof],
                ),
            }
            cache.set(key, result, None)
        results.append(result)
    return results


def fund_of(doc: dict) -> dict:
    """The fund's month from the published document: what came into the fund (3101 and
    its project earmarks) - the package shares, the gifts not restricted to a named fund,
    the markets' takings given to it - and what went out, which the balances then
    require: every payment from the fund, of whatever kind."""
    opening = Decimal(doc["balances"]["opening"]["fund"])
    closing = Decimal(doc["balances"]["closing"]["fund"])
    sources = doc.get("inflows_by_source", {})  # absent from months published before #18
    inflow = (
        Decimal(doc["totals"]["fund"])
        + Decimal(doc.get("donations", {}).get("unrestricted", "0"))
        + Decimal(sources.get("markets", "0"))
        + Decimal(sources.get("other", "0"))
    )
    return {
        "in": inflow,
        "out": opening + inflow - closing,
        "balance": closing,
        "restricted": Decimal(sources.get("restricted_closing", "0")),
    }
