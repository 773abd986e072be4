"""Every yuan that reaches the community besides package income (issue 18): donations,
restricted and named funds (冠名基金) as sub-accounts of the fund, spending from them,
charity markets (公益集市) counted by two people, and government purchase-of-service
contracts (政府购买服务) whose lines the 公益 tier is billed against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from ledger.models import Account, Entry

from ..decisions.models import DecisionItem
from ..lib.privacy import mask_name
from ..models import (
    CODE_VALIDATOR,
    MONEY,
    Community,
    Income,
    PaymentMethod,
    Provider,
    ServicePackage,
)

# What every page showing a donation or market takings says (DESIGN 4.5).
NOT_SPLIT = _(
    "Donations and charity-market takings given to the fund are gifts to the community, not "
    "income from a service package, so they are not split 70/25/5: all of it goes to the fund."
)
# The same, in the signed month document, which never changes with the reader's language.
NOT_SPLIT_ZH = (
    "捐赠和公益集市归入基金的收入是对社区的赠与，不是服务包收入，"
    "因此不按70/25/5分成，全部归社区基金。"
)
ANONYMOUS_ZH = "匿名"


class DonorKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    MERCHANT = "merchant", _("Merchant")
    COMPANY = "company", _("Company")
    ORGANISATION = "organisation", _("Organisation")


class FundKind(models.TextChoices):
    NAMED = "named", _("Named fund (冠名基金)")
    PURPOSE = "purpose", _("Restricted purpose (定向)")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    POSTED = "posted", _("Posted")
    REJECTED = "rejected", _("Rejected")


class RestrictedFund(models.Model):
    """A sub-account of the community fund (3101.N.<code> for a named fund, 3101.D.<code>
    for a restricted purpose) that may be spent only for its purpose."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="restricted_funds"
    )
    code = models.CharField(_("code"), max_length=32, validators=[CODE_VALIDATOR])
    kind = models.CharField(_("kind"), max_length=10, choices=FundKind.choices)
    name = models.CharField(_("name"), max_length=200)
    purpose_code = models.CharField(_("purpose code"), max_length=32, validators=[CODE_VALIDATOR])
    purpose = models.CharField(_("purpose"), max_length=300)
    donor_name = models.CharField(_("donor"), max_length=200, blank=True)
    donor_kind = models.CharField(
        _("donor kind"), max_length=16, choices=DonorKind.choices, blank=True
    )
    donor_named = models.BooleanField(_("donor chose to be named"), default=False)
    rules = models.TextField(_("rules"), blank=True)
    opened_on = models.DateField(_("opened on"))
    decision = models.ForeignKey(
        DecisionItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("restricted fund")
        ordering = ["community_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="inflows_fund_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def public_donor(self) -> str:
        return public_donor(self.donor_kind, self.donor_name, self.donor_named, False)


def public_donor(kind: str, name: str, named: bool, anonymous: bool) -> str:
    """What a public page shows of a donor: nothing when anonymous; the full name of a
    company or organisation that chose to be named; otherwise the masked name."""
    if anonymous or not name:
        return ANONYMOUS_ZH
    if named and kind in (DonorKind.COMPANY, DonorKind.ORGANISATION, DonorKind.MERCHANT):
        return name
    return mask_name(name)


class Donation(models.Model):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="donations")
    receipt_code = models.CharField(max_length=16, unique=True)
    donor_kind = models.CharField(_("donor kind"), max_length=16, choices=DonorKind.choices)
    donor_name = models.CharField(_("donor"), max_length=200, blank=True)
    named_publicly = models.BooleanField(_("name the donor in public"), default=False)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    amount = MoneyField(_("amount"), **MONEY)
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("payment reference"), max_length=64)
    fund = models.ForeignKey(
        RestrictedFund,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
        verbose_name=_("restricted to"),
    )
    drive = models.CharField(_("donation drive"), max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("donation")
        ordering = ["community_id", "received_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "reference"], name="inflows_donation_ref_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="inflows_donation_positive"),
        ]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"

    @property
    def public_donor(self) -> str:
        return public_donor(self.donor_kind, self.donor_name, self.named_publicly, self.anonymous)


