"""What the public pages, the API, the month document and check_books read of projects,
earmarks and plans. Public records carry no personal data: no proposer, no contact, and
representatives' and private payees' names masked."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils.translation import gettext as _

from ledger.selectors import net_by_account

from ..chart import EARMARK_PREFIX, FUND_ACCOUNT
from ..decisions.selectors import item_ref
from ..lib.money import yuan
from ..lib.privacy import mask_name
from ..models import Community, DisbursementStatus
from .models import Plan, Project, ProjectPayment, ProjectStatus, Proposal, ProposalStatus


def _fen(money) -> int:
    return int(money.amount * 100) if money is not None else 0


def _payments(project: Project, through: dt.date | None = None) -> list[ProjectPayment]:
    rows = (
        ProjectPayment.objects.filter(
            project=project, disbursement__status=DisbursementStatus.POSTED
        )
        .select_related("disbursement__entry")
        .order_by("disbursement__entry__seq")
    )
    if through is not None:
        rows = rows.filter(disbursement__entry__date__lte=through)
    return list(rows)


def _status_on(project: Project, through: dt.date | None) -> str:
    if through is None:
        return project.status
    change = project.changes.filter(on__lte=through).order_by("-id").first()
    return change.to_status if change else ProjectStatus.PROPOSED


def figures(project: Project, through: dt.date | None = None) -> dict[str, int]:
    """decided, paid, released and remaining in fen, from the records (as of `through`):
    remaining = decided - paid - released, which check_books compares with the ledger."""
    decided = (
        _fen(project.decided_amount)
        if project.earmark_entry_id and (through is None or project.earmark_entry.date <= through)
        else 0
    )
    paid = sum(_fen(p.disbursement.amount) for p in _payments(project, through))
    released = (
        _fen(project.released)
        if project.release_entry_id and (through is None or project.release_entry.date <= through)
        else 0
    )
    return {
        "decided": decided,
        "paid": paid,
        "released": released,
        "remaining": decided - paid - released,
    }


def posted_payments(project: Project) -> list[ProjectPayment]:
    """The project's payments as its public page lists them: posted, in ledger order."""
    return _payments(project)


def payment_doc(p: ProjectPayment) -> dict:
    """A posted payment as the public sees it: a private payee's name masked."""
    d = p.disbursement
    return {
        "date": d.entry.date.isoformat(),
        "entry": d.entry.seq,
        "amount": f"{d.amount.amount:.2f}",
        "payee": mask_name(d.payee) if d.payee_is_person else d.payee,
        "purpose": d.purpose,
        "final": p.final,
        "evidence": [a.sha256 for a in d.attachments.order_by("pk")],
    }


def project_doc(project: Project, through: dt.date | None = None) -> dict:
    f = figures(project, through)
    acceptance = getattr(project, "acceptance", None)
    if acceptance is not None and through is not None and acceptance.on > through:
        acceptance = None
    return {
        "number": project.number,
        "title": project.title,
        "category": project.category,
        "location": project.location,
        "provider": project.provider,
        "status": _status_on(project, through),
        "reason": project.status_reason if through is None else "",
        "proposal": project.proposal_id is not None,
        "decision": item_ref(project.decision) if project.decision_id else None,
        "decision_meeting": project.decision.meeting_id if project.decision_id else None,
        "earmark_account": project.earmark_code if project.earmark_entry_id else None,
        "decided": yuan(f["decided"]),
        "paid": yuan(f["paid"]),
        "released": yuan(f["released"]),
        "remaining": yuan(f["remaining"]),
        "payments": [payment_doc(p) for p in _payments(project, through)],
        "milestones": [
            {
                "title": m.title,
                "due_on": m.due_on.isoformat(),
                "done_on": m.done_on.isoformat()
                if m.done_on and (through is None or m.done_on <= through)
                else None,
                "evidence_sha256": m.evidence_sha256,
            }
            for m in project.milestones.all()
        ],
        "acceptance": {
            "on": acceptance.on.isoformat(),
            "representatives": [mask_name(n) for n in acceptance.representatives],
            "evidence_sha256": acceptance.evidence_sha256,
        }
        if acceptance is not None
        else None,
    }


