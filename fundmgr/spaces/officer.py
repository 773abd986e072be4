"""Officer pages of spaces let for services: the list with meters, a new space, a new
agreement, and an agreement's page where deliveries are entered (by an officer or the
operator's named staff) and confirmed (by a reviewer or a named resident
representative), and the symbolic rent is recorded."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from djmoney.money import Money

from ..access import community_role, has_role, roles_in
from ..decisions.models import DecisionItem, Meeting
from ..decisions.selectors import passed_items
from ..lib import dates
from ..models import Community, PaymentMethod, Provider, Role, ServicePackage, Tier
from ..officer.forms import AmountField, add_service_error
from . import services
from .models import RENT_NOT_SPLIT, Agreement, AgreementPerson, Delivery, Space, Unit
from .selectors import agreement_doc


class SpaceForm(forms.Form):
    code = forms.CharField(max_length=32, label=gettext_lazy("Code"))
    name = forms.CharField(max_length=200, label=gettext_lazy("Name"))
    address = forms.CharField(max_length=300, label=gettext_lazy("Address"))
    area_m2 = forms.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, label=gettext_lazy("Area (m²)")
    )
    photo = forms.FileField(required=False, label=gettext_lazy("Photo (JPG or PNG)"))


class AgreementForm(forms.Form):
    space = forms.ModelChoiceField(queryset=Space.objects.none(), label=gettext_lazy("Space"))
    number = forms.CharField(max_length=32, label=gettext_lazy("Agreement number"))
    operator = forms.ModelChoiceField(
        queryset=Provider.objects.all(), label=gettext_lazy("Operator")
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Term from"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Term to"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    rent = AmountField(min_value=0, label=gettext_lazy("Symbolic rent for the term"))
    market_rent_month = AmountField(label=gettext_lazy("Market rent forgone per month"))
    market_rent_source = forms.CharField(
        max_length=300, label=gettext_lazy("Source of the market-rent estimate")
    )
    paid_income_foreseen_month = AmountField(
        min_value=0, label=gettext_lazy("Paid-tier income foreseen per month")
    )
    decision = forms.ModelChoiceField(
        queryset=DecisionItem.objects.none(),
        required=False,
        label=gettext_lazy("Approving decision"),
    )
    follows = forms.ModelChoiceField(
        queryset=Agreement.objects.none(),
        required=False,
        label=gettext_lazy("Renews or changes (optional)"),
    )
    package = forms.ModelChoiceField(
        queryset=ServicePackage.objects.none(), label=gettext_lazy("Package owed")
    )
    tier = forms.ChoiceField(
        choices=[
            (Tier.PUBLIC_BENEFIT, Tier.PUBLIC_BENEFIT.label),
            (Tier.LOW_COST, Tier.LOW_COST.label),
        ],
        label=gettext_lazy("Tier"),
    )
    per_month = forms.IntegerField(min_value=1, max_value=10000, label=gettext_lazy("Per month"))
    unit = forms.ChoiceField(choices=Unit.choices, label=gettext_lazy("Unit"))

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = Space.objects.filter(community=community)
        self.fields["decision"].queryset = passed_items(community)
        self.fields["follows"].queryset = Agreement.objects.filter(community=community)
        self.fields["package"].queryset = ServicePackage.objects.filter(community=community)


class DeliveryForm(forms.Form):
    obligation = forms.ChoiceField(label=gettext_lazy("Package"))
    delivered_on = forms.DateField(
        label=gettext_lazy("Delivered on"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    quantity = forms.IntegerField(
        min_value=1, max_value=100, initial=1, label=gettext_lazy("Sessions or hours")
    )
    participants = forms.IntegerField(
        min_value=0, max_value=10000, label=gettext_lazy("Participants")
    )
    evidence = forms.FileField(
        required=False, label=gettext_lazy("Evidence: sign-in sheet or photo (PDF, JPG or PNG)")
    )
    evidence_sha256 = forms.CharField(
        required=False, max_length=64, label=gettext_lazy("or the evidence's SHA-256")
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligation"].choices = [
            (f"{o.package_id}:{o.tier}", f"{o.package.name} · {Tier(o.tier).label}")
            for o in agreement.obligations.select_related("package")
        ]


class PersonForm(forms.Form):
    username = forms.CharField(max_length=150, label=gettext_lazy("Username"))
    kind = forms.ChoiceField(choices=AgreementPerson.Kind.choices, label=gettext_lazy("As"))


class LinkForm(forms.Form):
    receipt = forms.CharField(max_length=40, label=gettext_lazy("Receipt code"))


class RentForm(forms.Form):
    amount = AmountField(label=gettext_lazy("Amount"))
    method = forms.ChoiceField(choices=PaymentMethod.choices, label=gettext_lazy("Payment method"))
    reference = forms.CharField(max_length=64, label=gettext_lazy("Payment reference"))
    paid_on = forms.DateField(
        label=gettext_lazy("Paid on"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


@community_role(Role.OFFICER, Role.REVIEWER, Role.AUDITOR)
def space_list(request, community: Community):
    today = dates.today()
    agreements = Agreement.objects.filter(community=community).select_related(
        "space", "operator", "decision__meeting"
    )
    return render(
        request,
        "officer/spaces.html",
        {
            "community": community,
            "roles": roles_in(request.user, community),
            "meters": [agreement_doc(a, dates.month_start(today), today) for a in agreements],
            "spaces": Space.objects.filter(community=community),
            "meetings": Meeting.objects.filter(community=community)[:50],
            "why_not_split": RENT_NOT_SPLIT,
        },
    )


@community_role(Role.OFFICER)
def space_new(request, community: Community):
    form = SpaceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.space_create(
                community=community,
                code=data["code"],
                name=data["name"],
                address=data["address"],
                area_m2=data["area_m2"],
                user=request.user,
                photos=[data["photo"]] if data["photo"] else [],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Space recorded."))
            return redirect("officer:spaces", code=community.code)
    return _form(request, community, form, _("Record a space"), multipart=True)


def _form(request, community, form, title, multipart=False):
    return render(
        request,
        "officer/payout_form.html",
        {"community": community, "form": form, "title": title, "multipart": multipart},
        status=400 if form.is_bound and form.errors else 200,
    )


@community_role(Role.OFFICER)
def agreement_new(request, community: Community):
    form = AgreementForm(request.POST or None, community=community)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cny = community.currency
        try:
            agreement = services.agreement_create(
                community=community,
                space=data["space"],
                number=data["number"],
                operator=data["operator"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                rent=Money(data["rent"], cny),
                market_rent_month=Money(data["market_rent_month"], cny),
                market_rent_source=data["market_rent_source"],
                paid_income_foreseen_month=Money(data["paid_income_foreseen_month"], cny),
                decision=data["decision"],
                follows=data["follows"],
                obligations=[
                    {
                        "package": data["package"],
                        "tier": data["tier"],
                        "per_month": data["per_month"],
                        "unit": data["unit"],
                    }
                ],
                user=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Agreement recorded."))
            return redirect("officer:agreement", code=community.code, number=agreement.number)
    return _form(request, community, form, _("Record a space agreement"))


def _agreement_for(request, code: str, number: str) -> tuple[Agreement, set[str]]:
    """The agreement and what the user may do with it: a role in its community, or being
    named on it as the operator's staff or a resident representative. 404 otherwise."""
    agreement = get_object_or_404(
        Agreement.objects.select_related("community", "space", "operator", "decision__meeting"),
        community__code=code,
        number=number,
    )
    can = roles_in(request.user, agreement.community)
    can |= set(
        AgreementPerson.objects.filter(agreement=agreement, user=request.user).values_list(
            "kind", flat=True
        )
    )
    if not can:
        raise Http404
    return agreement, can


