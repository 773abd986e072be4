"""The facts the project rules read, gathered from one community's records."""

from __future__ import annotations

from django.db.models import Q

from fundmgr.decisions.models import Meeting, Outcome
from fundmgr.models import Community, Disbursement, DisbursementStatus
from fundmgr.projects.models import Project, ProjectPayment
from ledger.services import to_fen

from .projects import MeetingFact, PaymentFact, ProjectFact


def _payment(d: Disbursement, cite: ProjectPayment | None) -> PaymentFact:
    return PaymentFact(
        d.pk,
        d.entry.date if d.entry_id else d.paid_on,
        to_fen(d.amount),
        d.payee,
        cite.project.number if cite and cite.project_id else None,
        cite.emergency_reason if cite else "",
    )


def project_facts(community: Community) -> dict:
    cites = {
        c.disbursement_id: c
        for c in ProjectPayment.objects.filter(disbursement__community=community).select_related(
            "project"
        )
    }
    posted = Disbursement.objects.filter(
        community=community, status=DisbursementStatus.POSTED
    ).select_related("entry")
    by_project: dict[int, list[PaymentFact]] = {}
    unearmarked = []
    for d in posted:
        cite = cites.get(d.pk)
        fact = _payment(d, cite)
        if cite is not None and cite.project_id:
            by_project.setdefault(cite.project_id, []).append(fact)
        else:
            unearmarked.append(fact)
    projects = []
    for p in Project.objects.filter(community=community).select_related("acceptance"):
        acceptance = getattr(p, "acceptance", None)
        projects.append(
            ProjectFact(
                p.pk,
                p.number,
                p.title,
                p.status,
                to_fen(p.decided_amount) if p.decided_amount is not None else 0,
                p.provider,
                acceptance.on if acceptance else None,
                tuple(sorted(by_project.get(p.pk, []), key=lambda x: (x.paid_on, x.id))),
            )
        )
    # Payments made before the community first earmarked are not expected to cite one.
    first = (
        Project.objects.filter(community=community, earmark_entry__isnull=False)
        .order_by("earmark_entry__date")
        .values_list("earmark_entry__date", flat=True)
        .first()
    )
    unearmarked = [x for x in unearmarked if first is not None and x.paid_on >= first]
    meetings = []
    for m in Meeting.objects.filter(community=community):
        decided = (
            m.items.filter(
                Q(outcome__in=[Outcome.PASSED, Outcome.REJECTED]) | Q(projects__isnull=False)
            )
            .distinct()
            .count()
        )
        meetings.append(
            MeetingFact(m.pk, m.reference, m.held_on, m.members_present, m.quorum, decided)
        )
    return {
        "projects": projects,
        "unearmarked": unearmarked,
        "meetings": meetings,
        "uses_earmarks": first is not None,
    }
