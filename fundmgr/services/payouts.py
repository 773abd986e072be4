"""Money leaving the books: settlements to providers and the hub, and disbursements from
the community fund after approval by amount (one reviewer; two; a collective decision,
三重一大). Each posts under the book's row lock, so balances are checked and spent in one
step: two payments racing for the last yuan cannot both pass."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from ledger import services as ledger
from ledger.models import Account, Book

from ..access import require_role
from ..chart import (
    HUB_ACCOUNT,
    method_account_code,
    provider_account_code,
)
from ..lib.dates import today
from ..lib.money import yuan
from ..lib.privacy import public_text_error
from ..lib.text import check_text
from ..models import (
    ApprovalTier,
    Attachment,
    Community,
    Disbursement,
    DisbursementApproval,
    DisbursementCategory,
    DisbursementStatus,
    PaymentMethod,
    Provider,
    Role,
    Settlement,
)
from .drafts import money_problem
from .posting import accounting_date, shortfall_problem

MAX_ATTACHMENT = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}


def _check_money(community: Community, amount, errors: dict) -> None:
    if problem := money_problem(community, amount):
        errors.setdefault("amount", []).append(problem[1])


def major(community: Community, amount) -> bool:
    """三重一大: from the community's collective-decision limit a payment needs a decision."""
    return amount is not None and amount >= community.committee_from


def _check_decision(community: Community, amount, decision, on, errors: dict):
    """The decision item a payment cites: required from the collective-decision limit
    (passed, of this community, held on or before `on`); below it, checked only when one
    is given. Returns the item, or None."""
    from ..decisions.services import item_cite

    if decision is None:
        if major(community, amount):
            errors.setdefault("decision", []).append(
                _(
                    "From %(limit)s a payment is a major matter (三重一大): choose the "
                    "passed decision item that approved it."
                )
                % {"limit": yuan(ledger.to_fen(community.committee_from))}
            )
        return None
    try:
        return item_cite(decision, community=community, on=on, field="decision")
    except ValidationError as error:
        errors.setdefault("decision", []).extend(error.message_dict["decision"])
        return None


