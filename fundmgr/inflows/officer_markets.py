"""Officer pages of charity markets (公益集市): a new market with its stalls; a market's
page with its stalls, the two count sheets (an officer or a reviewer each, never the same
person twice), the differences between them, and posting the takings (an officer)."""

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
from ..lib import dates
from ..models import CODE_VALIDATOR, Community, PaymentMethod, Role, ServicePackage
from ..officer.forms import AmountField, TextField, add_service_error
from . import services
from .models import NOT_SPLIT, Market, Stall, StallRule

BLANK = [("", "—")]
STALL_ROWS = 8


class MarketForm(forms.Form):
    code = forms.CharField(
        max_length=32, validators=[CODE_VALIDATOR], label=gettext_lazy("Market code")
    )
    name = TextField(max_length=200, label=gettext_lazy("Market name"))
    held_on = forms.DateField(
        label=gettext_lazy("Market day"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    method = forms.ChoiceField(
        choices=PaymentMethod.choices,
        initial=PaymentMethod.CASH,
        label=gettext_lazy("How the takings are paid"),
    )


class StallForm(forms.Form):
    """One row of the stalls table; a row left empty is no stall."""

    code = forms.CharField(
        max_length=32, validators=[CODE_VALIDATOR], label=gettext_lazy("Stall code")
    )
    name = TextField(max_length=200, label=gettext_lazy("Stall name"))
    holder = forms.ChoiceField(
        choices=BLANK + list(Stall.Holder.choices), label=gettext_lazy("Held by")
    )
    rule = forms.ChoiceField(
        choices=BLANK + list(StallRule.choices), label=gettext_lazy("Takings go to")
    )
    package = forms.ModelChoiceField(
        queryset=ServicePackage.objects.none(),
        required=False,
        label=gettext_lazy("Package (for package income)"),
    )

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].queryset = ServicePackage.objects.filter(
            community=community, active=True
        ).order_by("code")


class BaseStallFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        codes = [f.cleaned_data["code"] for f in self.forms if f.cleaned_data]
        if not codes:
            raise ValidationError(_("Stalls: name at least one stall."))
        if len(set(codes)) != len(codes):
            raise ValidationError(_("Stalls: each stall code may be used once."))


StallFormSet = forms.formset_factory(
    StallForm, formset=BaseStallFormSet, extra=STALL_ROWS, max_num=50, validate_max=True
)


class CountForm(forms.Form):
    """One count sheet: an amount for every stall of the market."""

    def __init__(self, *args, market: Market, **kwargs):
        super().__init__(*args, **kwargs)
        self.stalls = list(market.stalls.all())
        for stall in self.stalls:
            self.fields[f"stall_{stall.pk}"] = AmountField(
                label=_("Stall %(code)s %(name)s: amount counted")
                % {"code": stall.code, "name": stall.name},
            )

    def counts(self, currency: str) -> dict[str, Money]:
        return {s.code: Money(self.cleaned_data[f"stall_{s.pk}"], currency) for s in self.stalls}


@community_role(Role.OFFICER)
def market_new(request, community: Community):
    form = MarketForm(
        request.POST or None,
        initial={"held_on": dates.today(), "method": PaymentMethod.CASH},
    )
    stalls = StallFormSet(
        request.POST or None, prefix="stalls", form_kwargs={"community": community}
    )
    if request.method == "POST" and form.is_valid() & stalls.is_valid():
        data = form.cleaned_data
        try:
            market = services.market_create(
                community=community,
                code=data["code"],
                name=data["name"],
                held_on=data["held_on"],
                method=data["method"],
                stalls=[s.cleaned_data for s in stalls.forms if s.cleaned_data],
                user=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Market recorded."))
            return redirect("officer:market", code=community.code, pk=market.pk)
    return render(
        request,
        "officer/market_form.html",
        {"community": community, "form": form, "stalls": stalls, "title": _("New charity market")},
        status=400 if form.is_bound and (form.errors or not stalls.is_valid()) else 200,
    )


def _market_page(request, community, market, count_form=None, errors=(), status=200):
    roles = roles_in(request.user, community)
    sheets = list(
        market.sheets.order_by("pk").select_related("counted_by").prefetch_related("counts")
    )
    stalls = list(market.stalls.select_related("package", "income", "entry"))
    both = len(sheets) == 2
    # The second person counts blind: neither sheet's amounts are shown until both are in.
    by_sheet = [{c.stall_id: c.amount for c in s.counts.all()} for s in sheets] if both else []
    differ = {s.pk for s, _a, _b in services.count_differences(market)}
    rows = [
        {
            "stall": s,
            "counts": [c.get(s.pk) for c in by_sheet],
            "differs": s.pk in differ,
        }
        for s in stalls
    ]
    may_count = (
        not market.posted
        and len(sheets) < 2
        and bool(roles & {Role.OFFICER, Role.REVIEWER})
        and not any(s.counted_by_id == request.user.pk for s in sheets)
    )
    if count_form is None and may_count:
        count_form = CountForm(market=market)
    return render(
        request,
        "officer/market.html",
        {
            "community": community,
            "market": market,
            "roles": roles,
            "rows": rows,
            "sheets": sheets,
            "both": both,
            "differences": len(differ),
            "count_form": count_form,
            "may_post": both and not market.posted and Role.OFFICER in roles,
            "errors": errors,
            "why_not_split": NOT_SPLIT,
        },
        status=status,
    )


@community_role(Role.OFFICER, Role.REVIEWER, Role.AUDITOR)
def market_detail(request, community: Community, pk: int):
    market = get_object_or_404(Market, community=community, pk=pk)
    return _market_page(request, community, market)


@require_POST
@community_role(Role.OFFICER, Role.REVIEWER)
def market_count(request, community: Community, pk: int):
    market = get_object_or_404(Market, community=community, pk=pk)
    form = CountForm(request.POST, market=market)
    if form.is_valid():
        try:
            services.count_enter(
                market=market, counts=form.counts(community.currency), user=request.user
            )
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        else:
            messages.success(request, _("Count sheet entered."))
            return redirect("officer:market", code=community.code, pk=market.pk)
    return _market_page(request, community, market, count_form=form, status=400)


@require_POST
@community_role(Role.OFFICER)
def market_post(request, community: Community, pk: int):
    market = get_object_or_404(Market, community=community, pk=pk)
    try:
        services.market_post(market=market, user=request.user)
    except ValidationError as error:
        market.refresh_from_db()
        return _market_page(request, community, market, errors=error.messages, status=400)
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, _("The market's takings are posted."))
    return redirect("officer:market", code=community.code, pk=market.pk)
