"""The allocator's domain: communities, the parties that share income, packages, split
policies, roles and income records. Money is django-money `Money` (Decimal, 2 places);
the ledger underneath keeps integer fen.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField
from djmoney.money import Money

from ledger.models import Book

CODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$",
    _("2-32 letters, digits, dashes or underscores, starting with a letter or digit."),
)
MONEY = {"max_digits": 14, "decimal_places": 2, "default_currency": "CNY"}


class Tier(models.TextChoices):
    PUBLIC_BENEFIT = "public_benefit", _("Public benefit (free to residents)")
    PAID = "paid", _("Paid (market price)")
    LOW_COST = "low_cost", _("Low cost (reduced price)")


# Tier.values builds a new list on every use; these are read for every imported row.
TIER_VALUES = tuple(Tier.values)

# Stored in ledger memos, which never change with the reader's language.
TIER_ZH = {Tier.PUBLIC_BENEFIT: "公益", Tier.PAID: "有偿", Tier.LOW_COST: "低偿"}


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    BANK = "bank", _("Bank transfer")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    """Every role in one place: a check such as a second factor for "staff who can sign
    or approve" names these members (e.g. `Role.SUPERVISOR`)."""

    OFFICER = "officer", _("Finance officer")
    REVIEWER = "reviewer", _("Reviewer")
    AUDITOR = "auditor", _("Auditor")
    # 居务监督委员会成员: reads what is published and co-signs each month's tree head with
    # a key the server never holds (reports.supervision).
    SUPERVISOR = "supervisor", _("Supervisory committee member")


class ProviderCategory(models.TextChoices):
    ELDERLY = "elderly", _("Elderly care")
    CHILDCARE = "childcare", _("Childcare")
    MEALS = "meals", _("Community meals")
    CULTURE = "culture", _("Culture and education")
    HOUSEKEEPING = "housekeeping", _("Housekeeping")
    REHAB = "rehab", _("Rehabilitation")
    HEALTH = "health", _("Health")
    OTHER = "other", _("Other")


