"""Business actions of the allocator: each one transaction, each posting to the ledger
through ledger.services. Views, commands, admin actions and tasks call these; they never
write the models directly.

Refusals are django ValidationErrors keyed by field (or by "__all__"), in the active
language, so a form shows them beside the field and a command prints them by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.models.fields import MoneyField
from djmoney.money import Currency, Money

from ledger import services as ledger
from ledger.meaning import shortfalls
from ledger.models import Account, AccountType, Book
from ledger.rows import Statements

from . import receipts
from .lib import dates
from .models import (
    TIER_VALUES,
    TIER_ZH,
    Community,
    CommunityFund,
    HubEnterprise,
    Income,
    IncomeStatus,
    Membership,
    PaymentMethod,
    Provider,
    Role,
    ServicePackage,
    SplitPolicy,
    Tier,
)
from .split import split, validate_bp

# --- Chart of accounts of a community's book -----------------------------------------
METHOD_ACCOUNTS = {
    PaymentMethod.CASH: ("1001", "库存现金"),
    PaymentMethod.BANK: ("1002", "银行存款"),
    PaymentMethod.WECHAT: ("1012.01", "其他货币资金—微信"),
    PaymentMethod.ALIPAY: ("1012.02", "其他货币资金—支付宝"),
    PaymentMethod.OTHER: ("1012.99", "其他货币资金—其他"),
}
HUB_ACCOUNT = "2241"
# Checked on every row of an import: Django's .values builds a new list on each use.
TIERS = frozenset(TIER_VALUES)
METHODS = frozenset(PaymentMethod.values)
FUND_ACCOUNT = "3101"
PROVIDER_ACCOUNT_PREFIX = "2202."
EARLIEST = dt.date(2000, 1, 1)
CLOCK_SKEW = dt.timedelta(minutes=10)


def provider_account_code(provider: Provider) -> str:
    return PROVIDER_ACCOUNT_PREFIX + provider.code


def _account(community: Community, code: str) -> Account:
    return Account.objects.get(book_id=community.book_id, code=code)


def _ensure_provider_account(community: Community, provider: Provider) -> Account:
    account, _created = Account.objects.get_or_create(
        book_id=community.book_id,
        code=provider_account_code(provider),
        defaults={"name": f"应付账款—{provider.name}", "type": AccountType.LIABILITY},
    )
    return account


# --- Set-up -----------------------------------------------------------------------------
@transaction.atomic
def community_create(
    *,
    code: str,
    name: str,
    subdistrict: str,
    hub: HubEnterprise,
    currency: str = "CNY",
    fund_name: str | None = None,
    policy_from: dt.date = EARLIEST,
    policy_approved_by: str = "默认方案",
    review_threshold: Decimal = Decimal("5000"),
) -> Community:
    """A community with its book, chart of accounts, fund and the default 70/25/5 policy."""
    book = ledger.create_book(code=code, name=f"{name}服务包资金账簿", currency=currency)
    for account_code, account_name in METHOD_ACCOUNTS.values():
        ledger.open_account(book=book, code=account_code, name=account_name,
                            type=AccountType.ASSET)
    ledger.open_account(book=book, code=HUB_ACCOUNT, name=f"其他应付款—{hub.name}",
                        type=AccountType.LIABILITY)
    ledger.open_account(book=book, code=FUND_ACCOUNT, name="社区基金", type=AccountType.EQUITY)
    community = Community(
        code=code, name=name, subdistrict=subdistrict, hub=hub, currency=currency, book=book,
        review_threshold=Money(review_threshold, currency),
        max_income=Money(1_000_000, currency),
        one_reviewer_up_to=Money(2000, currency), committee_from=Money(20000, currency),
    )
    community.full_clean(exclude=["book"])
    community.save()
    CommunityFund.objects.create(community=community, name=fund_name or f"{name}社区基金")
    SplitPolicy.objects.create(community=community, version=1, effective_from=policy_from,
                               approved_by=policy_approved_by)
    return community


@transaction.atomic
def package_create(*, community: Community, code: str, name: str, provider: Provider,
                   prices: dict[str, Decimal | None], low_cost_eligibility: str = "",
                   description: str = "") -> ServicePackage:
    package = ServicePackage(community=community, code=code, name=name, provider=provider,
                             low_cost_eligibility=low_cost_eligibility, description=description)
    for tier in Tier.values:
        value = prices.get(tier)
        setattr(package, f"price_{tier}",
                Money(value, community.currency) if value is not None else None)
    if not package.tiers:
        raise ValidationError({"price_paid": _("A package needs a price for at least one tier.")})
    package.full_clean()
    package.save()
    _ensure_provider_account(community, provider)
    return package


@transaction.atomic
def policy_create(*, community: Community, provider_bp: int, hub_bp: int, fund_bp: int,
                  effective_from: dt.date, approved_by: str,
                  decision_ref: str = "") -> SplitPolicy:
    """A new version of the split. It may not start on or before a day that already has
    income: that would change the rule those incomes were split under."""
    try:
        validate_bp(provider_bp, hub_bp, fund_bp)
    except ValueError as exc:
        raise ValidationError({"provider_bp": str(exc)}) from exc
    if not approved_by.strip():
        raise ValidationError({"approved_by": _("Say who approved the new split.")})
    last = (Income.objects.filter(community=community).order_by("-paid_at")
            .values_list("paid_at", flat=True).first())
    if last is not None and effective_from <= local_date(last):
        raise ValidationError({"effective_from": _(
            "Income is already recorded up to %(date)s; a new split can start only after it."
        ) % {"date": local_date(last).isoformat()}})
    latest = SplitPolicy.objects.filter(community=community).order_by("-version").first()
    return SplitPolicy.objects.create(
        community=community, version=(latest.version + 1) if latest else 1,
        provider_bp=provider_bp, hub_bp=hub_bp, fund_bp=fund_bp,
        effective_from=effective_from, approved_by=approved_by, decision_ref=decision_ref,
    )


def membership_grant(*, user: AbstractBaseUser, community: Community, role: str) -> Membership:
    membership, _created = Membership.objects.get_or_create(user=user, community=community,
                                                            role=role)
    return membership


def has_role(user, community: Community, *roles: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    # Plain SQL: this check guards every page and every action, and the ORM spent most
    # of its time composing the query rather than running it (bench/ record).
    with connection.cursor() as cur:
        cur.execute(f"SELECT 1 FROM {Membership._meta.db_table} WHERE user_id = %s AND "
                    f"community_id = %s AND role IN ({', '.join(['%s'] * len(roles))}) LIMIT 1",
                    [user.pk, community.pk, *roles])
        return cur.fetchone() is not None


def _require_role(user, community: Community, *roles: str) -> None:
    if not has_role(user, community, *roles):
        raise PermissionError(_("You have no %(roles)s role in %(community)s.") % {
            "roles": "/".join(str(Role(r).label) for r in roles), "community": community.name})


# --- Income ---------------------------------------------------------------------------------
def money_problem(community: Community, amount: Money | None) -> tuple[str, str] | None:
    """(field, message) when `amount` cannot be booked in this community: missing, in
    another currency, not more than zero, or finer than a fen. Incomes and payouts alike."""
    if amount is None:
        return "amount", _("Enter the amount.")
    if str(amount.currency) != community.currency:
        return "currency", (_("%(community)s keeps its books in %(expected)s, not %(got)s.")
                            % {"community": community.name, "expected": community.currency,
                               "got": amount.currency})
    if not amount.amount.is_finite() or amount.amount <= 0:
        return "amount", _("The amount must be more than zero.")
    if amount.amount != amount.amount.quantize(Decimal("0.01")):
        return "amount", _("The amount has more than two decimal places (fen).")
    return None


@dataclass
class IncomeDraft:
    """What an officer (or a file row) says was paid, before it is recorded."""

    community: Community
    package: ServicePackage | None
    tier: str
    amount: Money | None
    paid_at: dt.datetime | None
    method: str
    payer: str = ""
    external_ref: str | None = None
    quantity: int = 1
    note: str = ""
    policy: SplitPolicy | None = field(default=None, repr=False)


def validate_draft(draft: IncomeDraft, *, now: dt.datetime | None = None,
                   policies: Sequence[SplitPolicy] | None = None) -> dict[str, list[str]]:
    """Every reason the draft cannot be recorded, by field. Fills draft.policy.

    `policies` (the community's, newest first) may be passed by a caller that checks
    many rows, to avoid a query per row."""
    errors: dict[str, list[str]] = {}

    def bad(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    community = draft.community
    package = draft.package
    if package is None:
        bad("package", _("Choose a service package."))
    elif package.community_id != community.pk:
        bad("package", _("Package %(code)s is not offered in %(community)s.")
            % {"code": package.code, "community": community.name})
    elif not package.active:
        bad("package", _("Package %(code)s is no longer offered.") % {"code": package.code})
    if draft.tier not in TIERS:
        bad("tier", _("Tier must be public_benefit, paid or low_cost (公益 / 有偿 / 低偿)."))
    elif package is not None and draft.tier not in package.tiers:
        bad("tier", _("Package %(code)s has no %(tier)s price.")
            % {"code": package.code, "tier": Tier(draft.tier).label})

    amount = draft.amount
    if problem := money_problem(community, amount):
        bad(*problem)
    elif amount > community.max_income:
        bad("amount", _("%(amount)s is more than the largest single income allowed "
                        "(%(limit)s); check the amount.")
            % {"amount": amount.amount, "limit": community.max_income.amount})

    now = now or timezone.now()
    if draft.paid_at is None:
        bad("paid_at", _("Enter when it was paid."))
    elif timezone.is_naive(draft.paid_at):
        bad("paid_at", _("The payment time needs a time zone."))
    elif draft.paid_at > now + CLOCK_SKEW:
        bad("paid_at", _("The payment time is in the future."))
    elif (on := local_date(draft.paid_at)) < EARLIEST:
        bad("paid_at", _("The payment date is before 2000."))
    else:
        if policies is None:
            draft.policy = SplitPolicy.in_force(community, on)
        else:
            draft.policy = next((p for p in policies if p.effective_from <= on), None)
        if draft.policy is None:
            bad("paid_at", _("No split policy is in force on %(date)s.") % {"date": on})

    if draft.method not in METHODS:
        bad("method", _("Payment method must be cash, wechat, alipay, bank or other."))
    if len(draft.payer) > 100:
        bad("payer", _("The payer has at most 100 characters."))
    if draft.external_ref is not None:
        if len(draft.external_ref) > 64:
            bad("external_ref", _("The payment reference has at most 64 characters."))
        elif any(ord(c) < 32 for c in draft.external_ref):
            bad("external_ref", _("The payment reference contains control characters."))
    if not 1 <= draft.quantity <= 100_000:
        bad("quantity", _("Quantity must be from 1 to 100000."))
    if len(draft.note) > 200:
        bad("note", _("The note has at most 200 characters."))
    return errors


def local_date(moment: dt.datetime) -> dt.date:
    """The day a moment falls on in the project's time zone (TIME_ZONE): accounting dates
    never depend on a reader's activated zone. (Looking the current zone up cost 5% of
    an import, bench/ import.)"""
    return moment.astimezone(timezone.get_default_timezone()).date()


def _fen(money: Money) -> int:
    return ledger.to_fen(money)


def build_income(draft: IncomeDraft, *, recorded_by, now: dt.datetime) -> Income:
    """An unsaved Income with its split, receipt code and status; the draft is valid."""
    community, policy = draft.community, draft.policy
    assert policy is not None and draft.amount is not None
    shares = split(_fen(draft.amount), *policy.bps)
    cur = community.currency
    status = (IncomeStatus.PENDING if draft.amount > community.review_threshold
              else IncomeStatus.POSTED)
    return Income(
        community=community, package=draft.package, tier=draft.tier, quantity=draft.quantity,
        amount=draft.amount,
        provider_share=Money(Decimal(shares.provider).scaleb(-2), cur),
        hub_share=Money(Decimal(shares.hub).scaleb(-2), cur),
        fund_share=Money(Decimal(shares.fund).scaleb(-2), cur),
        policy=policy, paid_at=draft.paid_at, payer=draft.payer.strip(), method=draft.method,
        external_ref=draft.external_ref or None, receipt_code=receipts.new_code(),
        note=draft.note.strip(), status=status, recorded_by=recorded_by, recorded_at=now,
    )


class AccountCache:
    """The accounts of one community's book, fetched once per batch."""

    def __init__(self, community: Community, codes: Iterable[str] | None = None):
        self.community = community
        self._by_code = ledger.accounts_of(community.book_id, codes)

    def get(self, code: str) -> Account:
        if code not in self._by_code:
            self._by_code[code] = _account(self.community, code)
        return self._by_code[code]

    def provider(self, provider: Provider) -> Account:
        code = provider_account_code(provider)
        if code not in self._by_code:
            self._by_code[code] = _ensure_provider_account(self.community, provider)
        return self._by_code[code]


