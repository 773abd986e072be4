"""Income files (CSV or XLSX, DESIGN 5.3) checked row by row and recorded all-or-none.

One streaming pass over the file, so a 100k-row file never sits in memory: every row
is parsed and validated, payment references are looked up a chunk at a time, and (not
in a dry run) each chunk is recorded as soon as it is checked, posting a chunk of rows
per book at a time, all in one transaction. The first bad row stops the recording, the
check goes on to the end so every bad row is reported, and the transaction is rolled
back: all or none. (Two passes, check then record, read and parsed the file twice: a
fifth of an import's time, bench/ import.)
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from ledger.rows import ids_matching

from . import services as fs
from .csvsafe import safe_row
from .models import (
    Community,
    Income,
    IncomeStatus,
    Membership,
    Role,
    ServicePackage,
    SplitPolicy,
)

# Rows read, checked and written at a time. Larger chunks mean fewer updates of the
# book and account rows within the one import transaction, each of which leaves a row
# version that later look-ups in the transaction step over (bench/ import).
CHUNK = 5000
MAX_ROWS = 1_000_000
MAX_ERRORS_KEPT = 200  # messages kept for display; every bad row is still counted

COLUMNS = {
    "community": ("community", "社区", "社区编码"),
    "package": ("package", "服务包", "服务包编码"),
    "tier": ("tier", "类别"),
    "amount": ("amount", "金额"),
    "currency": ("currency", "币种"),
    "paid_at": ("paid_at", "付款时间", "付款日期"),
    "payer": ("payer", "付款人"),
    "method": ("method", "支付方式"),
    "external_ref": ("external_ref", "流水号"),
    "quantity": ("quantity", "数量"),
    "note": ("note", "备注"),
}
REQUIRED = ("community", "package", "tier", "amount", "paid_at", "method", "external_ref")
TIERS = {"public_benefit": "public_benefit", "公益": "public_benefit", "paid": "paid",
         "有偿": "paid", "low_cost": "low_cost", "低偿": "low_cost"}
METHODS = {"cash": "cash", "现金": "cash", "wechat": "wechat", "微信": "wechat",
           "微信支付": "wechat", "alipay": "alipay", "支付宝": "alipay", "bank": "bank",
           "银行转账": "bank", "银行": "bank", "other": "other", "其他": "other"}
REPORT_HEADER = ["row", "external_ref", "status", "receipt", "provider", "hub", "fund",
                 "message"]
_AMOUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


class FileError(ValueError):
    """The file as a whole cannot be read: nothing in it is recorded."""


@dataclass
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return _("row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class Summary:
    rows: int = 0
    recorded: int = 0
    pending: int = 0
    skipped: int = 0
    bad_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.bad_rows == 0

    def add_error(self, row: int, message: str) -> None:
        self.bad_rows += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(row, message))


# --- Reading ---------------------------------------------------------------------------
def _sniff_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "gb18030": "GB18030",
                   "utf-16": "UTF-16"}


def _decoded_lines(path: Path, encoding: str) -> Iterator[str]:
    """Decode line by line, so a bad byte is reported on its own line number."""
    if encoding == "utf-16":  # its newlines are two bytes: let the text layer split
        with open(path, encoding=encoding, newline="", errors="strict") as text:
            try:
                yield from text
            except UnicodeDecodeError as exc:
                raise FileError(_("The file is not valid UTF-16 text.")) from exc
        return
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with open(path, "rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                yield decoder.decode(line)
            except UnicodeDecodeError as exc:
                raise FileError(_("Line %(line)d is not valid %(encoding)s text; save the "
                                  "file as CSV (UTF-8).")
                                % {"line": number,
                                   "encoding": _ENCODING_NAMES[encoding]}) from exc


def _csv_rows(path: Path) -> Iterator[list]:
    with open(path, "rb") as raw:
        encoding = _sniff_encoding(raw.read(65536))
    reader = csv.reader(_decoded_lines(path, encoding))
    try:
        yield from reader
    except csv.Error as exc:
        raise FileError(_("The CSV is malformed near line %(line)d: %(error)s")
                        % {"line": reader.line_num, "error": exc}) from exc


def _xlsx_rows(path: Path) -> Iterator[tuple]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for bad files
        raise FileError(_("The XLSX file cannot be opened: %(error)s") % {"error": exc}) from exc
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    """(row number as a spreadsheet shows it, {column: raw value}) for each data row.
    Raises FileError for what makes the whole file unreadable."""
    path = Path(path)
    with open(path, "rb") as raw:
        magic = raw.read(8)
    if not magic:
        raise FileError(_("The file is empty."))
    if magic.startswith(b"PK\x03\x04"):
        rows: Iterator = _xlsx_rows(path)
    elif magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError(_("Old .xls workbooks are not read; save it as .xlsx or CSV."))
    else:
        rows = _csv_rows(path)
    header = next(rows, None)
    if header is None:
        raise FileError(_("The file is empty."))
    mapping = _map_header(header)
    number = 1
    for values in rows:
        number += 1
        if number - 1 > MAX_ROWS:
            raise FileError(_("The file has more than %(max)d rows; split it.")
                            % {"max": MAX_ROWS})
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue  # blank lines, and the empty rows XLSX files often end with
        yield number, {name: (values[i] if i < len(values) else None)
                       for name, i in mapping.items()}


def _map_header(header) -> dict[str, int]:
    aliases = {alias.lower(): name for name, names in COLUMNS.items() for alias in names}
    mapping: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = str(cell or "").strip().lstrip("\ufeff").lower()
        name = aliases.get(key)
        if name is None:
            continue
        if name in mapping:
            raise FileError(_("Column %(name)s appears twice in the header.") % {"name": name})
        mapping[name] = i
    missing = [c for c in REQUIRED if c not in mapping]
    if missing:
        raise FileError(_("The header row lacks the column(s): %(missing)s. Expected "
                          "community, package, tier, amount, paid_at, method, external_ref "
                          "(or 社区, 服务包, 类别, 金额, 付款时间, 支付方式, 流水号).")
                        % {"missing": ", ".join(missing)})
    return mapping


def ignored_columns(path: Path) -> list[str]:
    """Header cells that are not ours (shown in the preview, otherwise harmless)."""
    known = {alias.lower() for names in COLUMNS.values() for alias in names}
    try:
        rows = _xlsx_rows(path) if open(path, "rb").read(4) == b"PK\x03\x04" else _csv_rows(path)
        header = next(rows, None) or []
    except FileError:
        return []
    return [str(c) for c in header if c is not None and str(c).strip().lower().lstrip(
        "\ufeff") not in known and str(c).strip()]


# --- Parsing one row ------------------------------------------------------------------------
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_amount(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(_("amount is not a number"))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # A spreadsheet number: its shortest repr is what was typed (12.3, not
        # 12.300000000000000710...); never arithmetic on the float itself.
        return Decimal(repr(value))
    text = _text(value).replace("¥", "").replace("￥", "").replace(" ", "")
    if text.startswith("-"):
        raise ValueError(_("amount must be more than zero"))
    if not _AMOUNT.match(text):
        raise ValueError(_("amount %(value)r is not a number like 1234.56") % {"value": text})
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(_("amount is not a number")) from exc


_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
            "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


def parse_paid_at(value) -> dt.datetime:
    """ISO date or date-time; Asia/Shanghai (the current time zone) when no offset."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text = _text(value)
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
            raise ValueError(_("paid_at %(value)r is not a date like 2026-03-05 or "
                               "2026-03-05 14:30") % {"value": text})
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
            self._communities[code] = (Community.objects.select_related("book")
                                       .filter(code=code).first())
        return self._communities[code]

    def package(self, community: Community, code: str) -> ServicePackage | None:
        key = (community.pk, code)
        if key not in self._packages:
            self._packages[key] = (ServicePackage.objects.select_related("provider")
                                   .filter(community=community, code=code).first())
        return self._packages[key]

    def policies(self, community: Community) -> list[SplitPolicy]:
        if community.pk not in self._policies:
            self._policies[community.pk] = list(
                SplitPolicy.objects.filter(community=community).order_by("-effective_from"))
        return self._policies[community.pk]

    def may_record(self, community: Community) -> bool:
        if self.allowed is not None and community.pk not in self.allowed:
            return False
        if self.user is None:
            return True
        if self._officer_of is None:
            self._officer_of = set(Membership.objects.filter(
                user=self.user, role=Role.OFFICER).values_list("community_id", flat=True))
        return community.pk in self._officer_of


