"""Officer pages of the fund's other inflows: the list of donations, restricted funds,
markets and contracts; recording a donation (the receipt with its code and QR); a
reviewer's approval of a donation or a restricted-fund payment above the threshold."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from djmoney.money import Money

from ..access import community_role, roles_in
from ..decisions.models import DecisionItem
from ..decisions.selectors import passed_items
from ..lib import dates
from ..lib.receipts import display
from ..models import Community, PaymentMethod, Role
from ..officer.forms import AmountField, TextField, add_service_error
from . import services
from .models import (
    NOT_SPLIT,
    Donation,
    DonorKind,
    FundKind,
    Market,
    PurchaseContract,
    RestrictedFund,
    RestrictedSpending,
    Status,
)


class DonationForm(forms.Form):
    donor_kind = forms.ChoiceField(choices=DonorKind.choices, label=gettext_lazy("Donor kind"))
    donor_name = forms.CharField(max_length=200, required=False, label=gettext_lazy("Donor"))
    anonymous = forms.BooleanField(required=False, label=gettext_lazy("Anonymous"))
    named_publicly = forms.BooleanField(
        required=False,
        label=gettext_lazy("Name the donor in public"),
        help_text=gettext_lazy("Only a company, merchant or organisation may choose this."),
    )
    amount = AmountField(label=gettext_lazy("Amount"))
    method = forms.ChoiceField(choices=PaymentMethod.choices, label=gettext_lazy("Payment method"))
    received_on = forms.DateField(
        label=gettext_lazy("Received on"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    reference = forms.CharField(max_length=64, label=gettext_lazy("Payment reference"))
    fund_code = forms.CharField(
        max_length=32,
        required=False,
        label=gettext_lazy("Restricted to (fund code)"),
        help_text=gettext_lazy("Leave empty for an unrestricted gift to the fund."),
    )
    drive = forms.CharField(max_length=100, required=False, label=gettext_lazy("Donation drive"))


class FundForm(forms.Form):
    kind = forms.ChoiceField(choices=FundKind.choices, label=gettext_lazy("Kind of fund"))
    code = forms.CharField(max_length=32, label=gettext_lazy("Fund code"))
    name = TextField(max_length=200, label=gettext_lazy("Name"))
    purpose_code = forms.CharField(max_length=32, label=gettext_lazy("Purpose code"))
    purpose = TextField(max_length=300, label=gettext_lazy("What it may be spent on"))
    donor_name = TextField(max_length=200, required=False, label=gettext_lazy("Donor"))
    donor_kind = forms.ChoiceField(
        choices=[("", "—"), *DonorKind.choices], required=False, label=gettext_lazy("Donor kind")
    )
    donor_named = forms.BooleanField(
        required=False, label=gettext_lazy("The donor chose to be named")
    )
    rules = TextField(
        max_length=2000,
        multiline=True,
        required=False,
        label=gettext_lazy("Rules agreed with the donor"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decision = forms.ModelChoiceField(
        queryset=DecisionItem.objects.none(),
        required=False,
        label=gettext_lazy("Approving decision"),
    )

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = passed_items(community)


class SpendingForm(forms.Form):
    fund = forms.ModelChoiceField(
        queryset=RestrictedFund.objects.none(), label=gettext_lazy("Fund")
    )
    purpose_code = forms.CharField(max_length=32, label=gettext_lazy("Purpose code"))
    purpose = TextField(max_length=300, label=gettext_lazy("What it pays for"))
    payee = TextField(max_length=200, label=gettext_lazy("Payee"))
    amount = AmountField(label=gettext_lazy("Amount"))
    method = forms.ChoiceField(choices=PaymentMethod.choices, label=gettext_lazy("Payment method"))

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = RestrictedFund.objects.filter(community=community)


@community_role(Role.OFFICER)
def fund_new(request, community: Community):
    """Open a named fund (冠名基金) or a restricted purpose (定向) of the community fund."""
    form = FundForm(request.POST or None, community=community)
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.fund_open(community=community, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Fund opened: %(name)s.") % {"name": fund.name})
            return redirect("officer:inflows", code=community.code)
    return render(
        request,
        "officer/payout_form.html",
        {"community": community, "form": form, "title": _("Open a named or restricted fund")},
        status=400 if form.is_bound and form.errors else 200,
    )


@community_role(Role.OFFICER)
def spending_new(request, community: Community):
    """Ask to pay from a restricted fund, for its own purpose only; a reviewer approves."""
    form = SpendingForm(request.POST or None, community=community)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.spending_request(
                fund=data["fund"],
                purpose_code=data["purpose_code"],
                purpose=data["purpose"],
                payee=data["payee"],
                amount=Money(data["amount"], community.currency),
                method=data["method"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Payment requested: a reviewer approves it."))
            return redirect("officer:inflows", code=community.code)
    return render(
        request,
        "officer/payout_form.html",
        {"community": community, "form": form, "title": _("Pay from a restricted fund")},
        status=400 if form.is_bound and form.errors else 200,
    )


@community_role(Role.OFFICER, Role.REVIEWER, Role.AUDITOR)
def inflow_list(request, community: Community):
    return render(
        request,
        "officer/inflows.html",
        {
            "community": community,
            "roles": roles_in(request.user, community),
            "donations": Donation.objects.filter(community=community)
            .select_related("fund")
            .order_by("-received_on", "-pk")[:200],
            "funds": RestrictedFund.objects.filter(community=community),
            "spendings": RestrictedSpending.objects.filter(community=community)
            .select_related("fund")
            .order_by("-pk")[:100],
            "markets": Market.objects.filter(community=community).order_by("-held_on"),
            "contracts": PurchaseContract.objects.filter(community=community),
            "why_not_split": NOT_SPLIT,
        },
    )


@community_role(Role.OFFICER)
def donation_new(request, community: Community):
    form = DonationForm(request.POST or None, initial={"received_on": dates.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            d = services.donation_record(
                community=community,
                donor_kind=data["donor_kind"],
                donor_name=data["donor_name"],
                anonymous=data["anonymous"],
                named_publicly=data["named_publicly"],
                amount=Money(data["amount"], community.currency),
                method=data["method"],
                received_on=data["received_on"],
                reference=data["reference"],
                fund_code=data["fund_code"],
                drive=data["drive"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Donation recorded."))
            return redirect("officer:donation", code=community.code, pk=d.pk)
    return render(
        request,
        "officer/payout_form.html",
        {"community": community, "form": form, "title": _("Record a donation")},
        status=400 if form.is_bound and form.errors else 200,
    )


@community_role(Role.OFFICER, Role.REVIEWER, Role.AUDITOR)
def donation_detail(request, community: Community, pk: int):
    from ..officer.income import receipts_qr

    d = get_object_or_404(Donation, community=community, pk=pk)
    url = f"{settings.SITE_URL}/d/{display(d.receipt_code)}/"
    return render(
        request,
        "officer/donation.html",
        {
            "community": community,
            "d": d,
            "receipt": display(d.receipt_code),
            "public_url": url,
            "qr_svg": receipts_qr(url) if d.status == Status.POSTED else "",
            "roles": roles_in(request.user, community),
            "why_not_split": NOT_SPLIT,
        },
    )


@require_POST
@community_role(Role.REVIEWER)
def donation_approve(request, community: Community, pk: int):
    d = get_object_or_404(Donation, community=community, pk=pk)
    try:
        services.donation_approve(donation=d, reviewer=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    else:
        messages.success(request, _("Donation approved and posted."))
    return redirect("officer:donation", code=community.code, pk=d.pk)


@require_POST
@community_role(Role.REVIEWER)
def spending_approve(request, community: Community, pk: int):
    s = get_object_or_404(RestrictedSpending, community=community, pk=pk)
    try:
        services.spending_approve(spending=s, reviewer=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    else:
        messages.success(request, _("Payment approved and posted."))
    return redirect("officer:inflows", code=community.code)