def shortfall_problem(book, takes: Sequence[tuple[str, int]], on: dt.date) -> str | None:
    """Why taking each (account code, fen) out from `on` on is impossible, or None: a
    payment (or a refund) lowers the account's balance on its own day and every later
    day - a back-dated one too - so it must hold the amount at the end of each of them.
    Call under the book lock."""
    accounts = ledger.accounts_of(book.pk, [code for code, _fen in takes])
    missing = [code for code, _fen in takes if code not in accounts]
    if missing:
        return _("%(account)s holds nothing.") % {"account": missing[0]}
    found = shortfalls(book, [(accounts[code], fen) for code, fen in takes if fen], on)
    if not found:
        return None
    s = found[0]
    return _("This would take %(account)s to %(balance)s at the end of %(date)s: from that "
             "day on it holds at most %(available)s, %(short)s short.") % {
        "account": f"{s.account.code} {s.account.name}", "date": s.lowest.date.isoformat(),
        "balance": _fmt_fen(s.lowest.balance_fen - s.amount_fen),
        "available": _fmt_fen(s.lowest.balance_fen), "short": _fmt_fen(s.short_fen)}


def _fmt_fen(fen: int) -> str:
    return f"{Decimal(fen).scaleb(-2):.2f}"


def accounting_date(community: Community, on: dt.date) -> dt.date:
    """The date an entry is posted on: its own, or - when that falls in a closed period -
    the first open day after it, as a labelled adjustment (DESIGN 4.4)."""
    closed = community.book.closed_through
    return closed + dt.timedelta(days=1) if closed is not None and on <= closed else on