def parse_row(raw: dict[str, object], ctx: Context) -> tuple[fs.IncomeDraft | None, list[str]]:
    errors: list[str] = []
    code = _text(raw.get("community"))
    community = ctx.community(code) if code else None
    if community is None:
        errors.append(_("community %(code)r does not exist") % {"code": code} if code
                      else _("community is empty"))
        return None, errors
    if not ctx.may_record(community):
        return None, [_("you are not a finance officer of community %(code)s") % {"code": code}]
    package_code = _text(raw.get("package"))
    package = ctx.package(community, package_code) if package_code else None
    if package is None:
        errors.append(_("package %(code)r does not exist in community %(community)s")
                      % {"code": package_code, "community": code})
    tier_text = _text(raw.get("tier"))
    tier = TIERS.get(tier_text.lower(), TIERS.get(tier_text, ""))
    if not tier:
        errors.append(_("tier %(value)r is not public_benefit, paid or low_cost "
                        "(公益 / 有偿 / 低偿)") % {"value": tier_text})
    method_text = _text(raw.get("method"))
    method = METHODS.get(method_text.lower(), METHODS.get(method_text, ""))
    if not method:
        errors.append(_("method %(value)r is not cash, wechat, alipay, bank or other")
                      % {"value": method_text})
    currency = _text(raw.get("currency")).upper() or community.currency
    amount = None
    try:
        amount = Money(parse_amount(raw.get("amount")), currency)
    except ValueError as exc:
        errors.append(str(exc))
    except Exception:  # noqa: BLE001 - an unknown currency code
        errors.append(_("currency %(value)r is not a currency code") % {"value": currency})
    paid_at = None
    if _text(raw.get("paid_at")) == "":
        errors.append(_("paid_at is empty"))
    else:
        try:
            paid_at = parse_paid_at(raw.get("paid_at"))
        except ValueError as exc:
            errors.append(str(exc))
    ref = _text(raw.get("external_ref"))
    if not ref:
        errors.append(_("external_ref (流水号) is empty"))
    quantity = 1
    if "quantity" in raw and _text(raw.get("quantity")):
        try:
            quantity = int(_text(raw.get("quantity")))
        except ValueError:
            errors.append(_("quantity must be a whole number"))
    if errors:
        return None, errors
    draft = fs.IncomeDraft(community=community, package=package, tier=tier, amount=amount,
                           paid_at=paid_at, method=method, payer=_text(raw.get("payer")),
                           external_ref=ref, quantity=quantity, note=_text(raw.get("note")))
    problems = fs.validate_draft(draft, now=ctx.now, policies=ctx.policies(community))
    for name, messages in problems.items():
        errors.extend(f"{name}: {m}" for m in messages)
    return (None if errors else draft), errors


