"""Donations from a CSV (UTF-8 or GB18030) or XLSX file, like income (fundmgr/imports):
English or Chinese headers, every bad row reported by its number, all rows or none;
a row whose reference is already recorded is skipped and counted as such."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from djmoney.money import Money

from ..imports.files import FileError, _csv_rows, _xlsx_rows
from ..imports.rows import METHODS, cell_text, parse_amount, parse_paid_at
from ..lib.dates import local_date
from ..models import Community
from . import services
from .models import Donation, DonorKind

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


def _rows(path: Path):
    with open(path, "rb") as raw:
        magic = raw.read(4)
    if not magic:
        raise FileError(_("The file is empty."))
    rows = _xlsx_rows(path) if magic == b"PK\x03\x04" else _csv_rows(path)
    header = next(rows, None)
    if header is None:
        raise FileError(_("The file is empty."))
    aliases = {a.lower(): name for name, names in COLUMNS.items() for a in names}
    mapping = {}
    for i, cell in enumerate(header):
        name = aliases.get(str(cell or "").strip().lstrip("\ufeff").lower())
        if name is not None:
            mapping[name] = i
    missing = [c for c in REQUIRED if c not in mapping]
    if missing:
        raise FileError(
            _("The header row lacks the column(s): %(missing)s.") % {"missing": ", ".join(missing)}
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
