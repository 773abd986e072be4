"""Gather facts from the database, run the red-flag rules, keep each finding as one
incident: new evidence is appended to it, never raised as a second flag.

Screening the same data twice writes nothing the second time: an incident's evidence
items are unique by their stable reference, and the incident row is saved only when
something about it changed. New evidence after an auditor closed an incident reopens
it, visibly (status "reopened", a FlagEvent and the count of reopenings)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fundmgr.lib import dates, workcalendar
from fundmgr.models import (
    Community,
    Disbursement,
    Income,
    IncomeStatus,
    Membership,
    Settlement,
    Tier,
)

from ..models import (
    DeclaredInterest,
    EvidenceFingerprint,
    FlagEvent,
    FlagEventKind,
    FlagEvidence,
    FlagStatus,
    RedFlag,
)
from . import rules as redflags
from .fingerprint import fingerprint

SCREENER = "screening"


def _income_facts(queryset) -> list[redflags.IncomeFact]:
    local = timezone.localtime
    out = []
    for i in queryset.select_related(
        "package__provider", "recorded_by", "reversed_by", "community"
    ):
        package = i.package
        price = package.price(i.tier)
        out.append(
            redflags.IncomeFact(
                i.pk,
                i.receipt_display,
                i.payer,
                package.code,
                package.provider.code,
                i.amount.amount,
                local(i.paid_at),
                local(i.recorded_at),
                i.recorded_by.username if i.recorded_by else "import",
                i.status == IncomeStatus.REVERSED,
                tier=i.tier,
                quantity=i.quantity,
                list_price=price.amount if price is not None else None,
                both_tiers=package.price_paid is not None and package.price_low_cost is not None,
                reversed_at=local(i.reversed_at) if i.reversed_at else None,
                reversed_by=i.reversed_by.username if i.reversed_by else "",
                community=i.community.code,
            )
        )
    return out


def fingerprints(attachments) -> dict[int, EvidenceFingerprint]:
    """Each attachment's fingerprint, made (and kept) the first time it is screened."""
    attachments = list(attachments)
    known = {
        f.attachment_id: f for f in EvidenceFingerprint.objects.filter(attachment__in=attachments)
    }
    for a in attachments:
        if a.pk in known:
            continue
        try:
            with a.file.open("rb") as fh:
                data = fh.read()
        except OSError:
            data = b""
        text, image = fingerprint(data, a.content_type)
        known[a.pk], _created = EvidenceFingerprint.objects.get_or_create(
            attachment=a, defaults={"text_digest": text, "image_hash": image}
        )
    return known


def facts(community: Community):
    incomes = _income_facts(
        Income.objects.filter(community=community).exclude(
            status__in=[IncomeStatus.REJECTED, IncomeStatus.PENDING]
        )
    )
    local = timezone.localtime
    ds = list(
        Disbursement.objects.filter(community=community)
        .exclude(status="rejected")
        .select_related("requested_by")
        .prefetch_related("attachments", "approvals__reviewer")
    )
    prints = fingerprints(a for d in ds for a in d.attachments.all())
    disbursements = []
    for d in ds:
        approvals = sorted((a for a in d.approvals.all() if a.approve), key=lambda a: a.at)
        docs = tuple(
            redflags.DocumentFact(
                a.pk, a.kind, a.sha256, prints[a.pk].text_digest, prints[a.pk].image_hash
            )
            for a in d.attachments.all()
        )
        disbursements.append(
            redflags.DisbursementFact(
                d.pk,
                d.payee,
                d.payee_account,
                d.amount.amount,
                local(d.requested_at),
                local(approvals[-1].at) if approvals else None,
                d.status == "posted",
                d.invoice_number,
                d.invoice_date,
                tuple(a.sha256 for a in d.attachments.all()),
                requested_by=d.requested_by.username,
                approvers=tuple(a.reviewer.username for a in approvals),
                documents=docs,
            )
        )
    settlements = [
        redflags.SettlementFact(s.provider.code, s.paid_on, s.pk)
        for s in Settlement.objects.filter(
            community=community, provider__isnull=False
        ).select_related("provider")
    ]
    return incomes, disbursements, settlements


def people(community: Community) -> list[redflags.PersonFact]:
    """Everyone with a role in the community, with what they declared for it."""
    declared = {}
    for interest in DeclaredInterest.objects.filter(
        declaration__community=community
    ).select_related("declaration"):
        declared.setdefault(interest.declaration.user_id, []).append(
            (interest.relation, interest.name, interest.bank_account)
        )
    found = {}
    for m in Membership.objects.filter(community=community).select_related("user"):
        u = m.user
        found[u.pk] = redflags.PersonFact(
            u.get_username(),
            u.get_full_name(),
            u.first_name,
            u.last_name,
            tuple(declared.get(u.pk, ())),
        )
    return list(found.values())


