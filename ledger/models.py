"""Ledger tables. Entries and lines are append-only: the database refuses UPDATE and
DELETE on them (see ledger/sql/), and each entry's hash chains it to the one before.

Amounts are stored as integer fen (minor units) with a currency code: SQLite keeps
DecimalField as REAL, so SQL SUM over decimals is inexact there; integers sum exactly
on every backend. `Money` is built only at the edges (`.amount`, `.balance`).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from djmoney.money import Money

from .chain import GENESIS_HASH

FEN = Decimal("0.01")


def fen_to_money(fen: int, currency: str) -> Money:
    return Money(Decimal(fen).scaleb(-2), currency)


class Book(models.Model):
    """One set of books. Its row holds the chain head, locked by every posting."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    last_seq = models.BigIntegerField(_("last sequence number"), default=0)
    head_hash = models.CharField(_("chain head"), max_length=64, default=GENESIS_HASH)
    # Periods up to this date are closed: no entry may be dated on or before it.
    closed_through = models.DateField(_("closed through"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("book")
        verbose_name_plural = _("books")
        constraints = [
            models.CheckConstraint(condition=Q(last_seq__gte=0), name="ledger_book_seq_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AccountType(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


DEBIT_NORMAL = {AccountType.ASSET, AccountType.EXPENSE}


def normal_fen(account_type: str, net_fen: int) -> int:
    """Debits minus credits in an account's normal direction: what an asset holds, what
    a payable owes, positive when the account is as it should be."""
    return net_fen if account_type in DEBIT_NORMAL else -net_fen


class Account(models.Model):
    """An account in a book's chart. Its running debit and credit totals are kept in
    the posting transaction, so reading a balance is one primary-key lookup however
    many lines the account has; `verify` re-sums the lines and compares."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="accounts")
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=16, choices=AccountType.choices)
    debit_fen = models.BigIntegerField(_("debits (fen)"), default=0)
    credit_fen = models.BigIntegerField(_("credits (fen)"), default=0)
    line_count = models.BigIntegerField(_("lines"), default=0)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["book_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["book", "code"], name="ledger_account_code_per_book"),
            models.CheckConstraint(
                condition=Q(debit_fen__gte=0) & Q(credit_fen__gte=0) & Q(line_count__gte=0),
                name="ledger_account_totals_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_debit_normal(self) -> bool:
        return self.type in DEBIT_NORMAL

    @property
    def net_fen(self) -> int:
        """Debits minus credits."""
        return self.debit_fen - self.credit_fen

    @property
    def balance_fen(self) -> int:
        """The balance in the account's normal direction (a payable owed is positive)."""
        return normal_fen(self.type, self.net_fen)

    @property
    def balance(self) -> Money:
        return fen_to_money(self.balance_fen, self.book.currency)


class Entry(models.Model):
    """A journal voucher (记账凭证). Never updated or deleted once inserted."""

    # No index of its own: the composite indexes below start with this column, and a
    # second index only costs every insert and misleads the planner (bench/ import).
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="entries", db_index=False)
    seq = models.BigIntegerField(_("number"))
    date = models.DateField(_("date"))
    memo = models.CharField(_("memo"), max_length=500)
    actor = models.CharField(_("recorded by"), max_length=150)
    # NULL, not "", means "no key": the unique constraint below only covers real keys.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("idempotency key"), max_length=200, null=True, blank=True
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    line_count = models.PositiveSmallIntegerField(_("number of lines"))
    created_at = models.DateTimeField(_("posted at"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["book_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["book", "seq"], name="ledger_entry_seq_per_book"),
            # Key first: look-ups probe it by key (ledger.bulk.probe_sql), and an index
            # led by the book would let a planner scan the book instead.
            models.UniqueConstraint(
                fields=["idempotency_key", "book"],
                condition=Q(idempotency_key__isnull=False),
                name="ledger_entry_key_per_book",
            ),
            models.CheckConstraint(condition=Q(seq__gte=1), name="ledger_entry_seq_gte_1"),
            models.CheckConstraint(
                condition=Q(line_count__gte=2), name="ledger_entry_two_lines_or_more"
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reason=""),
                name="ledger_entry_reversal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["book", "date"], name="ledger_entry_book_date")]

    def __str__(self) -> str:
        return f"{self.book.code}#{self.seq} {self.memo}"


class Line(models.Model):
    """One leg of an entry: a signed amount in fen, debit positive, credit negative."""

    # No index of its own: the composite index (entry, position) starts with this column, and a
    # second index only costs every insert and misleads the planner (bench/ import).
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="lines", db_index=False)
    position = models.PositiveSmallIntegerField(_("position"))
    # Indexed by (account, entry) below.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="lines", db_index=False
    )
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    currency = models.CharField(_("currency"), max_length=3)
    description = models.CharField(_("description"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        ordering = ["entry_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "position"], name="ledger_line_position"),
            models.CheckConstraint(condition=~Q(amount_fen=0), name="ledger_line_nonzero"),
        ]
        indexes = [models.Index(fields=["account", "entry"], name="ledger_line_account_entry")]

    def __str__(self) -> str:
        return f"{self.position}: {self.amount_fen} {self.currency}"

    @property
    def amount(self) -> Money:
        return fen_to_money(self.amount_fen, self.currency)

    @property
    def is_debit(self) -> bool:
        return self.amount_fen > 0


class BalanceSnapshot(models.Model):
    """An account's totals through a closed date (期末余额), written when the book is
    closed through that date and never changed: no entry can be dated on or before a
    closed date, so the totals cannot move. Balances as at a date start from the latest
    snapshot and add only the lines after it, so reading them does not scan the book.
    verify_ledger recomputes every snapshot from the lines."""

    # Both indexed by the composite indexes below.
    book = models.ForeignKey(
        Book, on_delete=models.PROTECT, related_name="snapshots", db_index=False
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="snapshots", db_index=False
    )
    through = models.DateField(_("through"))
    debit_fen = models.BigIntegerField(_("debits (fen)"))
    credit_fen = models.BigIntegerField(_("credits (fen)"))
    line_count = models.BigIntegerField(_("lines"))

    class Meta:
        verbose_name = _("balance snapshot")
        verbose_name_plural = _("balance snapshots")
        constraints = [
            models.UniqueConstraint(fields=["account", "through"], name="ledger_snapshot_once"),
        ]
        indexes = [models.Index(fields=["book", "through"], name="ledger_snapshot_book_through")]

    def __str__(self) -> str:
        return f"{self.account_id} through {self.through}"
