"""Every change to spaces and their agreements, each in one transaction and refused
whole, with the field named, when it cannot be right."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from djmoney.money import Money

from ledger import services as ledger
from ledger.models import Account, AccountType, Book

from ..access import has_role, require_role
from ..chart import SPACE_RENT_ACCOUNT, SPACE_RENT_NAME, method_account_code
from ..decisions.models import DecisionItem
from ..decisions.services import item_cite
from ..lib.dates import today
from ..models import Community, Income, IncomeStatus, PaymentMethod, Provider, Role, Tier
from ..services.drafts import money_problem
from ..services.payouts import EXTENSIONS, check_upload
from ..services.posting import accounting_date
from .models import (
    Agreement,
    AgreementPerson,
    Delivery,
    Obligation,
    RentPayment,
    Space,
    SpaceIncome,
    SpacePhoto,
    Unit,
)

OVERLAP = gettext_noop(
    "%(space)s is already let under agreement %(number)s from %(start)s to %(end)s: terms of one space may not overlap."  # noqa: E501
)
OUTSIDE_TERM = gettext_noop("%(date)s is outside the agreement's term (%(start)s to %(end)s).")
NOT_NAMED = gettext_noop("The agreement does not name this package at this tier.")
OWN_RECORD = gettext_noop("Nobody may confirm a delivery record they entered.")


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _sha(text: str) -> str | None:
    sha = (text or "").strip().lower()
    return sha if len(sha) == 64 and all(c in "0123456789abcdef" for c in sha) else None


@transaction.atomic
def space_create(
    *, community: Community, code: str, name: str, address: str, area_m2, user, photos=()
) -> Space:
    require_role(user, community, Role.OFFICER)
    space = Space(
        community=community,
        code=(code or "").strip(),
        name=(name or "").strip(),
        address=(address or "").strip(),
        area_m2=area_m2,
    )
    errors: dict[str, list[str]] = {}
    if area_m2 is None or not isinstance(area_m2, Decimal) or area_m2 <= 0 or area_m2 > 100000:
        errors["area_m2"] = [_("Enter the area in square metres (more than 0).")]
    try:
        space.full_clean(exclude=["area_m2"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if Space.objects.filter(community=community, code=space.code).exists():
        errors["code"] = [_("A space with this code is already recorded.")]
    _raise(errors)
    space.save()
    for upload in photos:
        space_photo_add(space=space, upload=upload, user=user)
    return space


def space_photo_add(*, space: Space, upload, user) -> SpacePhoto:
    require_role(user, space.community, Role.OFFICER)
    content_type, sha, size = check_upload(upload, field="photos")
    photo = SpacePhoto(
        space=space,
        original_name=upload.name[:200],
        content_type=content_type,
        size=size,
        sha256=sha,
        uploaded_by=user,
    )
    photo.file.save(f"{sha}{EXTENSIONS[content_type][0]}", upload, save=False)
    photo.save()
    return photo


def _money(community: Community, value, field: str, errors: dict, *, zero_ok: bool) -> None:
    if not isinstance(value, Money):
        errors.setdefault(field, []).append(_("Enter an amount."))
        return
    if zero_ok and value.amount == 0 and str(value.currency) == community.currency:
        return
    if problem := money_problem(community, value):
        errors.setdefault(field, []).append(problem[1])


@transaction.atomic
def agreement_create(
    *,
    community: Community,
    space: Space,
    number: str,
    operator: Provider,
    starts_on: dt.date,
    ends_on: dt.date,
    rent: Money,
    market_rent_month: Money,
    market_rent_source: str,
    paid_income_foreseen_month: Money,
    decision: DecisionItem | None,
    obligations: list[dict],
    user,
    follows: Agreement | None = None,
    operator_staff=(),
    resident_reps=(),
) -> Agreement:
    """An agreement with its obligations ({package, tier, per_month, unit?}), approved by
    a passed decision item of the community taken on or before its start. Terms of one
    space never overlap (checked under the space's row lock)."""
    require_role(user, community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    if space is None or space.community_id != community.pk:
        errors["space"] = [_("Choose a space of this community.")]
    number = (number or "").strip()
    if not number:
        errors["number"] = [_("Give the agreement a number.")]
    elif Agreement.objects.filter(community=community, number=number).exists():
        errors["number"] = [_("An agreement with this number is already recorded.")]
    if operator is None:
        errors["operator"] = [_("Choose the operator (a provider).")]
    if starts_on is None or ends_on is None or ends_on < starts_on:
        errors["ends_on"] = [_("The term must end on or after the day it starts.")]
    elif (ends_on - starts_on).days > 366 * 10:
        errors["ends_on"] = [
            _("A term of more than ten years is refused as a likely typing error.")
        ]
    _money(community, rent, "rent", errors, zero_ok=True)
    _money(community, market_rent_month, "market_rent_month", errors, zero_ok=False)
    _money(
        community, paid_income_foreseen_month, "paid_income_foreseen_month", errors, zero_ok=True
    )
    if not (market_rent_source or "").strip() or len(market_rent_source) > 300:
        errors["market_rent_source"] = [_("Say where the market-rent estimate comes from.")]
    try:
        item_cite(decision, community=community, on=starts_on)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if follows is not None and (space is None or follows.space_id != space.pk):
        errors["follows"] = [_("A renewal or change follows an agreement of the same space.")]
    if follows is not None and decision is not None and follows.decision_id == decision.pk:
        errors["decision"] = [
            _("A renewal or change needs its own decision, not that of the agreement it follows.")
        ]
    built = []
    if not obligations:
        errors["obligations"] = [_("Name at least one package the operator owes each month.")]
    for n, ob in enumerate(obligations, start=1):
        package, tier, per_month = ob.get("package"), ob.get("tier"), ob.get("per_month")
        unit = ob.get("unit") or Unit.SESSION
        where = _("Obligation %(n)d: ") % {"n": n}
        if package is None or package.community_id != community.pk:
            errors.setdefault("obligations", []).append(
                where + _("choose a package of this community.")
            )
            continue
        if operator is not None and package.provider_id != operator.pk:
            errors.setdefault("obligations", []).append(
                where
                + _("%(package)s is not a package of the operator.") % {"package": package.code}
            )
        if tier not in (Tier.PUBLIC_BENEFIT, Tier.LOW_COST):
            errors.setdefault("obligations", []).append(
                where + _("the service owed is at the 公益 or 低偿 tier.")
            )
            continue
        price = package.price(tier)
        if price is None:
            errors.setdefault("obligations", []).append(
                where
                + _("%(package)s has no listed price at this tier.") % {"package": package.code}
            )
        if not isinstance(per_month, int) or per_month < 1 or per_month > 10000:
            errors.setdefault("obligations", []).append(
                where + _("enter how many per month (1 or more).")
            )
        if unit not in Unit.values:
            errors.setdefault("obligations", []).append(where + _("choose sessions or hours."))
        if any(b[0] == package and b[1] == tier for b in built):
            errors.setdefault("obligations", []).append(
                where + _("this package and tier is named twice.")
            )
        built.append((package, tier, per_month, unit, price))
    _raise(errors)
    # The space's row lock: two agreements for one space recorded at once cannot both
    # pass the overlap check.
    Space.objects.select_for_update().get(pk=space.pk)
    clash = (
        Agreement.objects.filter(space=space, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .order_by("starts_on")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "starts_on": _(OVERLAP)
                % {
                    "space": space.name,
                    "number": clash.number,
                    "start": clash.starts_on.isoformat(),
                    "end": clash.ends_on.isoformat(),
                }
            }
        )
    agreement = Agreement.objects.create(
        community=community,
        space=space,
        number=number,
        operator=operator,
        starts_on=starts_on,
        ends_on=ends_on,
        rent=rent,
        market_rent_month=market_rent_month,
        market_rent_source=market_rent_source.strip(),
        paid_income_foreseen_month=paid_income_foreseen_month,
        decision=decision,
        follows=follows,
        recorded_by=user,
    )
    for package, tier, per_month, unit, price in built:
        Obligation.objects.create(
            agreement=agreement,
            package=package,
            tier=tier,
            per_month=per_month,
            unit=unit,
            unit_price=price,
        )
    for kind, people in (
        (AgreementPerson.Kind.OPERATOR_STAFF, operator_staff),
        (AgreementPerson.Kind.RESIDENT_REP, resident_reps),
    ):
        for person in people:
            AgreementPerson.objects.get_or_create(agreement=agreement, user=person, kind=kind)
    return agreement


def person_add(*, agreement: Agreement, person, kind: str, user) -> AgreementPerson:
    require_role(user, agreement.community, Role.OFFICER)
    if kind not in AgreementPerson.Kind.values:
        raise ValidationError({"kind": _("Choose operator's staff or resident representative.")})
    found, _created = AgreementPerson.objects.get_or_create(
        agreement=agreement, user=person, kind=kind
    )
    return found


def _is(agreement: Agreement, user, kind: str) -> bool:
    return AgreementPerson.objects.filter(agreement=agreement, user=user, kind=kind).exists()


@transaction.atomic
def delivery_record(
    *,
    agreement: Agreement,
    package,
    tier: str,
    delivered_on: dt.date,
    participants: int,
    user,
    quantity: int = 1,
    evidence=None,
    evidence_sha256: str = "",
) -> Delivery:
    """A delivered session, entered by an officer of the community or a member of the
    operator's staff named on the agreement."""
    community = agreement.community
    if has_role(user, community, Role.OFFICER):
        entered_as = "officer"
    elif _is(agreement, user, AgreementPerson.Kind.OPERATOR_STAFF):
        entered_as = "operator"
    else:
        raise PermissionError(
            _("Only an officer or the operator's named staff may enter deliveries.")
        )
    errors: dict[str, list[str]] = {}
    obligation = Obligation.objects.filter(agreement=agreement, package=package, tier=tier).first()
    if obligation is None:
        errors["package"] = [_(NOT_NAMED)]
    if delivered_on is None:
        errors["delivered_on"] = [_("Enter the day it was delivered.")]
    elif not agreement.in_force(delivered_on):
        errors["delivered_on"] = [
            _(OUTSIDE_TERM)
            % {
                "date": delivered_on.isoformat(),
                "start": agreement.starts_on.isoformat(),
                "end": agreement.ends_on.isoformat(),
            }
        ]
    elif delivered_on > today():
        errors["delivered_on"] = [_("A delivery cannot be dated after today.")]
    if not isinstance(quantity, int) or quantity < 1 or quantity > 100:
        errors["quantity"] = [_("Enter the sessions or hours delivered (1 to 100).")]
    if not isinstance(participants, int) or participants < 0 or participants > 10000:
        errors["participants"] = [_("Enter how many residents took part (0 or more).")]
    sha, content_type = _sha(evidence_sha256), ""
    if evidence is not None:
        try:
            content_type, sha, _size = check_upload(evidence, field="evidence")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    elif sha is None:
        errors["evidence"] = [
            _("Attach the evidence (sign-in sheet, photo: PDF, JPG or PNG) or give its SHA-256.")
        ]
    _raise(errors)
    delivery = Delivery(
        agreement=agreement,
        obligation=obligation,
        delivered_on=delivered_on,
        quantity=quantity,
        participants=participants,
        evidence_sha256=sha,
        entered_by=user,
        entered_as=entered_as,
    )
    if evidence is not None:
        delivery.evidence_file.save(f"{sha}{EXTENSIONS[content_type][0]}", evidence, save=False)
    delivery.save()
    return delivery


@transaction.atomic
def delivery_confirm(*, delivery: Delivery, user) -> Delivery:
    """Confirmation by a reviewer of the community or a resident representative named on
    the agreement - never by the person who entered the record."""
    d = (
        Delivery.objects.select_for_update()
        .select_related("agreement__community")
        .get(pk=delivery.pk)
    )
    if d.entered_by_id == user.pk:
        raise ValidationError({"confirmed_by": _(OWN_RECORD)})
    if has_role(user, d.agreement.community, Role.REVIEWER):
        confirmed_as = "reviewer"
    elif _is(d.agreement, user, AgreementPerson.Kind.RESIDENT_REP):
        confirmed_as = "resident"
    else:
        raise PermissionError(_("Only a reviewer or a named resident representative may confirm."))
    if d.confirmed_by_id is not None:
        raise ValidationError({"confirmed_by": _("This delivery is already confirmed.")})
    d.confirmed_by, d.confirmed_as, d.confirmed_at = user, confirmed_as, timezone.now()
    d.save(update_fields=["confirmed_by", "confirmed_as", "confirmed_at"])
    return d


def rent_account(book: Book) -> Account:
    """The rent income account, opened on first use (books made before it existed are
    given it by a data migration; this covers a book made between)."""
    found, _created = Account.objects.get_or_create(
        book=book,
        code=SPACE_RENT_ACCOUNT,
        defaults={"name": SPACE_RENT_NAME, "type": AccountType.INCOME},
    )
    return found


@transaction.atomic
def rent_record(
    *, agreement: Agreement, amount: Money, method: str, reference: str, paid_on: dt.date, user
) -> RentPayment:
    """Post the symbolic rent received: Dr cash or bank / Cr 4601 rent income. It is the
    community's own income and is not split 70/25/5."""
    community = agreement.community
    require_role(user, community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    _money(community, amount, "amount", errors, zero_ok=False)
    if method not in PaymentMethod.values:
        errors["method"] = [_("Choose a payment method.")]
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        errors["reference"] = [_("Enter the payment reference (at most 64 characters).")]
    elif RentPayment.objects.filter(agreement=agreement, reference=reference).exists():
        errors["reference"] = [_("This reference is already recorded.")]
    if paid_on is None or paid_on > today() or paid_on.year < 2000:
        errors["paid_on"] = [_("Enter the date it was paid (not later than today).")]
    _raise(errors)
    paid = sum((p.amount for p in agreement.rent_payments.all()), Money(0, community.currency))
    if paid + amount > agreement.rent:
        raise ValidationError(
            {
                "amount": _("The agreement's rent is %(rent)s and %(paid)s is already paid.")
                % {"rent": agreement.rent, "paid": paid}
            }
        )
    book = Book.objects.select_for_update().get(pk=community.book_id)
    income_account = rent_account(book)
    cash = Account.objects.get(book=book, code=method_account_code(method))
    booked = accounting_date(community, paid_on, book)
    memo = f"场地象征性租金 {agreement.space.name} 协议{agreement.number}（不参与70/25/5分成）"
    if booked != paid_on:
        memo = f"【调整】{memo}（付款日 {paid_on.isoformat()}，所属期间已结账）"
    entry = ledger.post(
        book=book,
        date=booked,
        actor=user.get_username(),
        memo=memo,
        legs=[
            ledger.debit(cash, amount, reference),
            ledger.credit(income_account, amount, f"协议{agreement.number}"),
        ],
        idempotency_key=f"space-rent/{agreement.pk}/{reference}",
    )
    return RentPayment.objects.create(
        agreement=agreement,
        amount=amount,
        method=method,
        reference=reference,
        paid_on=paid_on,
        entry=entry,
        recorded_by=user,
    )


@transaction.atomic
def income_link(*, agreement: Agreement, income: Income, user) -> SpaceIncome:
    """Link a package income earned in the space to the agreement: a posted income of one
    of the operator's packages, paid within the term."""
    require_role(user, agreement.community, Role.OFFICER)
    if income.community_id != agreement.community_id or income.status != IncomeStatus.POSTED:
        raise ValidationError({"income": _("Choose a posted income of this community.")})
    if income.package.provider_id != agreement.operator_id:
        raise ValidationError({"income": _("This income is for another provider's package.")})
    if not agreement.in_force(income.paid_on):
        raise ValidationError(
            {
                "income": _(OUTSIDE_TERM)
                % {
                    "date": income.paid_on.isoformat(),
                    "start": agreement.starts_on.isoformat(),
                    "end": agreement.ends_on.isoformat(),
                }
            }
        )
    if SpaceIncome.objects.filter(income=income).exists():
        raise ValidationError({"income": _("This income is already linked to an agreement.")})
    return SpaceIncome.objects.create(agreement=agreement, income=income, linked_by=user)
