"""Every change to proposals, projects, earmarks, acceptance and plans: one transaction
each, refused whole with the field named.

The money: deciding a project posts Dr 3101 community fund (free) / Cr 3101.E.<n> its
earmark, so the fund's free balance falls; a payment citing the project is paid from the
earmark account (fundmgr.services.payouts asks `payment_source`), so it can never take
more than remains; closing or cancelling posts the remainder back, with the reason."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from djmoney.money import Money

from ledger import services as ledger
from ledger.models import Account, AccountType, Book
from ledger.selectors import balance_fen

from ..access import require_role
from ..chart import FUND_ACCOUNT
from ..decisions.models import DecisionItem
from ..decisions.services import item_cite
from ..lib.dates import today
from ..lib.money import from_fen, yuan
from ..lib.privacy import mask_name
from ..models import Community, Disbursement, Role
from ..services.drafts import money_problem
from ..services.posting import accounting_date, shortfall_problem
from .models import (
    ENDED,
    PAYABLE,
    Acceptance,
    Category,
    Milestone,
    Plan,
    PlanLine,
    Project,
    ProjectPayment,
    ProjectStatus,
    Proposal,
    ProposalStatus,
    StatusChange,
)
from .signals import announce

BEYOND_EARMARK = gettext_noop(
    "This payment of %(amount)s is more than the %(remaining)s that remains of the earmark of project %(project)s."  # noqa: E501
)
PROJECT_ENDED = gettext_noop("Project %(project)s is %(status)s: no payment may cite it.")
PROVIDER_ACCEPTS = gettext_noop(
    "%(name)s carries out this project and is paid for it: they cannot accept their own work."
)
NEEDS_SOURCE = gettext_noop(
    "Name the project whose earmark pays this, or - for an emergency - say why there is none."
)
FINAL_BEFORE_ACCEPTANCE = gettext_noop(
    "The final payment of a project is made only after the residents' representatives accept the work (验收)."  # noqa: E501
)

S = ProjectStatus
# Allowed moves (status -> statuses reachable from it by the ordinary services).
MOVES = {
    S.PROPOSED: {S.REVIEWED, S.REJECTED},
    S.REVIEWED: {S.DECIDED, S.REJECTED},
    S.DECIDED: {S.IN_PROGRESS, S.CANCELLED},
    S.IN_PROGRESS: {S.ACCEPTED, S.CANCELLED},
    S.ACCEPTED: {S.CLOSED},
}


def _errors(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _text(value, field, limit, errors, message):
    value = (value or "").strip()
    if not value or len(value) > limit:
        errors[field] = [message]
    return value


def _sha(value: str, field: str, errors: dict, required: bool = True) -> str:
    sha = (value or "").strip().lower()
    if (sha or required) and (len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha)):
        errors[field] = [_("Give the evidence's SHA-256 (64 hex digits).")]
    return sha


def _move(project: Project, to: str, user, reason: str = "", on: dt.date | None = None) -> None:
    if to not in MOVES.get(project.status, set()):
        raise ValidationError(
            {
                "status": _("A project that is %(now)s cannot become %(to)s.")
                % {"now": project.get_status_display(), "to": ProjectStatus(to).label}
            }
        )
    change = StatusChange.objects.create(
        project=project,
        from_status=project.status,
        to_status=to,
        on=on or today(),
        reason=reason[:300],
        by=user,
    )
    announce(project, "status", change.pk)  # its followers hear of it, after the commit
    project.status = to
    if reason:
        project.status_reason = reason[:300]


def _locked(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("community").get(pk=project.pk)


# --- Proposals ------------------------------------------------------------------------
def _proposal_fields(community, title, description, category, estimated_cost, location):
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", 200, errors, _("Give a title (at most 200 characters)."))
    description = _text(
        description,
        "description",
        4000,
        errors,
        _("Describe what should be done (at most 4000 characters)."),
    )
    if category not in Category.values:
        errors["category"] = [_("Choose a category.")]
    if problem := money_problem(community, estimated_cost):
        errors["estimated_cost"] = [problem[1]]
    location = (location or "").strip()
    if len(location) > 200:
        errors["location"] = [_("The location is at most 200 characters.")]
    return errors, title, description, location


@transaction.atomic
def proposal_submit(
    *,
    community: Community,
    title: str,
    description: str,
    category: str,
    estimated_cost: Money,
    location: str = "",
    contact: str = "",
    proposer_name: str = "",
    user=None,
) -> Proposal:
    """A resident's proposal from the public site (no user), or - with an officer as
    `user` - one copied from a paper form. It waits for moderation either way."""
    if user is not None:
        require_role(user, community, Role.OFFICER)
    errors, title, description, location = _proposal_fields(
        community, title, description, category, estimated_cost, location
    )
    contact, proposer_name = (contact or "").strip(), (proposer_name or "").strip()
    if len(contact) > 100:
        errors["contact"] = [_("The contact is at most 100 characters.")]
    if len(proposer_name) > 100:
        errors["proposer_name"] = [_("The name is at most 100 characters.")]
    _errors(errors)
    return Proposal.objects.create(
        community=community,
        title=title,
        description=description,
        category=category,
        estimated_cost=estimated_cost,
        location=location,
        contact=contact,
        proposer_name=proposer_name,
        on_paper=user is not None,
        submitted_on=today(),
    )


@transaction.atomic
def proposal_moderate(*, proposal: Proposal, accept: bool, user, note: str = "") -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require_role(user, proposal.community, Role.OFFICER, Role.REVIEWER)
    if proposal.status != ProposalStatus.SUBMITTED:
        raise ValidationError({"status": _("This proposal has already been moderated.")})
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationError({"note": _("Say why the proposal is not accepted.")})
    proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DECLINED
    proposal.moderation_note = note[:300]
    proposal.moderated_by = user
    proposal.save()
    return proposal


# --- Projects -------------------------------------------------------------------------
@transaction.atomic
def project_create(
    *,
    community: Community,
    user,
    title: str = "",
    description: str = "",
    category: str = "",
    location: str = "",
    provider: str = "",
    proposal: Proposal | None = None,
) -> Project:
    """A project put forward for a decision: from an accepted proposal (its title,
    description, category and location by default) or on its own."""
    require_role(user, community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    if proposal is not None:
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.community_id != community.pk:
            errors["proposal"] = [_("That proposal belongs to another community.")]
        elif proposal.status != ProposalStatus.ACCEPTED:
            errors["proposal"] = [
                _("Only a proposal accepted for consideration can become a project.")
            ]
        title = title or proposal.title
        description = description or proposal.description
        category = category or proposal.category
        location = location or proposal.location
    title = _text(title, "title", 200, errors, _("Give a title (at most 200 characters)."))
    if category not in Category.values:
        errors["category"] = [_("Choose a category.")]
    provider = (provider or "").strip()
    if len(provider) > 100:
        errors["provider"] = [_("At most 100 characters.")]
    _errors(errors)
    number = (Project.objects.filter(community=community).aggregate(n=Max("number"))["n"] or 0) + 1
    project = Project.objects.create(
        community=community,
        number=number,
        title=title,
        description=(description or "").strip()[:4000],
        category=category,
        location=(location or "").strip()[:200],
        provider=provider,
        proposal=proposal,
        created_by=user,
    )
    StatusChange.objects.create(project=project, to_status=S.PROPOSED, on=today(), by=user)
    return project


@transaction.atomic
def project_review(*, project: Project, user, note: str = "") -> Project:
    project = _locked(project)
    require_role(user, project.community, Role.OFFICER, Role.REVIEWER)
    _move(project, S.REVIEWED, user, (note or "").strip())
    project.save()
    return project


@transaction.atomic
def project_reject(*, project: Project, user, reason: str) -> Project:
    project = _locked(project)
    require_role(user, project.community, Role.OFFICER, Role.REVIEWER)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the project is rejected.")})
    _move(project, S.REJECTED, user, reason)
    project.save()
    return project


def earmark_account(book: Book, project: Project) -> Account:
    found, _created = Account.objects.get_or_create(
        book=book,
        code=project.earmark_code,
        defaults={
            "name": f"社区基金—项目专项 {project.number} {project.title}"[:200],
            "type": AccountType.EQUITY,
        },
    )
    return found


@transaction.atomic
def project_decide(
    *, project: Project, item: DecisionItem | None, amount: Money, user, provider: str = ""
) -> Project:
    """The decision item passed: reserve `amount` from the fund's free balance as the
    project's earmark, under the book lock (two decisions cannot both take the last
    yuan)."""
    project = _locked(project)
    community = project.community
    require_role(user, community, Role.OFFICER)
    if project.status != S.REVIEWED:
        _move(project, S.DECIDED, user)  # raises, naming the status
    item = item_cite(item, community=community, on=today(), field="decision")
    if problem := money_problem(community, amount):
        raise ValidationError({"amount": problem[1]})
    if item.amount is not None and amount > item.amount:
        raise ValidationError(
            {
                "amount": _("The decision approved %(approved)s; the earmark cannot be more.")
                % {"approved": yuan(ledger.to_fen(item.amount))}
            }
        )
    book = Book.objects.select_for_update().get(pk=community.book_id)
    booked_on = accounting_date(community, today(), book)
    fen = ledger.to_fen(amount)
    if problem := shortfall_problem(book, [(FUND_ACCOUNT, fen)], booked_on):
        raise ValidationError({"amount": problem})
    free = Account.objects.get(book=book, code=FUND_ACCOUNT)
    reserve = earmark_account(book, project)
    project.earmark_entry = ledger.post(
        book=book,
        date=booked_on,
        actor=user.get_username(),
        memo=f"项目专项预留 {project.number} {project.title} 依据{item}"[:500],
        legs=[
            ledger.debit(free, amount, "社区基金可用余额"),
            ledger.credit(reserve, amount, f"项目 {project.number}"),
        ],
        idempotency_key=f"earmark/{community.code}/{project.number}",
    )
    project.decision, project.decided_amount, project.decided_on = (
        item,
        amount,
        item.meeting.held_on,
    )
    if provider.strip():
        project.provider = provider.strip()[:100]
    _move(project, S.DECIDED, user)
    project.save()
    if project.proposal_id:
        Proposal.objects.filter(pk=project.proposal_id).update(status=ProposalStatus.PROJECT)
    return project


@transaction.atomic
def project_start(*, project: Project, user) -> Project:
    project = _locked(project)
    require_role(user, project.community, Role.OFFICER)
    _move(project, S.IN_PROGRESS, user)
    project.save()
    return project


@transaction.atomic
def milestone_record(
    *,
    project: Project,
    title: str,
    due_on: dt.date,
    user,
    done_on: dt.date | None = None,
    evidence_sha256: str = "",
) -> Milestone:
    project = _locked(project)
    require_role(user, project.community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    if project.status in ENDED:
        errors["project"] = [_("This project has ended.")]
    title = _text(title, "title", 200, errors, _("Say what the milestone is."))
    if due_on is None:
        errors["due_on"] = [_("Enter the planned date.")]
    if done_on is not None and done_on > today():
        errors["done_on"] = [_("A milestone cannot be reached later than today.")]
    sha = _sha(evidence_sha256, "evidence_sha256", errors, required=done_on is not None)
    _errors(errors)
    milestone = Milestone.objects.create(
        project=project, title=title, due_on=due_on, done_on=done_on, evidence_sha256=sha
    )
    if done_on is not None:  # a reached milestone is news; a planned one is on the page
        announce(project, "milestone", milestone.pk)
    return milestone


def _same_person(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return "".join(s.split()).casefold()

    return bool(norm(a)) and norm(a) == norm(b)


@transaction.atomic
def project_accept(
    *,
    project: Project,
    representatives: list[str],
    evidence_sha256: str,
    user,
    on: dt.date | None = None,
    note: str = "",
) -> Acceptance:
    """验收 by resident representatives (at least two), never by whoever carries the
    project out and is paid for it."""
    project = _locked(project)
    require_role(user, project.community, Role.OFFICER, Role.REVIEWER)
    on = on or today()
    errors: dict[str, list[str]] = {}
    names = [n.strip() for n in representatives if n and n.strip()]
    if len(names) < 2 or len(set(names)) != len(names):
        errors["representatives"] = [_("Name at least two different resident representatives.")]
    for name in names:
        if _same_person(name, project.provider):
            errors["representatives"] = [_(PROVIDER_ACCEPTS) % {"name": name}]
    if on > today():
        errors["on"] = [_("The acceptance cannot be later than today.")]
    sha = _sha(evidence_sha256, "evidence_sha256", errors)
    _errors(errors)
    _move(project, S.ACCEPTED, user, on=on)
    project.save()
    return Acceptance.objects.create(
        project=project,
        on=on,
        representatives=names,
        evidence_sha256=sha,
        note=(note or "").strip()[:300],
        recorded_by=user,
    )


def _release(project: Project, user, reason: str) -> None:
    """Post what remains of the earmark back to the fund's free balance."""
    community = project.community
    book = Book.objects.select_for_update().get(pk=community.book_id)
    remaining = balance_fen(book, project.earmark_code)
    project.released = Money(from_fen(max(remaining, 0)), community.currency)
    if remaining <= 0:
        return
    accounts = ledger.accounts_of(book.pk, [FUND_ACCOUNT, project.earmark_code])
    amount = project.released
    project.release_entry = ledger.post(
        book=book,
        date=accounting_date(community, today(), book),
        actor=user.get_username(),
        memo=f"项目专项余额退回 {project.number} {project.title}：{reason}"[:500],
        legs=[
            ledger.debit(accounts[project.earmark_code], amount, f"项目 {project.number}"),
            ledger.credit(accounts[FUND_ACCOUNT], amount, "退回社区基金可用余额"),
        ],
        idempotency_key=f"earmark-release/{community.code}/{project.number}",
    )


