"""The residents' pages and open-data route of the fund's other inflows (issue 18):
donations (donors masked, anonymous ones never named), restricted and named funds with
their balances, charity markets by stall, and each government purchase contract's
burn-down. Beneficiary tokens never appear here."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from fundmgr.inflows import selectors
from fundmgr.inflows.models import (
    NOT_SPLIT,
    Donation,
    DonorKind,
    PurchaseContract,
    RestrictedFund,
    Status,
)
from fundmgr.lib import dates, receipts
from fundmgr.models import Community

from .api import _community, _error, _json


def _whole(community: Community) -> dict:
    """Everything since the first inflow, as of today: the month document's keys over
    the whole life of the fund."""
    import datetime as dt

    return selectors.document_part(community, dt.date(2000, 1, 1), dates.today())


def fund_page(request, code: str):
    community = get_object_or_404(Community, code=code)
    doc = _whole(community)
    # Kinds of donor in the reader's words, not their codes.
    for d in doc["donations"]["lines"]:
        d["kind_label"] = DonorKind(d["donor_kind"]).label
    by_kind = [(DonorKind(k).label, v) for k, v in doc["donations"]["by_kind"].items()]
    return render(
        request,
        "public/inflows.html",
        {"community": community, "doc": doc, "by_kind": by_kind, "why_not_split": NOT_SPLIT},
    )


def named_fund_page(request, code: str, fund: str):
    community = get_object_or_404(Community, code=code)
    found = get_object_or_404(RestrictedFund, community=community, code=fund)
    import datetime as dt

    doc = selectors.fund_doc(found, dt.date(2000, 1, 1), dates.today())
    gifts = [
        selectors.donation_doc(d)
        for d in Donation.objects.filter(fund=found, status=Status.POSTED)
        .select_related("entry", "fund")
        .order_by("entry__seq")
    ]
    spending = [s for s in _whole(community)["restricted_funds"]["spending"] if s["fund"] == fund]
    return render(
        request,
        "public/named_fund.html",
        {
            "community": community,
            "f": doc,
            "gifts": gifts,
            "spending": spending,
            "why_not_split": NOT_SPLIT,
        },
    )


def contract_page(request, code: str, number: str):
    community = get_object_or_404(Community, code=code)
    contract = get_object_or_404(PurchaseContract, community=community, number=number)
    doc = selectors.contract_doc(contract, dates.today())
    # Counts only (受益人 N / 符合条件 M): the month document's lines, in the same order.
    counts = selectors.line_beneficiaries(contract)
    for line, pk in zip(doc["lines"], sorted(counts), strict=True):
        line.update(counts[pk])
    return render(request, "public/contract.html", {"community": community, "c": doc})


def donation_receipt(request, code: str):
    normal = receipts.normalise(code)
    d = (
        Donation.objects.filter(receipt_code=normal, status=Status.POSTED)
        .select_related("community", "entry", "fund")
        .first()
        if normal
        else None
    )
    if d is None:
        raise Http404
    return render(
        request,
        "public/donation_receipt.html",
        {"community": d.community, "d": selectors.donation_doc(d), "why_not_split": NOT_SPLIT},
    )


def api_inflows(request, code: str):
    community = _community(code)
    if community is None:
        return _error(f"no community {code}")
    return _json({"community": community.code, **_whole(community)})