def _page(
    request,
    agreement,
    can,
    *,
    delivery_form=None,
    rent_form=None,
    person_form=None,
    link_form=None,
    errors=(),
    status=200,
):
    today = dates.today()
    return render(
        request,
        "officer/agreement.html",
        {
            "community": agreement.community,
            "agreement": agreement,
            "a": agreement_doc(agreement, dates.month_start(today), today),
            "can": can,
            "deliveries": Delivery.objects.filter(agreement=agreement)
            .select_related("obligation__package", "entered_by", "confirmed_by")
            .order_by("-delivered_on", "-pk")[:100],
            "delivery_form": delivery_form or DeliveryForm(agreement=agreement),
            "rent_form": rent_form or RentForm(),
            "person_form": person_form or PersonForm(),
            "link_form": link_form or LinkForm(),
            "linked": agreement.incomes.select_related("income__package").order_by(
                "-income__paid_at"
            )[:50],
            "people": agreement.people.select_related("user").order_by("kind", "user__username"),
            "errors": list(errors),
            "why_not_split": RENT_NOT_SPLIT,
        },
        status=status,
    )


@login_required
def agreement_detail(request, code: str, number: str):
    agreement, can = _agreement_for(request, code, number)
    return _page(request, agreement, can)


@login_required
@require_POST
def delivery_new(request, code: str, number: str):
    agreement, can = _agreement_for(request, code, number)
    form = DeliveryForm(request.POST, request.FILES, agreement=agreement)
    if form.is_valid():
        data = form.cleaned_data
        package_id, tier = data["obligation"].split(":", 1)
        try:
            services.delivery_record(
                agreement=agreement,
                package=ServicePackage.objects.get(pk=package_id),
                tier=tier,
                delivered_on=data["delivered_on"],
                quantity=data["quantity"],
                participants=data["participants"],
                evidence=data["evidence"],
                evidence_sha256=data["evidence_sha256"],
                user=request.user,
            )
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Delivery recorded: it counts once it is confirmed."))
            return redirect("officer:agreement", code=code, number=number)
    return _page(request, agreement, can, delivery_form=form, status=400)


