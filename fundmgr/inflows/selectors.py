"""Reads of the inflows of issue 18, and the month document's new keys (`donations`,
`restricted_funds`, `markets`, `contracts`, `inflows_by_source`): amounts as decimal
strings, donors as the public sees them, beneficiaries never (not even their tokens)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Sum

from ledger.models import Line

from ..lib.money import fen, yuan
from ..lib.receipts import display
from ..models import Community, IncomeStatus
from .models import (
    NOT_SPLIT_ZH,
    BeneficiaryToken,
    ContractLine,
    Donation,
    Market,
    PurchaseContract,
    RestrictedFund,
    RestrictedSpending,
    Stall,
    StallRule,
    Status,
)


def _held_fen(account_id: int, through: dt.date) -> int:
    """What a credit-normal account (a fund) holds at the end of a day."""
    s = Line.objects.filter(account_id=account_id, entry__date__lte=through).aggregate(
        s=Sum("amount_fen")
    )["s"]
    return -(s or 0)


def _asset_fen(account_id: int, through: dt.date) -> int:
    return -_held_fen(account_id, through)


def donations_in(community: Community, start: dt.date, end: dt.date):
    return (
        Donation.objects.filter(
            community=community,
            status=Status.POSTED,
            entry__date__gte=start,
            entry__date__lte=end,
        )
        .select_related("entry", "fund")
        .order_by("entry__seq")
    )


def donation_doc(d: Donation) -> dict:
    return {
        "receipt": display(d.receipt_code),
        "date": d.entry.date.isoformat(),
        "entry": d.entry.seq,
        "donor_kind": d.donor_kind,
        "donor": d.public_donor,
        "amount": f"{d.amount.amount:.2f}",
        "method": d.method,
        "restricted_to": d.fund.code if d.fund_id else None,
        "drive": d.drive,
    }


def fund_doc(fund: RestrictedFund, start: dt.date, end: dt.date) -> dict:
    lines = Line.objects.filter(
        account_id=fund.account_id, entry__date__gte=start, entry__date__lte=end
    )
    received = -(lines.filter(amount_fen__lt=0).aggregate(s=Sum("amount_fen"))["s"] or 0)
    spent = lines.filter(amount_fen__gt=0).aggregate(s=Sum("amount_fen"))["s"] or 0
    return {
        "code": fund.code,
        "kind": fund.kind,
        "name": fund.name,
        "account": fund.account.code,
        "purpose_code": fund.purpose_code,
        "purpose": fund.purpose,
        "donor": fund.public_donor if fund.donor_name else None,
        "rules": fund.rules,
        "opening": yuan(_held_fen(fund.account_id, start - dt.timedelta(days=1))),
        "received": yuan(received),
        "spent": yuan(spent),
        "closing": yuan(_held_fen(fund.account_id, end)),
    }


def spending_in(community: Community, start: dt.date, end: dt.date):
    return (
        RestrictedSpending.objects.filter(
            community=community,
            status=Status.POSTED,
            entry__date__gte=start,
            entry__date__lte=end,
        )
        .select_related("entry", "fund")
        .order_by("entry__seq")
    )


def market_doc(m: Market) -> dict:
    sheets = list(m.sheets.order_by("pk").prefetch_related("counts"))
    counts = [{c.stall_id: c.amount for c in s.counts.all()} for s in sheets]
    stalls = []
    for s in m.stalls.select_related("income", "entry", "package"):
        counted = [f"{c[s.pk].amount:.2f}" for c in counts if s.pk in c]
        stalls.append(
            {
                "code": s.code,
                "name": s.name,
                "holder": s.holder,
                "rule": s.rule,
                "package": s.package.code if s.package_id else None,
                "counts": counted,
                "difference": len(set(counted)) > 1,
                "posted": f"{s.posted_amount.amount:.2f}" if s.posted_amount is not None else None,
                "receipt": display(s.income.receipt_code) if s.income_id else None,
                "entry": s.entry.seq if s.entry_id else None,
            }
        )
    return {
        "code": m.code,
        "name": m.name,
        "held_on": m.held_on.isoformat(),
        "sheets": len(sheets),
        "posted": m.posted,
        "stalls": stalls,
    }


def market_to_fund(community: Community, start: dt.date, end: dt.date) -> list[dict]:
    return [
        {
            "market": s.market.code,
            "stall": s.code,
            "amount": f"{s.posted_amount.amount:.2f}",
            "date": s.entry.date.isoformat(),
            "entry": s.entry.seq,
        }
        for s in Stall.objects.filter(
            market__community=community,
            rule=StallRule.FUND,
            entry__date__gte=start,
            entry__date__lte=end,
        )
        .select_related("market", "entry")
        .order_by("entry__seq")
    ]


def month_rows(line: ContractLine, through: dt.date) -> list[dict]:
    """The burn-down of a line month by month: units contracted, delivered (= billed to
    the buyer) and paid, each running to the month's end."""
    from . import services

    contract = line.contract
    max_units, cap = services.line_limits(line)
    delivered: dict[str, int] = defaultdict(int)
    for d in line.deliveries.all():
        delivered[d.delivered_on.strftime("%Y-%m")] += d.units
    paid: dict[str, int] = defaultdict(int)
    for p in line.payments.select_related("income__entry"):
        if p.income.status == IncomeStatus.POSTED:
            paid[p.income.entry.date.strftime("%Y-%m")] += p.units
    rows, run_d, run_p = [], 0, 0
    month = contract.starts_on.replace(day=1)
    last = min(contract.ends_on, through)
    while month <= last:
        key = month.strftime("%Y-%m")
        run_d += delivered.get(key, 0)
        run_p += paid.get(key, 0)
        rows.append(
            {
                "month": key,
                "contracted": max_units,
                "delivered": delivered.get(key, 0),
                "billed": delivered.get(key, 0),
                "paid": paid.get(key, 0),
                "delivered_to_date": run_d,
                "paid_to_date": run_p,
                "left": max_units - run_d,
            }
        )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return rows


