"""The period statement's pages of the fund's other inflows (issue 18): the month's
inflows by source, the donations, the restricted and named funds, the charity markets and
the government purchase contracts - read from the published document alone, so donors
are masked exactly as published and no beneficiary token can appear."""

from __future__ import annotations

from fundmgr.lib.money import fen, yuan

HEADING = "社区基金的其他收入"
DONOR_KIND_ZH = {
    "resident": "居民",
    "merchant": "商户",
    "company": "企业",
    "organisation": "社会组织",
}
FUND_KIND_ZH = {"named": "冠名基金", "purpose": "定向"}
HOLDER_ZH = {"provider": "专业机构", "group": "居民团体", "merchant": "商户"}
WENT_TO_ZH = {"fund": "全部归社区基金（不分成）", "package": "服务包收入（按70/25/5分成）"}
CONTRACTS_ZH = "政府购买服务合同（付款为公益类服务包收入，按70/25/5分成，已计入上文；金额：元）"


def inflow_sections(doc: dict) -> list:
    from .statements import Section

    sources = doc.get("inflows_by_source")
    if not sources:  # a month published before #18
        return []
    gifts = doc["donations"]
    rows = [["服务包收入的社区基金分成", "是", sources["package_shares"]]]
    rows += [[f"捐赠—{DONOR_KIND_ZH.get(k, k)}", "否", v] for k, v in sources["donations"].items()]
    rows += [
        ["公益集市归入社区基金", "否", sources["markets"]],
        ["其他", "否", sources["other"]],
        ["合计", "", sources["total"]],
    ]
    sections = [
        Section(
            HEADING,
            ["来源", "按70/25/5分成", "金额（元）"],
            rows,
            right_from=2,
            note=gifts["why_not_split"]
            + "定向捐赠计入专项或冠名基金（见下表），本月末专项基金合计 "
            + sources["restricted_closing"]
            + " 元。",
        )
    ]
    if gifts["lines"]:
        sections.append(
            Section(
                "其他收入·捐赠（捐赠人按公示规则隐去，不按70/25/5分成）",
                ["日期", "收据", "捐赠人", "类别", "定向基金", "金额（元）"],
                [
                    [
                        g["date"],
                        g["receipt"],
                        g["donor"],
                        DONOR_KIND_ZH.get(g["donor_kind"], g["donor_kind"]),
                        g["restricted_to"] or "非定向",
                        g["amount"],
                    ]
                    for g in gifts["lines"]
                ]
                + [["合计", "", "", "", "", _sum(gifts["lines"], "amount")]],
                right_from=5,
            )
        )
    funds = doc["restricted_funds"]
    if funds["funds"]:
        sections.append(
            Section(
                "其他收入·专项与冠名基金",
                ["基金", "类别", "用途", "期初（元）", "本月收到", "本月支出", "期末（元）"],
                [
                    [
                        f"{r['code']} {r['name']}",
                        FUND_KIND_ZH.get(r["kind"], r["kind"]),
                        r["purpose"],
                        r["opening"],
                        r["received"],
                        r["spent"],
                        r["closing"],
                    ]
                    for r in funds["funds"]
                ]
                + [
                    ["合计", "", "", *(_sum(funds["funds"], k) for k in ("opening", "received"))]
                    + [_sum(funds["funds"], "spent"), funds["restricted_closing"]]
                ],
                right_from=3,
            )
        )
    if funds["spending"]:
        sections.append(
            Section(
                "其他收入·专项基金支出",
                ["日期", "基金", "用途", "收款方", "金额（元）"],
                [
                    [s["date"], s["fund"], s["purpose"], s["payee"], s["amount"]]
                    for s in funds["spending"]
                ],
                right_from=4,
            )
        )
    events = doc["markets"]["events"]
    if events:
        sections.append(
            Section(
                "其他收入·公益集市（归入社区基金的部分不按70/25/5分成）",
                ["集市", "日期", "摊位", "去向", "清点（元）", "入账（元）"],
                [
                    [
                        f"{m['code']} {m['name']}",
                        m["held_on"],
                        f"{s['code']} {s['name']}（{HOLDER_ZH.get(s['holder'], s['holder'])}）",
                        WENT_TO_ZH.get(s["rule"], s["rule"]),
                        "/".join(s["counts"]) + ("（不一致）" if s["difference"] else ""),
                        s["posted"] or "未入账",
                    ]
                    for m in events
                    for s in m["stalls"]
                ],
                right_from=4,
            )
        )
    contracts = doc["contracts"]["contracts"]
    if contracts:
        month = doc["period"]["start"][:7]
        sections.append(
            Section(
                CONTRACTS_ZH,
                # Eight columns whose headers fit the statement's fixed amount width
                # (nine, with the unit price apart, ran into each other): the price
                # rides with the package, the units in the wider text columns.
                [
                    "合同",
                    "购买方",
                    "服务包",
                    "本月提供/付款",
                    "累计提供/合同",
                    "剩余",
                    "已结算",
                    "已付款",
                ],
                [
                    [
                        c["number"],
                        c["buyer"],
                        f"{line['package_name']}（单价 {line['unit_price']} 元）",
                        f"{m.get('delivered', 0)}/{m.get('paid', 0)}",
                        f"{m.get('delivered_to_date', 0)}/{line['units_allowed']}",
                        str(m.get("left", line["units_allowed"])),
                        line["billed_amount"],
                        line["paid_amount"],
                    ]
                    for c in contracts
                    for line in c["lines"]
                    for m in [next((r for r in line["months"] if r["month"] == month), {})]
                ],
                right_from=6,
            )
        )
    return sections


def _sum(rows: list[dict], key: str) -> str:
    return yuan(sum(fen(r[key]) for r in rows))
