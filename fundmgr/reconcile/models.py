"""Statements, their lines, the matches an officer confirmed, cash deposits and each
community's reconciliation settings. Amounts are integer fen (signed on a statement
line: money in is positive), like the ledger underneath."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fundmgr.models import Community


class StatementFormat(models.TextChoices):
    BANK = "bank", _("Bank statement (columns set once per bank)")
    WECHAT_TRADES = "wechat_trades", _("WeChat Pay merchant trade bill (交易账单)")
    WECHAT_FUNDS = "wechat_funds", _("WeChat Pay merchant fund bill (资金账单)")
    ALIPAY = "alipay", _("Alipay account statement (账务明细)")


class ItemKind(models.TextChoices):
    INCOME = "income", _("Income")
    REVERSAL = "reversal", _("Refund (reversed income)")
    SETTLEMENT = "settlement", _("Settlement")
    DISBURSEMENT = "disbursement", _("Disbursement")
    DEPOSIT = "deposit", _("Cash deposit")
    # Any other posting on the account (a donation, a restricted fund's spending, a
    # space's rent...): matched by its ledger entry, so no inflow is left out.
    ENTRY = "entry", _("Other posting")


class ReconcileSettings(models.Model):
    """A community's choices: whether a month closes only when reconciled, how much cash
    may be kept on hand and how soon cash taken must be banked."""

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="reconcile_settings"
    )
    require_for_close = models.BooleanField(
        _("close a month only when its statements are reconciled"), default=False
    )
    cash_limit_fen = models.BigIntegerField(_("most cash kept on hand (fen)"), default=500_000)
    deposit_days = models.PositiveSmallIntegerField(
        _("days within which cash taken is banked"), default=7
    )

    class Meta:
        verbose_name = _("reconciliation settings")
        verbose_name_plural = _("reconciliation settings")

    def __str__(self) -> str:
        return str(self.community)


class BankMapping(models.Model):
    """Which column of one bank's export holds what: set once, used for every statement
    of that bank. `columns` maps our fields (date, amount or amount_in/amount_out,
    balance, reference, counterparty, memo) to the bank's header text."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="bank_mappings")
    bank = models.CharField(_("bank"), max_length=100)
    columns = models.JSONField(_("columns"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bank column mapping")
        verbose_name_plural = _("bank column mappings")
        constraints = [
            models.UniqueConstraint(fields=["community", "bank"], name="bank_mapping_once"),
        ]

    def __str__(self) -> str:
        return f"{self.community} · {self.bank}"


class Statement(models.Model):
    """One imported file: the account it is a statement of, and what it said."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="statements")
    account_code = models.CharField(_("account"), max_length=16)
    format = models.CharField(_("format"), max_length=16, choices=StatementFormat.choices)
    bank = models.CharField(_("bank"), max_length=100, blank=True)
    original_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    first_date = models.DateField(_("from"))
    last_date = models.DateField(_("to"))
    opening_fen = models.BigIntegerField(_("opening balance (fen)"))
    closing_fen = models.BigIntegerField(_("closing balance (fen)"))
    balance_stated = models.BooleanField(_("the file states a running balance"), default=False)
    lines_count = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["community_id", "account_code", "first_date", "id"]

    def __str__(self) -> str:
        return f"{self.account_code} {self.first_date}–{self.last_date}"


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    account_code = models.CharField(max_length=16)
    row = models.PositiveIntegerField()
    date = models.DateField()
    amount_fen = models.BigIntegerField()
    fee_fen = models.BigIntegerField(default=0)
    balance_fen = models.BigIntegerField()
    reference = models.CharField(max_length=64)
    other_refs = models.CharField(max_length=200, blank=True)
    counterparty = models.CharField(max_length=200, blank=True)
    memo = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["account_code", "date", "id"]
        constraints = [
            # The platform's transaction id: a line imported twice is one line.
            models.UniqueConstraint(
                fields=["community", "account_code", "reference"], name="statement_line_once"
            ),
            models.CheckConstraint(condition=~Q(amount_fen=0), name="statement_line_nonzero"),
        ]
        indexes = [
            models.Index(fields=["community", "account_code", "date"], name="line_acct_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount_fen} {self.reference}"

    @property
    def refs(self) -> list[str]:
        return [self.reference, *[r for r in self.other_refs.split() if r]]


class Match(models.Model):
    """A statement line and the recorded items it pays, confirmed by an officer. The
    items' amounts add up to the line's exactly."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    line = models.OneToOneField(StatementLine, on_delete=models.PROTECT, related_name="match")
    method = models.CharField(max_length=16)  # exact | amount_date | group | manual
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")

    def __str__(self) -> str:
        return f"{self.line} ({self.method})"


class MatchItem(models.Model):
    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="items")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=ItemKind.choices)
    object_id = models.BigIntegerField()
    amount_fen = models.BigIntegerField()

    class Meta:
        constraints = [
            # A recorded payment is on the statement once.
            models.UniqueConstraint(
                fields=["community", "kind", "object_id"], name="match_item_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class DepositStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    POSTED = "posted", _("Posted")
    REJECTED = "rejected", _("Rejected")


class CashDeposit(models.Model):
    """Cash taken over the counter and paid into the bank: once a reviewer approves, a
    transfer Dr 银行存款 / Cr 库存现金, so the books know how much cash is on hand."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="deposits")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    deposited_on = models.DateField(_("deposited on"))
    slip_reference = models.CharField(_("deposit slip number"), max_length=64)
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DepositStatus.choices, default=DepositStatus.PENDING
    )
    entry = models.OneToOneField(
        "ledger.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="deposit"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("cash deposit")
        verbose_name_plural = _("cash deposits")
        ordering = ["-deposited_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "slip_reference"],
                condition=~Q(status="rejected"),
                name="deposit_slip_once",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="deposit_positive"),
            models.CheckConstraint(
                condition=Q(status="posted", entry__isnull=False)
                | (~Q(status="posted") & Q(entry__isnull=True)),
                name="deposit_posted_iff_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slip_reference} {self.amount_fen}"