# --- Settlements -----------------------------------------------------------------------
def settlement_record(
    *,
    community: Community,
    provider: Provider | None,
    amount: Money,
    method: str,
    bank_reference: str,
    paid_on: dt.date,
    user,
    note: str = "",
    decision=None,
) -> Settlement:
    """Pay a provider (or, with no provider, the hub) out of what it is owed. From the
    collective-decision limit (三重一大) it cites the passed decision item that approved
    it, held on or before the day it was paid."""
    require_role(user, community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    _check_money(community, amount, errors)
    if method not in PaymentMethod.values:
        errors.setdefault("method", []).append(_("Choose a payment method."))
    bank_reference = (bank_reference or "").strip()
    if not bank_reference or len(bank_reference) > 64:
        errors.setdefault("bank_reference", []).append(
            _("Enter the bank or payment reference (at most 64 characters).")
        )
    elif personal := public_text_error(_("Bank or payment reference"), bank_reference):
        errors.setdefault("bank_reference", []).append(personal)
    if paid_on is None or paid_on > today() or paid_on.year < 2000:
        errors.setdefault("paid_on", []).append(
            _("Enter the date it was paid (not later than today).")
        )
    if not errors:
        decision = _check_decision(community, amount, decision, paid_on, errors)
    if errors:
        raise ValidationError(errors)
    payable = provider_account_code(provider) if provider else HUB_ACCOUNT
    with transaction.atomic():
        book = Book.objects.select_for_update().get(pk=community.book_id)
        if Settlement.objects.filter(community=community, bank_reference=bank_reference).exists():
            raise ValidationError({"bank_reference": _("This reference is already recorded.")})
        accounts = {a.code: a for a in Account.objects.filter(book=book)}
        booked_on = accounting_date(community, paid_on, book)
        if payable not in accounts:
            raise ValidationError(
                {
                    "amount": _("%(payee)s is owed %(owed)s; a settlement cannot pay more.")
                    % {"payee": provider.name if provider else community.hub.name, "owed": yuan(0)}
                }
            )
        fen = ledger.to_fen(amount)
        problem = shortfall_problem(
            book, [(payable, fen), (method_account_code(method), fen)], booked_on
        )
        if problem:
            raise ValidationError({"amount": problem})
        name = provider.name if provider else community.hub.name
        memo = f"结算 {name} {bank_reference}"
        if booked_on != paid_on:
            memo = f"【调整】{memo}（付款日 {paid_on.isoformat()}，所属期间已结账）"
        entry = ledger.post(
            book=book,
            date=booked_on,
            actor=user.get_username(),
            memo=memo,
            legs=[
                ledger.debit(accounts[payable], amount, "结算应付款"),
                ledger.credit(accounts[method_account_code(method)], amount, bank_reference),
            ],
            idempotency_key=f"settlement/{bank_reference}",
        )
        return Settlement.objects.create(
            community=community,
            provider=provider,
            amount=amount,
            method=method,
            bank_reference=bank_reference,
            paid_on=paid_on,
            note=note.strip()[:200],
            decision=decision,
            entry=entry,
            recorded_by=user,
        )


# --- Disbursements -------------------------------------------------------------------------
def tier_for(community: Community, amount: Money) -> str:
    if amount >= community.committee_from:
        return ApprovalTier.COMMITTEE
    if amount > community.one_reviewer_up_to:
        return ApprovalTier.TWO
    return ApprovalTier.ONE


def check_upload(upload, field: str = "attachments") -> tuple[str, str, int]:
    """(content type, sha256, size) of an upload, or a ValidationError on `field`: PDF,
    JPG or PNG by their first bytes (not the name the browser sent), at most 10 MB. Also
    the check of minutes, space photos and delivery evidence."""
    size = upload.size
    if not size:
        raise ValidationError({field: _("%(name)s is empty.") % {"name": upload.name}})
    if size > MAX_ATTACHMENT:
        raise ValidationError({field: _("%(name)s is larger than 10 MB.") % {"name": upload.name}})
    upload.seek(0)
    head = upload.read(16)
    kind = next((t for magic, t in ATTACHMENT_TYPES.items() if head.startswith(magic)), None)
    if kind is None or not upload.name.lower().endswith(EXTENSIONS[kind]):
        raise ValidationError(
            {field: _("%(name)s is not a PDF, JPG or PNG file.") % {"name": upload.name}}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return kind, digest.hexdigest(), size


def attachment_add(*, disbursement: Disbursement, kind: str, upload, user) -> Attachment:
    if disbursement.status != DisbursementStatus.PENDING:
        raise ValidationError(_("Evidence can be added only while a request waits."))
    content_type, sha, size = check_upload(upload)
    attachment = Attachment(
        disbursement=disbursement,
        kind=kind,
        original_name=upload.name[:200],
        content_type=content_type,
        size=size,
        sha256=sha,
        uploaded_by=user,
    )
    attachment.file.save(f"{sha}{EXTENSIONS[content_type][0]}", upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def disbursement_request(
    *,
    community: Community,
    payee: str,
    purpose: str,
    category: str,
    amount: Money,
    user,
    method: str = PaymentMethod.BANK,
    payee_is_person: bool = False,
    payee_account: str = "",
    invoice_number: str = "",
    invoice_date: dt.date | None = None,
    attachments=(),
    project=None,
    final: bool = False,
    emergency_reason: str = "",
    decision=None,
) -> Disbursement:
    """A request to pay from the fund. `project` cites the earmark that pays it (see
    fundmgr.projects); without one, once the community spends through earmarks, an
    `emergency_reason` is needed. From the collective-decision limit (三重一大) it cites
    the passed decision item that approved it, held by today."""
    require_role(user, community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    _check_money(community, amount, errors)
    if not payee.strip() or len(payee) > 100:
        errors.setdefault("payee", []).append(_("Name the payee (at most 100 characters)."))
    if not purpose.strip() or len(purpose) > 300:
        errors.setdefault("purpose", []).append(_("Say what it is for (at most 300 characters)."))
    elif personal := public_text_error(_("Purpose"), purpose):
        errors.setdefault("purpose", []).append(personal)
    if category not in DisbursementCategory.values:
        errors.setdefault("category", []).append(_("Choose a category."))
    if method not in PaymentMethod.values:
        errors.setdefault("method", []).append(_("Choose a payment method."))
    if not errors:
        decision = _check_decision(community, amount, decision, today(), errors)
    if errors:
        raise ValidationError(errors)
    disbursement = Disbursement.objects.create(
        community=community,
        payee=payee.strip(),
        payee_is_person=payee_is_person,
        payee_account=payee_account.strip()[:64],
        purpose=purpose.strip(),
        category=category,
        amount=amount,
        method=method,
        invoice_number=invoice_number.strip()[:64],
        invoice_date=invoice_date,
        tier=tier_for(community, amount),
        decision=decision,
        requested_by=user,
    )
    # Imported here: fundmgr.projects builds on this module (#19).
    from ..projects.services import payment_cite

    payment_cite(
        disbursement=disbursement, project=project, final=final, emergency_reason=emergency_reason
    )
    for kind, upload in attachments:
        attachment_add(disbursement=disbursement, kind=kind, upload=upload, user=user)
    return disbursement


def _locked(disbursement: Disbursement) -> Disbursement:
    return (
        Disbursement.objects.select_for_update().select_related("community").get(pk=disbursement.pk)
    )


def _vote(d: Disbursement, reviewer, approve: bool, note: str) -> None:
    require_role(reviewer, d.community, Role.REVIEWER)
    note = check_text(note, field="note", label=_("The note"), max_length=500, multiline=True)
    if d.status != DisbursementStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if d.requested_by_id == reviewer.pk:
        raise ValidationError(_("Nobody may approve what they requested."))
    try:
        with transaction.atomic():
            DisbursementApproval.objects.create(
                disbursement=d, reviewer=reviewer, approve=approve, note=note.strip()[:500]
            )
    except IntegrityError as exc:
        raise ValidationError(_("You have already given your decision on this request.")) from exc


def attachment_intact(attachment: Attachment) -> bool:
    """Does the stored file still hash to what was recorded at upload?"""
    digest = hashlib.sha256()
    try:
        with attachment.file.open("rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 16), b""):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == attachment.sha256


def _attachments_intact(d: Disbursement) -> None:
    for a in d.attachments.all():
        if not attachment_intact(a):
            raise ValidationError(
                _("Attachment %(name)s changed after it was uploaded.") % {"name": a.original_name}
            )


def _pay(d: Disbursement, payment_reference: str) -> Disbursement:
    """Post Dr fund (or the cited project's earmark) / Cr cash or bank under the book
    lock; never below zero, so never past what remains of the earmark."""
    from ..projects.services import payment_source

    payment_reference = check_text(
        payment_reference, field="reference", label=_("The payment reference"), max_length=64
    )
    _attachments_intact(d)
    book = Book.objects.select_for_update().get(pk=d.community.book_id)
    source = payment_source(d)
    accounts = {a.code: a for a in Account.objects.filter(book=book)}
    paid_on = today()
    booked_on = accounting_date(d.community, paid_on, book)
    fen = ledger.to_fen(d.amount)
    problem = shortfall_problem(
        book, [(source, fen), (method_account_code(d.method), fen)], booked_on
    )
    if problem:
        raise ValidationError(problem)
    d.entry = ledger.post(
        book=book,
        date=booked_on,
        actor=d.requested_by.get_username(),
        memo=f"社区基金拨付 {d.get_category_display()} {d.purpose}"[:500],
        legs=[
            ledger.debit(accounts[source], d.amount, d.payee),
            ledger.credit(accounts[method_account_code(d.method)], d.amount, payment_reference),
        ],
        idempotency_key=f"disbursement/{d.pk}",
    )
    d.status, d.paid_on, d.decided_at = DisbursementStatus.POSTED, paid_on, timezone.now()
    d.payment_reference = payment_reference
    d.save()
    _announce_payment(d)
    return d


def _announce_payment(d: Disbursement) -> None:
    """A payment citing a project is news to the project's followers once it is posted."""
    from ..projects.models import ProjectPayment
    from ..projects.signals import announce

    cite = ProjectPayment.objects.filter(disbursement=d, project__isnull=False).first()
    if cite is not None:
        announce(cite.project, "payment", cite.pk)


@transaction.atomic
def disbursement_approve(
    *, disbursement: Disbursement, reviewer, note: str = "", payment_reference: str = ""
) -> Disbursement:
    """One reviewer's approval. Up to the single limit one approval pays; below the
    committee threshold two reviewers must approve; above it the committee must decide."""
    d = _locked(disbursement)
    if d.tier == ApprovalTier.COMMITTEE:
        raise ValidationError(
            _(
                "This amount needs a collective decision (三重一大): confirm the decision "
                "item it cites."
            )
        )
    _vote(d, reviewer, True, note)
    approvals = d.approvals.filter(approve=True).count()
    if d.tier == ApprovalTier.ONE or (d.tier == ApprovalTier.TWO and approvals >= 2):
        return _pay(d, payment_reference)
    return d


@transaction.atomic
def disbursement_committee(
    *, disbursement: Disbursement, reviewer, decision=None, payment_reference: str = ""
) -> Disbursement:
    """Pay a request the collective decision (三重一大) approved: a reviewer confirms the
    passed decision item it cites (or, for a request made before requests cited one,
    names it now) and the payment follows. The vote itself is the item's, counted twice in
    fundmgr.decisions; nothing is typed here."""
    from ..decisions.selectors import item_ref
    from ..decisions.services import item_cite

    d = _locked(disbursement)
    if d.tier != ApprovalTier.COMMITTEE:
        raise ValidationError(_("This request does not need a collective decision."))
    if d.decision_id and decision is not None and decision.pk != d.decision_id:
        raise ValidationError({"decision": _("This request already cites another decision item.")})
    item = item_cite(decision or d.decision, community=d.community, on=today(), field="decision")
    ref = item_ref(item)
    votes = ref["votes"]
    _vote(
        d,
        reviewer,
        True,
        f"集体决策：{ref['meeting']} 第{ref['item']}项（{ref['held_on']}），"
        f"赞成 {votes['for']}，反对 {votes['against']}，弃权 {votes['abstain']}",
    )
    d.decision = item
    d.save(update_fields=["decision"])
    return _pay(d, payment_reference)


@transaction.atomic
def disbursement_reject(*, disbursement: Disbursement, reviewer, reason: str) -> Disbursement:
    reason = check_text(
        reason, field="reason", label=_("The reason"), max_length=500, multiline=True
    )
    if not reason.strip():
        raise ValidationError({"reason": _("A rejection needs a reason.")})
    d = _locked(disbursement)
    _vote(d, reviewer, False, reason)
    d.status, d.decided_at = DisbursementStatus.REJECTED, timezone.now()
    d.rejection_reason = reason.strip()[:500]
    d.save()
    return d
