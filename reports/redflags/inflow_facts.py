"""The facts the inflow rules read (reports/redflags/inflows.py), from the database."""

from __future__ import annotations

from django.db.models import Count

from fundmgr.inflows import services
from fundmgr.inflows.models import BeneficiaryToken, ContractLine, Market
from fundmgr.models import Community
from ledger.services import to_fen

from .inflows import LineFact, StallCountFact, TokenFact


def inflow_facts(community: Community) -> dict:
    lines, tokens, stalls = [], [], []
    distinct = dict(
        BeneficiaryToken.objects.filter(line__contract__community=community)
        .values("line")
        .annotate(n=Count("token", distinct=True))
        .values_list("line", "n")
    )
    for line in ContractLine.objects.filter(contract__community=community).select_related(
        "contract", "package"
    ):
        allowed, cap = services.line_limits(line)
        delivered, billed = services.line_used(line)
        paid, _amount = services.line_paid(line)
        label = f"{line.contract.number}/{line.package.code}"
        lines.append(
            LineFact(
                line.pk,
                label,
                allowed,
                to_fen(cap),
                delivered,
                to_fen(billed),
                paid,
                eligible=line.eligible,
                beneficiaries=distinct.get(line.pk, 0),
            )
        )
    for t in BeneficiaryToken.objects.filter(line__contract__community=community).select_related(
        "line__contract", "line__package"
    ):
        label = f"{t.line.contract.number}/{t.line.package.code}"
        tokens.append(TokenFact(t.line_id, label, t.month, t.token, t.delivery_id))
    for m in Market.objects.filter(community=community).prefetch_related("stalls"):
        sheets = list(m.sheets.order_by("pk").prefetch_related("counts"))
        by_sheet = [{c.stall_id: to_fen(c.amount) for c in s.counts.all()} for s in sheets]
        for s in m.stalls.all():
            counts = tuple(c[s.pk] for c in by_sheet if s.pk in c)
            stalls.append(StallCountFact(m.pk, f"{m.code} {m.name}", s.code, counts))
    return {"lines": lines, "tokens": tokens, "stalls": stalls}