def _no_waiting_payments(project: Project) -> None:
    from ..models import DisbursementStatus

    if ProjectPayment.objects.filter(
        project=project, disbursement__status=DisbursementStatus.PENDING
    ).exists():
        raise ValidationError(
            {"status": _("A payment of this project still waits for approval: decide it first.")}
        )


@transaction.atomic
def project_close(*, project: Project, user, reason: str = "") -> Project:
    project = _locked(project)
    require_role(user, project.community, Role.OFFICER)
    reason = (reason or "").strip() or "项目完成"
    _no_waiting_payments(project)
    _move(project, S.CLOSED, user, reason)
    _release(project, user, reason)
    project.save()
    return project


@transaction.atomic
def project_cancel(*, project: Project, user, reason: str) -> Project:
    project = _locked(project)
    require_role(user, project.community, Role.OFFICER)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the project is cancelled.")})
    _no_waiting_payments(project)
    _move(project, S.CANCELLED, user, reason)
    if project.earmark_entry_id:
        _release(project, user, reason)
    project.save()
    return project


# --- Payments citing a project ---------------------------------------------------------
def payment_cite(
    *,
    disbursement: Disbursement,
    project: Project | None,
    final: bool = False,
    emergency_reason: str = "",
) -> ProjectPayment | None:
    """Called by disbursement_request inside its transaction. A payment citing a project
    must fit in what remains of its earmark (less payments already waiting); without
    one, once the community spends through earmarks, it needs an emergency reason."""
    community = disbursement.community
    reason = (emergency_reason or "").strip()
    if project is None:
        if not reason:
            if Project.objects.filter(community=community, earmark_entry__isnull=False).exists():
                raise ValidationError({"project": _(NEEDS_SOURCE)})
            return None
        if len(reason) > 300:
            raise ValidationError({"emergency_reason": _("At most 300 characters.")})
        return ProjectPayment.objects.create(disbursement=disbursement, emergency_reason=reason)
    project = _locked(project)
    if project.community_id != community.pk:
        raise ValidationError({"project": _("That project belongs to another community.")})
    label = f"{community.code}-{project.number}"
    if project.status not in PAYABLE:
        raise ValidationError(
            {
                "project": _(PROJECT_ENDED)
                % {"project": label, "status": project.get_status_display()}
            }
        )
    if final and project.status != S.ACCEPTED:
        raise ValidationError({"final": _(FINAL_BEFORE_ACCEPTANCE)})
    remaining = earmark_remaining_fen(project) - _waiting_fen(project)
    fen = ledger.to_fen(disbursement.amount)
    if fen > remaining:
        raise ValidationError(
            {
                "amount": _(BEYOND_EARMARK)
                % {"amount": yuan(fen), "remaining": yuan(remaining), "project": label}
            }
        )
    return ProjectPayment.objects.create(
        disbursement=disbursement, project=project, final=final, emergency_reason=reason[:300]
    )


