"""The demo's donations, named fund, charity market and purchase contracts (issue 18),
in the first community: a company-named fund, a residents' donation drive, one market
whose two counts differ, two government contracts (one nearly used up). Everything is
dated from the demo window's start, so the same --today gives the same books."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from djmoney.money import Money

from ..decisions import services as decisions
from ..lib import dates
from ..services.drafts import IncomeDraft
from ..services.income import income_record
from . import services as inflows

DRIVE = [  # (name, amount) of the residents' donation drive; None: anonymous
    ("张桂兰", "50.00"),
    ("李建国", "100.00"),
    ("王秀英", "20.00"),
    (None, "200.00"),
    ("刘志强", "66.00"),
    ("陈淑芬", "30.00"),
    ("杨德明", "88.00"),
    ("赵玉梅", "50.00"),
    ("黄国华", "120.00"),
    ("周丽华", "10.00"),
]


def _clock(day: dt.date, hour: int):
    from ..demo import clock_at

    return clock_at(day, hour)


def _cny(community, value: str) -> Money:
    return Money(value, community.currency)


def _decided(community, officer, reviewer, held: dt.date, ref: str, titles: list[str]):
    with _clock(held, 19):
        meeting = decisions.meeting_record(
            community=community,
            body="representatives",
            reference=ref,
            held_on=held,
            members_entitled=21,
            members_present=16,
            user=officer,
            minutes=SimpleUploadedFile(
                "jiyao.pdf", f"%PDF-1.4\n% 会议纪要 {ref} {held.isoformat()}\n".encode()
            ),
            items=[{"title": t, "major": True} for t in titles],
        )
        for item in meeting.items.order_by("number"):
            decisions.prior_review_record(
                item=item,
                body="社区党委会",
                held_on=held - dt.timedelta(days=2),
                outcome="agreed",
                user=officer,
            )
            for who in (officer, reviewer):
                decisions.tally_enter(
                    item=item, user=who, votes_for=14, votes_against=1, votes_abstain=1
                )
        return list(meeting.items.order_by("number"))


def load_inflows(today: dt.date, start: dt.date, community, packages, users) -> None:
    officer, reviewer = users["officer"], users["reviewer"]
    by_code = {p.code: p for p in packages}
    home, check, meals = by_code.get("YL-HOME"), by_code.get("JK-CHECK"), by_code.get("ZC-MEAL")
    if home is None or check is None or meals is None:
        return
    cur = community.currency
    held = start - dt.timedelta(days=20)
    contract_a, contract_b, fund_item = _decided(
        community,
        officer,
        reviewer,
        held,
        f"桥居代〔{held.year}〕9号",
        [
            "同意与五里桥街道办事处签订居家养老上门服务政府购买服务合同",
            "同意与区民政局签订老年人健康监测政府购买服务合同",
            "同意设立和信科技助老冠名基金并接受其章程",
        ],
    )
    months = [dates.add_months(start, n) for n in range(13)]
    months = [m for m in months if m.replace(day=5) <= today]
    # Contract A (街道办事处): three home visits a month, two units short of its total.
    units_a = 3 * len(months) + 2
    with _clock(start, 9):
        gm_a = inflows.contract_create(
            community=community,
            buyer="五里桥街道办事处",
            number=f"WLQ-GM-{start.year}-01",
            starts_on=start,
            ends_on=dates.add_months(start, 13) - dt.timedelta(days=1),
            decision=contract_a,
            lines=[
                {
                    "package": home,
                    "units": units_a,
                    "unit_price": home.price("public_benefit"),
                    "cap": home.price("public_benefit") * units_a,
                }
            ],
            user=officer,
        )
    b_start = dates.add_months(start, 6)
    with _clock(b_start, 9):
        gm_b = inflows.contract_create(
            community=community,
            buyer="区民政局",
            number=f"MZJ-GM-{b_start.year}-07",
            starts_on=b_start,
            ends_on=dates.add_months(b_start, 12) - dt.timedelta(days=1),
            decision=contract_b,
            lines=[
                {
                    "package": check,
                    "units": 120,
                    "unit_price": check.price("public_benefit"),
                    "cap": check.price("public_benefit") * 120,
                }
            ],
            user=officer,
        )
    for n, month in enumerate(months):
        plan = [(gm_a, 3, "A")]
        if month >= b_start:
            plan.append((gm_b, 8, "B"))
        for contract, units, tag in plan:
            line = contract.lines.get()
            day = month.replace(day=5)
            with _clock(day, 16):
                inflows.delivery_bill(
                    line=line,
                    delivered_on=day,
                    beneficiaries=[f"DEMO-{tag}-{(n * units + i) % 40:03d}" for i in range(units)],
                    user=officer,
                )
            paid_on = dates.add_months(month, 1).replace(day=12)
            if paid_on > today:
                continue  # delivered, billed, not yet paid: the buyer's receivable
            with _clock(paid_on, 10):
                income_record(
                    IncomeDraft(
                        community=community,
                        package=line.package,
                        tier="public_benefit",
                        amount=line.unit_price * units,
                        paid_at=timezone.now(),
                        method="bank",
                        payer=f"{contract.buyer}（政府购买服务）",
                        external_ref=f"{contract.number}-{month:%Y%m}",
                        quantity=units,
                        contract_line=line,
                    ),
                    recorded_by=officer,
                )
    # A company-named fund (冠名基金) for meals of the elderly, and its first gift.
    opened = start + dt.timedelta(days=35)
    with _clock(opened, 10):
        hx = inflows.fund_open(
            community=community,
            code="HX-ZL",
            kind="named",
            name="和信科技助老基金",
            purpose_code="elderly-meals",
            purpose="70岁以上老人助餐补贴",
            donor_name="和信科技有限公司",
            donor_kind="company",
            donor_named=True,
            rules="只用于本社区70岁以上老人的助餐补贴；每季度公示使用情况。",
            opened_on=opened,
            decision=fund_item,
            user=officer,
        )
        gift = inflows.donation_record(
            community=community,
            donor_kind="company",
            donor_name="和信科技有限公司",
            named_publicly=True,
            amount=Money("20000.00", cur),
            method="bank",
            received_on=opened,
            reference=f"HX-{opened:%Y%m%d}",
            fund_code="HX-ZL",
            user=officer,
        )
    with _clock(opened + dt.timedelta(days=1), 9):
        inflows.donation_approve(donation=gift, reviewer=reviewer, note="核对银行回单")
    for q in range(1, 5):
        day = dates.add_months(dates.month_start(opened), 3 * q).replace(day=8)
        if day > today:
            break
        with _clock(day, 10):
            s = inflows.spending_request(
                fund=hx,
                purpose_code="elderly-meals",
                purpose=f"第{q}季度老人助餐补贴",
                payee="邻里长者食堂",
                amount=Money("3000.00", cur),
                method="bank",
                user=officer,
            )
        with _clock(day, 15):
            inflows.spending_approve(spending=s, reviewer=reviewer)
    # A residents' donation drive restricted to the Double Ninth visits (定向).
    drive_day = dates.add_months(start, 9).replace(day=10)
    if drive_day <= today:
        with _clock(drive_day - dt.timedelta(days=3), 9):
            inflows.fund_open(
                community=community,
                code="CY-WW",
                kind="purpose",
                name="重阳敬老慰问",
                purpose_code="elderly-visits",
                purpose="重阳节走访慰问高龄、独居老人",
                opened_on=drive_day - dt.timedelta(days=3),
                user=officer,
            )
        for i, (name, amount) in enumerate(DRIVE):
            with _clock(drive_day, 9 + i // 4):
                inflows.donation_record(
                    community=community,
                    donor_kind="resident",
                    donor_name=name or "",
                    anonymous=name is None,
                    amount=Money(amount, cur),
                    method="wechat" if i % 3 else "cash",
                    received_on=drive_day,
                    reference=f"CY-{drive_day:%Y%m%d}-{i + 1:02d}",
                    fund_code="CY-WW",
                    drive="重阳敬老募捐",
                    user=officer,
                )
        with _clock(drive_day, 14):
            inflows.donation_record(
                community=community,
                donor_kind="merchant",
                donor_name="李记面馆",
                named_publicly=True,
                amount=Money("500.00", cur),
                method="wechat",
                received_on=drive_day,
                reference=f"LJ-{drive_day:%Y%m%d}",
                drive="重阳敬老募捐",
                user=officer,
            )
    # One charity market; the two counts of the handicraft stall differ by ¥5.
    market_day = dates.add_months(start, 8).replace(day=16)
    if market_day <= today:
        with _clock(market_day, 9):
            market = inflows.market_create(
                community=community,
                code=f"JS-{market_day:%Y%m}",
                name="邻里公益集市",
                held_on=market_day,
                stalls=[
                    {"code": "S1", "name": "巧手编织组", "holder": "group", "rule": "fund"},
                    {"code": "S2", "name": "李记面馆", "holder": "merchant", "rule": "fund"},
                    {
                        "code": "S3",
                        "name": "长者助餐体验",
                        "holder": "provider",
                        "rule": "package",
                        "package": meals,
                    },
                ],
                user=officer,
            )
        with _clock(market_day, 17):
            first = {"S1": "386.50", "S2": "240.00", "S3": "180.00"}
            second = {"S1": "381.50", "S2": "240.00", "S3": "180.00"}
            inflows.count_enter(
                market=market,
                counts={k: _cny(community, v) for k, v in first.items()},
                user=officer,
            )
            inflows.count_enter(
                market=market,
                counts={k: _cny(community, v) for k, v in second.items()},
                user=reviewer,
            )
            inflows.market_post(market=market, user=officer)
