"""The published disclosure of a month (DESIGN 4.4): one builder makes the document, and
the page, the API, the CSV and (later) the PDF all render that same published JSON."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone, translation

from fundmgr.chart import (
    CASH_CODES,
    HUB_ACCOUNT,
    PROVIDER_ACCOUNT_PREFIX,
    fund_fen,
    provider_code_of,
)
from fundmgr.decisions.selectors import document_part as decisions_part
from fundmgr.decisions.selectors import item_ref
from fundmgr.inflows.selectors import document_part as inflows_part
from fundmgr.lib.dates import day_bounds, local_date
from fundmgr.lib.money import fen, yuan
from fundmgr.lib.privacy import mask, mask_name
from fundmgr.lib.receipts import display
from fundmgr.models import (
    Disbursement,
    Income,
    IncomeStatus,
    Membership,
    Role,
    Settlement,
    SplitPolicy,
    Tier,
)
from fundmgr.projects.selectors import document_part as projects_part
from fundmgr.reconcile.selectors import month_summary
from fundmgr.spaces.selectors import document_part as spaces_part
from ledger import log
from ledger.chain import canonical_json
from ledger.models import Entry
from ledger.selectors import net_by_account

FORMAT = "fundmgr.disclosure/1"


def digest_of(document: dict) -> str:
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def _balances(net: dict[str, int], providers: dict[str, str]) -> dict:
    return {
        "cash": {code: yuan(net.get(code, 0)) for code in sorted(CASH_CODES)},
        "providers": {
            code: yuan(-net.get(PROVIDER_ACCOUNT_PREFIX + code, 0)) for code in sorted(providers)
        },
        "hub": yuan(-net.get(HUB_ACCOUNT, 0)),
        # The whole fund: its free balance and what is earmarked for projects (#19).
        "fund": yuan(fund_fen(net)),
    }


def _flag_counts(community, start, end) -> dict:
    """How many flags of each kind were raised in the month, and how many of those are
    resolved - counts only, no personal data."""
    from django.db.models import Count, Q

    from .models import RedFlag

    lo, hi = day_bounds(start, end)
    rows = (
        RedFlag.objects.filter(community=community, raised_at__gte=lo, raised_at__lt=hi)
        .values("rule")
        .annotate(raised=Count("id"), resolved=Count("id", filter=Q(closed_at__isnull=False)))
        .order_by("rule")
    )
    return {r["rule"]: {"raised": r["raised"], "resolved": r["resolved"]} for r in rows}


@dataclass(frozen=True)
class _IncomeRow:
    """What the document says of one income: read as plain values, not as models (a
    month of 50,000 incomes took seconds to become objects; bench/ publish)."""

    receipt: str
    date: dt.date
    seq: int
    paid_on: dt.date
    package: str
    package_name: str
    provider: str
    provider_name: str
    tier: str
    quantity: int
    amount: int
    provider_share: int
    hub_share: int
    fund_share: int
    payer: str
    status: str
    reversal_seq: int | None
    reversal_date: dt.date | None
    reverse_reason: str


_INCOME_FIELDS = (
    "receipt_code",
    "entry__date",
    "entry__seq",
    "paid_at",
    "package__code",
    "package__name",
    "package__provider__code",
    "package__provider__name",
    "tier",
    "quantity",
    "amount",
    "provider_share",
    "hub_share",
    "fund_share",
    "payer",
    "status",
    "reversal_entry__seq",
    "reversal_entry__date",
    "reverse_reason",
)


def _income_rows(queryset) -> list[_IncomeRow]:
    return [
        _IncomeRow(
            display(code),
            date,
            seq,
            local_date(paid_at),
            package,
            package_name,
            provider,
            provider_name,
            tier,
            quantity,
            fen(amount),
            fen(p_share),
            fen(h_share),
            fen(f_share),
            payer,
            status,
            r_seq,
            r_date,
            reason,
        )
        for (
            code,
            date,
            seq,
            paid_at,
            package,
            package_name,
            provider,
            provider_name,
            tier,
            quantity,
            amount,
            p_share,
            h_share,
            f_share,
            payer,
            status,
            r_seq,
            r_date,
            reason,
        ) in queryset.values_list(*_INCOME_FIELDS).iterator(chunk_size=5000)
    ]


class _RoleHolders:
    """How a staff member is named in a published month: their full name when the
    administrator gave one, else their role and a number within the community (审核人 2)
    - never their login name, which is half of what logging in takes (issue 21: months
    showed `requested_by: "officer"`). The labels are Chinese whatever the page language:
    the document is signed once for everyone."""

    def __init__(self, community):
        self.community = community
        self._numbers: dict[str, dict[int, int]] = {}

    def name(self, user, role: str) -> str:
        full = (user.get_full_name() or "").strip()
        if full:
            return full
        if role not in self._numbers:
            holders = Membership.objects.filter(community=self.community, role=role).order_by("pk")
            self._numbers[role] = {
                uid: n for n, uid in enumerate(holders.values_list("user_id", flat=True), 1)
            }
        with translation.override("zh-hans"):
            label = str(Role(role).label)
        number = self._numbers[role].get(user.pk)
        return f"{label} {number}" if number else label


def build(period) -> dict:
    community = period.community
    holders = _RoleHolders(community)
    book = community.book
    start, end = period.month, period.last_day
    incomes = _income_rows(
        Income.objects.filter(
            community=community, entry__date__gte=start, entry__date__lte=end
        ).order_by("entry__seq")
    )
    # Each income's leaf hash, recomputed from its entry, beside its amount: a receipt's
    # proof can then be tied to the line residents read (the receipt page, the API and
    # tools/verify_disclosure.py compare the three).
    leaves = log.leaves_of(book, [i.seq for i in incomes])
    reversed_in_month = _income_rows(
        Income.objects.filter(
            community=community, reversal_entry__date__gte=start, reversal_entry__date__lte=end
        ).order_by("reversal_entry__seq")
    )

    tiers = defaultdict(lambda: [0, 0])
    providers: dict[str, dict] = {}
    packages: dict[str, dict] = {}
    parties = {"provider": 0, "hub": 0, "fund": 0}

    def add(income: _IncomeRow, sign: int) -> None:
        amount = sign * income.amount
        tiers[income.tier][0] += amount
        tiers[income.tier][1] += sign
        row = providers.setdefault(
            income.provider,
            {
                "code": income.provider,
                "name": income.provider_name,
                "amount": 0,
                "share": 0,
                "count": 0,
            },
        )
        row["amount"] += amount
        row["share"] += sign * income.provider_share
        row["count"] += sign
        pk = packages.setdefault(
            income.package,
            {
                "code": income.package,
                "name": income.package_name,
                "provider": income.provider,
                "amount": 0,
                "count": 0,
            },
        )
        pk["amount"] += amount
        pk["count"] += sign
        parties["provider"] += sign * income.provider_share
        parties["hub"] += sign * income.hub_share
        parties["fund"] += sign * income.fund_share

    for income in incomes:
        add(income, +1)
    for income in reversed_in_month:
        add(income, -1)
    gross = sum(i.amount for i in incomes)
    reversed_total = sum(i.amount for i in reversed_in_month)

    all_providers = {
        provider_code_of(a.code): a.name
        for a in book.accounts.filter(code__startswith=PROVIDER_ACCOUNT_PREFIX)
    }
    policies = SplitPolicy.objects.filter(community=community, effective_from__lte=end)
    head = Entry.objects.filter(book=book).order_by("-seq").first()
    return {
        "format": FORMAT,
        "community": {
            "code": community.code,
            "name": community.name,
            "subdistrict": community.subdistrict,
            "currency": community.currency,
            "hub": community.hub.name,
            "fund": community.fund.name,
        },
        "month": period.label,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "policies": [
            {
                "version": p.version,
                "provider_bp": p.provider_bp,
                "hub_bp": p.hub_bp,
                "fund_bp": p.fund_bp,
                "effective_from": p.effective_from.isoformat(),
                "approved_by": p.approved_by,
                "decision_ref": p.decision_ref,
                # The decision item that adopted it (#19): a key only policies that cite
                # one carry, so the months published before keep their bytes and digest.
                **({"decision": item_ref(p.decision)} if p.decision_id else {}),
            }
            for p in policies.select_related("decision__meeting").order_by("effective_from")
        ],
        "totals": {
            "income": yuan(gross),
            "reversed": yuan(reversed_total),
            "net": yuan(gross - reversed_total),
            "count": len(incomes),
            "reversals": len(reversed_in_month),
            "provider": yuan(parties["provider"]),
            "hub": yuan(parties["hub"]),
            "fund": yuan(parties["fund"]),
        },
        "by_tier": {t: {"amount": yuan(tiers[t][0]), "count": tiers[t][1]} for t in Tier.values},
        "by_provider": [
            {**r, "amount": yuan(r["amount"]), "share": yuan(r["share"])}
            for r in sorted(providers.values(), key=lambda r: r["code"])
        ],
        "by_package": [
            {**r, "amount": yuan(r["amount"])}
            for r in sorted(packages.values(), key=lambda r: r["code"])
        ],
        "balances": {
            "opening": _balances(net_by_account(book, before=start), all_providers),
            "closing": _balances(net_by_account(book, through=end), all_providers),
        },
        "incomes": [
            {
                "receipt": i.receipt,
                "date": i.date.isoformat(),
                "paid_on": i.paid_on.isoformat(),
                "adjustment": i.paid_on < start,
                "package": i.package,
                "package_name": i.package_name,
                "provider": i.provider,
                "tier": i.tier,
                "quantity": i.quantity,
                "amount": yuan(i.amount),
                "split": {
                    "provider": yuan(i.provider_share),
                    "hub": yuan(i.hub_share),
                    "fund": yuan(i.fund_share),
                },
                "payer": mask_name(i.payer),
                "status": "reversed" if i.status == IncomeStatus.REVERSED else "posted",
                "entry": i.seq,
                "leaf": leaves[i.seq].hex(),
                # Reversed by the time of publishing: when, and the month it is booked in
                # (its totals, not this month's, carry it when that is a later month).
                **(
                    {
                        "reversed_on": i.reversal_date.isoformat(),
                        "reversed_in": i.reversal_date.strftime("%Y-%m"),
                    }
                    if i.status == IncomeStatus.REVERSED and i.reversal_date
                    else {}
                ),
            }
            for i in incomes
        ],
        "reversals": [
            {
                "receipt": i.receipt,
                "entry": i.reversal_seq,
                "reverses": i.seq,
                "date": i.reversal_date.isoformat(),
                "amount": yuan(i.amount),
                # Free text typed by an officer: any phone, ID or card number in it (and the
                # name it belongs to) masked (fundmgr.lib.privacy), also for reasons typed
                # before they were screened.
                "reason": mask(i.reverse_reason),
                # The income it takes back, and the month that income was booked in.
                "original_date": i.date.isoformat(),
                "original_month": i.date.strftime("%Y-%m"),
            }
            for i in reversed_in_month
        ],
        "settlements": [
            {
                "payee": st.payee_name,
                "party": st.provider.code if st.provider else "hub",
                "amount": f"{st.amount.amount:.2f}",
                "date": st.entry.date.isoformat(),
                "reference": mask(st.bank_reference),
                "entry": st.entry.seq,
                # 三重一大 (#19): present only when the settlement cites a decision.
                **({"decision": item_ref(st.decision)} if st.decision_id else {}),
            }
            for st in Settlement.objects.filter(
                community=community, entry__date__gte=start, entry__date__lte=end
            )
            .select_related("provider", "entry", "decision__meeting")
            .order_by("entry__seq")
        ],
        "disbursements": [
            {
                "payee": mask_name(d.payee) if d.payee_is_person else d.payee,
                "purpose": mask(d.purpose),
                "category": d.category,
                "amount": f"{d.amount.amount:.2f}",
                "date": d.entry.date.isoformat(),
                "entry": d.entry.seq,
                "tier": d.tier,
                "requested_by": holders.name(d.requested_by, Role.OFFICER),
                "approvals": [
                    {
                        "reviewer": holders.name(a.reviewer, Role.REVIEWER),
                        "approve": a.approve,
                        "at": timezone.localtime(a.at).strftime("%Y-%m-%d %H:%M"),
                    }
                    for a in d.approvals.select_related("reviewer").order_by("at")
                ],
                # The vote as typed before #19; a request citing a decision item carries
                # that instead (a new key, so earlier months keep their digest).
                "committee": (
                    {
                        "votes_for": d.votes_for,
                        "votes_against": d.votes_against,
                        "members_present": d.members_present,
                        "minutes": d.minutes_ref,
                    }
                    if d.tier == "committee" and not d.decision_id
                    else None
                ),
                **({"decision": item_ref(d.decision)} if d.decision_id else {}),
                "evidence": [
                    {"kind": a.kind, "sha256": a.sha256} for a in d.attachments.order_by("pk")
                ],
            }
            for d in Disbursement.objects.filter(
                community=community, status="posted", entry__date__gte=start, entry__date__lte=end
            )
            .select_related("entry", "requested_by", "decision__meeting")
            .order_by("entry__seq")
        ],
        # Spaces let for services (一元租金) and the decisions of the month: new keys.
        "spaces": spaces_part(community, start, end),
        "decisions": decisions_part(community, start, end),
        # Donations, restricted funds, markets, purchase contracts (issue 18): new keys.
        **inflows_part(community, start, end, parties["fund"]),
        # The annual plan against what was paid, the fund's earmarks and the projects
        # followed to completion (#19): new keys.
        **projects_part(community, start, end),
        "red_flags": _flag_counts(community, start, end),
        # Bank and platform statements against the books (#23): counts and totals only.
        "reconciliation": month_summary(community, start),
        "ledger": {
            "book": book.code,
            "chain_head": {
                "seq": head.seq if head else 0,
                "hash": head.hash if head else book.head_hash,
            },
        },
    }
