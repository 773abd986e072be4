"""Every change to donations, restricted funds, purchase contracts and charity markets:
each one transaction, refused whole with the field named when it cannot be right.

None of these inflows is package revenue except a market stall agreed as package income
(recorded through the income service, split as usual) and the 公益 income paying a
contract line (the income service too): donations and market takings for the fund post
Dr cash or bank / Cr the fund (or its restricted sub-account) and are not split 70/25/5.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from djmoney.money import Money

from ledger import services as ledger
from ledger.models import Account, AccountType, Book

from ..access import require_role
from ..chart import (
    CONTRACT_BILLED_PREFIX,
    CONTRACT_RECEIVABLE_PREFIX,
    FUND_ACCOUNT,
    NAMED_FUND_PREFIX,
    PURPOSE_FUND_PREFIX,
    method_account_code,
)
from ..decisions.models import DecisionItem
from ..decisions.services import item_cite
from ..lib import receipts
from ..lib.dates import today
from ..models import CODE_VALIDATOR, Community, PaymentMethod, Role, ServicePackage
from ..services.drafts import money_problem
from ..services.posting import accounting_date, shortfall_problem
from .models import (
    BeneficiaryToken,
    ContractDelivery,
    ContractLine,
    CountSheet,
    Donation,
    DonorKind,
    FundKind,
    LineExtension,
    Market,
    PurchaseContract,
    RestrictedFund,
    RestrictedSpending,
    Stall,
    StallCount,
    StallRule,
    Status,
)

NO_SUCH_FUND = gettext_noop("There is no restricted fund or purpose %(code)s in this community.")
WRONG_PURPOSE = gettext_noop(
    "%(fund)s may be spent only for its purpose (%(purpose)s), not for %(asked)s."
)
SAME_COUNTER = gettext_noop(
    "%(who)s has already entered a count sheet for this market: the second count must be "
    "entered by another person."
)
EXPIRED = gettext_noop(
    "Contract %(number)s runs from %(start)s to %(end)s; %(date)s is outside it."
)
EXHAUSTED = gettext_noop(
    "Line %(line)s has %(left)s units and %(cap)s left: %(units)s units (%(amount)s) is more."
)
NEEDS_LINE = gettext_noop(
    "This community has government purchase contracts: a 公益 income must cite the contract "
    "line it is paid under."
)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _money(community: Community, value, field: str, errors: dict) -> None:
    if not isinstance(value, Money):
        errors.setdefault(field, []).append(_("Enter an amount."))
    elif problem := money_problem(community, value):
        errors.setdefault(field, []).append(problem[1])


def _code(value: str, field: str, errors: dict) -> str:
    value = (value or "").strip()
    try:
        CODE_VALIDATOR(value)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
    return value


def _sub_account(book: Book, code: str, name: str, type_: str) -> Account:
    found, _created = Account.objects.get_or_create(
        book=book, code=code, defaults={"name": name, "type": type_}
    )
    return found


def _date(value, field: str, errors: dict) -> None:
    if not isinstance(value, dt.date) or value > today() or value.year < 2000:
        errors[field] = [_("Enter the date (not later than today).")]


# --- restricted and named funds -------------------------------------------------------
@transaction.atomic
def fund_open(
    *,
    community: Community,
    code: str,
    kind: str,
    name: str,
    purpose_code: str,
    purpose: str,
    user,
    donor_name: str = "",
    donor_kind: str = "",
    donor_named: bool = False,
    rules: str = "",
    opened_on: dt.date | None = None,
    decision: DecisionItem | None = None,
) -> RestrictedFund:
    """Open a named fund (冠名基金, 3101.N.<code>) or a restricted purpose (定向,
    3101.D.<code>) as a sub-account of the community fund in its book."""
    require_role(user, community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    code = _code(code, "code", errors)
    purpose_code = _code(purpose_code, "purpose_code", errors)
    if kind not in FundKind.values:
        errors["kind"] = [_("Choose a named fund or a restricted purpose.")]
    if not (name or "").strip():
        errors["name"] = [_("Give the fund a name.")]
    if not (purpose or "").strip():
        errors["purpose"] = [_("Say what the fund may be spent on.")]
    if donor_kind and donor_kind not in DonorKind.values:
        errors["donor_kind"] = [_("Choose the kind of donor.")]
    if kind == FundKind.NAMED and not (donor_name or "").strip():
        errors["donor_name"] = [_("A named fund names its donor.")]
    if RestrictedFund.objects.filter(community=community, code=code).exists():
        errors["code"] = [_("A fund with this code is already recorded.")]
    if decision is not None:
        try:
            item_cite(decision, community=community)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    _raise(errors)
    prefix = NAMED_FUND_PREFIX if kind == FundKind.NAMED else PURPOSE_FUND_PREFIX
    book = Book.objects.select_for_update().get(pk=community.book_id)
    account = ledger.open_account(
        book=book, code=prefix + code, name=f"社区基金—{name.strip()}", type=AccountType.EQUITY
    )
    return RestrictedFund.objects.create(
        community=community,
        code=code,
        kind=kind,
        name=name.strip(),
        purpose_code=purpose_code,
        purpose=purpose.strip(),
        donor_name=(donor_name or "").strip(),
        donor_kind=donor_kind,
        donor_named=donor_named,
        rules=(rules or "").strip(),
        opened_on=opened_on or today(),
        decision=decision,
        account=account,
        recorded_by=user,
    )


# --- donations ------------------------------------------------------------------------
def _post_donation(d: Donation, actor: str) -> None:
    community = d.community
    book = Book.objects.select_for_update().get(pk=community.book_id)
    cash = Account.objects.get(book=book, code=method_account_code(d.method))
    target = d.fund.account if d.fund_id else Account.objects.get(book=book, code=FUND_ACCOUNT)
    booked = accounting_date(community, d.received_on, book)
    where = f"定向{d.fund.name}" if d.fund_id else "非定向"
    memo = f"捐赠 {d.get_donor_kind_display()} {where}（不参与70/25/5分成）"
    if booked != d.received_on:
        memo = f"【调整】{memo}（收款日 {d.received_on.isoformat()}，所属期间已结账）"
    d.entry = ledger.post(
        book=book,
        date=booked,
        actor=actor,
        memo=memo[:500],
        legs=[
            ledger.debit(cash, d.amount, d.reference),
            ledger.credit(target, d.amount, f"捐赠收据{d.receipt_code}"),
        ],
        idempotency_key=f"donation/{community.pk}/{d.reference}",
    )
    d.status = Status.POSTED


@transaction.atomic
def donation_record(
    *,
    community: Community,
    donor_kind: str,
    amount: Money,
    method: str,
    received_on: dt.date,
    reference: str,
    user,
    donor_name: str = "",
    anonymous: bool = False,
    named_publicly: bool = False,
    fund_code: str = "",
    drive: str = "",
) -> Donation:
    """Record a gift: posted at once (Dr cash or bank / Cr fund or its restricted
    sub-account), or left for a reviewer when above the community's review threshold."""
    require_role(user, community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    if donor_kind not in DonorKind.values:
        errors["donor_kind"] = [_("Choose resident, merchant, company or organisation.")]
    _money(community, amount, "amount", errors)
    if isinstance(amount, Money) and "amount" not in errors and amount > community.max_income:
        errors["amount"] = [_("The amount is more than the largest single income allowed.")]
    if method not in PaymentMethod.values:
        errors["method"] = [_("Choose a payment method.")]
    _date(received_on, "received_on", errors)
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        errors["reference"] = [_("Enter the payment reference (at most 64 characters).")]
    elif Donation.objects.filter(community=community, reference=reference).exists():
        errors["reference"] = [_("This reference is already recorded.")]
    donor_name = (donor_name or "").strip()
    if len(donor_name) > 200:
        errors["donor_name"] = [_("The donor's name has at most 200 characters.")]
    if not anonymous and not donor_name:
        errors["donor_name"] = [_("Name the donor, or record the gift as anonymous.")]
    if named_publicly and donor_kind == DonorKind.RESIDENT:
        errors["named_publicly"] = [
            _(
                "A resident's name is never shown in public; only a company, merchant or "
                "organisation may choose to be named."
            )
        ]
    fund = None
    if fund_code:
        fund = RestrictedFund.objects.filter(community=community, code=fund_code.strip()).first()
        if fund is None:
            errors["fund"] = [_(NO_SUCH_FUND) % {"code": fund_code.strip()}]
    _raise(errors)
    d = Donation(
        community=community,
        receipt_code=receipts.new_code(),
        donor_kind=donor_kind,
        donor_name="" if anonymous else donor_name,
        anonymous=anonymous,
        named_publicly=named_publicly and not anonymous,
        amount=amount,
        method=method,
        received_on=received_on,
        reference=reference,
        fund=fund,
        drive=(drive or "").strip()[:100],
        status=Status.PENDING,
        recorded_by=user,
    )
    if amount <= community.review_threshold:
        _post_donation(d, user.get_username())
    d.save()
    return d


@transaction.atomic
def donation_approve(*, donation: Donation, reviewer, note: str = "") -> Donation:
    d = Donation.objects.select_for_update().get(pk=donation.pk)
    require_role(reviewer, d.community, Role.REVIEWER)
    if d.status != Status.PENDING:
        raise ValidationError(_("Only a donation waiting for review can be approved."))
    if d.recorded_by_id == reviewer.pk:
        raise ValidationError(_("Nobody may approve a donation they recorded themselves."))
    _post_donation(d, d.recorded_by.get_username())
    d.reviewed_by, d.review_note = reviewer, note[:500]
    d.save()
    return d


# --- spending from a restricted fund --------------------------------------------------
@transaction.atomic
def spending_request(
    *,
    fund: RestrictedFund,
    purpose_code: str,
    purpose: str,
    payee: str,
    amount: Money,
    method: str,
    user,
) -> RestrictedSpending:
    """Ask to pay from a restricted fund: only for the fund's own purpose."""
    community = fund.community
    require_role(user, community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    if (purpose_code or "").strip() != fund.purpose_code:
        errors["purpose_code"] = [
            _(WRONG_PURPOSE)
            % {"fund": fund.name, "purpose": fund.purpose, "asked": (purpose_code or "-").strip()}
        ]
    if not (purpose or "").strip():
        errors["purpose"] = [_("Say what it pays for.")]
    if not (payee or "").strip():
        errors["payee"] = [_("Name the payee.")]
    _money(community, amount, "amount", errors)
    if method not in PaymentMethod.values:
        errors["method"] = [_("Choose a payment method.")]
    _raise(errors)
    return RestrictedSpending.objects.create(
        community=community,
        fund=fund,
        purpose_code=purpose_code.strip(),
        purpose=purpose.strip()[:300],
        payee=payee.strip()[:200],
        amount=amount,
        method=method,
        requested_by=user,
    )


@transaction.atomic
def spending_approve(*, spending: RestrictedSpending, reviewer) -> RestrictedSpending:
    """A reviewer who did not request it approves; Dr the fund's sub-account / Cr cash,
    never below zero on any day."""
    s = RestrictedSpending.objects.select_for_update().select_related("fund").get(pk=spending.pk)
    require_role(reviewer, s.community, Role.REVIEWER)
    if s.status != Status.PENDING:
        raise ValidationError(_("Only a payment waiting for review can be approved."))
    if s.requested_by_id == reviewer.pk:
        raise ValidationError(_("Nobody may approve a payment they asked for themselves."))
    book = Book.objects.select_for_update().get(pk=s.community.book_id)
    on = accounting_date(s.community, today(), book)
    fen = ledger.to_fen(s.amount)
    cash_code = method_account_code(s.method)
    problem = shortfall_problem(book, [(s.fund.account.code, fen), (cash_code, fen)], on)
    if problem:
        raise ValidationError(problem)
    s.entry = ledger.post(
        book=book,
        date=on,
        actor=s.requested_by.get_username(),
        memo=f"定向支出 {s.fund.name}：{s.purpose}"[:500],
        legs=[
            ledger.debit(s.fund.account, s.amount, s.payee),
            ledger.credit(Account.objects.get(book=book, code=cash_code), s.amount, s.payee),
        ],
        idempotency_key=f"restricted-spending/{s.pk}",
    )
    s.status, s.reviewed_by, s.paid_on = Status.POSTED, reviewer, on
    s.save()
    return s


# --- government purchase contracts ----------------------------------------------------
@transaction.atomic
def contract_create(
    *,
    community: Community,
    buyer: str,
    number: str,
    starts_on: dt.date,
    ends_on: dt.date,
    decision: DecisionItem | None,
    lines: list[dict],
    user,
) -> PurchaseContract:
    """A contract with its lines ({package, units, unit_price, cap}, and optionally
    eligible: how many residents the buyer's list covers), approved by a passed decision
    item taken on or before its start; opens the buyer's receivable."""
    require_role(user, community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    buyer = (buyer or "").strip()
    if not buyer or len(buyer) > 200:
        errors["buyer"] = [_("Name the buyer (e.g. 街道办事处).")]
    number = (number or "").strip()
    if not number or len(number) > 64:
        errors["number"] = [_("Enter the contract number.")]
    elif "/" in number:
        # The number is the last part of the contract's public address, which a '/' would
        # split: every page linking to it would fail.
        errors["number"] = [_("A contract number may not contain '/'.")]
    elif PurchaseContract.objects.filter(community=community, number=number).exists():
        errors["number"] = [_("A contract with this number is already recorded.")]
    if (
        not isinstance(starts_on, dt.date)
        or not isinstance(ends_on, dt.date)
        or ends_on < starts_on
    ):
        errors["ends_on"] = [_("The period must end on or after the day it starts.")]
    try:
        item_cite(decision, community=community, on=starts_on)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not lines:
        errors["lines"] = [_("Name at least one line of service.")]
    seen = set()
    for n, ln in enumerate(lines, start=1):
        where = _("Line %(n)d: ") % {"n": n}
        pkg = ln.get("package")
        if not isinstance(pkg, ServicePackage) or pkg.community_id != community.pk:
            errors.setdefault("lines", []).append(where + _("choose a package of this community."))
            continue
        if pkg.pk in seen:
            errors.setdefault("lines", []).append(where + _("this package is named twice."))
        seen.add(pkg.pk)
        units = ln.get("units")
        if not isinstance(units, int) or not 1 <= units <= 1_000_000:
            errors.setdefault("lines", []).append(where + _("enter the units (1 or more)."))
        eligible = ln.get("eligible")
        if eligible is not None and (
            not isinstance(eligible, int) or isinstance(eligible, bool) or eligible < 1
        ):
            errors.setdefault("lines", []).append(
                where + _("enter how many residents are eligible (1 or more), or leave it empty.")
            )
        for key in ("unit_price", "cap"):
            sub: dict = {}
            _money(community, ln.get(key), key, sub)
            if sub:
                errors.setdefault("lines", []).append(where + sub[key][0])
    _raise(errors)
    book = Book.objects.select_for_update().get(pk=community.book_id)
    receivable = ledger.open_account(
        book=book,
        code=CONTRACT_RECEIVABLE_PREFIX + number,
        name=f"应收账款—{buyer}（合同{number}）",
        type=AccountType.ASSET,
    )
    billed = ledger.open_account(
        book=book,
        code=CONTRACT_BILLED_PREFIX + number,
        name=f"已开票待收款—{buyer}（合同{number}）",
        type=AccountType.LIABILITY,
    )
    contract = PurchaseContract.objects.create(
        community=community,
        buyer=buyer,
        number=number,
        starts_on=starts_on,
        ends_on=ends_on,
        decision=decision,
        receivable=receivable,
        billed=billed,
        recorded_by=user,
    )
    for ln in lines:
        ContractLine.objects.create(
            contract=contract,
            package=ln["package"],
            units=ln["units"],
            unit_price=ln["unit_price"],
            cap=ln["cap"],
            eligible=ln.get("eligible"),
        )
    return contract


@transaction.atomic
def line_extend(
    *, line: ContractLine, units: int, cap: Money, decision: DecisionItem | None, user
) -> LineExtension:
    """The buyer agreed more units on a line: recorded with the decision that accepts it."""
    community = line.contract.community
    require_role(user, community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    if not isinstance(units, int) or units < 0:
        errors["units"] = [_("Enter the extra units (0 or more).")]
    if not isinstance(cap, Money) or cap.amount < 0 or str(cap.currency) != community.currency:
        errors["cap"] = [_("Enter the extra amount (0 or more).")]
    try:
        item_cite(decision, community=community)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _raise(errors)
    return LineExtension.objects.create(
        line=line, units=units, cap=cap, decision=decision, recorded_by=user
    )


def line_limits(line: ContractLine) -> tuple[int, Money]:
    """Units and amount the line allows, its extensions included."""
    units, cap = line.units, line.cap
    for e in line.extensions.all():
        units, cap = units + e.units, cap + e.cap
    return units, cap


def line_used(line: ContractLine) -> tuple[int, Money]:
    """Units and amount delivered and billed so far."""
    units, amount = 0, Money(0, line.cap.currency)
    for d in line.deliveries.all():
        units, amount = units + d.units, amount + d.amount
    return units, amount


def line_paid(line: ContractLine) -> tuple[int, Money]:
    from ..models import IncomeStatus

    units, amount = 0, Money(0, line.cap.currency)
    for p in line.payments.select_related("income"):
        if p.income.status == IncomeStatus.POSTED:
            units, amount = units + p.units, amount + p.income.amount
    return units, amount


def beneficiary_token(identifier: str) -> str:
    """The keyed hash kept in place of a beneficiary's identifier (ID or card number):
    spaces and case ignored, so one person typed twice gives one token."""
    cleaned = "".join((identifier or "").split()).upper()
    key = settings.BENEFICIARY_KEY.encode()
    return hmac.new(key, cleaned.encode(), hashlib.sha256).hexdigest()


def _line_check(line: ContractLine, on: dt.date, units: int, amount: Money) -> dict:
    c = line.contract
    if not c.in_force(on):
        return {
            "contract_line": [
                _(EXPIRED)
                % {
                    "number": c.number,
                    "start": c.starts_on.isoformat(),
                    "end": c.ends_on.isoformat(),
                    "date": on.isoformat(),
                }
            ]
        }
    max_units, cap = line_limits(line)
    used_units, used_amount = line_used(line)
    if used_units + units > max_units or used_amount + amount > cap:
        return {
            "contract_line": [
                _(EXHAUSTED)
                % {
                    "line": str(line),
                    "left": max_units - used_units,
                    "cap": cap - used_amount,
                    "units": units,
                    "amount": amount,
                }
            ]
        }
    return {}


@transaction.atomic
def delivery_bill(
    *, line: ContractLine, delivered_on: dt.date, beneficiaries: list[str], user
) -> ContractDelivery:
    """Units delivered (one per beneficiary identifier, hashed at once) and billed to the
    buyer: Dr receivable / Cr billed-not-yet-paid. Beyond the line's units or cap, or
    outside the contract's period, refused."""
    community = line.contract.community
    require_role(user, community, Role.OFFICER)
    # The line's row lock: two bills at once cannot both pass the cap.
    line = ContractLine.objects.select_for_update().select_related("contract").get(pk=line.pk)
    errors: dict[str, list[str]] = {}
    _date(delivered_on, "delivered_on", errors)
    ids = [b for b in (beneficiaries or []) if (b or "").strip()]
    if not ids:
        errors["beneficiaries"] = [_("Enter one beneficiary identifier per unit delivered.")]
    _raise(errors)
    units = len(ids)
    amount = line.unit_price * units
    _raise(_line_check(line, delivered_on, units, amount))
    book = Book.objects.select_for_update().get(pk=community.book_id)
    booked = accounting_date(community, delivered_on, book)
    c = line.contract
    entry = ledger.post(
        book=book,
        date=booked,
        actor=user.get_username(),
        memo=f"政府购买服务 合同{c.number} {line.package.name} {units}单位 已交付待收款"[:500],
        legs=[
            ledger.debit(c.receivable, amount, c.buyer),
            ledger.credit(c.billed, amount, c.number),
        ],
    )
    delivery = ContractDelivery.objects.create(
        line=line,
        delivered_on=delivered_on,
        units=units,
        amount=amount,
        entry=entry,
        recorded_by=user,
    )
    month = delivered_on.strftime("%Y-%m")
    BeneficiaryToken.objects.bulk_create(
        BeneficiaryToken(delivery=delivery, line=line, month=month, token=beneficiary_token(i))
        for i in ids
    )
    return delivery


def contract_rules_apply(community: Community) -> bool:
    return PurchaseContract.objects.filter(community=community).exists()


def income_line_problems(draft) -> dict[str, list[str]]:
    """What the income service asks of a 公益 income (fundmgr/services/drafts.py): in a
    community with contracts it cites a line of a contract in force on its date, of its
    package, whose delivered-but-unpaid units cover it. A community without contracts
    (and its incomes recorded before this rule) is left as it was."""
    from ..lib.dates import local_date
    from ..models import Tier

    line = getattr(draft, "contract_line", None)
    if draft.tier != Tier.PUBLIC_BENEFIT:
        if line is not None:
            return {"contract_line": [_("Only a 公益 income cites a contract line.")]}
        return {}
    if line is None:
        return {"contract_line": [_(NEEDS_LINE)]} if contract_rules_apply(draft.community) else {}
    if line.contract.community_id != draft.community.pk:
        return {"contract_line": [_("That contract belongs to another community.")]}
    if draft.package is not None and line.package_id != draft.package.pk:
        return {"contract_line": [_("The contract line is for another package.")]}
    if draft.paid_at is None or draft.amount is None:
        return {}
    on = local_date(draft.paid_at)
    c = line.contract
    if not c.in_force(on):
        return {
            "contract_line": [
                _(EXPIRED)
                % {
                    "number": c.number,
                    "start": c.starts_on.isoformat(),
                    "end": c.ends_on.isoformat(),
                    "date": on.isoformat(),
                }
            ]
        }
    max_units, cap = line_limits(line)
    paid_units, paid_amount = line_paid(line)
    delivered_units, delivered_amount = line_used(line)
    if (
        paid_units + draft.quantity > max_units
        or paid_amount + draft.amount > cap
        or paid_units + draft.quantity > delivered_units
        or paid_amount + draft.amount > delivered_amount
    ):
        return {
            "contract_line": [
                _(
                    "Line %(line)s: %(units)s units (%(amount)s) is more than delivered and "
                    "not yet paid (%(left)s units, %(due)s)."
                )
                % {
                    "line": str(line),
                    "units": draft.quantity,
                    "amount": draft.amount,
                    "left": delivered_units - paid_units,
                    "due": delivered_amount - paid_amount,
                }
            ]
        }
    return {}


def income_line_link(income, draft, actor: str) -> None:
    """After a 公益 income citing a line is saved: the link, and - once posted - the
    entry clearing the buyer's receivable (Dr billed / Cr receivable)."""
    from .models import ContractPayment

    line = getattr(draft, "contract_line", None)
    if line is None:
        return
    payment = ContractPayment.objects.create(income=income, line=line, units=draft.quantity)
    payment_clear(payment, actor)


def payment_clear(payment, actor: str) -> None:
    from ..models import IncomeStatus

    income = payment.income
    if income.status != IncomeStatus.POSTED or payment.clearing_entry_id:
        return
    c = payment.line.contract
    payment.clearing_entry = ledger.post(
        book=income.community.book,
        date=income.entry.date,
        actor=actor,
        memo=f"政府购买服务 合同{c.number} 收款核销应收 收据{income.receipt_code}"[:500],
        legs=[
            ledger.debit(c.billed, income.amount, income.receipt_code),
            ledger.credit(c.receivable, income.amount, c.buyer),
        ],
        idempotency_key=f"contract-clear/{income.pk}",
    )
    payment.save(update_fields=["clearing_entry"])


# --- charity markets ------------------------------------------------------------------
@transaction.atomic
def market_create(
    *,
    community: Community,
    code: str,
    name: str,
    held_on: dt.date,
    stalls: list[dict],
    user,
    method: str = PaymentMethod.CASH,
) -> Market:
    """A market with its stalls ({code, name, holder, rule, package?}); a stall whose rule
    is package income names one of the community's packages."""
    require_role(user, community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    code = _code(code, "code", errors)
    if Market.objects.filter(community=community, code=code).exists():
        errors["code"] = [_("A market with this code is already recorded.")]
    if not (name or "").strip() or len(name.strip()) > 200:
        errors["name"] = [_("Give the market a name (at most 200 characters).")]
    if not isinstance(held_on, dt.date):
        errors["held_on"] = [_("Enter the day it is held.")]
    if method not in PaymentMethod.values:
        errors["method"] = [_("Choose a payment method.")]
    if not stalls:
        errors["stalls"] = [_("Name at least one stall.")]
    seen: set[str] = set()
    for n, st in enumerate(stalls, start=1):
        where = _("Stall %(n)d: ") % {"n": n}
        # A stall's code and name are checked here, not left to the database: a repeated
        # code would otherwise be an IntegrityError (a 500) halfway through the stalls.
        stall_code = (st.get("code") or "").strip() if isinstance(st.get("code"), str) else ""
        try:
            CODE_VALIDATOR(stall_code)
        except ValidationError as exc:
            errors.setdefault("stalls", []).extend(where + m for m in exc.messages)
        if stall_code in seen:
            errors.setdefault("stalls", []).append(where + _("this code is used twice."))
        seen.add(stall_code)
        st_name = st.get("name")
        if not isinstance(st_name, str) or not st_name.strip() or len(st_name.strip()) > 200:
            errors.setdefault("stalls", []).append(
                where + _("give the stall a name (at most 200 characters).")
            )
        if st.get("holder") not in Stall.Holder.values:
            errors.setdefault("stalls", []).append(
                where + _("choose a provider, a resident group or a merchant.")
            )
        if st.get("rule") not in StallRule.values:
            errors.setdefault("stalls", []).append(where + _("choose where its takings go."))
        pkg = st.get("package")
        if st.get("rule") == StallRule.PACKAGE and (
            pkg is None or pkg.community_id != community.pk or "paid" not in pkg.tiers
        ):
            errors.setdefault("stalls", []).append(
                where + _("package income names a package of this community with a paid price.")
            )
    _raise(errors)
    market = Market.objects.create(
        community=community,
        code=code,
        name=name.strip(),
        held_on=held_on,
        method=method,
        recorded_by=user,
    )
    for st in stalls:
        pkg = st.get("package") if st["rule"] == StallRule.PACKAGE else None
        Stall.objects.create(
            market=market,
            code=st["code"].strip(),
            name=st["name"].strip(),
            holder=st["holder"],
            rule=st["rule"],
            package=pkg,
            provider=pkg.provider if pkg else None,
        )
    return market


@transaction.atomic
def count_enter(*, market: Market, counts: dict[str, Money], user) -> CountSheet:
    """One person's count sheet of the takings by stall code. Two sheets per market, by
    two different people; the same person entering a second one is refused."""
    community = market.community
    require_role(user, community, Role.OFFICER, Role.REVIEWER)
    market = Market.objects.select_for_update().get(pk=market.pk)
    if market.posted:
        raise ValidationError(_("The market's takings are already posted."))
    if CountSheet.objects.filter(market=market, counted_by=user).exists():
        raise ValidationError({"counted_by": _(SAME_COUNTER) % {"who": user.get_username()}})
    if market.sheets.count() >= 2:
        raise ValidationError(_("Both count sheets are already entered."))
    stalls = {s.code: s for s in market.stalls.all()}
    errors: dict[str, list[str]] = {}
    for code in counts:
        if code not in stalls:
            errors.setdefault("counts", []).append(_("No stall %(code)s.") % {"code": code})
    for code in stalls:
        value = counts.get(code)
        if (
            not isinstance(value, Money)
            or value.amount < 0
            or str(value.currency) != community.currency
        ):
            errors.setdefault("counts", []).append(
                _("Stall %(code)s: enter the amount counted (0 or more).") % {"code": code}
            )
    _raise(errors)
    sheet = CountSheet.objects.create(market=market, counted_by=user)
    for code, stall in stalls.items():
        StallCount.objects.create(sheet=sheet, stall=stall, amount=counts[code])
    return sheet


def count_differences(market: Market) -> list[tuple[Stall, Money, Money]]:
    """(stall, first count, second count) where the two sheets differ."""
    sheets = list(market.sheets.order_by("pk").prefetch_related("counts"))
    if len(sheets) < 2:
        return []
    a = {c.stall_id: c.amount for c in sheets[0].counts.all()}
    b = {c.stall_id: c.amount for c in sheets[1].counts.all()}
    return [(s, a[s.pk], b[s.pk]) for s in market.stalls.all() if a.get(s.pk) != b.get(s.pk)]


@transaction.atomic
def market_post(*, market: Market, user) -> Market:
    """Post the takings once both sheets are in: the lower of the two counts of each stall
    (a difference stays recorded and flagged), to the fund (Dr cash / Cr 3101, not split)
    or as package income through the income service (split as usual)."""
    from ..services.drafts import IncomeDraft
    from ..services.income import income_record

    community = market.community
    require_role(user, community, Role.OFFICER)
    market = Market.objects.select_for_update().get(pk=market.pk)
    if market.posted:
        raise ValidationError(_("The market's takings are already posted."))
    sheets = list(market.sheets.order_by("pk").prefetch_related("counts"))
    if len(sheets) < 2:
        raise ValidationError(_("Two people must each enter a count sheet before posting."))
    a = {c.stall_id: c.amount for c in sheets[0].counts.all()}
    b = {c.stall_id: c.amount for c in sheets[1].counts.all()}
    book = Book.objects.select_for_update().get(pk=community.book_id)
    cash = Account.objects.get(book=book, code=method_account_code(market.method))
    fund = Account.objects.get(book=book, code=FUND_ACCOUNT)
    booked = accounting_date(community, market.held_on, book)
    # The takings were paid during the market: its close at 18:00, or now if earlier.
    paid_at = min(
        timezone.make_aware(dt.datetime.combine(market.held_on, dt.time(18, 0))), timezone.now()
    )
    for stall in market.stalls.all():
        amount = min(a[stall.pk], b[stall.pk])
        stall.posted_amount = amount
        if amount.amount > 0 and stall.rule == StallRule.FUND:
            stall.entry = ledger.post(
                book=book,
                date=booked,
                actor=user.get_username(),
                memo=f"公益集市 {market.name} {stall.name}（归入社区基金，不参与70/25/5分成）"[
                    :500
                ],
                legs=[
                    ledger.debit(cash, amount, market.code),
                    ledger.credit(fund, amount, stall.code),
                ],
                idempotency_key=f"market/{market.pk}/{stall.code}",
            )
        elif amount.amount > 0:
            income, _created = income_record(
                IncomeDraft(
                    community=community,
                    package=stall.package,
                    tier="paid",
                    amount=amount,
                    paid_at=paid_at,
                    method=market.method,
                    payer=f"公益集市{market.code}",
                    external_ref=f"market-{market.code}-{stall.code}"[:64],
                ),
                recorded_by=user,
            )
            stall.income = income
        stall.save()
    market.posted = True
    market.save(update_fields=["posted"])
    return market