# --- The two passes -------------------------------------------------------------------------
def _existing_refs(chunk: list[tuple[int, fs.IncomeDraft]]) -> dict[tuple[int, str], Income]:
    by_community: dict[int, list[str]] = {}
    for _row, d in chunk:
        by_community.setdefault(d.community.pk, []).append(d.external_ref)
    found = {}
    for community_id, refs in by_community.items():
        # Which refs are taken: one index probe per ref, then the few taken read as models.
        ids = ids_matching(Income._meta.db_table, "external_ref", refs,
                           "r.community_id + 0 = %s AND r.status <> %s",
                           [community_id, IncomeStatus.REJECTED])
        for income in Income.objects.filter(pk__in=ids) if ids else ():
            found[(community_id, income.external_ref)] = income
    return found


@dataclass
class Item:
    row: int
    ref: str
    draft: fs.IncomeDraft | None
    errors: list[str]


def _chunks(path: Path, ctx: Context, summary: Summary) -> Iterator[list[Item]]:
    """Every data row, parsed and checked, in file order, a chunk at a time."""
    chunk: list[Item] = []
    seen: dict[tuple[int, str], int] = {}
    for number, raw in read_rows(path):
        summary.rows += 1
        draft, errors = parse_row(raw, ctx)
        if draft is not None:
            key = (draft.community.pk, draft.external_ref)
            if key in seen:
                errors = [_("external_ref %(ref)s repeats row %(row)d")
                          % {"ref": draft.external_ref, "row": seen[key]}]
                draft = None
            else:
                seen[key] = number
        chunk.append(Item(number, _text(raw.get("external_ref")), draft, errors))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _existing_for(items: list[Item]) -> dict[tuple[int, str], Income]:
    return _existing_refs([(i.row, i.draft) for i in items if i.draft is not None])