def _waiting_fen(project: Project) -> int:
    from ..models import DisbursementStatus

    return sum(
        ledger.to_fen(p.disbursement.amount)
        for p in ProjectPayment.objects.filter(
            project=project, disbursement__status=DisbursementStatus.PENDING
        ).select_related("disbursement")
    )


def earmark_remaining_fen(project: Project) -> int:
    if not project.earmark_entry_id:
        return 0
    return balance_fen(project.community.book, project.earmark_code)


def payment_source(disbursement: Disbursement) -> str:
    """The account a disbursement is paid from (asked by payouts under the book lock):
    its project's earmark, or the fund's free balance. Refuses a project that ended
    while the request waited."""
    cite = (
        ProjectPayment.objects.filter(disbursement=disbursement).select_related("project").first()
    )
    if cite is None or cite.project is None:
        return FUND_ACCOUNT
    project = cite.project
    if project.status not in PAYABLE:
        raise ValidationError(
            _(PROJECT_ENDED)
            % {
                "project": f"{project.community.code}-{project.number}",
                "status": project.get_status_display(),
            }
        )
    if cite.final and project.status != S.ACCEPTED:
        raise ValidationError(_(FINAL_BEFORE_ACCEPTANCE))
    return project.earmark_code


# --- Annual plan ----------------------------------------------------------------------
@transaction.atomic
def plan_record(
    *, community: Community, year: int, item: DecisionItem | None, lines: dict[str, Money], user
) -> Plan:
    require_role(user, community, Role.OFFICER)
    item = item_cite(item, community=community, field="decision")
    errors: dict[str, list[str]] = {}
    if Plan.objects.filter(community=community, year=year).exists():
        errors["year"] = [_("The plan of %(year)d is already recorded.") % {"year": year}]
    if not lines:
        errors["lines"] = [_("A plan needs at least one category.")]
    for category, amount in lines.items():
        if category not in Category.values:
            errors.setdefault("lines", []).append(_("Unknown category %(c)s.") % {"c": category})
        elif problem := money_problem(community, amount):
            errors.setdefault("lines", []).append(f"{Category(category).label}: {problem[1]}")
    _errors(errors)
    plan = Plan.objects.create(community=community, year=year, decision=item, recorded_by=user)
    for category, amount in sorted(lines.items()):
        PlanLine.objects.create(plan=plan, category=category, amount=amount)
    return plan


def masked_names(names: list[str]) -> list[str]:
    return [mask_name(n) for n in names]
