"""Statement files read into lines: a bank's export through the columns the community
mapped for that bank, and the WeChat Pay and Alipay merchant bills in their own layouts.

The platforms' exports begin with summary lines before the header (账号, 起始日期, ...)
and end with totals; WeChat writes every value behind a backtick (`) so spreadsheets keep
long numbers as text. The reading itself - encodings, XLSX, streaming, row limits - is
the income import's (fundmgr.imports.files); here a layout finds its header, reads each
row into a line or an error naming the row, and checks the file against itself: a stated
running balance line by line, WeChat's totals against its rows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from ..imports.files import FileError
from .models import StatementFormat

MAX_LINES = 100_000  # a year of a busy merchant account is far below this
MAX_CELL = 500
HEADER_SEARCH = 60  # summary lines above the header
_AMOUNT = re.compile(r"^[+-]?\d{1,12}(\.\d{1,2})?$")
_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y%m%d %H:%M:%S",
    "%Y年%m月%d日",
)
# The fields a bank mapping names, in the order the mapping form shows them.
BANK_FIELDS = (
    "date",
    "amount",
    "amount_in",
    "amount_out",
    "balance",
    "reference",
    "counterparty",
    "memo",
)


@dataclass
class Line:
    row: int
    date: dt.date
    amount_fen: int
    reference: str
    balance_fen: int | None = None
    fee_fen: int = 0
    other_refs: str = ""
    counterparty: str = ""
    memo: str = ""


@dataclass
class Parsed:
    lines: list[Line] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    balance_stated: bool = False
    opening_fen: int | None = None  # when the file states balances
    closing_fen: int | None = None
    start: dt.date | None = None  # the period the summary lines above the header state
    end: dt.date | None = None


_PERIOD = re.compile(r"(起始|终止)(?:时间|日期)[：:]\s*\[?\s*(\d{4})[-年/](\d{1,2})[-月/](\d{1,2})")


def _period_in(cells, parsed: Parsed) -> None:
    for cell in cells or ():
        for which, y, m, d in _PERIOD.findall(clean(cell)):
            try:
                day = dt.date(int(y), int(m), int(d))
            except ValueError:
                continue
            if which == "起始":
                parsed.start = day
            else:
                parsed.end = day


def clean(value) -> str:
    """A cell as text without WeChat's backtick, an Excel ="..." wrapper or padding."""
    if value is None:
        return ""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)
    text = str(value).strip().lstrip("\ufeff").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    return text.lstrip("`'\t").strip()


def header_key(value) -> str:
    """Header text compared without case, padding or full-width punctuation:
    收入金额（+元） and 收入金额(+元) are one column."""
    text = clean(value).lower()
    return (
        text.replace("（", "(")
        .replace("）", ")")
        .replace("：", ":")
        .replace(" ", "")
        .replace("\t", "")
    )


def amount_fen(text: str, name: str) -> int:
    """'1,234.50' / '¥12' / '-0.05' / '+3.00' -> fen; an error naming the column else."""
    t = text.replace(",", "").replace("¥", "").replace("￥", "").replace(" ", "")
    if not _AMOUNT.match(t):
        raise ValueError(
            _("%(column)s: %(value)r is not an amount like 1234.56")
            % {"column": name, "value": text[:40]}
        )
    return int(Decimal(t).scaleb(2))