class HubEnterprise(models.Model):
    """枢纽型社会企业: runs the incubation platform, receives 25 %."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=200)
    subdistrict = models.CharField(_("subdistrict"), max_length=100)

    class Meta:
        verbose_name = _("hub social enterprise")
        verbose_name_plural = _("hub social enterprises")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    """专业机构 / 社会组织: delivers the services, keeps 70 %."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=ProviderCategory.choices)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """社区: keeps one book of accounts; its fund receives 5 %."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=200)
    subdistrict = models.CharField(_("subdistrict"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    hub = models.ForeignKey(
        HubEnterprise,
        on_delete=models.PROTECT,
        related_name="communities",
        verbose_name=_("hub social enterprise"),
    )
    book = models.OneToOneField(
        Book, on_delete=models.PROTECT, related_name="community", editable=False
    )
    review_threshold = MoneyField(
        _("review threshold"),
        default=Money(5000, "CNY"),
        **MONEY,
        help_text=_("Income above this amount waits for a reviewer before it is posted."),
    )
    max_income = MoneyField(
        _("largest single income"),
        default=Money(1_000_000, "CNY"),
        **MONEY,
        help_text=_("Anything larger is refused as a likely typing error."),
    )
    # Approval of fund disbursements by amount (defaults from the 三重一大 rules).
    one_reviewer_up_to = MoneyField(_("one reviewer up to"), default=Money(2000, "CNY"), **MONEY)
    committee_from = MoneyField(_("collective decision from"), default=Money(20000, "CNY"), **MONEY)
    committee_quorum = models.PositiveSmallIntegerField(_("committee quorum"), default=5)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CommunityFund(models.Model):
    """社区基金: one per community."""

    community = models.OneToOneField(Community, on_delete=models.PROTECT, related_name="fund")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("community fund")
        verbose_name_plural = _("community funds")

    def __str__(self) -> str:
        return self.name


class ServicePackage(models.Model):
    """服务包: offered in one community by one provider, priced per tier."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="packages")
    code = models.CharField(_("code"), max_length=32, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=200)
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="packages", verbose_name=_("provider")
    )
    description = models.TextField(_("description"), blank=True)
    price_public_benefit = MoneyField(
        _("public-benefit price (paid by the purchaser)"), null=True, blank=True, **MONEY
    )
    price_paid = MoneyField(_("paid price"), null=True, blank=True, **MONEY)
    price_low_cost = MoneyField(_("low-cost price"), null=True, blank=True, **MONEY)
    low_cost_eligibility = models.CharField(
        _("who is eligible for the low-cost price"),
        max_length=200,
        blank=True,
        help_text=_("e.g. residents over 70, children, low-income and disabled residents"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service package")
        verbose_name_plural = _("service packages")
        ordering = ["community_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "code"], name="package_code_per_community"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def price(self, tier: str) -> Money | None:
        return getattr(self, f"price_{tier}", None)

    @property
    def tiers(self) -> list[str]:
        return [t for t in TIER_VALUES if self.price(t) is not None]


class SplitPolicy(models.Model):
    """分配方案: basis points per party, in force from a date until the next version.
    Never edited: a change is a new version, so every income keeps the policy it was
    split under."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="policies")
    version = models.PositiveIntegerField(_("version"))
    provider_bp = models.PositiveIntegerField(_("provider share (basis points)"), default=7000)
    hub_bp = models.PositiveIntegerField(_("hub share (basis points)"), default=2500)
    fund_bp = models.PositiveIntegerField(_("fund share (basis points)"), default=500)
    effective_from = models.DateField(_("in force from"))
    # The passed decision item that adopted this split (#19). Required of every policy
    # made after it existed; older rows keep only the free text below.
    decision = models.ForeignKey(
        "decisions.DecisionItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="split_policies",
        verbose_name=_("decision"),
    )
    # History: who approved it, as typed before decisions were recorded (never edited).
    approved_by = models.CharField(_("approved by"), max_length=200, blank=True)
    decision_ref = models.CharField(_("decision reference"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("split policy")
        verbose_name_plural = _("split policies")
        ordering = ["community_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["community", "version"], name="policy_version"),
            models.UniqueConstraint(
                fields=["community", "effective_from"], name="policy_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(provider_bp__lte=10000, hub_bp__lte=10000, fund_bp__lte=10000),
                name="policy_bp_range",
            ),
            models.CheckConstraint(
                condition=Q(provider_bp__gte=0, hub_bp__gte=0, fund_bp__gte=0),
                name="policy_bp_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"v{self.version} {self.provider_bp / 100:g}/{self.hub_bp / 100:g}/"
            f"{self.fund_bp / 100:g} from {self.effective_from}"
        )

    @property
    def bps(self) -> tuple[int, int, int]:
        return (self.provider_bp, self.hub_bp, self.fund_bp)

    @property
    def percents(self) -> dict[str, str]:
        """{"provider": "70", "hub": "25", "fund": "5"}: what pages print."""
        from .lib.split import percent

        return {
            "provider": percent(self.provider_bp),
            "hub": percent(self.hub_bp),
            "fund": percent(self.fund_bp),
        }

    @classmethod
    def in_force(cls, community: Community, on: dt.date) -> SplitPolicy | None:
        # A raw query still gives the model; it skips composing the SQL on every income.
        found = list(
            cls.objects.raw(
                f"SELECT * FROM {cls._meta.db_table} WHERE community_id = %s AND "
                "effective_from <= %s ORDER BY effective_from DESC LIMIT 1",
                [community.pk, connection.ops.adapt_datefield_value(on)],
            )
        )
        return found[0] if found else None


class Membership(models.Model):
    """Gives a user a role in one community; every officer query is scoped by these."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "community", "role"], name="membership_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.community} · {self.get_role_display()}"


class IncomeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    POSTED = "posted", _("Posted")
    REJECTED = "rejected", _("Rejected")
    REVERSED = "reversed", _("Reversed")


class Income(models.Model):
    """收入登记: one payment for a service package, split and (once approved) posted.

    The recorded facts (amounts, split, package, payer, dates, receipt code) are fixed
    by database triggers (fundmgr/sql/); only the workflow columns move on."""

    # No index of its own: the (community, ...) indexes below cover it, and a second one
    # only costs every insert and misleads the planner (bench/ import).
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="incomes",
        verbose_name=_("community"),
        db_index=False,
    )
    package = models.ForeignKey(
        ServicePackage,
        on_delete=models.PROTECT,
        related_name="incomes",
        verbose_name=_("service package"),
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    amount = MoneyField(_("amount"), **MONEY)
    provider_share = MoneyField(_("provider share"), **MONEY)
    hub_share = MoneyField(_("hub share"), **MONEY)
    fund_share = MoneyField(_("community fund share"), **MONEY)
    policy = models.ForeignKey(
        SplitPolicy,
        on_delete=models.PROTECT,
        related_name="incomes",
        verbose_name=_("split policy"),
    )
    paid_at = models.DateTimeField(_("paid at"))
    payer = models.CharField(_("payer"), max_length=100, blank=True)
    method = models.CharField(_("payment method"), max_length=10, choices=PaymentMethod.choices)
    # NULL, not "": only real references are unique per community.
    external_ref = models.CharField(  # noqa: DJ001
        _("payment reference"), max_length=64, null=True, blank=True
    )
    receipt_code = models.CharField(_("receipt code"), max_length=16, unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Why less than the listed price was taken (issue 14): asked for by the record form.
    price_note = models.CharField(
        _("reason for a price below the list"), max_length=200, blank=True, default=""
    )
    status = models.CharField(_("status"), max_length=10, choices=IncomeStatus.choices)
    entry = models.OneToOneField(
        "ledger.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="income"
    )
    reversal_entry = models.OneToOneField(
        "ledger.Entry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_income",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incomes_recorded",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incomes_reviewed",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incomes_reversed",
        verbose_name=_("reversed by"),
    )
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reverse_reason = models.CharField(_("reason for reversal"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("income")
        verbose_name_plural = _("incomes")
        ordering = ["-paid_at", "-id"]
        constraints = [
            # Reference first: imports probe it by reference (ledger.bulk.probe_sql).
            models.UniqueConstraint(
                fields=["external_ref", "community"],
                condition=Q(external_ref__isnull=False) & ~Q(status="rejected"),
                name="income_ref_per_community",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="income_quantity_gte_1"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="income_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "rejected"], entry__isnull=True)
                | Q(status__in=["posted", "reversed"], entry__isnull=False),
                name="income_posted_iff_entry",
            ),
            models.CheckConstraint(
                condition=Q(status="reversed", reversal_entry__isnull=False)
                | (~Q(status="reversed") & Q(reversal_entry__isnull=True)),
                name="income_reversed_iff_reversal",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "paid_at"], name="income_community_paid"),
            models.Index(fields=["community", "status"], name="income_community_status"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_code} {self.amount}"

    @property
    def receipt_display(self) -> str:
        from .lib.receipts import display

        return display(self.receipt_code)

    @property
    def paid_on(self) -> dt.date:
        from .lib.dates import local_date

        return local_date(self.paid_at)

    @property
    def will_book_on(self) -> dt.date | None:
        """For an income still waiting for review whose month has been closed: the day
        approving it would book it on (as an adjustment). None otherwise."""
        from .lib.dates import booked_on

        if self.entry_id is not None:
            return None
        day = booked_on(self.paid_on, self.community.book.closed_through)
        return day if day != self.paid_on else None

    @property
    def adjustment_of(self) -> dt.date | None:
        """The closed month (its first day) a payment belongs to when it was booked on a
        later, open day as an adjustment (调整); None when booked on its own day."""
        if self.entry_id is None or self.entry.date == self.paid_on:
            return None
        return self.paid_on.replace(day=1)


class ImportState(models.TextChoices):
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked: ready to record")
    REFUSED = "refused", _("Refused: the file has errors")
    IMPORTING = "importing", _("Recording")
    DONE = "done", _("Recorded")
    FAILED = "failed", _("Failed: nothing recorded")


def _import_path(job: ImportJob, filename: str) -> str:
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    return f"imports/{job.pk}{suffix}"


class ImportJob(models.Model):
    """An uploaded income file on its way: checked, confirmed, recorded (in a task)."""

    id = models.UUIDField(primary_key=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file = models.FileField(upload_to=_import_path)
    original_name = models.CharField(max_length=200)
    state = models.CharField(
        max_length=10, choices=ImportState.choices, default=ImportState.CHECKING
    )
    rows = models.PositiveIntegerField(default=0)
    bad_rows = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    recorded = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    ignored_columns = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    report = models.FileField(upload_to="imports/reports/", blank=True)
    # When the job entered its current "checking" or "recording" state: one found
    # there long after its time limit is failed as stuck (its worker died) and may be
    # retried (issue 21).
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("income import")
        verbose_name_plural = _("income imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"

    @property
    def ready(self) -> int:
        return self.rows - self.bad_rows - self.skipped


class DisbursementCategory(models.TextChoices):
    ELDERLY = "elderly", _("Elderly support (助老)")
    EDUCATION = "education", _("Education support (助学)")
    ENVIRONMENT = "environment", _("Environment (环境)")
    ACTIVITY = "activity", _("Community activities (活动)")
    OTHER = "other", _("Other (其他)")


class DisbursementStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    POSTED = "posted", _("Approved and paid")
    REJECTED = "rejected", _("Rejected")


class ApprovalTier(models.TextChoices):
    ONE = "one", _("One reviewer")
    TWO = "two", _("Two reviewers")
    COMMITTEE = "committee", _("Collective decision (三重一大)")


class Settlement(models.Model):
    """结算: paying a provider or the hub what the books say it is owed."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="settlements")
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settlements",
        help_text=_("Empty: the hub social enterprise."),
    )
    amount = MoneyField(_("amount"), **MONEY)
    method = models.CharField(_("payment method"), max_length=10, choices=PaymentMethod.choices)
    bank_reference = models.CharField(_("bank reference"), max_length=64)
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    # 三重一大: from the community's collective-decision limit, the passed item that
    # decided the payment (#19).
    decision = models.ForeignKey(
        "decisions.DecisionItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settlements",
        verbose_name=_("decision"),
    )
    entry = models.OneToOneField(
        "ledger.Entry", on_delete=models.PROTECT, related_name="settlement"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "bank_reference"], name="settlement_reference_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="settlement_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payee_name} {self.amount}"

    @property
    def payee_name(self) -> str:
        return self.provider.name if self.provider else self.community.hub.name

    @property
    def adjustment_of(self) -> dt.date | None:
        """The closed month (its first day) the payment was made in, when it was booked on
        a later, open day as an adjustment (调整)."""
        if self.entry.date == self.paid_on:
            return None
        return self.paid_on.replace(day=1)


class Disbursement(models.Model):
    """拨付: money leaving the community fund for a purpose, after approval by amount tier."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="disbursements")
    payee = models.CharField(_("payee"), max_length=100)
    payee_is_person = models.BooleanField(
        _("the payee is a private person"),
        default=False,
        help_text=_("A person's name is published masked (张*); an organisation's in full."),
    )
    payee_account = models.CharField(
        _("payee bank account (kept private)"), max_length=64, blank=True
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    category = models.CharField(_("category"), max_length=12, choices=DisbursementCategory.choices)
    amount = MoneyField(_("amount"), **MONEY)
    method = models.CharField(
        _("payment method"),
        max_length=10,
        choices=PaymentMethod.choices,
        default=PaymentMethod.BANK,
    )
    invoice_number = models.CharField(_("invoice number"), max_length=64, blank=True)
    invoice_date = models.DateField(_("invoice date"), null=True, blank=True)
    tier = models.CharField(_("approval needed"), max_length=10, choices=ApprovalTier.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DisbursementStatus.choices,
        default=DisbursementStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # 三重一大: the passed decision item that decided it (#19).
    decision = models.ForeignKey(
        "decisions.DecisionItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disbursements",
        verbose_name=_("decision"),
    )
    # History: the committee's vote as typed before decisions were recorded. New
    # requests cite `decision` instead; these stay empty.
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    members_present = models.PositiveSmallIntegerField(_("members present"), null=True, blank=True)
    minutes_ref = models.CharField(_("minutes reference"), max_length=100, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    entry = models.OneToOneField(
        "ledger.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="disbursement"
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_positive"),
            models.CheckConstraint(
                condition=Q(status="posted", entry__isnull=False)
                | (~Q(status="posted") & Q(entry__isnull=True)),
                name="disbursement_posted_iff_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee} {self.amount} {self.purpose[:20]}"


class DisbursementApproval(models.Model):
    disbursement = models.ForeignKey(
        Disbursement, on_delete=models.PROTECT, related_name="approvals"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approve = models.BooleanField()
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["disbursement", "reviewer"], name="one_vote_each"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} {'✓' if self.approve else '✗'}"


class AttachmentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice (发票)")
    RECEIPT = "receipt", _("Receipt (收据)")
    MINUTES = "minutes", _("Minutes (会议纪要)")
    OTHER = "other", _("Other")


class Attachment(models.Model):
    """Evidence of a disbursement. Its SHA-256 is kept, so a file swapped after approval
    is detected."""

    disbursement = models.ForeignKey(
        Disbursement, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(upload_to="attachments/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"