def peer_incomes(community: Community) -> list[redflags.IncomeFact]:
    """The subdistrict's other communities' sales at both tiers, as peers for the
    low-cost comparison."""
    return [
        i
        for i in _income_facts(
            Income.objects.filter(
                community__subdistrict=community.subdistrict, tier__in=[Tier.PAID, Tier.LOW_COST]
            )
            .exclude(community=community)
            .exclude(status__in=[IncomeStatus.REJECTED, IncomeStatus.PENDING])
        )
        if i.both_tiers
    ]


def found_flags(community: Community) -> list[redflags.Flag]:
    from . import projects, spaces
    from .project_facts import project_facts
    from .reconcile import found_flags as reconcile_flags
    from .space_facts import space_facts

    incomes, disbursements, settlements = facts(community)
    space_flags = spaces.screen(
        space_facts(community), today=dates.today(), **settings.RED_FLAG_THRESHOLDS
    )
    from . import inflows
    from .inflow_facts import inflow_facts

    space_flags += inflows.screen(**inflow_facts(community))
    # How the fund is decided and spent (#19): reports/redflags/projects.py.
    space_flags += projects.screen(
        **project_facts(community), people=people(community), **settings.RED_FLAG_THRESHOLDS
    )
    return (
        space_flags
        + reconcile_flags(community, dates.today())
        + redflags.screen(
            incomes=incomes,
            disbursements=disbursements,
            settlements=settlements,
            today=dates.today(),
            one_reviewer_up_to=community.one_reviewer_up_to.amount,
            committee_from=community.committee_from.amount,
            calendar=workcalendar.from_settings(),
            people=people(community),
            peer_incomes=peer_incomes(community),
            **settings.RED_FLAG_THRESHOLDS,
        )
    )


def _text(flag: redflags.Flag) -> str:
    """The explanation in the deployment's default language, for `explanation`."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(flag.message) % flag.params if flag.params else _(flag.message)


def _json_params(params: dict) -> dict:
    return {k: (v if isinstance(v, int | float | str) else str(v)) for k, v in params.items()}


@transaction.atomic
def incident_record(community: Community, flag: redflags.Flag) -> tuple[RedFlag, bool, int]:
    """Keep one finding: (incident, created, evidence items added)."""
    now = timezone.now()
    incident, created = RedFlag.objects.select_for_update().get_or_create(
        community=community,
        rule=flag.rule,
        key=flag.key[:300],
        defaults={
            "severity": flag.severity,
            "explanation": _text(flag),
            "message": flag.message,
            "params": _json_params(flag.params),
            "strength": flag.strength,
            "subject": flag.subject[:200],
            "basis": flag.basis,
            "evidence": flag.evidence[:50],
            "updated_at": now,
        },
    )
    known = set(incident.evidence_items.values_list("ref", flat=True))
    new = [e for e in flag.evidence if e["ref"] not in known]
    FlagEvidence.objects.bulk_create(
        [
            FlagEvidence(
                flag=incident,
                ref=e["ref"][:120],
                kind=e["kind"][:20],
                object_id=e.get("id") if isinstance(e.get("id"), int) else None,
                label=str(e.get("label", ""))[:200],
                detail=str(e.get("detail", ""))[:300],
            )
            for e in {e["ref"]: e for e in new}.values()
        ]
    )
    if created:
        FlagEvent.objects.create(
            flag=incident, kind=FlagEventKind.RAISED, at=now, by=SCREENER, evidence_added=len(new)
        )
        return incident, True, len(new)
    changed = {}
    current = {
        "severity": flag.severity,
        "strength": flag.strength,
        "message": flag.message,
        "params": _json_params(flag.params),
        "basis": flag.basis,
    }
    for name, value in current.items():
        if getattr(incident, name) != value:
            changed[name] = value
    if new:
        changed.update(evidence=flag.evidence[:50], updated_at=now, explanation=_text(flag))
        if incident.closed_at is not None:
            changed.update(
                status=FlagStatus.REOPENED,
                closed_at=None,
                reopened_at=now,
                times_reopened=incident.times_reopened + 1,
            )
            FlagEvent.objects.create(
                flag=incident,
                kind=FlagEventKind.REOPENED,
                at=now,
                by=SCREENER,
                evidence_added=len(new),
                note=f"closed by {incident.closed_by}: {incident.note}",
            )
        else:
            FlagEvent.objects.create(
                flag=incident,
                kind=FlagEventKind.EVIDENCE,
                at=now,
                by=SCREENER,
                evidence_added=len(new),
            )
    if changed:
        for name, value in changed.items():
            setattr(incident, name, value)
        incident.save(update_fields=list(changed))
    return incident, False, len(new)


def community_screen(community: Community) -> list[RedFlag]:
    """Run every rule; return the incidents that were raised or received new evidence
    (an empty list when nothing new was found)."""
    from ..supervision.services import missing_flags  # the committee's co-signing

    touched = []
    for flag in [*found_flags(community), *missing_flags(community)]:
        incident, created, added = incident_record(community, flag)
        if created or added:
            touched.append(incident)
    return touched
