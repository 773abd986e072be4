"""Officer pages of government purchase-of-service contracts (政府购买服务): a new contract
with its lines, citing the decision that approved it; a contract's page with each line's
burn-down (units contracted, delivered and billed, paid), a form to extend a line (with
its decision) and a form to bill a delivery.

A delivery's beneficiary identifiers (ID or card numbers) are hashed by the service at
once: the page never shows them again, not even in the form sent back with an error."""

from __future__ import annotations

from django import forms
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
from ..models import Community, Role, ServicePackage
from ..officer.forms import AmountField, TextField, add_service_error
from . import selectors, services
from .models import ContractLine, PurchaseContract

LINE_ROWS = 5
MAX_BENEFICIARIES_CHARS = 200_000


class ContractForm(forms.Form):
    buyer = TextField(
        max_length=200,
        label=gettext_lazy("Buyer"),
        help_text=gettext_lazy("e.g. 街道办事处"),
    )
    number = TextField(max_length=64, label=gettext_lazy("Contract number"))
    starts_on = forms.DateField(
        label=gettext_lazy("Period from"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Period to"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    # Not required here: the service names the missing decision in its own words.
    decision = forms.ModelChoiceField(
        queryset=DecisionItem.objects.none(),
        required=False,
        label=gettext_lazy("Approving decision"),
    )

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = passed_items(community)


class LineForm(forms.Form):
    """One row of the lines table; a row left empty is no line."""

    package = forms.ModelChoiceField(
        queryset=ServicePackage.objects.none(), label=gettext_lazy("Package")
    )
    units = forms.IntegerField(min_value=1, max_value=1_000_000, label=gettext_lazy("Units"))
    unit_price = AmountField(label=gettext_lazy("Unit price"))
    cap = AmountField(label=gettext_lazy("Amount cap"))
    eligible = forms.IntegerField(
        min_value=1,
        max_value=1_000_000,
        required=False,
        label=gettext_lazy("Residents eligible"),
        help_text=gettext_lazy("How many residents the buyer's list covers (may be left empty)."),
    )

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].queryset = ServicePackage.objects.filter(
            community=community
        ).order_by("code")


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not any(f.cleaned_data for f in self.forms):
            raise ValidationError(_("Lines: name at least one line of service."))


LineFormSet = forms.formset_factory(
    LineForm, formset=BaseLineFormSet, extra=LINE_ROWS, max_num=50, validate_max=True
)


class LineChoiceForm(forms.Form):
    line = forms.ModelChoiceField(
        queryset=ContractLine.objects.none(), label=gettext_lazy("Contract line")
    )

    def __init__(self, *args, contract: PurchaseContract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = contract.lines.select_related("contract", "package")
        self.fields["line"].label_from_instance = lambda ln: ln.package.name


class ExtendForm(LineChoiceForm):
    units = forms.IntegerField(min_value=0, max_value=1_000_000, label=gettext_lazy("Extra units"))
    cap = AmountField(label=gettext_lazy("Extra amount cap"))
    decision = forms.ModelChoiceField(
        queryset=DecisionItem.objects.none(),
        required=False,
        label=gettext_lazy("Approving decision"),
    )

    def __init__(self, *args, contract: PurchaseContract, **kwargs):
        super().__init__(*args, contract=contract, **kwargs)
        self.fields["decision"].queryset = passed_items(contract.community)


class NeverEchoedTextarea(forms.Textarea):
    """A textarea that renders empty whatever was submitted: the beneficiaries'
    identifiers are not sent back to the browser, not even with a form error."""

    def format_value(self, value):
        return None


class DeliveryForm(LineChoiceForm):
    delivered_on = forms.DateField(
        label=gettext_lazy("Delivered on"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    beneficiaries = forms.CharField(
        max_length=MAX_BENEFICIARIES_CHARS,
        label=gettext_lazy("Beneficiaries' identifiers, one per line"),
        help_text=gettext_lazy(
            "One line per unit delivered (ID or card number). Each is kept only as a keyed "
            "hash, never in clear, and is not shown again."
        ),
        widget=NeverEchoedTextarea(attrs={"rows": 6, "autocomplete": "off"}),
    )

    def identifiers(self) -> list[str]:
        return [s.strip() for s in self.cleaned_data["beneficiaries"].splitlines() if s.strip()]


@community_role(Role.OFFICER)
def contract_new(request, community: Community):
    form = ContractForm(request.POST or None, community=community)
    lines = LineFormSet(request.POST or None, prefix="lines", form_kwargs={"community": community})
    if request.method == "POST" and form.is_valid() & lines.is_valid():
        data = form.cleaned_data
        cny = community.currency
        try:
            contract = services.contract_create(
                community=community,
                buyer=data["buyer"],
                number=data["number"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                decision=data["decision"],
                lines=[
                    {
                        "package": ln["package"],
                        "units": ln["units"],
                        "unit_price": Money(ln["unit_price"], cny),
                        "cap": Money(ln["cap"], cny),
                        "eligible": ln.get("eligible"),
                    }
                    for ln in (f.cleaned_data for f in lines.forms)
                    if ln
                ],
                user=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Contract recorded."))
            return redirect("officer:contract", code=community.code, pk=contract.pk)
    return render(
        request,
        "officer/contract_form.html",
        {
            "community": community,
            "form": form,
            "lines": lines,
            "title": _("New government purchase contract"),
        },
        status=400 if form.is_bound and (form.errors or not lines.is_valid()) else 200,
    )


def _contract_page(request, community, contract, extend_form=None, delivery_form=None, status=200):
    roles = roles_in(request.user, community)
    today = dates.today()
    burn = []
    for line in contract.lines.select_related("package").order_by("pk"):
        max_units, cap = services.line_limits(line)
        used_units, used_amount = services.line_used(line)
        paid_units, paid_amount = services.line_paid(line)
        burn.append(
            {
                "line": line,
                "units_allowed": max_units,
                "cap_allowed": cap,
                "delivered": used_units,
                "billed": used_amount,
                "paid": paid_units,
                "paid_amount": paid_amount,
                "units_left": max_units - used_units,
                "cap_left": cap - used_amount,
                "extensions": list(line.extensions.select_related("decision__meeting")),
                "months": selectors.month_rows(line, today),
            }
        )
    officer = Role.OFFICER in roles
    if officer:
        extend_form = extend_form or ExtendForm(contract=contract, prefix="extend")
        delivery_form = delivery_form or DeliveryForm(
            contract=contract, prefix="deliver", initial={"delivered_on": today}
        )
    return render(
        request,
        "officer/contract.html",
        {
            "community": community,
            "contract": contract,
            "roles": roles,
            "burn": burn,
            "deliveries": contract_deliveries(contract),
            "extend_form": extend_form if officer else None,
            "delivery_form": delivery_form if officer else None,
        },
        status=status,
    )


def contract_deliveries(contract: PurchaseContract):
    from .models import ContractDelivery

    return (
        ContractDelivery.objects.filter(line__contract=contract)
        .select_related("line__package", "recorded_by", "entry")
        .order_by("-delivered_on", "-pk")[:200]
    )


def _contract(community, pk):
    return get_object_or_404(
        PurchaseContract.objects.select_related("decision__meeting", "receivable"),
        community=community,
        pk=pk,
    )


@community_role(Role.OFFICER, Role.REVIEWER, Role.AUDITOR)
def contract_detail(request, community: Community, pk: int):
    return _contract_page(request, community, _contract(community, pk))


@require_POST
@community_role(Role.OFFICER)
def line_extend(request, community: Community, pk: int):
    contract = _contract(community, pk)
    form = ExtendForm(request.POST, contract=contract, prefix="extend")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.line_extend(
                line=data["line"],
                units=data["units"],
                cap=Money(data["cap"], community.currency),
                decision=data["decision"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        else:
            messages.success(request, _("Line extended."))
            return redirect("officer:contract", code=community.code, pk=contract.pk)
    return _contract_page(request, community, contract, extend_form=form, status=400)


@require_POST
@community_role(Role.OFFICER)
def delivery_new(request, community: Community, pk: int):
    contract = _contract(community, pk)
    form = DeliveryForm(request.POST, contract=contract, prefix="deliver")
    if form.is_valid():
        data = form.cleaned_data
        try:
            delivery = services.delivery_bill(
                line=data["line"],
                delivered_on=data["delivered_on"],
                beneficiaries=form.identifiers(),
                user=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        else:
            messages.success(
                request,
                _("Delivery of %(units)d units billed to the buyer.") % {"units": delivery.units},
            )
            return redirect("officer:contract", code=community.code, pk=contract.pk)
    return _contract_page(request, community, contract, delivery_form=form, status=400)
