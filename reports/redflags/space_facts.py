"""The facts the space rules read, gathered from one community's records."""

from __future__ import annotations

from fundmgr.lib import dates
from fundmgr.models import Community, IncomeStatus, Tier
from fundmgr.spaces import selectors
from fundmgr.spaces.models import Agreement, AgreementPerson, Delivery, SpaceIncome
from ledger.services import to_fen

from .spaces import AgreementFact, MonthFact


def space_facts(community: Community) -> list[AgreementFact]:
    today = dates.today()
    facts = []
    agreements = Agreement.objects.filter(community=community).select_related(
        "space", "decision__meeting"
    )
    for a in agreements:
        months = tuple(
            MonthFact(m, f.value_owed_fen, f.value_delivered_fen, f.units_owed, f.units_delivered)
            for m, f in selectors.monthly(a, today)
        )
        paid: dict = {}
        for link in SpaceIncome.objects.filter(
            agreement=a, income__status=IncomeStatus.POSTED, income__tier=Tier.PAID
        ).select_related("income"):
            month = dates.month_start(link.income.paid_on)
            paid[month] = paid.get(month, 0) + to_fen(link.income.amount)
        staff = set(
            AgreementPerson.objects.filter(
                agreement=a, kind=AgreementPerson.Kind.OPERATOR_STAFF
            ).values_list("user_id", flat=True)
        )
        confirmations = tuple(
            (pk, day, by in staff)
            for pk, day, by in Delivery.objects.filter(
                agreement=a, confirmed_by__isnull=False
            ).values_list("pk", "delivered_on", "confirmed_by_id")
        )
        facts.append(
            AgreementFact(
                a.pk,
                a.number,
                a.space.name,
                a.starts_on,
                a.ends_on,
                a.decision_id,
                a.decision.meeting.held_on,
                a.follows_id,
                months,
                to_fen(a.paid_income_foreseen_month),
                paid,
                confirmations,
            )
        )
    return facts
