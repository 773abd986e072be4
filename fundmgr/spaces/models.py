"""Spaces, their agreements (一元租金·资源换服务), the monthly service owed, the sessions
delivered, the symbolic rent received and the package income earned in the space."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from ..decisions.models import DecisionItem
from ..models import (
    CODE_VALIDATOR,
    MONEY,
    Community,
    Income,
    PaymentMethod,
    Provider,
    ServicePackage,
)

# What every page showing the rent says (DESIGN 4.5: only package income is split).
RENT_NOT_SPLIT = _(
    "The symbolic rent is income of the community for letting its space, not income from a "
    "service package, so it is not split 70/25/5: all of it stays with the community."
)
# The same, in the signed month document, which never changes with the reader's language.
RENT_NOT_SPLIT_ZH = (
    "场地象征性租金是社区出租场地的收入，不是服务包收入，因此不按70/25/5分成，全部归社区。"
)


class Space(models.Model):
    """A public space of the community: a room, a canteen, a care station."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="spaces")
    code = models.CharField(_("code"), max_length=32, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ["community_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="spaces_code_once"),
            models.CheckConstraint(condition=Q(area_m2__gt=0), name="spaces_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SpacePhoto(models.Model):
    """A photo of the space, kept with its SHA-256 like a disbursement's evidence."""

    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(upload_to="spaces/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.space.code} {self.sha256[:12]}"


class Agreement(models.Model):
    """One letting of a space to an operator, approved by a decision item. Never edited:
    a renewal or a change is a new agreement naming the one it follows, with its own
    decision."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="space_agreements"
    )
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="agreements")
    number = models.CharField(_("agreement number"), max_length=32, validators=[CODE_VALIDATOR])
    operator = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        related_name="space_agreements",
        verbose_name=_("operator"),
    )
    starts_on = models.DateField(_("term from"))
    ends_on = models.DateField(_("term to"))
    rent = MoneyField(_("symbolic rent for the term"), **MONEY)
    market_rent_month = MoneyField(_("market rent forgone per month"), **MONEY)
    market_rent_source = models.CharField(_("source of the market-rent estimate"), max_length=300)
    paid_income_foreseen_month = MoneyField(
        _("paid-tier income foreseen per month"),
        **MONEY,
        help_text=_("The paid business the agreement allows in the space, per month."),
    )
    decision = models.ForeignKey(
        DecisionItem,
        on_delete=models.PROTECT,
        related_name="space_agreements",
        verbose_name=_("approving decision"),
    )
    follows = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followed_by",
        verbose_name=_("renews or changes"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("space agreement")
        verbose_name_plural = _("space agreements")
        ordering = ["community_id", "-starts_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="spaces_agreement_number"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="spaces_term_order"
            ),
            models.CheckConstraint(condition=Q(rent__gte=0), name="spaces_rent_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.space.name}"

    def in_force(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on


class Unit(models.TextChoices):
    SESSION = "session", _("sessions")
    HOUR = "hour", _("hours")


class Obligation(models.Model):
    """Per month, so many sessions (or hours) of a named package at the 公益 or 低偿 tier,
    valued at the package's listed price for that tier when the agreement was made."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="obligations")
    package = models.ForeignKey(ServicePackage, on_delete=models.PROTECT, related_name="+")
    tier = models.CharField(_("tier"), max_length=20)
    per_month = models.PositiveIntegerField(_("per month"))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.SESSION)
    unit_price = MoneyField(_("listed price per unit"), **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "package", "tier"], name="spaces_obligation_once"
            ),
            models.CheckConstraint(
                condition=Q(per_month__gte=1), name="spaces_obligation_positive"
            ),
            models.CheckConstraint(
                condition=Q(tier__in=["public_benefit", "low_cost"]), name="spaces_obligation_tier"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.package.code} {self.tier} ×{self.per_month}"


class AgreementPerson(models.Model):
    """Who may act on an agreement besides the community's officers and reviewers: the
    operator's staff (who enter deliveries) and resident representatives (who confirm)."""

    class Kind(models.TextChoices):
        OPERATOR_STAFF = "operator", _("Operator's staff")
        RESIDENT_REP = "resident", _("Resident representative")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="people")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "user", "kind"], name="spaces_person_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number} {self.kind}"


class Delivery(models.Model):
    """A session (or hours) delivered under an agreement. It counts as delivered once a
    resident representative or a reviewer - never its author - confirms it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="deliveries")
    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="deliveries")
    delivered_on = models.DateField(_("delivered on"))
    quantity = models.PositiveIntegerField(_("sessions or hours"), default=1)
    participants = models.PositiveIntegerField(_("participants"))
    evidence_sha256 = models.CharField(_("evidence SHA-256"), max_length=64)
    evidence_file = models.FileField(upload_to="deliveries/", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_as = models.CharField(max_length=10)  # officer | operator
    entered_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_as = models.CharField(max_length=10, blank=True)  # reviewer | resident
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["agreement_id", "delivered_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="spaces_delivery_quantity"),
            # The database too refuses a record confirmed by its author.
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("entered_by")),
                name="spaces_confirmed_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number} {self.delivered_on} ×{self.quantity}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_by_id is not None


class RentPayment(models.Model):
    """The symbolic rent received, posted Dr cash or bank / Cr the rent income account."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="rent_payments")
    amount = MoneyField(_("amount"), **MONEY)
    method = models.CharField(_("payment method"), max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField(_("payment reference"), max_length=64)
    paid_on = models.DateField(_("paid on"))
    entry = models.OneToOneField(
        "ledger.Entry", on_delete=models.PROTECT, related_name="space_rent"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "reference"], name="spaces_rent_reference_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="spaces_rent_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number} {self.amount}"


class SpaceIncome(models.Model):
    """A package income earned in the space, linked to the agreement in force."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="incomes")
    income = models.OneToOneField(Income, on_delete=models.PROTECT, related_name="space_link")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.agreement.number} income {self.income_id}"