def _posting(income: Income, accounts: AccountCache, actor: str) -> ledger.Posting:
    receipt = receipts.display(income.receipt_code)
    paid_on = local_date(income.paid_at)
    posted_on = accounting_date(income.community, paid_on)
    memo = f"服务包收入 {income.package.name}·{TIER_ZH[income.tier]} 收据{receipt}"
    if posted_on != paid_on:
        memo = f"【调整】{memo}（付款日 {paid_on.isoformat()}，所属期间已结账）"
    legs = [ledger.debit(accounts.get(METHOD_ACCOUNTS[income.method][0]), income.amount,
                         f"收据 {receipt}")]
    for account, share, label in (
        (accounts.provider(income.package.provider), income.provider_share, "专业机构分成"),
        (accounts.get(HUB_ACCOUNT), income.hub_share, "枢纽社会企业分成"),
        (accounts.get(FUND_ACCOUNT), income.fund_share, "社区基金分成"),
    ):
        if share.amount:  # ¥0.01 gives the hub and the fund nothing: no zero lines
            legs.append(ledger.credit(account, share, label))
    return ledger.Posting(
        legs=legs,
        date=posted_on,
        memo=memo,
        actor=actor,
        idempotency_key=f"income/{income.receipt_code}",
    )


def post_incomes(community: Community, incomes: Sequence[Income], actor: str,
                 writes: Statements | None = None) -> None:
    """Post the incomes (all of this community, status posted) in one batch and link
    each to its entry. With `writes`, the ledger's statements wait in it for the
    caller's (see ledger.services.post_many)."""
    if not incomes:
        return
    accounts = AccountCache(community, {HUB_ACCOUNT, FUND_ACCOUNT}.union(
        *({METHOD_ACCOUNTS[i.method][0], provider_account_code(i.package.provider)}
          for i in incomes)))
    # No savepoint of the ledger's own: every caller is inside an atomic block that a
    # refusal leaves, rolling back the income with its entry.
    entries = ledger.post_many(book=community.book, savepoint=False, writes=writes,
                               postings=[_posting(i, accounts, actor) for i in incomes])
    for income, entry in zip(incomes, entries, strict=True):
        income.entry = entry