def projects_of(community: Community):
    return (
        Project.objects.filter(community=community)
        .select_related("decision__meeting", "earmark_entry", "release_entry", "community")
        .order_by("number")
    )


def public_proposals(community: Community):
    return Proposal.objects.filter(
        community=community, status__in=[ProposalStatus.ACCEPTED, ProposalStatus.PROJECT]
    ).order_by("-submitted_on", "-id")


def proposal_doc(p: Proposal) -> dict:
    """A proposal as the public sees it: never who proposed it or how to reach them."""
    return {
        "title": p.title,
        "description": p.description,
        "category": p.category,
        "estimated_cost": f"{p.estimated_cost.amount:.2f}",
        "location": p.location,
        "submitted_on": p.submitted_on.isoformat(),
        "status": p.status,
        "project": getattr(getattr(p, "project", None), "number", None),
    }


def earmarks_part(community: Community, through: dt.date) -> dict:
    """The fund split into its free balance and each project's earmark, from the ledger
    at `through`, beside what the records say remains."""
    net = net_by_account(community.book, through=through)
    rows = []
    for project in projects_of(community).filter(earmark_entry__date__lte=through):
        f = figures(project, through)
        rows.append(
            {
                "project": project.number,
                "account": project.earmark_code,
                "decided": yuan(f["decided"]),
                "paid": yuan(f["paid"]),
                "released": yuan(f["released"]),
                "remaining": yuan(f["remaining"]),
                "ledger": yuan(-net.get(project.earmark_code, 0)),
            }
        )
    earmarked = -sum(v for code, v in net.items() if code.startswith(EARMARK_PREFIX))
    return {"free": yuan(-net.get(FUND_ACCOUNT, 0)), "earmarked": yuan(earmarked), "rows": rows}


def plan_vs_actual(community: Community, year: int, through: dt.date | None = None) -> dict | None:
    """The year's plan by category beside what was paid from earmarks of that category,
    month by month (payments dated up to `through`)."""
    plan = Plan.objects.filter(community=community, year=year).select_related("decision").first()
    if plan is None:
        return None
    paid: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    rows = ProjectPayment.objects.filter(
        project__community=community,
        disbursement__status=DisbursementStatus.POSTED,
        disbursement__entry__date__year=year,
    ).select_related("project", "disbursement__entry")
    for p in rows:
        if through is not None and p.disbursement.entry.date > through:
            continue
        paid[p.project.category][p.disbursement.entry.date.month] += _fen(p.disbursement.amount)
    lines = []
    for line in plan.lines.all():
        by_month = paid.get(line.category, {})
        lines.append(
            {
                "category": line.category,
                "planned": f"{line.amount.amount:.2f}",
                "paid_by_month": {f"{m:02d}": yuan(v) for m, v in sorted(by_month.items())},
                "paid": yuan(sum(by_month.values())),
            }
        )
    return {"year": year, "decision": item_ref(plan.decision), "lines": lines}


def document_part(community: Community, start: dt.date, end: dt.date) -> dict:
    """The month document's new keys: `plan`, `earmarks` and `projects` as of month end."""
    return {
        "plan": plan_vs_actual(community, end.year, end),
        "earmarks": earmarks_part(community, end),
        "projects": [
            project_doc(p, end)
            for p in projects_of(community)
            if p.changes.filter(on__lte=end).exists()
        ],
    }


def earmark_problems(community: Community) -> list[tuple[str, str]]:
    """(account, message) where an earmark's ledger balance is not what its records say
    remains (decided - paid - released): money moved in or out of it outside a payment."""
    net = net_by_account(community.book)
    found = []
    for project in projects_of(community):
        code = project.earmark_code
        ledger_fen = -net.get(code, 0)
        f = figures(project)
        if ledger_fen != f["remaining"]:
            found.append(
                (
                    code,
                    _(
                        "%(account)s holds %(ledger)s but the project's records leave "
                        "%(remaining)s (decided %(decided)s, paid %(paid)s, returned %(released)s)."
                    )
                    % {
                        "account": code,
                        "ledger": yuan(ledger_fen),
                        "remaining": yuan(f["remaining"]),
                        "decided": yuan(f["decided"]),
                        "paid": yuan(f["paid"]),
                        "released": yuan(f["released"]),
                    },
                )
            )
    return found
