"""Administrator set-up. New communities, packages and policies go through the services
(a community gets its book, chart of accounts, fund and default split); income, once
recorded, is only viewed here."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ledger.admin import ReadOnlyAdmin

from .models import (
    Community,
    CommunityFund,
    HubEnterprise,
    ImportJob,
    Income,
    Membership,
    Provider,
    ServicePackage,
    SplitPolicy,
)
from .officer.forms import AmountAdmin
from .services.setup import (
    community_create,
    package_check,
    package_create,
    policy_check,
    policy_create,
)


@admin.register(HubEnterprise)
class HubAdmin(AmountAdmin):
    list_display = ("code", "name", "subdistrict")
    search_fields = ("code", "name", "subdistrict")


@admin.register(Provider)
class ProviderAdmin(AmountAdmin):
    list_display = ("code", "name", "category")
    list_filter = ("category",)
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        # The code names the provider's payable account in every book.
        return ("code",) if obj else ()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Community)
class CommunityAdmin(AmountAdmin):
    list_display = ("code", "name", "subdistrict", "hub", "currency", "review_threshold")
    list_filter = ("subdistrict", "hub")
    search_fields = ("code", "name", "subdistrict")
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        return ("code", "currency", "hub") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = community_create(
            code=obj.code,
            name=obj.name,
            subdistrict=obj.subdistrict,
            hub=obj.hub,
            currency=obj.currency,
            review_threshold=obj.review_threshold.amount,
            policy_approved_by=request.user.get_username(),
        )
        created.one_reviewer_up_to = obj.one_reviewer_up_to
        created.committee_from = obj.committee_from
        created.committee_quorum = obj.committee_quorum
        created.max_income = obj.max_income
        created.save(
            update_fields=[
                "one_reviewer_up_to",
                "one_reviewer_up_to_currency",
                "committee_from",
                "committee_from_currency",
                "committee_quorum",
                "max_income",
                "max_income_currency",
            ]
        )
        obj.pk, obj.book_id = created.pk, created.book_id


@admin.register(CommunityFund)
class CommunityFundAdmin(AmountAdmin):
    list_display = ("name", "community")
    readonly_fields = ("community",)

    def has_add_permission(self, request):
        return False  # one per community, made with it

    def has_delete_permission(self, request, obj=None):
        return False


class ServicePackageForm(forms.ModelForm):
    """A new package is checked by the service's own rule before the admin says 成功."""

    class Meta:
        model = ServicePackage
        fields = (
            "community",
            "code",
            "name",
            "provider",
            "price_public_benefit",
            "price_paid",
            "price_low_cost",
            "low_cost_eligibility",
            "description",
            "active",
        )

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            prices = {
                t: data[f"price_{t}"].amount if data.get(f"price_{t}") else None
                for t in ("public_benefit", "paid", "low_cost")
            }
            try:
                package_check(prices)
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(ServicePackage)
class ServicePackageAdmin(AmountAdmin):
    form = ServicePackageForm
    list_display = (
        "code",
        "name",
        "community",
        "provider",
        "price_public_benefit",
        "price_paid",
        "price_low_cost",
        "active",
    )
    list_filter = ("community", "active", "provider__category")
    search_fields = ("code", "name", "provider__name")

    def get_readonly_fields(self, request, obj=None):
        return ("community", "code", "provider") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        prices = {
            t: getattr(obj, f"price_{t}").amount if getattr(obj, f"price_{t}") else None
            for t in ("public_benefit", "paid", "low_cost")
        }
        created = package_create(
            community=obj.community,
            code=obj.code,
            name=obj.name,
            provider=obj.provider,
            prices=prices,
            low_cost_eligibility=obj.low_cost_eligibility,
            description=obj.description,
        )
        obj.pk = created.pk


class SplitPolicyForm(forms.ModelForm):
    """Every refusal of the service is a field error in the form, in the reader's language:
    the admin never shows 成功 for a policy it did not save, and keeps what was typed."""

    class Meta:
        model = SplitPolicy
        fields = ("community", "provider_bp", "hub_bp", "fund_bp", "effective_from", "decision")

    def __init__(self, *args, **kwargs):
        from .decisions.models import DecisionItem, Outcome

        super().__init__(*args, **kwargs)
        if "decision" in self.fields:
            # Only passed items are offered; the service still checks the community and
            # the date, which depend on the other fields.
            self.fields["decision"].queryset = DecisionItem.objects.filter(
                outcome=Outcome.PASSED
            ).select_related("meeting__community")

    def clean(self):
        data = super().clean()
        needed = ("community", "provider_bp", "hub_bp", "fund_bp", "effective_from")
        if all(data.get(k) is not None for k in needed):
            try:
                policy_check(
                    community=data["community"],
                    provider_bp=data["provider_bp"],
                    hub_bp=data["hub_bp"],
                    fund_bp=data["fund_bp"],
                    effective_from=data["effective_from"],
                    decision=data.get("decision"),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(SplitPolicy)
class SplitPolicyAdmin(AmountAdmin):
    """A policy is never edited: a change is a new version from a future date, citing the
    decision item that adopted it. `approved_by` and `decision_ref` are the free text of
    the policies made before decisions were recorded: shown, never asked for."""

    form = SplitPolicyForm

    list_display = (
        "community",
        "version",
        "provider_bp",
        "hub_bp",
        "fund_bp",
        "effective_from",
        "decision",
        "approved_by",
        "decision_ref",
    )
    list_filter = ("community",)

    def get_fields(self, request, obj=None):
        base = ("community", "provider_bp", "hub_bp", "fund_bp", "effective_from", "decision")
        return base if obj is None else (*base, "approved_by", "decision_ref")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("approved_by", "decision_ref")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The form ran policy_check; the service checks again inside its transaction.
        created = policy_create(
            community=obj.community,
            provider_bp=obj.provider_bp,
            hub_bp=obj.hub_bp,
            fund_bp=obj.fund_bp,
            effective_from=obj.effective_from,
            decision=obj.decision,
        )
        obj.pk, obj.version = created.pk, created.version


@admin.register(Membership)
class MembershipAdmin(AmountAdmin):
    list_display = ("user", "community", "role")
    list_filter = ("role", "community")
    search_fields = ("user__username", "community__name")
    autocomplete_fields = ("user",)


@admin.register(Income)
class IncomeAdmin(ReadOnlyAdmin):
    list_display = ("receipt_code", "community", "package", "tier", "amount", "paid_at", "status")
    list_filter = ("community", "status", "tier", "method")
    search_fields = ("receipt_code", "external_ref", "payer")
    date_hierarchy = "paid_at"


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "created_by", "created_at", "state", "rows", "bad_rows")
    list_filter = ("state",)


admin.site.site_header = _("Community fund accounts · administration")