class RestrictedSpending(models.Model):
    """A payment out of a restricted fund, citing its purpose; posted once a reviewer
    who did not request it approves."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(RestrictedFund, on_delete=models.PROTECT, related_name="spendings")
    purpose_code = models.CharField(_("purpose code"), max_length=32)
    purpose = models.CharField(_("what it pays for"), max_length=300)
    payee = models.CharField(_("payee"), max_length=200)
    amount = MoneyField(_("amount"), **MONEY)
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_on = models.DateField(null=True, blank=True)
    entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="inflows_spending_positive")
        ]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


# --- government purchase-of-service contracts -------------------------------------------
class PurchaseContract(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="purchase_contracts"
    )
    buyer = models.CharField(_("buyer"), max_length=200)
    number = models.CharField(_("contract number"), max_length=64)
    starts_on = models.DateField(_("period from"))
    ends_on = models.DateField(_("period to"))
    decision = models.ForeignKey(
        DecisionItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("decision")
    )
    receivable = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="+")
    billed = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("purchase contract")
        ordering = ["community_id", "starts_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "number"], name="inflows_contract_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.buyer}"

    def in_force(self, on) -> bool:
        return self.starts_on <= on <= self.ends_on


class ContractLine(models.Model):
    contract = models.ForeignKey(PurchaseContract, on_delete=models.PROTECT, related_name="lines")
    package = models.ForeignKey(ServicePackage, on_delete=models.PROTECT, related_name="+")
    units = models.PositiveIntegerField(_("units"))
    unit_price = MoneyField(_("unit price"), **MONEY)
    cap = MoneyField(_("amount cap"), **MONEY)
    # How many residents the buyer's list makes eligible for this service: more distinct
    # beneficiaries billed than that is a red flag (reports/redflags/inflows.py), not a
    # refusal. Unknown (contracts recorded before it was asked) when empty.
    eligible = models.PositiveIntegerField(_("residents eligible"), null=True, blank=True)

    class Meta:
        ordering = ["contract_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "package"], name="inflows_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.contract.number}/{self.package.code}"


class LineExtension(models.Model):
    """More units (and cap) the buyer agreed for a line, recorded with a decision."""

    line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, related_name="extensions")
    units = models.PositiveIntegerField()
    cap = MoneyField(**MONEY)
    decision = models.ForeignKey(DecisionItem, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class ContractDelivery(models.Model):
    """Units of a line delivered and billed to the buyer: posted Dr receivable from the
    buyer / Cr billed-not-yet-paid; the buyer's payment (a 公益 income citing the line)
    clears both."""

    line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, related_name="deliveries")
    delivered_on = models.DateField()
    units = models.PositiveIntegerField()
    amount = MoneyField(**MONEY)
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["delivered_on", "pk"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class BeneficiaryToken(models.Model):
    """A keyed hash (HMAC-SHA-256) of a beneficiary's identifier: never the identifier,
    never published. The same token twice on one line in one month is a red flag."""

    delivery = models.ForeignKey(ContractDelivery, on_delete=models.PROTECT, related_name="tokens")
    line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, related_name="+")
    month = models.CharField(max_length=7)
    token = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class ContractPayment(models.Model):
    """A 公益 income citing a contract line: the buyer paid for units delivered."""

    income = models.OneToOneField(Income, on_delete=models.PROTECT, related_name="contract_payment")
    line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, related_name="payments")
    units = models.PositiveIntegerField()
    clearing_entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


# --- charity markets ------------------------------------------------------------------
class StallRule(models.TextChoices):
    FUND = "fund", _("All to the community fund")
    PACKAGE = "package", _("Package income, split 70/25/5")


class Market(models.Model):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="markets")
    code = models.CharField(_("code"), max_length=32, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=200)
    held_on = models.DateField(_("held on"))
    method = models.CharField(
        max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.CASH
    )
    posted = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="inflows_market_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Stall(models.Model):
    class Holder(models.TextChoices):
        PROVIDER = "provider", _("Provider")
        GROUP = "group", _("Resident group")
        MERCHANT = "merchant", _("Merchant")

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="stalls")
    code = models.CharField(max_length=32, validators=[CODE_VALIDATOR])
    name = models.CharField(max_length=200)
    holder = models.CharField(max_length=10, choices=Holder.choices)
    rule = models.CharField(max_length=10, choices=StallRule.choices)
    package = models.ForeignKey(
        ServicePackage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    income = models.OneToOneField(
        Income, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    posted_amount = MoneyField(**MONEY, null=True, blank=True)

    class Meta:
        ordering = ["market_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["market", "code"], name="inflows_stall_code_once")
        ]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class CountSheet(models.Model):
    """One person's count of the takings at the close: two, by two different people."""

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="sheets")
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["market", "counted_by"], name="inflows_one_sheet_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class StallCount(models.Model):
    sheet = models.ForeignKey(CountSheet, on_delete=models.PROTECT, related_name="counts")
    stall = models.ForeignKey(Stall, on_delete=models.PROTECT, related_name="counts")
    amount = MoneyField(**MONEY)

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"