def save_incomes(incomes: Sequence[Income], actor: str) -> None:
    """Save built incomes (validated drafts through build_income), posting those not
    waiting for review, a batch per community: the bulk path of imports and the demo.
    Call inside a transaction."""
    by_community: dict[int, list[Income]] = {}
    for income in incomes:
        if income.status == IncomeStatus.POSTED:
            by_community.setdefault(income.community.pk, []).append(income)
    writes = Statements()
    for batch in by_community.values():
        post_incomes(batch[0].community, batch, actor, writes)
    _insert_incomes(incomes, writes)


def _income_columns():
    """(column, value-of-an-income) for every concrete column of Income but the id: the
    plain-SQL insert of the bulk path reads the model's own field list, so a new field
    is written without a change here."""
    ops = connection.ops
    columns = []
    for f in Income._meta.concrete_fields:
        if f.primary_key:
            continue
        if isinstance(f, MoneyField):
            def value(income, name=f.attname):
                return getattr(income, name).amount
        elif isinstance(f, models.DateTimeField):
            def value(income, name=f.attname):
                return ops.adapt_datetimefield_value(getattr(income, name))
        else:
            def value(income, name=f.attname):
                v = getattr(income, name)
                return str(v) if isinstance(v, Currency) else v
        columns.append((f.column, value))
    return columns