@login_required
@require_POST
def delivery_confirm(request, code: str, number: str, pk: int):
    agreement, can = _agreement_for(request, code, number)
    delivery = get_object_or_404(Delivery, agreement=agreement, pk=pk)
    try:
        services.delivery_confirm(delivery=delivery, user=request.user)
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    except ValidationError as error:
        return _page(request, agreement, can, errors=error.messages, status=400)
    messages.success(request, _("Delivery confirmed."))
    return redirect("officer:agreement", code=code, number=number)


@login_required
@require_POST
def rent_new(request, code: str, number: str):
    agreement, can = _agreement_for(request, code, number)
    if not has_role(request.user, agreement.community, Role.OFFICER):
        raise PermissionDenied
    form = RentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.rent_record(
                agreement=agreement,
                amount=Money(data["amount"], agreement.community.currency),
                method=data["method"],
                reference=data["reference"],
                paid_on=data["paid_on"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Rent recorded and posted (not split 70/25/5)."))
            return redirect("officer:agreement", code=code, number=number)
    return _page(request, agreement, can, rent_form=form, status=400)


@login_required
@require_POST
def person_new(request, code: str, number: str):
    """Name a user on the agreement as the operator's staff or a resident representative."""
    from django.contrib.auth import get_user_model

    agreement, can = _agreement_for(request, code, number)
    if "officer" not in can:
        raise PermissionDenied
    form = PersonForm(request.POST)
    if form.is_valid():
        person = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
        if person is None:
            form.add_error("username", _("No user with this username."))
        else:
            services.person_add(
                agreement=agreement,
                person=person,
                kind=form.cleaned_data["kind"],
                user=request.user,
            )
            messages.success(request, _("Named on the agreement."))
            return redirect("officer:agreement", code=code, number=number)
    return _page(request, agreement, can, person_form=form, status=400)


@login_required
@require_POST
def income_link(request, code: str, number: str):
    """Link a package income earned in the space, by its receipt code."""
    from ..lib.receipts import normalise
    from ..models import Income

    agreement, can = _agreement_for(request, code, number)
    if "officer" not in can:
        raise PermissionDenied
    form = LinkForm(request.POST)
    if form.is_valid():
        receipt = normalise(form.cleaned_data["receipt"])
        income = Income.objects.filter(community=agreement.community, receipt_code=receipt).first()
        if income is None:
            form.add_error("receipt", _("No income of this community has this receipt code."))
        else:
            try:
                services.income_link(agreement=agreement, income=income, user=request.user)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("receipt", message)
            else:
                messages.success(request, _("Income linked to the agreement."))
                return redirect("officer:agreement", code=code, number=number)
    return _page(request, agreement, can, link_form=form, status=400)
