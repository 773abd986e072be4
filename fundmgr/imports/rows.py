"""One row of an income file parsed into an IncomeDraft and checked, with the look-ups
every row of a file shares (communities, packages, policies, rights) made once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from ..lib.money import MAX_YUAN, parse_yuan
from ..lib.text import text_problem
from ..models import Community, Membership, Role, ServicePackage, SplitPolicy
from ..services.drafts import IncomeDraft, draft_validate

TIERS = {
    "public_benefit": "public_benefit",
    "公益": "public_benefit",
    "paid": "paid",
    "有偿": "paid",
    "low_cost": "low_cost",
    "低偿": "low_cost",
}
METHODS = {
    "cash": "cash",
    "现金": "cash",
    "wechat": "wechat",
    "微信": "wechat",
    "微信支付": "wechat",
    "alipay": "alipay",
    "支付宝": "alipay",
    "bank": "bank",
    "银行转账": "bank",
    "银行": "bank",
    "other": "other",
    "其他": "other",
}


def cell_text(value) -> str:
    """A cell as stripped text; a whole spreadsheet number without its '.0'."""
    if value is None:
        return ""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return str(int(value))
    return str(value).strip()


def parse_amount(value) -> Decimal:
    """A cell as an amount: a spreadsheet number as typed, text by the one reader of
    typed amounts (fundmgr.lib.money.parse_yuan)."""
    if isinstance(value, bool):
        raise ValueError(_("amount is not a number"))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        # A spreadsheet number, exactly as the file stores it (fundmgr.imports.xlsx).
        if not value.is_finite():
            raise ValueError(_("amount is not a number"))
        if abs(value) > MAX_YUAN:
            raise ValueError(_("The amount is too large."))
        if value != value.quantize(Decimal("0.01")):
            raise ValueError(_("The amount has more than two decimal places."))
        return value
    return parse_yuan(cell_text(value))


_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)


def parse_paid_at(value) -> dt.datetime:
    """ISO date or date-time; Asia/Shanghai (the current time zone) when no offset."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text = cell_text(value)
        moment = None
        try:  # ISO first: the common case, and far quicker than strptime
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for fmt in _FORMATS:
                try:
                    moment = dt.datetime.strptime(text, fmt)
                    break
                except ValueError:
                    pass
        if moment is None:
            raise ValueError(
                _("paid_at %(value)r is not a date like 2026-03-05 or 2026-03-05 14:30")
                % {"value": text}
            )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Context:
    """Lookups shared by all rows of one file: communities, packages, policies, rights."""

    def __init__(self, user=None, allowed_communities=None):
        self.user = user
        self.allowed = allowed_communities  # None: any (the command-line import)
        self._communities: dict[str, Community | None] = {}
        self._packages: dict[tuple[int, str], ServicePackage | None] = {}
        self._policies: dict[int, list[SplitPolicy]] = {}
        self._officer_of: set[int] | None = None
        self.now = timezone.now()

    def community(self, code: str) -> Community | None:
        if code not in self._communities:
            self._communities[code] = (
                Community.objects.select_related("book").filter(code=code).first()
            )
        return self._communities[code]

    def communities_seen(self) -> list[Community]:
        return [c for c in self._communities.values() if c is not None]

    def package(self, community: Community, code: str) -> ServicePackage | None:
        key = (community.pk, code)
        if key not in self._packages:
            self._packages[key] = (
                ServicePackage.objects.select_related("provider")
                .filter(community=community, code=code)
                .first()
            )
        return self._packages[key]

    def policies(self, community: Community) -> list[SplitPolicy]:
        if community.pk not in self._policies:
            self._policies[community.pk] = list(
                SplitPolicy.objects.filter(community=community).order_by("-effective_from")
            )
        return self._policies[community.pk]

    def may_record(self, community: Community) -> bool:
        if self.allowed is not None and community.pk not in self.allowed:
            return False
        if self.user is None:
            return True
        if self._officer_of is None:
            self._officer_of = set(
                Membership.objects.filter(user=self.user, role=Role.OFFICER).values_list(
                    "community_id", flat=True
                )
            )
        return community.pk in self._officer_of


# Longest text a cell of each column may hold (the payer, reference and note as the
# model keeps them; codes and words far shorter).
_CELL_MAX = {"payer": 100, "external_ref": 64, "note": 200}


def _cell_problems(raw: dict[str, object]) -> list[str]:
    """Control characters or absurd lengths in any text cell, before the row is looked
    at: a NUL in a code would otherwise reach the database in a look-up."""
    errors = []
    for name, value in raw.items():
        if isinstance(value, str):
            problem = text_problem(value.strip(), max_length=_CELL_MAX.get(name, 64))
            if problem:
                errors.append(_("%(column)s %(problem)s") % {"column": name, "problem": problem})
    return errors


def parse_row(raw: dict[str, object], ctx: Context) -> tuple[IncomeDraft | None, list[str]]:
    errors = _cell_problems(raw)
    if errors:
        return None, errors
    code = cell_text(raw.get("community"))
    community = ctx.community(code) if code else None
    if community is None:
        errors.append(
            _("community %(code)r does not exist") % {"code": code}
            if code
            else _("community is empty")
        )
        return None, errors
    if not ctx.may_record(community):
        return None, [_("you are not a finance officer of community %(code)s") % {"code": code}]
    package_code = cell_text(raw.get("package"))
    package = ctx.package(community, package_code) if package_code else None
    if package is None:
        errors.append(
            _("package %(code)r does not exist in community %(community)s")
            % {"code": package_code, "community": code}
        )
    tier_text = cell_text(raw.get("tier"))
    tier = TIERS.get(tier_text.lower(), TIERS.get(tier_text, ""))
    if not tier:
        errors.append(
            _("tier %(value)r is not public_benefit, paid or low_cost (公益 / 有偿 / 低偿)")
            % {"value": tier_text}
        )
    method_text = cell_text(raw.get("method"))
    method = METHODS.get(method_text.lower(), METHODS.get(method_text, ""))
    if not method:
        errors.append(
            _("method %(value)r is not cash, wechat, alipay, bank or other")
            % {"value": method_text}
        )
    currency = cell_text(raw.get("currency")).upper() or community.currency
    amount = None
    try:
        amount = Money(parse_amount(raw.get("amount")), currency)
    except ValueError as exc:
        errors.append(str(exc))
    except Exception:  # noqa: BLE001 - an unknown currency code
        errors.append(_("currency %(value)r is not a currency code") % {"value": currency})
    paid_at = None
    if cell_text(raw.get("paid_at")) == "":
        errors.append(_("paid_at is empty"))
    else:
        try:
            paid_at = parse_paid_at(raw.get("paid_at"))
        except ValueError as exc:
            errors.append(str(exc))
    ref = cell_text(raw.get("external_ref"))
    if not ref:
        errors.append(_("external_ref (流水号) is empty"))
    quantity = 1
    if "quantity" in raw and cell_text(raw.get("quantity")):
        try:
            quantity = int(cell_text(raw.get("quantity")))
        except ValueError:
            errors.append(_("quantity must be a whole number"))
    if errors:
        return None, errors
    draft = IncomeDraft(
        community=community,
        package=package,
        tier=tier,
        amount=amount,
        paid_at=paid_at,
        method=method,
        payer=cell_text(raw.get("payer")),
        external_ref=ref,
        quantity=quantity,
        note=cell_text(raw.get("note")),
    )
    problems = draft_validate(draft, now=ctx.now, policies=ctx.policies(community))
    for name, messages in problems.items():
        errors.extend(f"{name}: {m}" for m in messages)
    return (None if errors else draft), errors
