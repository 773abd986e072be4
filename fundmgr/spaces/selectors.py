"""Reads of agreements for pages, the API and the month document: one builder of an
agreement's public record and meter, so every rendering says the same."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from ledger.models import Line

from ..chart import SPACE_RENT_ACCOUNT
from ..decisions.selectors import item_ref
from ..lib import dates
from ..lib.money import yuan
from ..models import Community, IncomeStatus, Tier
from . import meter
from .models import RENT_NOT_SPLIT_ZH, Agreement, Delivery

FORMAT_NOTE = "rent_not_split"


def _owed(agreement: Agreement) -> list[meter.Owed]:
    from ledger.services import to_fen

    return [
        meter.Owed(o.pk, o.per_month, to_fen(o.unit_price)) for o in agreement.obligations.all()
    ]


def _done(agreement: Agreement, through: dt.date) -> list[meter.Done]:
    return [
        meter.Done(d.obligation_id, d.delivered_on, d.quantity)
        for d in Delivery.objects.filter(
            agreement=agreement, confirmed_by__isnull=False, delivered_on__lte=through
        )
    ]


def figures(
    agreement: Agreement, month: dt.date, through: dt.date
) -> tuple[meter.Figures, meter.Figures]:
    """(the month's figures, the figures from the start of the term up to the month).
    Delivered counts what was delivered up to `through`; owed is each month's whole
    obligation (the month under way included): "this month: 8 owed, 3 delivered"."""
    from ledger.services import to_fen

    owed, done = _owed(agreement), _done(agreement, through)
    market = to_fen(agreement.market_rent_month)
    kw = {
        "starts": agreement.starts_on,
        "ends": agreement.ends_on,
        "through": dates.month_end(month),
        "owed": owed,
        "done": done,
        "market_rent_month_fen": market,
    }
    this = meter.month_figures(month, **kw)
    total = meter.ZERO
    if agreement.starts_on <= through:
        for m in dates.months(agreement.starts_on, min(through, agreement.ends_on)):
            total = meter.add(total, meter.month_figures(m, **kw))
    return this, total


def monthly(agreement: Agreement, through: dt.date) -> list[tuple[dt.date, meter.Figures]]:
    """Each month of the term that has begun by `through`, with its figures."""
    if agreement.starts_on > through:
        return []
    owed, done = _owed(agreement), _done(agreement, through)
    from ledger.services import to_fen

    market = to_fen(agreement.market_rent_month)
    return [
        (
            m,
            meter.month_figures(
                m,
                starts=agreement.starts_on,
                ends=agreement.ends_on,
                through=through,
                owed=owed,
                done=done,
                market_rent_month_fen=market,
            ),
        )
        for m in dates.months(agreement.starts_on, min(through, agreement.ends_on))
    ]


def _figures_doc(f: meter.Figures) -> dict:
    return {
        "sessions_owed": f.units_owed,
        "sessions_delivered": f.units_delivered,
        "value_owed": yuan(f.value_owed_fen),
        "value_delivered": yuan(f.value_delivered_fen),
        "rent_forgone": yuan(f.rent_forgone_fen),
    }


def agreement_doc(agreement: Agreement, month: dt.date, through: dt.date) -> dict:
    """The public record of an agreement and its meter for `month`, up to `through`: no
    personal data (who entered or confirmed a delivery is told by role only)."""
    this, total = figures(agreement, month, through)
    start, end = dates.month_range(month)
    end = min(end, through)
    rents = agreement.rent_payments.filter(entry__date__lte=through).select_related("entry")
    space_income = agreement.incomes.filter(
        income__status=IncomeStatus.POSTED, income__entry__date__lte=through
    ).select_related("income")
    by_tier_month: dict[str, int] = {}
    by_tier_total: dict[str, int] = {}
    from ledger.services import to_fen

    for link in space_income:
        i = link.income
        by_tier_total[i.tier] = by_tier_total.get(i.tier, 0) + to_fen(i.amount)
        if start <= i.entry.date <= end:
            by_tier_month[i.tier] = by_tier_month.get(i.tier, 0) + to_fen(i.amount)
    deliveries = (
        Delivery.objects.filter(agreement=agreement, delivered_on__gte=start, delivered_on__lte=end)
        .select_related("obligation__package")
        .order_by("delivered_on", "pk")
    )
    return {
        "number": agreement.number,
        "space": {
            "code": agreement.space.code,
            "name": agreement.space.name,
            "address": agreement.space.address,
            "area_m2": f"{agreement.space.area_m2:.2f}",
            "photos": [p.sha256 for p in agreement.space.photos.order_by("pk")],
        },
        "operator": {"code": agreement.operator.code, "name": agreement.operator.name},
        "term": {"from": agreement.starts_on.isoformat(), "to": agreement.ends_on.isoformat()},
        "follows": agreement.follows.number if agreement.follows_id else None,
        "decision": item_ref(agreement.decision),
        "rent": {
            "for_term": yuan(to_fen(agreement.rent)),
            "received_to_date": yuan(sum(to_fen(r.amount) for r in rents)),
            "received_this_month": yuan(
                sum(to_fen(r.amount) for r in rents if start <= r.entry.date <= end)
            ),
            "split": False,
            "why_not_split": RENT_NOT_SPLIT_ZH,
        },
        "market_rent": {
            "per_month": yuan(to_fen(agreement.market_rent_month)),
            "source": agreement.market_rent_source,
        },
        "paid_income_foreseen_month": yuan(to_fen(agreement.paid_income_foreseen_month)),
        "obligations": [
            {
                "package": o.package.code,
                "package_name": o.package.name,
                "tier": o.tier,
                "per_month": o.per_month,
                "unit": o.unit,
                "unit_price": yuan(to_fen(o.unit_price)),
            }
            for o in agreement.obligations.select_related("package").order_by("pk")
        ],
        "this_month": _figures_doc(this),
        "to_date": _figures_doc(total),
        "space_income": {
            "this_month": {t: yuan(by_tier_month.get(t, 0)) for t in Tier.values},
            "to_date": {t: yuan(by_tier_total.get(t, 0)) for t in Tier.values},
        },
        "deliveries": [
            {
                "date": d.delivered_on.isoformat(),
                "package": d.obligation.package.code,
                "tier": d.obligation.tier,
                "quantity": d.quantity,
                "participants": d.participants,
                "evidence": d.evidence_sha256,
                "entered_as": d.entered_as,
                "confirmed_as": d.confirmed_as or None,
            }
            for d in deliveries
        ],
    }


def agreements_in(community: Community, start: dt.date, end: dt.date):
    return (
        Agreement.objects.filter(community=community, starts_on__lte=end, ends_on__gte=start)
        .select_related("space", "operator", "decision__meeting", "follows")
        .order_by("number")
    )


def rent_lines(community: Community, start: dt.date, end: dt.date) -> list[dict]:
    """The rent postings booked in the month, for the document's cash arithmetic."""
    from .models import RentPayment

    return [
        {
            "agreement": r.agreement.number,
            "amount": f"{r.amount.amount:.2f}",
            "method": r.method,
            "date": r.entry.date.isoformat(),
            "entry": r.entry.seq,
        }
        for r in RentPayment.objects.filter(
            agreement__community=community, entry__date__gte=start, entry__date__lte=end
        )
        .select_related("agreement", "entry")
        .order_by("entry__seq")
    ]


def rent_balance_fen(community: Community, through: dt.date | None = None) -> int:
    """What the rent income account holds (credits) through a day."""
    lines = Line.objects.filter(entry__book_id=community.book_id, account__code=SPACE_RENT_ACCOUNT)
    if through is not None:
        lines = lines.filter(entry__date__lte=through)
    return -(lines.aggregate(s=Sum("amount_fen"))["s"] or 0)


def document_part(community: Community, start: dt.date, end: dt.date) -> dict:
    """The month document's `spaces` key: every agreement in force in the month with its
    meter, the rent booked in the month, and why the rent is not split."""
    return {
        "why_rent_not_split": RENT_NOT_SPLIT_ZH,
        "memorandum": "off_balance",
        "agreements": [agreement_doc(a, start, end) for a in agreements_in(community, start, end)],
        "rents": rent_lines(community, start, end),
        "rent_income": {
            "account": SPACE_RENT_ACCOUNT,
            "opening": yuan(rent_balance_fen(community, start - dt.timedelta(days=1))),
            "closing": yuan(rent_balance_fen(community, end)),
        },
    }
