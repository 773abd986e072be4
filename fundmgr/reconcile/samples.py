"""Statement files written in the platforms' and a bank's exported layouts, from lines
we make up: the demo imports them, and the tests read them back (no real statement,
with its real people, is ever committed).

The layouts follow the exports as merchants get them: WeChat Pay's 交易账单 (a title
and the period above the header, every value behind a backtick, the totals after the
rows), its 资金账单, and Alipay's 账务明细 (# lines above and below the table)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Sample:
    when: dt.datetime
    amount_fen: int  # money in positive
    reference: str  # the platform's / bank's transaction number
    merchant_ref: str = ""  # our reference (an income's external_ref, a settlement's)
    counterparty: str = ""
    memo: str = ""
    fee_fen: int = 0


def _y(fen: int) -> str:
    return f"{Decimal(fen).scaleb(-2):.2f}"


def _period_line(start: dt.date, end: dt.date) -> str:
    return f"起始时间：[{start:%Y-%m-%d} 00:00:00] 终止时间：[{end:%Y-%m-%d} 23:59:59]"


def _csv(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue()


WECHAT_TRADE_HEADER = [
    "交易时间",
    "公众账号ID",
    "商户号",
    "特约商户号",
    "设备号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "付款银行",
    "货币种类",
    "应结订单金额",
    "代金券金额",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
]


def wechat_trades(
    samples: Sequence[Sample], *, merchant="1900000109", start=None, end=None, totals=True
) -> str:
    """A 交易账单 as CSV text; a negative sample is a refund."""
    days = [s.when.date() for s in samples] or [dt.date.today()]
    rows = [
        ["微信支付交易明细"],
        [_period_line(start or min(days), end or max(days))],
        [],
        WECHAT_TRADE_HEADER,
    ]
    settled = refund = fee = 0
    for s in samples:
        b = lambda v: f"`{v}"  # noqa: E731
        base = [
            b(f"{s.when:%Y-%m-%d %H:%M:%S}"),
            b("wx2421b1c4370ec43b"),
            b(merchant),
            b("0"),
            b(""),
        ]
        if s.amount_fen > 0:
            settled += s.amount_fen
            rows.append(
                [
                    *base,
                    b(s.reference),
                    b(s.merchant_ref),
                    b("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
                    b("JSAPI"),
                    b("SUCCESS"),
                    b("OTHERS"),
                    b("CNY"),
                    b(_y(s.amount_fen)),
                    b("0.00"),
                    b("0"),
                    b("0"),
                    b("0.00"),
                    b("0.00"),
                    b(""),
                    b(""),
                    b(s.memo),
                    b(""),
                    b(_y(s.fee_fen)),
                    b("0.60%"),
                    b(_y(s.amount_fen)),
                    b("0.00"),
                    b(""),
                ]
            )
        else:
            refund += -s.amount_fen
            rows.append(
                [
                    *base,
                    b(s.reference),
                    b(s.merchant_ref),
                    b("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
                    b("JSAPI"),
                    b("REFUND"),
                    b("OTHERS"),
                    b("CNY"),
                    b("0.00"),
                    b("0.00"),
                    b(s.reference + "T"),
                    b(s.merchant_ref + "-R"),
                    b(_y(-s.amount_fen)),
                    b("0.00"),
                    b("ORIGINAL"),
                    b("SUCCESS"),
                    b(s.memo),
                    b(""),
                    b(_y(s.fee_fen)),
                    b("0.60%"),
                    b("0.00"),
                    b(_y(-s.amount_fen)),
                    b(""),
                ]
            )
        fee += s.fee_fen
    if totals:
        rows.append(
            [
                "总交易单数",
                "应结订单总金额",
                "退款总金额",
                "充值券退款总金额",
                "手续费总金额",
                "订单总金额",
                "申请退款总金额",
            ]
        )
        rows.append(
            [
                f"`{len(samples)}",
                f"`{_y(settled)}",
                f"`{_y(refund)}",
                "`0.00",
                f"`{_y(fee)}",
                f"`{_y(settled)}",
                f"`{_y(refund)}",
            ]
        )
    return _csv(rows)


def wechat_funds(samples: Sequence[Sample], *, opening_fen: int = 0, start=None, end=None) -> str:
    """A 资金账单 as CSV text: each movement with the balance after it."""
    days = [s.when.date() for s in samples] or [dt.date.today()]
    rows = [
        ["微信支付资金账单明细"],
        [_period_line(start or min(days), end or max(days))],
        [],
        [
            "记账时间",
            "微信支付业务单号",
            "资金流水单号",
            "业务名称",
            "业务类型",
            "收支类型",
            "收支金额(元)",
            "账户结余(元)",
            "资金变更提交申请人",
            "备注",
            "业务凭证号",
        ],
    ]
    balance = opening_fen
    for s in samples:
        balance += s.amount_fen
        rows.append(
            [
                f"`{s.when:%Y-%m-%d %H:%M:%S}",
                f"`{s.merchant_ref}",
                f"`{s.reference}",
                "`交易" if s.amount_fen > 0 else "`企业付款",
                "`交易" if s.amount_fen > 0 else "`付款",
                "`收入" if s.amount_fen > 0 else "`支出",
                f"`{_y(abs(s.amount_fen))}",
                f"`{_y(balance)}",
                "`system",
                f"`{s.memo}",
                f"`{s.merchant_ref}",
            ]
        )
    rows.append(["资金流水总笔数", "收入笔数", "收入金额", "支出笔数", "支出金额"])
    ins = [s.amount_fen for s in samples if s.amount_fen > 0]
    outs = [-s.amount_fen for s in samples if s.amount_fen < 0]
    rows.append(
        [
            f"`{len(samples)}",
            f"`{len(ins)}",
            f"`{_y(sum(ins))}",
            f"`{len(outs)}",
            f"`{_y(sum(outs))}",
        ]
    )
    return _csv(rows)


def alipay(samples: Sequence[Sample], *, account="2088000000000000", opening_fen: int = 0) -> str:
    """An Alipay 账务明细 as CSV text."""
    days = [s.when.date() for s in samples] or [dt.date.today()]
    rows = [
        ["#支付宝账务明细查询"],
        [f"#账号：[{account}]"],
        [
            f"#起始日期：[{min(days):%Y年%m月%d日} 00:00:00]   "
            f"终止日期：[{max(days):%Y年%m月%d日} 23:59:59]"
        ],
        [
            "#-----------------------------------------账务明细列表----------------------------------------"
        ],
        [
            "账务流水号",
            "业务流水号",
            "商户订单号",
            "商品名称",
            "发生时间",
            "对方账号",
            "收入金额（+元）",
            "支出金额（-元）",
            "账户余额（元）",
            "交易渠道",
            "业务类型",
            "备注",
        ],
    ]
    balance = opening_fen
    money_in = money_out = 0
    for s in samples:
        balance += s.amount_fen
        if s.amount_fen > 0:
            money_in += s.amount_fen
        else:
            money_out += -s.amount_fen
        rows.append(
            [
                f"{s.reference}\t",
                f"{s.reference}B\t",
                f"{s.merchant_ref}\t",
                s.memo,
                f"{s.when:%Y-%m-%d %H:%M:%S}",
                s.counterparty,
                _y(s.amount_fen) if s.amount_fen > 0 else "",
                f"-{_y(-s.amount_fen)}" if s.amount_fen < 0 else "",
                _y(balance),
                "商家消费",
                "在线支付" if s.amount_fen > 0 else "转账",
                "",
            ]
        )
    rows.append(
        [
            "#-----------------------------------------账务明细列表结束------------------------------------"
        ]
    )
    rows.append([f"#收入合计：{sum(1 for s in samples if s.amount_fen > 0)}笔，{_y(money_in)}元"])
    rows.append([f"#支出合计：{sum(1 for s in samples if s.amount_fen < 0)}笔，{_y(money_out)}元"])
    return _csv(rows)


BANK_COLUMNS = {
    "date": "交易日期",
    "amount_in": "贷方发生额",
    "amount_out": "借方发生额",
    "balance": "余额",
    "reference": "交易流水号",
    "counterparty": "对方户名",
    "memo": "摘要",
}


def bank_rows(samples: Sequence[Sample], *, opening_fen: int = 0, newest_first=False) -> list[list]:
    """A bank export's rows: its own title lines, then the mapped columns."""
    header = [
        "交易日期",
        "交易时间",
        "借方发生额",
        "贷方发生额",
        "余额",
        "对方户名",
        "对方账号",
        "摘要",
        "交易流水号",
    ]
    rows: list[list] = [["账户明细查询"], ["账号：6222 **** **** 0001", "币种：人民币"], header]
    balance = opening_fen
    body = []
    for s in samples:
        balance += s.amount_fen
        body.append(
            [
                f"{s.when:%Y%m%d}",
                f"{s.when:%H:%M:%S}",
                _y(-s.amount_fen) if s.amount_fen < 0 else "",
                _y(s.amount_fen) if s.amount_fen > 0 else "",
                _y(balance),
                s.counterparty,
                "",
                s.memo,
                s.reference,
            ]
        )
    rows += body[::-1] if newest_first else body
    return rows


def bank_csv(samples: Sequence[Sample], **kw) -> str:
    return _csv(bank_rows(samples, **kw))


def bank_xlsx(samples: Sequence[Sample], path, **kw) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("明细")
    for row in bank_rows(samples, **kw):
        ws.append(row)
    wb.save(path)