def _insert_incomes(incomes: Sequence[Income], writes: Statements) -> None:
    """Insert built incomes in plain SQL after `writes` (their entries' statements),
    in the same round trip where it can (bulk_create spent more time preparing values
    than the database spent storing them), setting their ids."""
    for income in incomes:
        if income.entry is not None:
            income.entry_id = income.entry.pk
    columns = _income_columns()
    rows = [[value(income) for _column, value in columns] for income in incomes]
    ids = writes.run_inserting(Income._meta.db_table, [c for c, _v in columns], rows)
    for income, pk in zip(incomes, ids, strict=True):
        income.pk = pk
        income._state.adding = False
        income._state.db = connection.alias


def _actor(user) -> str:
    return user.get_username() if user is not None else "system"


def _same_payment(existing: Income, draft: IncomeDraft) -> bool:
    return (existing.package_id == getattr(draft.package, "pk", None)
            and existing.tier == draft.tier and existing.amount == draft.amount
            and existing.paid_at == draft.paid_at)


def record_income(draft: IncomeDraft, *, recorded_by) -> tuple[Income, bool]:
    """Record one income: validated, split under the policy in force on its date, and
    posted at once - or left pending when above the community's review threshold.
    Idempotent on (community, external_ref): returns (income, created)."""
    if recorded_by is not None:
        _require_role(recorded_by, draft.community, Role.OFFICER)
    errors = validate_draft(draft)
    if errors:
        raise ValidationError(errors)
    try:
        # No look-up first: the unique index on (community, external_ref) refuses a
        # repeat, and the whole transaction (entry included) rolls back.
        with transaction.atomic():
            income = build_income(draft, recorded_by=recorded_by, now=timezone.now())
            save_incomes([income], _actor(recorded_by))
            return income, True
    except IntegrityError:
        # The same payment reference is already recorded (a retry, or another officer).
        existing = None
        if draft.external_ref:
            existing = Income.objects.filter(community=draft.community,
                                             external_ref=draft.external_ref).exclude(
                status=IncomeStatus.REJECTED).first()
        if existing is None:
            raise
        return _existing_or_conflict(existing, draft), False


