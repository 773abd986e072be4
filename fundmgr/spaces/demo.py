"""The demo's spaces (called once from fundmgr.demo.Demo.load): in the first community, the
council's decision letting two spaces for ¥1 in exchange for services, one operator
delivering in full and one falling behind in the last months, so the meter and the
shortfall flag show both. Deterministic for a given --today; a few hundred rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from djmoney.money import Money

from ..decisions import services as decisions
from ..lib import dates
from ..models import Income, IncomeStatus, Tier
from . import services as spaces


def _clock(day: dt.date, hour: int):
    from ..demo import clock_at

    return clock_at(day, hour)


def load_spaces(today: dt.date, start: dt.date, community, packages, users) -> None:
    officer, reviewer = users["officer"], users["reviewer"]
    by_code = {p.code: p for p in packages}
    meals, classes = by_code.get("ZC-MEAL"), by_code.get("WH-CLASS")
    if meals is None or classes is None:
        return
    held = start - dt.timedelta(days=12)
    with _clock(held, 19):
        meeting = decisions.meeting_record(
            community=community,
            body="representatives",
            reference=f"桥居代〔{held.year}〕7号",
            held_on=held,
            members_entitled=21,
            members_present=17,
            user=officer,
            minutes=SimpleUploadedFile(
                "jiyao.pdf", f"%PDF-1.4\n% 居民代表会议纪要 {held.isoformat()}\n".encode()
            ),
            items=[
                {
                    "title": "同意以一元租金将长者食堂场地交邻里长者食堂运营，换取助餐服务",
                    "major": True,
                },
                {
                    "title": "同意以一元租金将二楼活动室交社区文化艺术团使用，换取公益课程",
                    "major": True,
                },
            ],
        )
        items = list(meeting.items.order_by("number"))
        for item in items:
            decisions.prior_review_record(
                item=item,
                body="桥一社区党委会",
                held_on=held - dt.timedelta(days=3),
                outcome="agreed",
                user=officer,
                reference=f"桥党〔{held.year}〕12号",
            )
            decisions.tally_enter(
                item=item, user=officer, votes_for=15, votes_against=1, votes_abstain=1
            )
            decisions.tally_enter(
                item=item, user=reviewer, votes_for=15, votes_against=1, votes_abstain=1
            )
        items = list(meeting.items.order_by("number"))  # with their results
        canteen = spaces.space_create(
            community=community,
            code="ST-01",
            name="长者食堂",
            address="桥一社区综合楼一层",
            area_m2=Decimal("180.00"),
            user=officer,
        )
        room = spaces.space_create(
            community=community,
            code="HDS-02",
            name="二楼活动室",
            address="桥一社区综合楼二层",
            area_m2=Decimal("95.50"),
            user=officer,
        )
    ends = dates.add_months(start, 36) - dt.timedelta(days=1)
    cny = community.currency
    with _clock(start, 9):
        full = spaces.agreement_create(
            community=community,
            space=canteen,
            number="QY-ZL-01",
            operator=meals.provider,
            starts_on=start,
            ends_on=ends,
            rent=Money(3, cny),
            market_rent_month=Money(5400, cny),
            market_rent_source="周边临街商铺挂牌租金（30元/平方米·月）",
            paid_income_foreseen_month=Money(3000, cny),
            decision=items[0],
            obligations=[{"package": meals, "tier": Tier.LOW_COST, "per_month": 8}],
            user=officer,
        )
        behind = spaces.agreement_create(
            community=community,
            space=room,
            number="QY-ZL-02",
            operator=classes.provider,
            starts_on=start,
            ends_on=ends,
            rent=Money(3, cny),
            market_rent_month=Money(2400, cny),
            market_rent_source="街道资产评估报告（2025）",
            paid_income_foreseen_month=Money(1200, cny),
            decision=items[1],
            obligations=[{"package": classes, "tier": Tier.PUBLIC_BENEFIT, "per_month": 4}],
            user=officer,
        )
        for a, method in ((full, "cash"), (behind, "wechat")):
            spaces.rent_record(
                agreement=a,
                amount=Money(1, cny),
                method=method,
                reference=f"{a.number}-ZJ-{start.year}",
                paid_on=start,
                user=officer,
            )
    last_months = {dates.add_months(dates.month_start(today), -n) for n in (1, 2, 3)}
    for month in dates.months(start, today - dt.timedelta(days=1)):
        last = min(dates.month_end(month), today - dt.timedelta(days=1))
        with _clock(last, 20):
            for a, package, tier, count in (
                (full, meals, Tier.LOW_COST, 8),
                (behind, classes, Tier.PUBLIC_BENEFIT, 1 if month in last_months else 4),
            ):
                for n in range(count):
                    day = month + dt.timedelta(days=(n * 3) % 28)
                    if day > last:
                        break
                    d = spaces.delivery_record(
                        agreement=a,
                        package=package,
                        tier=tier,
                        delivered_on=day,
                        participants=18 + (n * 7) % 11,
                        user=officer,
                        evidence_sha256=_evidence(a.number, day, n),
                    )
                    spaces.delivery_confirm(delivery=d, user=reviewer)
    # The canteen's paid meals are earned in the space: linked to its agreement.
    with _clock(today - dt.timedelta(days=1), 21):
        for income in Income.objects.filter(
            community=community,
            package=meals,
            tier=Tier.PAID,
            status=IncomeStatus.POSTED,
            paid_at__date__gte=start,
        ).order_by("paid_at")[:40]:
            spaces.income_link(agreement=full, income=income, user=officer)


def _evidence(number: str, day: dt.date, n: int) -> str:
    import hashlib

    return hashlib.sha256(f"签到表 {number} {day.isoformat()} {n}".encode()).hexdigest()
