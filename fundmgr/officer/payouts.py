"""Payout pages of the officer area: money leaving the books, settlements and fund
disbursements."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from djmoney.money import Money

from ..access import communities_for, community_role, roles_in
from ..chart import FUND_ACCOUNT, HUB_ACCOUNT, PROVIDER_ACCOUNT_PREFIX, party_name, provider_code_of
from ..decisions.models import DecisionItem
from ..models import Attachment, Community, Disbursement, Provider, Role
from ..projects.models import Project
from ..services import payouts
from .forms import (
    CommitteeForm,
    DisbursementForm,
    SettlementForm,
    add_service_error,
    adjustment_note,
)


@community_role(Role.OFFICER, Role.REVIEWER, Role.AUDITOR)
def payout_list(request, community: Community):
    return render(
        request,
        "officer/payouts.html",
        {
            "community": community,
            "roles": roles_in(request.user, community),
            "settlements": community.settlements.select_related("provider", "entry")[:200],
            "disbursements": community.disbursements.select_related("entry")[:200],
            "fund": community.book.accounts.get(code=FUND_ACCOUNT).balance,
        },
    )


def _parties(community: Community):
    accounts = community.book.accounts.filter(code__startswith=PROVIDER_ACCOUNT_PREFIX)
    label = _("%(name)s (owed %(balance)s)")
    hub = community.book.accounts.get(code=HUB_ACCOUNT)
    parties = [("hub", label % {"name": community.hub.name, "balance": hub.balance})]
    parties += [
        (provider_code_of(a.code), label % {"name": party_name(a), "balance": a.balance})
        for a in accounts.select_related("book").order_by("code")
    ]
    return parties


def _decision(community: Community, pk: int | None):
    """The chosen decision item of this community (the form offers no other)."""
    if pk is None:
        return None
    return DecisionItem.objects.filter(meeting__community=community, pk=pk).first()


@community_role(Role.OFFICER)
def settlement_new(request, community: Community):
    form = SettlementForm(request.POST or None, parties=_parties(community), community=community)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        provider = (
            None if data["party"] == "hub" else Provider.objects.filter(code=data["party"]).first()
        )
        try:
            payouts.settlement_record(
                community=community,
                provider=provider,
                amount=Money(data["amount"], community.currency),
                method=data["method"],
                bank_reference=data["bank_reference"],
                paid_on=data["paid_on"],
                note=data["note"],
                user=request.user,
                decision=_decision(community, data["decision"]),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Settlement recorded and posted."))
            if form.adjustment:
                messages.info(request, adjustment_note(*form.adjustment))
            return redirect("officer:payouts", code=community.code)
    return render(
        request,
        "officer/payout_form.html",
        {"community": community, "form": form, "title": _("Record a settlement")},
    )


@community_role(Role.OFFICER)
def disbursement_new(request, community: Community):
    # ?project=<pk>: the request is started from the project's page, citing it.
    form = DisbursementForm(
        request.POST or None,
        request.FILES or None,
        community=community,
        initial={"project": request.GET.get("project")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        files = [(kind, data[kind]) for kind in ("invoice", "receipt", "minutes") if data[kind]]
        try:
            d = payouts.disbursement_request(
                community=community,
                payee=data["payee"],
                payee_is_person=data["payee_is_person"],
                payee_account=data["payee_account"],
                purpose=data["purpose"],
                category=data["category"],
                amount=Money(data["amount"], community.currency),
                method=data["method"],
                invoice_number=data["invoice_number"],
                invoice_date=data["invoice_date"],
                user=request.user,
                attachments=files,
                project=Project.objects.filter(community=community, pk=data["project"]).first()
                if data["project"]
                else None,
                final=data["final"],
                emergency_reason=data["emergency_reason"],
                decision=_decision(community, data["decision"]),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Request recorded: it waits for approval."))
            return redirect("officer:disbursement", pk=d.pk)
    return render(
        request,
        "officer/payout_form.html",
        {
            "community": community,
            "form": form,
            "title": _("Request a disbursement"),
            "multipart": True,
        },
    )


def _disbursement_for(request, pk: int) -> Disbursement:
    return get_object_or_404(
        Disbursement.objects.select_related("community", "requested_by", "entry"),
        pk=pk,
        community__in=communities_for(request.user),
    )


@login_required
def disbursement_detail(request, pk: int):
    d = _disbursement_for(request, pk)
    roles = roles_in(request.user, d.community)
    return render(
        request,
        "officer/disbursement.html",
        {
            "d": d,
            "roles": roles,
            "committee_form": CommitteeForm(
                community=d.community, initial={"decision": d.decision_id}
            ),
            "can_decide": (
                Role.REVIEWER in roles
                and d.status == "pending"
                and d.requested_by_id != request.user.pk
                and not d.approvals.filter(reviewer=request.user).exists()
            ),
            "approvals": d.approvals.select_related("reviewer").order_by("at"),
            "attachments": [
                (a, payouts.attachment_intact(a)) for a in d.attachments.order_by("pk")
            ],
        },
    )


@require_POST
@login_required
def disbursement_decide(request, pk: int):
    d = _disbursement_for(request, pk)
    action = request.POST.get("action")
    try:
        if action == "approve":
            if not d.attachments.exists() and not request.POST.get("note", "").strip():
                # A 白条 is not refused outright (a red flag follows it), but it is never
                # approved in one thoughtless click: the reviewer writes why.
                raise ValidationError(
                    _(
                        "This request has no supporting document (白条). To approve it anyway, "
                        "write in the note why; the note is kept with your approval."
                    )
                )
            payouts.disbursement_approve(
                disbursement=d,
                reviewer=request.user,
                note=request.POST.get("note", ""),
                payment_reference=request.POST.get("reference", ""),
            )
        elif action == "reject":
            payouts.disbursement_reject(
                disbursement=d, reviewer=request.user, reason=request.POST.get("note", "")
            )
        elif action == "committee":
            form = CommitteeForm(request.POST, community=d.community)
            if not form.is_valid():
                raise ValidationError(_("Choose the decision item from the list."))
            payouts.disbursement_committee(
                disbursement=d,
                reviewer=request.user,
                decision=_decision(d.community, form.cleaned_data["decision"]),
                payment_reference=request.POST.get("reference", ""),
            )
        else:
            raise Http404
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("officer:disbursement", pk=d.pk)


@login_required
def attachment_download(request, pk: int):
    a = get_object_or_404(
        Attachment.objects.select_related("disbursement"),
        pk=pk,
        disbursement__community__in=communities_for(request.user),
    )
    return FileResponse(
        a.file.open("rb"), as_attachment=True, filename=a.original_name, content_type=a.content_type
    )