def day_of(value, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean(value)
    for fmt in _DATE_FORMATS:
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if day.year < 2000 or day.year > 2100:
            break
        return day
    raise ValueError(
        _("%(column)s: %(value)r is not a date like 2026-03-31")
        % {"column": name, "value": text[:40]}
    )


# --- Layouts ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """Where a format's fields are: each field's possible header names."""

    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    ends: tuple[str, ...] = ()  # a row whose first cell starts so ends the table

    def find(self, header: Iterable) -> dict[str, int] | None:
        keys = [header_key(c) for c in header]
        found: dict[str, int] = {}
        for name, aliases in self.columns.items():
            for alias in aliases:
                if header_key(alias) in keys:
                    found[name] = keys.index(header_key(alias))
                    break
        return found if all(r in found for r in self.required) else None


WECHAT_TRADES = Layout(
    columns={
        "date": ("交易时间",),
        "transaction": ("微信订单号",),
        "merchant_ref": ("商户订单号",),
        "user": ("用户标识",),
        "status": ("交易状态",),
        "settled": ("应结订单金额", "总金额"),
        "ordered": ("订单金额",),
        "refund_id": ("微信退款单号",),
        "merchant_refund": ("商户退款单号",),
        "refund": ("退款金额",),
        "goods": ("商品名称",),
        "fee": ("手续费",),
    },
    required=("date", "transaction", "status", "settled"),
    ends=("总交易单数", "总交易额"),
)
WECHAT_FUNDS = Layout(
    columns={
        "date": ("记账时间",),
        "business_ref": ("微信支付业务单号",),
        "reference": ("资金流水单号",),
        "business": ("业务名称",),
        "kind": ("业务类型",),
        "direction": ("收支类型",),
        "amount": ("收支金额(元)",),
        "balance": ("账户结余(元)",),
        "memo": ("备注",),
    },
    required=("date", "reference", "direction", "amount", "balance"),
    ends=("资金流水总笔数", "收入笔数", "总笔数"),
)
ALIPAY = Layout(
    columns={
        "reference": ("账务流水号",),
        "business_ref": ("业务流水号",),
        "merchant_ref": ("商户订单号",),
        "goods": ("商品名称",),
        "date": ("发生时间", "入账时间"),
        "counterparty": ("对方账号", "对方名称"),
        "amount_in": ("收入金额(+元)", "收入金额(元)"),
        "amount_out": ("支出金额(-元)", "支出金额(元)"),
        "balance": ("账户余额(元)",),
        "kind": ("业务类型",),
        "memo": ("备注",),
    },
    required=("reference", "date", "amount_in", "amount_out", "balance"),
    ends=("#", "账务明细列表结束"),
)


def bank_layout(columns: dict[str, str]) -> Layout:
    """The layout a community saved for one bank: our field -> the bank's header text."""
    return Layout(
        columns={name: (header,) for name, header in columns.items() if header},
        required=("date", "reference"),
        ends=("合计", "总计", "本页合计", "#"),
    )


def mapping_problem(columns: dict[str, str]) -> str | None:
    if not columns.get("date") or not columns.get("reference"):
        return _("Name the columns of the date and of the transaction number (流水号).")
    if not columns.get("amount") and not (columns.get("amount_in") and columns.get("amount_out")):
        return _("Name either one signed amount column or both the money-in and money-out columns.")
    return None


# --- Reading ---------------------------------------------------------------------------
def _table(
    rows: Iterator, layout: Layout, parsed: Parsed
) -> tuple[dict[str, int], Iterator[tuple[int, list[str]]], list]:
    """(header mapping, numbered data rows, the rows after the table) of a file; the
    period the lines above the header state goes into `parsed`."""
    number = 0
    for values in rows:
        number += 1
        found = layout.find(values or ())
        if found is None:
            _period_in(values, parsed)
        if found is not None:
            break
        if number >= HEADER_SEARCH:
            raise FileError(
                _("No header row of this statement format in the first %(n)d rows.")
                % {"n": HEADER_SEARCH}
            )
    else:
        raise FileError(_("No header row of this statement format in the file."))
    tail: list = []

    def data() -> Iterator[tuple[int, list[str]]]:
        n = number
        for values in rows:
            n += 1
            cells = [clean(v) if not isinstance(v, dt.date) else v for v in (values or ())]
            if not any(c not in ("", None) for c in cells):
                continue
            first = str(cells[0]) if cells else ""
            if layout.ends and first.startswith(layout.ends):
                tail.append(cells)
                tail.extend([clean(v) for v in (more or ())] for more in rows)
                return
            if n - number > MAX_LINES:
                raise FileError(
                    _("The statement has more than %(max)d lines; split it.") % {"max": MAX_LINES}
                )
            yield n, cells

    return found, data(), tail


def _cell(cells: list, mapping: dict[str, int], name: str):
    i = mapping.get(name)
    if i is None or i >= len(cells):
        return ""
    value = cells[i]
    if isinstance(value, str) and len(value) > MAX_CELL:
        raise ValueError(
            _("%(column)s is longer than %(max)d characters") % {"column": name, "max": MAX_CELL}
        )
    return value


def _check_running(parsed: Parsed) -> None:
    """Each stated balance is the one before it plus the line's amount - in the file's
    order, or (newest-first exports) in the reverse order."""
    lines = parsed.lines
    if not lines or any(line.balance_fen is None for line in lines):
        return

    def breaks(seq: list[Line]) -> Line | None:
        for before, line in zip(seq, seq[1:], strict=False):
            if before.balance_fen + line.amount_fen != line.balance_fen:
                return line
        return None

    broken = breaks(lines)
    if broken is not None and breaks(lines[::-1]) is None:
        lines.reverse()
        broken = None
    if broken is not None:
        parsed.errors.append(
            (
                broken.row,
                _("the balance %(balance)s does not follow from the line before it and this amount")
                % {"balance": f"{Decimal(broken.balance_fen).scaleb(-2):.2f}"},
            )
        )
        return
    parsed.balance_stated = True
    parsed.opening_fen = lines[0].balance_fen - lines[0].amount_fen
    parsed.closing_fen = lines[-1].balance_fen


def _finish(parsed: Parsed) -> Parsed:
    seen: dict[str, int] = {}
    for line in parsed.lines:
        if not line.reference:
            parsed.errors.append((line.row, _("the transaction number is empty")))
        elif line.reference in seen:
            parsed.errors.append(
                (
                    line.row,
                    _("transaction number %(ref)s is also on row %(row)d")
                    % {"ref": line.reference, "row": seen[line.reference]},
                )
            )
        else:
            seen[line.reference] = line.row
        if len(line.reference) > 64:
            parsed.errors.append(
                (line.row, _("the transaction number is longer than 64 characters"))
            )
    if not parsed.lines and not parsed.errors:
        raise FileError(_("The statement has no lines."))
    parsed.errors.sort()
    return parsed


def _signed_rows(parsed: Parsed, rows, make) -> None:
    for number, cells in rows:
        try:
            line = make(number, cells)
        except ValueError as exc:
            parsed.errors.append((number, str(exc)))
            continue
        if line is not None:
            parsed.lines.append(line)


def read_bank(rows: Iterator, columns: dict[str, str]) -> Parsed:
    layout = bank_layout(columns)
    parsed = Parsed()
    mapping, data, _tail = _table(rows, layout, parsed)

    def make(number, cells):
        c = lambda name: _cell(cells, mapping, name)  # noqa: E731
        if "amount" in mapping:
            amount = amount_fen(c("amount"), columns["amount"])
        else:
            money_in = clean(c("amount_in"))
            money_out = clean(c("amount_out"))
            amount = (amount_fen(money_in, columns["amount_in"]) if money_in else 0) - (
                abs(amount_fen(money_out, columns["amount_out"])) if money_out else 0
            )
        if amount == 0:
            raise ValueError(_("the line moves no money"))
        balance = clean(c("balance"))
        return Line(
            row=number,
            date=day_of(c("date"), columns["date"]),
            amount_fen=amount,
            reference=clean(c("reference")),
            balance_fen=amount_fen(balance, columns["balance"]) if balance else None,
            counterparty=clean(c("counterparty"))[:200],
            memo=clean(c("memo"))[:200],
        )

    _signed_rows(parsed, data, make)
    _check_running(parsed)
    return _finish(parsed)


def read_wechat_trades(rows: Iterator) -> Parsed:
    """交易账单: one row per payment (SUCCESS) or refund (REFUND); the amount that reached
    the merchant (应结订单金额), the fee beside it; totals after the rows."""
    parsed = Parsed()
    mapping, data, tail = _table(rows, WECHAT_TRADES, parsed)
    totals = {"count": 0, "settled": 0, "refund": 0, "fee": 0}

    def make(number, cells):
        c = lambda name: clean(_cell(cells, mapping, name))  # noqa: E731
        status = c("status").upper()
        totals["count"] += 1
        fee = amount_fen(c("fee"), "手续费") if c("fee") else 0
        totals["fee"] += fee
        day = day_of(c("date"), "交易时间")
        if status == "SUCCESS":
            amount = amount_fen(c("settled"), "应结订单金额")
            totals["settled"] += amount
            reference = c("transaction")
            refs = c("merchant_ref")
        elif status == "REFUND":
            refund = abs(amount_fen(c("refund"), "退款金额"))
            totals["refund"] += refund
            amount = -refund
            reference = c("refund_id") or c("transaction")
            refs = " ".join(
                x for x in (c("transaction"), c("merchant_refund"), c("merchant_ref")) if x
            )
        else:
            return None  # unpaid, closed or revoked orders move no money
        if amount == 0:
            return None
        return Line(
            row=number,
            date=day,
            amount_fen=amount,
            reference=reference,
            fee_fen=fee,
            other_refs=refs[:200],
            counterparty="",  # the payer's openid is personal data; not kept
            memo=c("goods")[:200],
        )

    _signed_rows(parsed, data, make)
    if not parsed.errors:
        _check_wechat_totals(parsed, tail, totals)
    return _finish(parsed)


def _check_wechat_totals(parsed: Parsed, tail: list, totals: dict) -> None:
    if len(tail) < 2:
        return  # a file cut before its totals: the rows stand on their own
    names = [header_key(c) for c in tail[0]]
    values = tail[1]

    def total(*aliases):
        for alias in aliases:
            key = header_key(alias)
            if key in names and names.index(key) < len(values):
                return clean(values[names.index(key)])
        return None

    checks = (
        ("总交易单数", total("总交易单数"), str(totals["count"])),
        ("应结订单总金额", total("应结订单总金额", "总交易额"), totals["settled"]),
        ("退款总金额", total("退款总金额"), totals["refund"]),
        ("手续费总金额", total("手续费总金额"), totals["fee"]),
    )
    for name, stated, counted in checks:
        if stated in (None, ""):
            continue
        try:
            ok = (
                stated == counted
                if isinstance(counted, str)
                else amount_fen(stated, name) == counted
            )
        except ValueError as exc:
            parsed.errors.append((0, str(exc)))
            continue
        if not ok:
            shown = counted if isinstance(counted, str) else f"{Decimal(counted).scaleb(-2):.2f}"
            parsed.errors.append(
                (
                    0,
                    _("the file's %(name)s says %(stated)s but its rows add up to %(counted)s")
                    % {"name": name, "stated": stated, "counted": shown},
                )
            )


def read_wechat_funds(rows: Iterator) -> Parsed:
    """资金账单: every movement of the merchant account with the balance after it."""
    parsed = Parsed()
    mapping, data, _tail = _table(rows, WECHAT_FUNDS, parsed)

    def make(number, cells):
        c = lambda name: clean(_cell(cells, mapping, name))  # noqa: E731
        direction = c("direction")
        amount = abs(amount_fen(c("amount"), "收支金额(元)"))
        if direction in ("支出", "出"):
            amount = -amount
        elif direction not in ("收入", "入"):
            raise ValueError(
                _("收支类型 %(value)r is neither 收入 nor 支出") % {"value": direction[:20]}
            )
        if amount == 0:
            return None
        return Line(
            row=number,
            date=day_of(c("date"), "记账时间"),
            amount_fen=amount,
            reference=c("reference"),
            balance_fen=amount_fen(c("balance"), "账户结余(元)"),
            other_refs=c("business_ref")[:200],
            memo=(c("memo") or c("business"))[:200],
        )

    _signed_rows(parsed, data, make)
    _check_running(parsed)
    return _finish(parsed)


def read_alipay(rows: Iterator) -> Parsed:
    """账务明细: money in and out in two columns, the account's balance after each."""
    parsed = Parsed()
    mapping, data, _tail = _table(rows, ALIPAY, parsed)

    def make(number, cells):
        c = lambda name: clean(_cell(cells, mapping, name))  # noqa: E731
        money_in = amount_fen(c("amount_in"), "收入金额") if c("amount_in") else 0
        money_out = abs(amount_fen(c("amount_out"), "支出金额")) if c("amount_out") else 0
        amount = money_in - money_out
        if amount == 0:
            return None
        return Line(
            row=number,
            date=day_of(c("date"), "发生时间"),
            amount_fen=amount,
            reference=c("reference"),
            balance_fen=amount_fen(c("balance"), "账户余额(元)"),
            other_refs=" ".join(x for x in (c("business_ref"), c("merchant_ref")) if x)[:200],
            counterparty=c("counterparty")[:200],
            memo=" ".join(x for x in (c("goods"), c("kind"), c("memo")) if x)[:200],
        )

    _signed_rows(parsed, data, make)
    _check_running(parsed)
    return _finish(parsed)


def read(format: str, rows: Iterator, columns: dict[str, str] | None = None) -> Parsed:
    if format == StatementFormat.BANK:
        return read_bank(rows, columns or {})
    if format == StatementFormat.WECHAT_TRADES:
        return read_wechat_trades(rows)
    if format == StatementFormat.WECHAT_FUNDS:
        return read_wechat_funds(rows)
    if format == StatementFormat.ALIPAY:
        return read_alipay(rows)
    raise FileError(_("Unknown statement format."))
