"""Gather facts from the database, run the red-flag rules, keep each flag once."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from fundmgr.lib.dates import today
from fundmgr.models import Community, Disbursement, Income, IncomeStatus, Settlement

from ..models import RedFlag
from . import rules as redflags


def facts(community: Community):
    local = timezone.localtime
    incomes = [
        redflags.IncomeFact(
            i.pk,
            i.receipt_display,
            i.payer,
            i.package.code,
            i.package.provider.code,
            i.amount.amount,
            local(i.paid_at),
            local(i.recorded_at),
            i.recorded_by.username if i.recorded_by else "import",
            i.status == IncomeStatus.REVERSED,
        )
        for i in Income.objects.filter(community=community)
        .exclude(status=IncomeStatus.REJECTED)
        .select_related("package__provider", "recorded_by")
    ]
    disbursements = []
    for d in (
        Disbursement.objects.filter(community=community)
        .exclude(status="rejected")
        .prefetch_related("attachments", "approvals")
    ):
        approvals = sorted(a.at for a in d.approvals.all() if a.approve)
        disbursements.append(
            redflags.DisbursementFact(
                d.pk,
                d.payee,
                d.payee_account,
                d.amount.amount,
                local(d.requested_at),
                local(approvals[-1]) if approvals else None,
                d.status == "posted",
                d.invoice_number,
                d.invoice_date,
                tuple(a.sha256 for a in d.attachments.all()),
            )
        )
    settlements = [
        redflags.SettlementFact(s.provider.code, s.paid_on)
        for s in Settlement.objects.filter(
            community=community, provider__isnull=False
        ).select_related("provider")
    ]
    return incomes, disbursements, settlements


def community_screen(community: Community) -> list[RedFlag]:
    """Run every rule; flags already raised for the same evidence are not raised again.
    Benford's test pools the subdistrict when one community has too few amounts."""
    incomes, disbursements, settlements = facts(community)
    amounts = [i.amount for i in incomes]
    scope = community.code
    if len(amounts) < redflags.RULE_DEFAULTS["benford_min"]:
        pooled = Income.objects.filter(community__subdistrict=community.subdistrict).exclude(
            status=IncomeStatus.REJECTED
        )
        amounts = [i.amount.amount for i in pooled]
        scope = community.subdistrict

    found = redflags.screen(
        incomes=incomes,
        disbursements=disbursements,
        settlements=settlements,
        today=today(),
        one_reviewer_up_to=community.one_reviewer_up_to.amount,
        benford_amounts=amounts,
        scope=scope,
        holidays=frozenset(settings.PUBLIC_HOLIDAYS),
        **settings.RED_FLAG_THRESHOLDS,
    )
    raised = []
    for flag in found:
        try:
            with transaction.atomic():
                raised.append(
                    RedFlag.objects.create(
                        community=community,
                        rule=flag.rule,
                        severity=flag.severity,
                        key=flag.key[:300],
                        explanation=flag.explanation,
                        evidence=flag.evidence,
                    )
                )
        except IntegrityError:
            continue  # already raised for this evidence
    return raised
