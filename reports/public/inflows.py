"""The residents' pages and open-data route of the fund's other inflows (issue 18):
donations (donors masked, anonymous ones never named), restricted and named funds with
their balances, charity markets by stall, and each government purchase contract's
burn-down. Beneficiary tokens never appear here."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from fundmgr.inflows import selectors
from fundmgr.inflows.models import (
    NOT_SPLIT,
    Donation,
    DonorKind,
    PurchaseContract,
    RestrictedFund,
    Status,
)
from fundmgr.lib import dates, receipts
from fundmgr.models import Community

from .api import _community, _error, _json


def _whole(community: Community) -> dict:
    """Everything since the first inflow, as of today: the month document's keys over
    the whole life of the fund."""
    import datetime as dt

    return selectors.document_part(community, dt.date(2000, 1, 1), dates.today())


def fund_page(request, code: str):
    community = get_object_or_404(Community, code=code)
    doc = _whole(community)
    # Kinds of donor in the reader's words, not their codes.
    for d in doc["donations"]["lines"]:
        d["kind_label"] = DonorKind(d["donor_kind"]).label
    by_kind = [(DonorKind(k).label, v) for k, v in doc["donations"]["by_kind"].items()]
    return render(
        request,
        "public/inflows.html",
        {"community": community, "doc": doc, "by_kind": by_kind, "why_not_split": NOT_SPLIT},
    )


def named_fund_page(request, code: str, fund: str):
    community = get_object_or_404(Community, code=code)
    found = get_object_or_404(RestrictedFund, community=community, code=fund)
    import datetime as dt

    doc = selectors.fund_doc(found, dt.date(2000, 1, 1), dates.today())
    gifts = [
        selectors.donation_doc(d)
        for d in Donation.objects.filter(fund=found, status=Status.POSTED)
        .select_related("entry", "fund")
        .order_by("entry__seq")
    ]
    spending = [s for s in _whole(community)["restricted_funds"]["spending"] if s["fund"] == fund]
    return render(
        request,
        "public/named_fund.html",
        {
            "community": community,
            "f": doc,
            "gifts": gifts,
            "spending": spending,
            "why_not_split": NOT_SPLIT,
        },
    )


def contract_page(request, code: str, number: str):
    community = get_object_or_404(Community, code=code)
    contract = get_object_or_404(PurchaseContract, community=community, number=number)
    doc = selectors.contract_doc(contract, dates.today())
    # Counts only (受益人 N / 符合条件 M): the month document's lines, in the same order.
    counts = selectors.line_beneficiaries(contract)
    for line, pk in zip(doc["lines"], sorted(counts), strict=True):
        line.update(counts[pk])
    return render(request, "public/contract.html", {"community": community, "c": doc})


def donation_receipt(request, code: str):
    normal = receipts.normalise(code)
    d = (
        Donation.objects.filter(receipt_code=normal, status=Status.POSTED)
        .select_related("community", "entry", "fund")
        .first()
        if normal
        else None
    )
    if d is None:
        raise Http404
    return render(
        request,
        "public/donation_receipt.html",
        {"community": d.community, "d": selectors.donation_doc(d), "why_not_split": NOT_SPLIT},
    )


def api_inflows(request, code: str):
    community = _community(code)
    if community is None:
        return _error(f"no community {code}")
    return _json({"community": community.code, **_whole(community)})


# The Fiscal Data Package resources of the month's other inflows. Each is read from the
# signed document alone - never from the live tables - so the package is exactly what was
# published and signed: donors as masked there, no beneficiary token anywhere. Amounts
# stay the document's decimal strings ("number" with a "." decimal, never a float).
FDP_INFLOWS = [
    ("source", "string", "来源 package_shares / donations / markets / other"),
    ("donor_kind", "string", "捐赠人类别 (donations only): resident / merchant / company / …"),
    ("split_70_25_5", "boolean", "是否按70/25/5分成 (only the package shares are)"),
    ("amount", "number", "本月流入社区基金（含专项基金）的金额 amount"),
]
FDP_DONATIONS = [
    ("receipt", "string", "捐赠收据码 donation receipt code"),
    ("date", "date", "记账日期 accounting date"),
    ("entry", "integer", "账簿序号 ledger entry"),
    ("donor_kind", "string", "捐赠人类别 donor kind"),
    ("donor", "string", "捐赠人（按公示规则隐去）donor as published, masked"),
    ("method", "string", "支付方式 payment method"),
    ("restricted_to", "string", "定向的专项/冠名基金编码，空为非定向 restricted fund code"),
    ("drive", "string", "募捐活动 donation drive"),
    ("amount", "number", "金额 amount (not split 70/25/5)"),
]
FDP_FUNDS = [
    ("code", "string", "基金编码 fund code"),
    ("kind", "string", "named (冠名基金) / purpose (定向)"),
    ("name", "string", "基金名称 fund name"),
    ("account", "string", "会计科目 ledger account"),
    ("purpose_code", "string", "用途编码 purpose code"),
    ("purpose", "string", "用途 purpose"),
    ("donor", "string", "冠名捐赠人（公示名称）named donor as published"),
    ("opening", "number", "期初余额 opening balance"),
    ("received", "number", "本月收到 received in the month"),
    ("spent", "number", "本月支出 spent in the month"),
    ("closing", "number", "期末余额 closing balance"),
]
FDP_SPENDING = [
    ("entry", "integer", "账簿序号 ledger entry"),
    ("date", "date", "记账日期 accounting date"),
    ("fund", "string", "基金编码 fund code"),
    ("purpose_code", "string", "用途编码 purpose code"),
    ("purpose", "string", "用途 purpose"),
    ("payee", "string", "收款方 payee"),
    ("method", "string", "支付方式 payment method"),
    ("amount", "number", "金额 amount"),
]
FDP_STALLS = [
    ("market", "string", "集市编码 market code"),
    ("market_name", "string", "集市名称 market name"),
    ("held_on", "date", "举办日期 date held"),
    ("stall", "string", "摊位编码 stall code"),
    ("stall_name", "string", "摊位 stall"),
    ("holder", "string", "摊主类别 provider / group / merchant"),
    (
        "went_to",
        "string",
        "去向 fund (全部归社区基金，不分成) / package (服务包收入，按70/25/5分成)",
    ),
    ("package", "string", "服务包编码 (went_to = package)"),
    ("receipt", "string", "收据码 (went_to = package)"),
    ("entry", "integer", "账簿序号 ledger entry"),
    ("counts", "string", "各次清点金额，以/分隔 the counts, separated by /"),
    ("count_difference", "boolean", "清点不一致 the counts differ"),
    ("posted", "number", "入账金额 amount posted"),
]
FDP_CONTRACTS = [
    ("contract", "string", "合同编号 contract number"),
    ("buyer", "string", "购买方 buyer"),
    ("starts_on", "date", "合同起始 contract start"),
    ("ends_on", "date", "合同截止 contract end"),
    ("package", "string", "服务包编码 package code"),
    ("package_name", "string", "服务包 package"),
    ("month", "string", "月份 YYYY-MM"),
    ("units_allowed", "integer", "合同数量（含追加）units contracted, with extensions"),
    ("delivered", "integer", "本月提供并结算 units delivered and billed in the month"),
    ("paid", "integer", "本月付款 units paid in the month"),
    ("delivered_to_date", "integer", "累计提供 units delivered to the month's end"),
    ("paid_to_date", "integer", "累计付款 units paid to the month's end"),
    ("left", "integer", "剩余数量 units left"),
    ("unit_price", "number", "单价 unit price"),
    ("cap_allowed", "number", "金额上限（含追加）cap, with extensions"),
    ("billed_amount", "number", "累计结算金额（公示时）amount billed as published"),
    ("paid_amount", "number", "累计付款金额（公示时）amount paid as published"),
]
CONTRACTS_SPLIT_ZH = "政府购买服务的付款是公益类服务包收入，按70/25/5分成，已计入服务包收入。"


def _bool(value) -> str:
    return "true" if value else "false"


def _resource(name, fields, rows, description, primary_key, currency):
    import csv
    import io

    from fundmgr.lib.csvsafe import safe_row

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([n for n, _t, _d in fields])
    for row in rows:
        writer.writerow(safe_row("" if v is None else v for v in row))
    resource = {
        "name": name,
        "path": f"{name}.csv",
        "format": "csv",
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "description": description,
        "schema": {
            "fields": [
                {
                    "name": n,
                    "type": t,
                    "description": d,
                    **({"decimalChar": "."} if t == "number" else {}),
                }
                for n, t, d in fields
            ],
            "primaryKey": primary_key,
        },
        "currency": currency,
    }
    return resource, buf.getvalue()


def fdp_inflows(doc: dict, currency: str) -> list[tuple[dict, str]]:
    """The Fiscal Data Package resources of the month's other inflows (issue 18), each
    with its CSV: the inflows by source, and the donations, restricted and named funds,
    their spending, market stalls and contract lines when the month has any. Empty for a
    document published before #18."""
    sources = doc.get("inflows_by_source")
    if not sources:
        return []
    month = doc["period"]["start"][:7]
    rows = [["package_shares", "", True, sources["package_shares"]]]
    rows += [["donations", k, False, v] for k, v in sources["donations"].items()]
    rows += [["markets", "", False, sources["markets"]], ["other", "", False, sources["other"]]]
    out = [
        _resource(
            "inflows",
            FDP_INFLOWS,
            ([s, k, _bool(split), a] for s, k, split, a in rows),
            f"本月社区基金各来源的收入，合计 {sources['total']} 元；"
            f"专项基金期末余额 {sources['restricted_closing']} 元。"
            + doc["donations"]["why_not_split"],
            ["source", "donor_kind"],
            currency,
        )
    ]
    gifts = doc["donations"]["lines"]
    if gifts:
        out.append(
            _resource(
                "donations",
                FDP_DONATIONS,
                (
                    [
                        g["receipt"],
                        g["date"],
                        g["entry"],
                        g["donor_kind"],
                        g["donor"],
                        g["method"],
                        g["restricted_to"],
                        g["drive"],
                        g["amount"],
                    ]
                    for g in gifts
                ),
                doc["donations"]["why_not_split"],
                "receipt",
                currency,
            )
        )
    funds = doc["restricted_funds"]
    if funds["funds"]:
        out.append(
            _resource(
                "restricted_funds",
                FDP_FUNDS,
                (
                    [
                        r["code"],
                        r["kind"],
                        r["name"],
                        r["account"],
                        r["purpose_code"],
                        r["purpose"],
                        r["donor"],
                        r["opening"],
                        r["received"],
                        r["spent"],
                        r["closing"],
                    ]
                    for r in funds["funds"]
                ),
                f"专项与冠名基金，期末合计 {funds['restricted_closing']} 元。",
                "code",
                currency,
            )
        )
    if funds["spending"]:
        out.append(
            _resource(
                "restricted_spending",
                FDP_SPENDING,
                (
                    [
                        s["entry"],
                        s["date"],
                        s["fund"],
                        s["purpose_code"],
                        s["purpose"],
                        s["payee"],
                        s["method"],
                        s["amount"],
                    ]
                    for s in funds["spending"]
                ),
                "专项与冠名基金本月的支出。",
                "entry",
                currency,
            )
        )
    events = doc["markets"]["events"]
    if events:
        out.append(
            _resource(
                "market_stalls",
                FDP_STALLS,
                (
                    [
                        m["code"],
                        m["name"],
                        m["held_on"],
                        s["code"],
                        s["name"],
                        s["holder"],
                        s["rule"],
                        s["package"],
                        s["receipt"],
                        s["entry"],
                        "/".join(s["counts"]),
                        _bool(s["difference"]),
                        s["posted"],
                    ]
                    for m in events
                    for s in m["stalls"]
                ),
                doc["markets"]["why_not_split"],
                ["market", "stall"],
                currency,
            )
        )
    contracts = doc["contracts"]["contracts"]
    if contracts:
        out.append(
            _resource(
                "contract_lines",
                FDP_CONTRACTS,
                (
                    [
                        c["number"],
                        c["buyer"],
                        c["starts_on"],
                        c["ends_on"],
                        line["package"],
                        line["package_name"],
                        month,
                        line["units_allowed"],
                        m.get("delivered", 0),
                        m.get("paid", 0),
                        m.get("delivered_to_date", 0),
                        m.get("paid_to_date", 0),
                        m.get("left", line["units_allowed"]),
                        line["unit_price"],
                        line["cap_allowed"],
                        line["billed_amount"],
                        line["paid_amount"],
                    ]
                    for c in contracts
                    for line in c["lines"]
                    for m in [_month_row(line, month)]
                ),
                CONTRACTS_SPLIT_ZH,
                ["contract", "package"],
                currency,
            )
        )
    return out


def _month_row(line: dict, month: str) -> dict:
    """The line's burn-down row for the month ({} when the month is outside the term)."""
    return next((r for r in line["months"] if r["month"] == month), {})
