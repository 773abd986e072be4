"""Donations, and deliveries billed to government purchase contracts, from a CSV (UTF-8
or GB18030) or XLSX file, like income (fundmgr/imports): English or Chinese headers,
every bad row reported by its number, all rows or none. A donation whose reference is
already recorded is skipped and counted as such; a delivery has no reference, and
importing the same file twice is refused row by row (its beneficiaries would be billed
twice on one line in one month)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from djmoney.money import Money

from ..access import require_role
from ..imports.files import FileError, _csv_rows, _xlsx_rows
from ..imports.rows import METHODS, cell_text, parse_amount, parse_paid_at
from ..lib.dates import local_date
from ..models import Community, Role
from . import services
from .models import BeneficiaryToken, ContractLine, Donation, DonorKind, PurchaseContract

COLUMNS = {
    "community": ("community", "社区"),
    "donor_kind": ("donor_kind", "捐赠人类别"),
    "donor": ("donor", "捐赠人"),
    "anonymous": ("anonymous", "匿名"),
    "named": ("named", "公开署名"),
    "amount": ("amount", "金额"),
    "method": ("method", "支付方式"),
    "received_on": ("received_on", "收款日期"),
    "reference": ("reference", "流水号"),
    "fund": ("fund", "定向基金"),
    "drive": ("drive", "募捐活动"),
}
REQUIRED = ("community", "donor_kind", "amount", "method", "received_on", "reference")
KINDS = {
    **{k: k for k in DonorKind.values},
    "居民": "resident",
    "商户": "merchant",
    "企业": "company",
    "社会组织": "organisation",
}
YES = {"1", "yes", "y", "true", "是"}


@dataclass
class Result:
    recorded: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _rows(path: Path, columns: dict = COLUMNS, required: tuple = REQUIRED):
    with open(path, "rb") as raw:
        magic = raw.read(4)
    if not magic:
        raise FileError(_("The file is empty."))
    rows = _xlsx_rows(path) if magic == b"PK\x03\x04" else _csv_rows(path)
    header = next(rows, None)
    if header is None:
        raise FileError(_("The file is empty."))
    aliases = {a.lower(): name for name, names in columns.items() for a in names}
    mapping = {}
    for i, cell in enumerate(header):
        name = aliases.get(str(cell or "").strip().lstrip("\ufeff").lower())
        if name is not None:
            mapping[name] = i
    missing = [c for c in required if c not in mapping]
    if missing:
        raise FileError(
            _("The header row lacks the column(s): %(missing)s.")
            % {"missing": ", ".join(f"{c} ({columns[c][-1]})" for c in missing)}
        )
    number = 1
    for values in rows:
        number += 1
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        yield number, {n: (values[i] if i < len(values) else None) for n, i in mapping.items()}


def import_donations(path: Path, *, user, dry_run: bool = False) -> Result:
    """All rows recorded, or none (any bad row, or dry_run) - each row through
    donation_record, the same checks as the form."""
    result = Result()
    with transaction.atomic():
        for number, raw in _rows(Path(path)):
            try:
                community = Community.objects.filter(code=cell_text(raw["community"])).first()
                if community is None:
                    raise ValueError(
                        _("community %(code)s does not exist")
                        % {"code": cell_text(raw["community"])}
                    )
                ref = cell_text(raw["reference"])
                if Donation.objects.filter(community=community, reference=ref).exists():
                    result.skipped += 1
                    continue
                method = METHODS.get(cell_text(raw["method"]).lower(), cell_text(raw["method"]))
                with transaction.atomic():
                    services.donation_record(
                        community=community,
                        donor_kind=KINDS.get(cell_text(raw["donor_kind"]).lower(), "?"),
                        donor_name=cell_text(raw.get("donor")),
                        anonymous=cell_text(raw.get("anonymous")).lower() in YES,
                        named_publicly=cell_text(raw.get("named")).lower() in YES,
                        amount=Money(parse_amount(raw["amount"]), community.currency),
                        method=method,
                        received_on=local_date(parse_paid_at(raw["received_on"])),
                        reference=ref,
                        fund_code=cell_text(raw.get("fund")),
                        drive=cell_text(raw.get("drive")),
                        user=user,
                    )
                result.recorded += 1
            except ValidationError as exc:
                messages = (
                    [f"{k}: {m}" for k, ms in exc.message_dict.items() for m in ms]
                    if hasattr(exc, "error_dict")
                    else exc.messages
                )
                result.errors.append((number, "; ".join(messages)))
            except (ValueError, PermissionError) as exc:
                result.errors.append((number, str(exc)))
        if result.errors or dry_run:
            transaction.set_rollback(True)
    return result


# --- deliveries billed to government purchase contracts ---------------------------------
# One row is one delivery (one bill) on one contract line: 数量 units, one beneficiary
# identifier per unit in 受益人标识, separated by 、 or ; (or ；, or a line break in the
# cell). 备注 is read and checked but not kept: a note could carry a beneficiary's name,
# and beneficiaries are kept only as keyed tokens.
DELIVERY_COLUMNS = {
    "contract": ("contract", "合同编号"),
    "package": ("package", "服务项目"),
    "delivered_on": ("delivered_on", "服务日期"),
    "units": ("units", "数量"),
    "beneficiaries": ("beneficiaries", "受益人标识"),
    "note": ("note", "备注"),
}
DELIVERY_REQUIRED = ("contract", "package", "delivered_on", "units", "beneficiaries")
# How the errors name a field: by its Chinese column, whichever header the file used.
DELIVERY_FIELDS = {k: names[-1] for k, names in DELIVERY_COLUMNS.items()}
# delivery_bill's fields, in the file's words.
_BILL_FIELDS = {
    "contract_line": "contract",
    "delivered_on": "delivered_on",
    "beneficiaries": "beneficiaries",
}
SEPARATORS = str.maketrans({"、": ";", "；": ";", "\n": ";", "\r": ";"})
NOTE_MAX = 200

NO_CONTRACT = gettext_noop("There is no contract %(number)s in %(community)s.")
NO_LINE = gettext_noop("Contract %(number)s has no line for the package %(package)s.")
BAD_DATE = gettext_noop("%(value)r is not a date like 2026-03-05.")
BAD_UNITS = gettext_noop("%(value)r is not a whole number of units (1 or more).")
UNITS_DIFFER = gettext_noop(
    "%(units)s units but %(count)s beneficiary identifiers: one identifier per unit, "
    "separated by 、 or ;."
)
NO_BENEFICIARY = gettext_noop("Enter one beneficiary identifier per unit, separated by 、 or ;.")
TWICE_IN_ROW = gettext_noop(
    "identifiers %(first)d and %(second)d are the same beneficiary: one unit each."
)
TWICE_IN_MONTH = gettext_noop(
    "identifier %(position)d is a beneficiary already billed on line %(line)s in %(month)s "
    "(%(where)s): one beneficiary is billed once for one unit."
)
EARLIER_ROW = gettext_noop("row %(number)d of this file")
RECORDED = gettext_noop("already recorded")
NOTE_TOO_LONG = gettext_noop("at most %(max)d characters.")


@dataclass
class DeliveryResult(Result):
    units: int = 0


def split_beneficiaries(value) -> list[str]:
    """The identifiers of one cell, in order, empty pieces dropped."""
    return [p.strip() for p in cell_text(value).translate(SEPARATORS).split(";") if p.strip()]


def _units(value) -> int:
    text = cell_text(value)
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise ValueError(_(BAD_UNITS) % {"value": text})
    return int(text)


def _bill_errors(exc: ValidationError) -> list[tuple[str, str]]:
    if not hasattr(exc, "error_dict"):
        return [("", m) for m in exc.messages]
    return [
        (DELIVERY_FIELDS.get(_BILL_FIELDS.get(k, ""), k), m)
        for k, ms in exc.message_dict.items()
        for m in ms
    ]


def _delivery_row(raw: dict, community: Community, seen: dict, number: int, user):
    """One row billed through delivery_bill, or the row's problems as (field, message)."""
    problems: list[tuple[str, str]] = []

    def problem(key: str, message: str) -> None:
        problems.append((DELIVERY_FIELDS[key], message))

    number_text = cell_text(raw["contract"])
    contract = PurchaseContract.objects.filter(community=community, number=number_text).first()
    line = None
    if contract is None:
        problem("contract", _(NO_CONTRACT) % {"number": number_text, "community": community.code})
    else:
        code = cell_text(raw["package"])
        line = (
            ContractLine.objects.filter(contract=contract, package__code=code)
            .select_related("contract", "package")
            .first()
        )
        if line is None:
            problem("package", _(NO_LINE) % {"number": contract.number, "package": code})
    delivered_on = None
    try:
        delivered_on = local_date(parse_paid_at(raw["delivered_on"]))
    except ValueError:
        problem("delivered_on", _(BAD_DATE) % {"value": cell_text(raw["delivered_on"])})
    units = None
    try:
        units = _units(raw["units"])
    except ValueError as exc:
        problem("units", str(exc))
    ids = split_beneficiaries(raw["beneficiaries"])
    if not ids:
        problem("beneficiaries", _(NO_BENEFICIARY))
    elif units is not None and units != len(ids):
        problem("units", _(UNITS_DIFFER) % {"units": units, "count": len(ids)})
    # Identifiers are named by their place in the cell, never echoed.
    tokens = [services.beneficiary_token(i) for i in ids]
    first_at: dict[str, int] = {}
    for position, token in enumerate(tokens, start=1):
        if token in first_at:
            problem(
                "beneficiaries",
                _(TWICE_IN_ROW) % {"first": first_at[token], "second": position},
            )
        first_at.setdefault(token, position)
    if line is not None and delivered_on is not None:
        month = delivered_on.strftime("%Y-%m")
        recorded = set(
            BeneficiaryToken.objects.filter(line=line, month=month, token__in=tokens).values_list(
                "token", flat=True
            )
        )
        for token, position in first_at.items():
            if token not in recorded:
                continue
            earlier = seen.get((line.pk, month, token))
            where = _(EARLIER_ROW) % {"number": earlier} if earlier else _(RECORDED)
            problem(
                "beneficiaries",
                _(TWICE_IN_MONTH)
                % {"position": position, "line": str(line), "month": month, "where": where},
            )
    if len(cell_text(raw.get("note"))) > NOTE_MAX:
        problem("note", _(NOTE_TOO_LONG) % {"max": NOTE_MAX})
    if problems:
        return None, problems
    try:
        with transaction.atomic():
            delivery = services.delivery_bill(
                line=line, delivered_on=delivered_on, beneficiaries=ids, user=user
            )
    except ValidationError as exc:
        return None, _bill_errors(exc)
    for token in first_at:
        seen[(line.pk, delivery.delivered_on.strftime("%Y-%m"), token)] = number
    return delivery, []


def import_deliveries(
    path: Path, *, community: Community, user, dry_run: bool = False
) -> DeliveryResult:
    """All rows billed, or none (any bad row, or dry_run) - each row through
    delivery_bill, the same checks as billing one delivery: the contract in force on the
    day, the line's units and cap (earlier rows of the file counted), and besides one
    beneficiary per unit, never twice on one line in one month."""
    require_role(user, community, Role.OFFICER)
    result = DeliveryResult()
    seen: dict[tuple[int, str, str], int] = {}
    with transaction.atomic():
        for number, raw in _rows(Path(path), DELIVERY_COLUMNS, DELIVERY_REQUIRED):
            delivery, problems = _delivery_row(raw, community, seen, number, user)
            if problems:
                result.errors.append(
                    (
                        number,
                        " ".join(
                            _("%(field)s: %(message)s") % {"field": f, "message": m} if f else m
                            for f, m in problems
                        ),
                    )
                )
                continue
            result.recorded += 1
            result.units += delivery.units
        if result.errors or dry_run:
            transaction.set_rollback(True)
    return result