def import_file(path, *, user=None, allowed_communities=None, dry_run: bool = False,
                report=None, progress: Callable[[int, int], None] | None = None,
                expected_rows: int = 0) -> Summary:
    """Check every row and, unless dry_run or any row is bad, record them all in one
    transaction. `report` is a text stream that receives the per-row CSV report;
    `progress(done, total)` is called after each chunk recorded (total: expected_rows,
    the row count of an earlier check, until the file proves longer)."""
    path = Path(path)
    summary = Summary(dry_run=dry_run, ignored_columns=ignored_columns(path))
    ctx = Context(user, allowed_communities)
    actor = user.get_username() if user is not None else "import_income"
    # Both reports are kept until the end says which one stands: the check report if a
    # row is bad (nothing recorded), the record report if all went in. On disk: a
    # 100k-row file's report is megabytes.
    check_report = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
    record_report = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
    checked, recorded = csv.writer(check_report), csv.writer(record_report)
    writing = not dry_run
    done = 0
    with transaction.atomic():
        for chunk in _chunks(path, ctx, summary):
            existing = _existing_for(chunk)
            fresh: list[tuple[int, Income]] = []
            for item in chunk:
                draft = item.draft
                income = (existing.get((draft.community.pk, draft.external_ref))
                          if draft else None)
                if (draft is not None and income is not None
                        and not fs._same_payment(income, draft)):
                    item.errors = [_("external_ref %(ref)s is already recorded (receipt "
                                     "%(receipt)s) with different details")
                                   % {"ref": draft.external_ref,
                                      "receipt": income.receipt_display}]
                if item.errors:
                    message = "; ".join(item.errors)
                    summary.add_error(item.row, message)
                    checked.writerow(safe_row([item.row, item.ref, "error", "", "", "", "",
                                               message]))
                    writing = False  # a bad row: nothing will be recorded; go on checking
                elif income is not None:
                    summary.skipped += 1
                    skipped = [item.row, item.ref, "skipped", income.receipt_display, "", "",
                               "", _("already recorded")]
                    checked.writerow(safe_row(skipped))
                    recorded.writerow(safe_row(skipped))
                else:
                    checked.writerow(safe_row([
                        item.row, item.ref, "skipped", "", "", "", "",
                        _("dry run: not written") if dry_run
                        else _("not written: the file has bad rows")]))
                    if writing:
                        fresh.append((item.row, fs.build_income(draft, recorded_by=user,
                                                                now=ctx.now)))
            if not writing:
                continue
            fs.save_incomes([income for _n, income in fresh], actor)
            for number, income in fresh:
                if income.status == IncomeStatus.PENDING:
                    summary.pending += 1
                else:
                    summary.recorded += 1
                recorded.writerow(safe_row([
                    number, income.external_ref, "recorded", income.receipt_display,
                    income.provider_share.amount, income.hub_share.amount,
                    income.fund_share.amount,
                    _("waiting for review") if income.status == IncomeStatus.PENDING else "",
                ]))
            done += len(chunk)
            if progress is not None:
                progress(done, max(expected_rows, summary.rows))
        if summary.rows == 0:
            raise FileError(_("The file has a header but no rows."))
        if not writing:
            # All or none: what the good rows before the first bad one wrote goes.
            transaction.set_rollback(True)
            summary.recorded = summary.pending = 0
    summary.written = writing
    if report is not None:
        _copy_report(record_report if writing else check_report, report)
    check_report.close()
    record_report.close()
    return summary


def _copy_report(tmp, report) -> None:
    tmp.seek(0)
    report.write(",".join(REPORT_HEADER) + "\r\n")
    while block := tmp.read(65536):
        report.write(block)


def report_text(summary: Summary) -> str:
    buf = io.StringIO()
    if not summary.written:
        buf.write(_("%(rows)d rows: %(bad)d bad, %(skipped)d already recorded, %(valid)d "
                    "ready. Nothing was written.")
                  % {"rows": summary.rows, "bad": summary.bad_rows,
                     "skipped": summary.skipped,
                     "valid": summary.rows - summary.bad_rows - summary.skipped})
        return buf.getvalue()
    buf.write(_("%(rows)d rows: %(recorded)d recorded, %(pending)d waiting for review, "
                "%(skipped)d already recorded, %(bad)d bad.")
              % {"rows": summary.rows, "recorded": summary.recorded,
                 "pending": summary.pending, "skipped": summary.skipped,
                 "bad": summary.bad_rows})
    return buf.getvalue()