def _existing_or_conflict(existing: Income, draft: IncomeDraft) -> Income:
    if _same_payment(existing, draft):
        return existing
    raise ValidationError({"external_ref": _(
        "Payment reference %(ref)s is already recorded (receipt %(receipt)s) with "
        "different details."
    ) % {"ref": draft.external_ref, "receipt": existing.receipt_display}})


def _locked(income: Income) -> Income:
    return Income.objects.select_for_update().select_related(
        "community__book", "package__provider").get(pk=income.pk)


@transaction.atomic
def approve_income(*, income: Income, reviewer, note: str = "") -> Income:
    """A reviewer who did not record it approves a pending income; it is posted now."""
    income = _locked(income)
    _require_role(reviewer, income.community, Role.REVIEWER)
    if income.status != IncomeStatus.PENDING:
        raise ValidationError(_("Only an income waiting for review can be approved."))
    if income.recorded_by_id == reviewer.pk:
        raise ValidationError(_("Nobody may approve an income they recorded themselves."))
    post_incomes(income.community, [income], _actor(income.recorded_by))
    income.status = IncomeStatus.POSTED
    income.reviewed_by, income.reviewed_at, income.review_note = reviewer, timezone.now(), note
    income.save(update_fields=["status", "entry", "reviewed_by", "reviewed_at", "review_note"])
    return income


@transaction.atomic
def reject_income(*, income: Income, reviewer, reason: str) -> Income:
    income = _locked(income)
    _require_role(reviewer, income.community, Role.REVIEWER)
    if income.status != IncomeStatus.PENDING:
        raise ValidationError(_("Only an income waiting for review can be rejected."))
    if income.recorded_by_id == reviewer.pk:
        raise ValidationError(_("Nobody may review an income they recorded themselves."))
    if not reason.strip():
        raise ValidationError({"reason": _("A rejection needs a reason.")})
    income.status = IncomeStatus.REJECTED
    income.reviewed_by, income.reviewed_at, income.review_note = reviewer, timezone.now(), reason
    income.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    return income


@transaction.atomic
def reverse_income(*, income: Income, actor, reason: str) -> Income:
    """Correct a posted income by a reversing entry; the original stays on the books."""
    income = _locked(income)
    _require_role(actor, income.community, Role.OFFICER)
    if income.status != IncomeStatus.POSTED:
        raise ValidationError(_("Only a posted income can be reversed."))
    if not reason.strip():
        raise ValidationError({"reason": _("A reversal needs a reason.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("A reason has at most 500 characters.")})
    community = income.community
    on = accounting_date(community, dates.today())
    # The refund leaves the cash account and takes back each party's share: none may end
    # a day below zero (a provider already paid its share would be overpaid).
    book = Book.objects.select_for_update().get(pk=community.book_id)
    problem = shortfall_problem(book, [
        (METHOD_ACCOUNTS[income.method][0], _fen(income.amount)),
        (provider_account_code(income.package.provider), _fen(income.provider_share)),
        (HUB_ACCOUNT, _fen(income.hub_share)), (FUND_ACCOUNT, _fen(income.fund_share))], on)
    if problem:
        raise ValidationError(_("This income cannot be reversed now. %(problem)s")
                              % {"problem": problem})
    income.reversal_entry = ledger.reverse(
        income.entry, reason=reason.strip(), actor=_actor(actor), date=on)
    income.status = IncomeStatus.REVERSED
    income.reversed_by, income.reversed_at = actor, timezone.now()
    income.reverse_reason = reason.strip()
    income.save(update_fields=["status", "reversal_entry", "reversed_by", "reversed_at",
                               "reverse_reason"])
    return income
