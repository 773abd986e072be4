"""An income's life: recorded (posted at once, or waiting above the review threshold),
approved or rejected by a reviewer who did not record it, reversed by an entry that
references it. Idempotent on the payment reference."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ledger import services as ledger
from ledger.models import Book, normal_fen
from ledger.services import LedgerError

from ..access import require_role
from ..lib.dates import today
from ..lib.privacy import public_text_error
from ..models import Income, IncomeStatus, Role
from .drafts import IncomeDraft, draft_validate, income_build, same_payment
from .posting import accounting_date, incomes_post, incomes_save, shortfall_problem


def _actor(user) -> str:
    return user.get_username() if user is not None else "system"


def income_record(draft: IncomeDraft, *, recorded_by) -> tuple[Income, bool]:
    """Record one income: validated, split under the policy in force on its date, and
    posted at once - or left pending when above the community's review threshold.
    Idempotent on (community, external_ref): returns (income, created)."""
    if recorded_by is not None:
        require_role(recorded_by, draft.community, Role.OFFICER)
    errors = draft_validate(draft)
    if errors:
        raise ValidationError(errors)
    try:
        # No look-up first: the unique index on (community, external_ref) refuses a
        # repeat, and the whole transaction (entry included) rolls back.
        with transaction.atomic():
            income = income_build(draft, recorded_by=recorded_by, now=timezone.now())
            incomes_save([income], _actor(recorded_by))
            if draft.contract_line is not None:
                from ..inflows.services import income_line_link

                income_line_link(income, draft, _actor(recorded_by))
            return income, True
    except LedgerError as exc:
        raise _closed_meanwhile(exc) from exc
    except IntegrityError:
        # The same payment reference is already recorded (a retry, or another officer).
        existing = None
        if draft.external_ref:
            existing = (
                Income.objects.filter(community=draft.community, external_ref=draft.external_ref)
                .exclude(status=IncomeStatus.REJECTED)
                .first()
            )
        if existing is None:
            raise
        return _existing_or_conflict(existing, draft), False


def _closed_meanwhile(exc: LedgerError) -> Exception:
    """A month closed between reading the book and posting: say so, write nothing."""
    if exc.code == "period_closed":
        return ValidationError(
            _(
                "The month was closed while this was being recorded. Submit it again: it will "
                "be booked as an adjustment on the first open day."
            )
        )
    return exc


def _existing_or_conflict(existing: Income, draft: IncomeDraft) -> Income:
    if same_payment(existing, draft):
        return existing
    raise ValidationError(
        {
            "external_ref": _(
                "Payment reference %(ref)s is already recorded (receipt %(receipt)s) with "
                "different details."
            )
            % {"ref": draft.external_ref, "receipt": existing.receipt_display}
        }
    )


def _locked(income: Income) -> Income:
    return (
        Income.objects.select_for_update()
        .select_related("community__book", "package__provider")
        .get(pk=income.pk)
    )


@transaction.atomic
def income_approve(*, income: Income, reviewer, note: str = "") -> Income:
    """A reviewer who did not record it approves a pending income; it is posted now."""
    income = _locked(income)
    require_role(reviewer, income.community, Role.REVIEWER)
    if income.status != IncomeStatus.PENDING:
        raise ValidationError(_("Only an income waiting for review can be approved."))
    if income.recorded_by_id == reviewer.pk:
        raise ValidationError(_("Nobody may approve an income they recorded themselves."))
    try:
        incomes_post(income.community, [income], _actor(income.recorded_by))
    except LedgerError as exc:
        raise _closed_meanwhile(exc) from exc
    income.status = IncomeStatus.POSTED
    income.reviewed_by, income.reviewed_at, income.review_note = reviewer, timezone.now(), note
    income.save(update_fields=["status", "entry", "reviewed_by", "reviewed_at", "review_note"])
    _contract_clear(income)
    return income


def _contract_clear(income: Income) -> None:
    """A 公益 income paying a purchase-contract line clears the buyer's receivable once
    posted (fundmgr/inflows/)."""
    from ..inflows.models import ContractPayment
    from ..inflows.services import payment_clear

    payment = ContractPayment.objects.filter(income=income).first()
    if payment is not None:
        payment_clear(payment, _actor(income.recorded_by))


@transaction.atomic
def income_reject(*, income: Income, reviewer, reason: str) -> Income:
    income = _locked(income)
    require_role(reviewer, income.community, Role.REVIEWER)
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
def income_reverse(*, income: Income, actor, reason: str) -> Income:
    """Correct a posted income by a reversing entry; the original stays on the books."""
    income = _locked(income)
    require_role(actor, income.community, Role.OFFICER)
    if income.status != IncomeStatus.POSTED:
        raise ValidationError(_("Only a posted income can be reversed."))
    if not reason.strip():
        raise ValidationError({"reason": _("A reversal needs a reason.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("A reason has at most 500 characters.")})
    personal = public_text_error(_("Reason"), reason)
    if personal:
        raise ValidationError({"reason": personal})
    community = income.community
    # The refund leaves the cash account and takes back each party's share - exactly the
    # lines of the entry being reversed: none may end a day below zero (a provider
    # already paid its share would be overpaid).
    book = Book.objects.select_for_update().get(pk=community.book_id)
    on = accounting_date(community, today(), book)
    takes = []
    for line in income.entry.lines.select_related("account"):
        normal = normal_fen(line.account.type, line.amount_fen)
        if normal > 0:
            takes.append((line.account.code, normal))
    problem = shortfall_problem(book, takes, on)
    if problem:
        raise ValidationError(
            _("This income cannot be reversed now. %(problem)s") % {"problem": problem}
        )
    income.reversal_entry = ledger.reverse(
        income.entry, reason=reason.strip(), actor=_actor(actor), date=on
    )
    income.status = IncomeStatus.REVERSED
    income.reversed_by, income.reversed_at = actor, timezone.now()
    income.reverse_reason = reason.strip()
    income.save(
        update_fields=["status", "reversal_entry", "reversed_by", "reversed_at", "reverse_reason"]
    )
    return income