def contract_doc(c: PurchaseContract, through: dt.date) -> dict:
    from . import services

    lines = []
    for line in c.lines.select_related("package").order_by("pk"):
        max_units, cap = services.line_limits(line)
        used_units, used_amount = services.line_used(line)
        paid_units, paid_amount = services.line_paid(line)
        lines.append(
            {
                "package": line.package.code,
                "package_name": line.package.name,
                "units": line.units,
                "unit_price": f"{line.unit_price.amount:.2f}",
                "cap": f"{line.cap.amount:.2f}",
                "extensions": [
                    {"units": e.units, "cap": f"{e.cap.amount:.2f}", "decision": e.decision_id}
                    for e in line.extensions.order_by("pk")
                ],
                "units_allowed": max_units,
                "cap_allowed": f"{cap.amount:.2f}",
                "delivered": used_units,
                "billed_amount": f"{used_amount.amount:.2f}",
                "paid": paid_units,
                "paid_amount": f"{paid_amount.amount:.2f}",
                "months": month_rows(line, through),
            }
        )
    return {
        "number": c.number,
        "buyer": c.buyer,
        "starts_on": c.starts_on.isoformat(),
        "ends_on": c.ends_on.isoformat(),
        "decision": c.decision_id,
        "receivable_account": c.receivable.code,
        "receivable": yuan(_asset_fen(c.receivable_id, through)),
        "lines": lines,
    }


def line_beneficiaries(c: PurchaseContract) -> dict[int, dict]:
    """Per line (by id): how many different beneficiaries were billed (distinct keyed
    tokens, counted, never shown) and how many residents are eligible (None: not
    recorded). For the public burn-down; not in the signed month document."""
    counts = dict(
        BeneficiaryToken.objects.filter(line__contract=c)
        .values("line")
        .annotate(n=Count("token", distinct=True))
        .values_list("line", "n")
    )
    return {
        line.pk: {
            "beneficiaries": counts.get(line.pk, 0),
            "eligible": line.eligible,
            "over": line.eligible is not None and counts.get(line.pk, 0) > line.eligible,
        }
        for line in c.lines.order_by("pk")
    }


def contracts_in(community: Community, start: dt.date, end: dt.date):
    return (
        PurchaseContract.objects.filter(community=community, starts_on__lte=end, ends_on__gte=start)
        .select_related("receivable")
        .order_by("number")
    )


def document_part(
    community: Community, start: dt.date, end: dt.date, fund_shares_fen: int = 0
) -> dict:
    """New top-level keys of the month document (issue 18). `fund_shares_fen` is the
    month's 5 % shares of package income (the document's totals.fund)."""
    donations = [donation_doc(d) for d in donations_in(community, start, end)]
    by_kind: dict[str, int] = defaultdict(int)
    for d in donations:
        by_kind[d["donor_kind"]] += fen(d["amount"])
    to_fund = market_to_fund(community, start, end)
    funds = [
        fund_doc(f, start, end)
        for f in RestrictedFund.objects.filter(community=community, opened_on__lte=end)
        .select_related("account")
        .order_by("code")
    ]
    restricted_fen = sum(fen(f["closing"]) for f in funds)
    market_fen = sum(fen(r["amount"]) for r in to_fund)
    return {
        # Where the fund's money came from this month: the package shares, the gifts by
        # kind of donor, the markets' takings given to it (none of these but the first
        # is split 70/25/5).
        "inflows_by_source": {
            "package_shares": yuan(fund_shares_fen),
            "donations": {k: yuan(v) for k, v in sorted(by_kind.items())},
            "markets": yuan(market_fen),
            "other": "0.00",
            "total": yuan(fund_shares_fen + sum(by_kind.values()) + market_fen),
            "restricted_closing": yuan(restricted_fen),
        },
        "donations": {
            "why_not_split": NOT_SPLIT_ZH,
            "lines": donations,
            "by_kind": {k: yuan(v) for k, v in sorted(by_kind.items())},
            "unrestricted": yuan(
                sum(fen(d["amount"]) for d in donations if not d["restricted_to"])
            ),
            "restricted": yuan(sum(fen(d["amount"]) for d in donations if d["restricted_to"])),
        },
        "restricted_funds": {
            "funds": funds,
            "restricted_closing": yuan(restricted_fen),
            "spending": [
                {
                    "fund": s.fund.code,
                    "purpose_code": s.purpose_code,
                    "purpose": s.purpose,
                    "payee": s.payee,
                    "amount": f"{s.amount.amount:.2f}",
                    "method": s.method,
                    "date": s.entry.date.isoformat(),
                    "entry": s.entry.seq,
                }
                for s in spending_in(community, start, end)
            ],
        },
        "markets": {
            "why_not_split": NOT_SPLIT_ZH,
            "events": [
                market_doc(m)
                for m in Market.objects.filter(
                    community=community, held_on__gte=start, held_on__lte=end
                ).order_by("held_on", "code")
            ],
            "to_fund": to_fund,
        },
        "contracts": {
            "contracts": [contract_doc(c, end) for c in contracts_in(community, start, end)],
        },
    }
