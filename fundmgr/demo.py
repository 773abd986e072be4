"""A realistic, deterministic demo: three communities in three subdistricts, a hub per
subdistrict, ten providers, packages in all tiers, a year of income with reversals and
pending reviews, and a user for each role. Everything goes through the services.

The demo is right on every day of the year: it covers a rolling window, the twelve full
months before today's plus today's month up to yesterday, so every month it leaves
behind can close. Reviews still waiting are only in today's (open) month; everything
earlier was reviewed. The same `today` gives the same books (receipt codes aside)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from djmoney.money import Money

from ledger.models import Account
from ledger.selectors import balance_fen, net_by_account

from .chart import HUB_ACCOUNT, PROVIDER_ACCOUNT_PREFIX, method_account_code
from .decisions.demo import passed_items
from .lib import dates
from .models import (
    Community,
    HubEnterprise,
    Income,
    IncomeStatus,
    PaymentMethod,
    Provider,
    Role,
)
from .reconcile import demo as reconcile_demo
from .services.drafts import IncomeDraft, draft_validate, income_build
from .services.income import income_approve, income_reject, income_reverse
from .services.posting import incomes_save
from .services.setup import community_create, membership_grant, package_create, policy_create

SEED = 20261124
PASSWORDS = {
    "admin": "demo-admin-2026",
    "officer": "demo-officer-2026",
    "officer2": "demo-officer2-2026",
    "reviewer": "demo-reviewer-2026",
    "reviewer2": "demo-reviewer2-2026",
    "auditor": "demo-auditor-2026",
    # Enrolled on 桥一's supervisory committee by reports' demo command (no keys: theirs
    # are made in their own browser or with tools/cosign.py).
    "supervisor": "demo-supervisor-2026",
    "supervisor2": "demo-supervisor2-2026",
}
SUBDISTRICTS = [
    ("WLQ", "五里桥街道", "五里桥社区服务枢纽社会企业"),
    ("WJ", "望京街道", "望京邻里汇枢纽社会企业"),
    ("SQP", "石桥铺街道", "石桥铺社区营造枢纽社会企业"),
]
COMMUNITIES = [
    ("WLQ-QY", "桥一社区", "WLQ"),
    ("WJ-HY", "花园社区", "WJ"),
    ("SQP-NH", "南湖社区", "SQP"),
]
PROVIDERS = [
    ("LLYL", "乐龄居家养老服务中心", "elderly"),
    ("XSM", "小树苗托育服务中心", "childcare"),
    ("LLST", "邻里长者食堂", "meals"),
    ("SQWY", "社区文化艺术团", "culture"),
    ("HBS", "好帮手家政服务社", "housekeeping"),
    ("KFYZ", "康复驿站", "rehab"),
    ("JKXW", "健康小屋", "health"),
    ("SDB", "四点半课堂", "culture"),
    ("QSJZ", "巧手家政", "housekeeping"),
    ("YLHZ", "颐乐互助社", "elderly"),
]
# code, name, provider, (public-benefit, paid, low-cost) prices, eligibility
PACKAGES = [
    (
        "YL-HOME",
        "居家养老上门服务（月）",
        "LLYL",
        ("600", "800", "320"),
        "80岁以上独居老人、低保老人",
    ),
    ("ZC-MEAL", "长者助餐（每餐）", "LLST", ("12", "18", "8"), "70岁以上老人"),
    ("TY-HALF", "半日托育（月）", "XSM", (None, "1500", "900"), "双职工家庭3岁以下幼儿"),
    ("WH-CLASS", "社区文化课程（期）", "SQWY", ("200", "300", "120"), "老人、儿童"),
    ("JZ-CLEAN", "家政保洁（次）", "HBS", (None, "120", "60"), "残疾人家庭、低保户"),
    ("KF-REHAB", "康复训练（疗程）", "KFYZ", ("900", "1200", "480"), "残疾人、术后康复老人"),
    ("JK-CHECK", "健康监测包（年）", "JKXW", ("150", "260", "80"), "65岁以上老人"),
    ("SD-AFTER", "四点半课堂（月）", "SDB", ("300", "500", "200"), "小学生"),
    ("JZ-REPAIR", "居家小修（次）", "QSJZ", (None, "80", "30"), "独居老人"),
    ("YL-VISIT", "互助探访（月）", "YLHZ", ("200", None, "50"), "空巢老人"),
]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰涛明超兰霞平刚桂英华玉珍建国志强淑珍"
METHODS = ["wechat"] * 5 + ["alipay"] * 3 + ["cash"] * 2 + ["bank"]
# Full months of income before today's month.
MONTHS = 12


def clock_at(day: dt.date, hour: int):
    """A context in which the process's clock reads `hour`:00 on `day`, local time, and
    ticks on: what the demo does in it is dated, posted and stamped on that day."""
    import time_machine

    moment = dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())
    return time_machine.travel(moment, tick=True)


def window_start(today: dt.date) -> dt.date:
    """The first day of the demo's income: twelve full months before today's month."""
    return dates.add_months(dates.month_start(today), -MONTHS)


class Demo:
    def __init__(self, today: dt.date | None = None, scale: float = 1.0):
        self.rng = random.Random(SEED)
        self.today = today or dates.today()
        self.start = window_start(self.today)
        self.scale = scale

    def exists(self) -> bool:
        return Community.objects.filter(code=COMMUNITIES[0][0]).exists()

    def users(self):
        User = get_user_model()
        made = {}
        for username, password in PASSWORDS.items():
            user = User.objects.filter(username=username).first()
            if user is None:
                if username == "admin":
                    user = User.objects.create_superuser(username, "admin@example.org", password)
                else:
                    user = User.objects.create_user(username, password=password)
            made[username] = user
        return made

    @transaction.atomic
    def load(self) -> dict:
        users = self.users()
        if self.exists():
            return users
        hubs = {
            code: HubEnterprise.objects.create(code=f"HUB-{code}", name=hub_name, subdistrict=name)
            for code, name, hub_name in SUBDISTRICTS
        }
        providers = {
            code: Provider.objects.create(code=code, name=name, category=category)
            for code, name, category in PROVIDERS
        }
        names = {code: name for code, name, _ in SUBDISTRICTS}
        communities = []
        for index, (code, name, sub) in enumerate(COMMUNITIES):
            community = community_create(
                code=code,
                name=name,
                subdistrict=names[sub],
                hub=hubs[sub],
                policy_approved_by="街道党工委会议",
            )
            for role, usernames in (
                (Role.OFFICER, ["officer"] if index < 2 else ["officer2"]),
                (Role.REVIEWER, ["reviewer"]),
                (Role.AUDITOR, ["auditor"]),
            ):
                for username in usernames:
                    membership_grant(user=users[username], community=community, role=role)
            # Each community offers seven of the ten packages, in a fixed pattern.
            offered = [p for i, p in enumerate(PACKAGES) if (i + index) % 10 < 7]
            packages = []
            for pcode, pname, provider, prices, eligible in offered:
                packages.append(
                    package_create(
                        community=community,
                        code=pcode,
                        name=pname,
                        provider=providers[provider],
                        prices={
                            tier: Decimal(v) if v else None
                            for tier, v in zip(
                                ("public_benefit", "paid", "low_cost"), prices, strict=True
                            )
                        },
                        low_cost_eligibility=eligible,
                    )
                )
            communities.append((community, packages))
        # The second community changed its split five months in (a recorded decision).
        changed = dates.add_months(self.start, 5)
        garden = communities[1][0]
        held = changed - dt.timedelta(days=18)
        with clock_at(held, 19):
            (adopted,) = passed_items(
                garden,
                users["officer"],
                users["reviewer"],
                held_on=held,
                reference=f"花居议〔{changed.year}〕3号",
                body="representatives",
                titles=[("调整服务包收入分配方案：专业机构65%、枢纽25%、社区基金10%", None)],
            )
        policy_create(
            community=garden,
            provider_bp=6500,
            hub_bp=2500,
            fund_bp=1000,
            effective_from=changed,
            decision=adopted,
        )
        for community, packages in communities:
            officer = users["officer" if community.code != "SQP-NH" else "officer2"]
            self._replay(community, packages, officer, users["reviewer"])
            self._disbursements(community, officer, users)
        # Spaces let for services (一元租金), with their decisions: fundmgr/spaces/demo.py.
        from .spaces.demo import load_spaces

        load_spaces(self.today, self.start, *communities[0], users)
        # Donations, a named fund, a charity market, purchase contracts: fundmgr/inflows/.
        from .inflows.demo import load_inflows

        load_inflows(self.today, self.start, *communities[0], users)
        # A year of proposals, decisions, earmarks and projects: fundmgr/projects/demo.py.
        from .projects.demo import load_projects

        load_projects(self.today, self.start, communities[0][0], users)
        # Last: the statements are drawn from everything the books hold (#23).
        reconcile_demo.load(self, communities, users)  # statements, deposits
        return users

    def _disbursements(self, community, officer, users) -> None:
        """A few disbursements from the fund today: paid, waiting, and one collective
        decision citing its decision item."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from .services import payouts

        rng = self.rng
        membership_grant(user=users["reviewer2"], community=community, role=Role.REVIEWER)
        pdf = b"%PDF-1.4\n% demo invoice\n"

        def evidence(name):
            return [("invoice", SimpleUploadedFile(name, pdf + name.encode()))]

        def approve(disbursement, **kwargs):
            # A small demo (--scale) may not have raised enough for every payment: what
            # the fund or the bank cannot pay stays waiting, as it would in a community.
            try:
                payouts.disbursement_approve(
                    disbursement=disbursement, reviewer=users["reviewer"], **kwargs
                )
            except ValidationError:
                pass

        small = payouts.disbursement_request(
            community=community,
            payee="夕阳红志愿服务队",
            purpose="重阳节敬老活动物资",
            category="activity",
            amount=Money(rng.choice([860, 1200, 1580]), community.currency),
            user=officer,
            invoice_number=f"{community.code}-FP-1",
            attachments=evidence(f"{community.code}-fapiao-1.pdf"),
        )
        approve(small, note="票据齐全", payment_reference=f"{community.code}-ZF-1")
        payouts.disbursement_request(
            community=community,
            payee="王秀英",
            payee_is_person=True,
            payee_account="6222 0202 0011 2233",
            purpose="困难独居老人冬季取暖补助",
            category="elderly",
            amount=Money(1500, community.currency),
            user=officer,
            attachments=evidence(f"{community.code}-shenqing.pdf"),
        )
        two = payouts.disbursement_request(
            community=community,
            payee="绿意环保社",
            purpose="楼道绿化与垃圾分类宣传",
            category="environment",
            amount=Money(6800, community.currency),
            user=officer,
            attachments=evidence(f"{community.code}-fapiao-2.pdf"),
        )
        approve(two, note="同意")
        # A collective decision (三重一大): the joint meeting's passed item, cited by the
        # request and confirmed by a reviewer, who pays it if the fund holds enough.
        held = self.today - dt.timedelta(days=3)
        big = Money(max(community.committee_from.amount, 26000), community.currency)
        with clock_at(held, 19):
            (lights,) = passed_items(
                community,
                officer,
                users["reviewer"],
                held_on=held,
                reference=f"{community.code}联席〔{held.year}〕9号",
                titles=[("老旧楼道照明改造（三重一大）", big)],
            )
        committee = payouts.disbursement_request(
            community=community,
            payee="明亮照明工程有限公司",
            purpose="老旧楼道照明改造",
            category="environment",
            amount=big,
            user=officer,
            decision=lights,
            attachments=evidence(f"{community.code}-fapiao-3.pdf"),
        )
        try:
            payouts.disbursement_committee(
                disbursement=committee,
                reviewer=users["reviewer"],
                payment_reference=f"{community.code}-ZF-3",
            )
        except ValidationError:
            pass  # the fund cannot pay it yet: it stays waiting
        if community.code == COMMUNITIES[0][0]:
            # Planted for the red-flag screen: one purchase cut in two just under the
            # one-reviewer limit, paid with the same invoice file twice.
            for n in (1, 2):
                cut = payouts.disbursement_request(
                    community=community,
                    payee="宏达办公用品店",
                    purpose=f"活动室桌椅（第{n}批）",
                    category="activity",
                    amount=Money(1950, community.currency),
                    user=officer,
                    invoice_number=f"HD-{self.today.year}-118",
                    invoice_date=self.today,
                    attachments=evidence("hongda-fapiao.pdf"),
                )
                approve(cut)

    def _payer(self) -> str:
        given = self.rng.choices(GIVEN, k=self.rng.choice([1, 2]))
        return self.rng.choice(SURNAMES) + "".join(given)

    def _replay(self, community, packages, officer, reviewer) -> None:
        """The year as it happened, day by day, each day on its own clock (22:00 local):
        the day's income, the evening's reviews, the corrections of mistakes made a few
        days before, and on the 10th the settlement of what the providers and the hub
        were owed at the end of the month before. So every posting is dated on the day it
        was made and no account ever ends a day below zero."""
        rng = self.rng
        current = dates.month_start(self.today)
        mistakes: dict[dt.date, list[int]] = {}
        serial = 0
        day = self.start
        while day < self.today:
            with clock_at(day, 22):
                built = []
                for _ in range(round(rng.choice([2, 3, 4, 5, 6]) * self.scale)):
                    serial += 1
                    built.append(self._sale(community, packages, officer, day, serial))
                incomes_save(built, officer.get_username())
                if day < current:
                    # Large incomes are reviewed the same evening - except in today's
                    # month, whose reviews still wait (it stays open).
                    for income in built:
                        if income.status == IncomeStatus.PENDING:
                            self._review(income, reviewer)
                # About one in a hundred postings is a mistake, corrected by reversal
                # within a few days (sometimes in the next month).
                for income in built:
                    if income.status == IncomeStatus.POSTED and rng.random() < 0.01:
                        later = day + dt.timedelta(days=rng.randint(0, 6))
                        mistakes.setdefault(later, []).append(income.pk)
                for pk in mistakes.pop(day, []):
                    self._correct(Income.objects.get(pk=pk), officer)
                if day.day == 10 and dates.previous_month(day) >= self.start:
                    self._settle(community, officer, dates.previous_month(day), day, reviewer)
            day += dt.timedelta(days=1)

    def _sale(self, community, packages, officer, day: dt.date, serial: int) -> Income:
        rng = self.rng
        package = rng.choice(packages)
        tier = rng.choice(package.tiers)
        price = package.price(tier).amount
        quantity = rng.choice([1, 1, 1, 2, 3]) if price < 100 else 1
        when = timezone.make_aware(
            dt.datetime.combine(day, dt.time(rng.randint(8, 19), rng.randint(0, 59)))
        )
        payer = "街道办事处（政府购买服务）" if tier == "public_benefit" else self._payer()
        amount = price * quantity
        if tier == "public_benefit" and rng.random() < 0.08:
            amount = price * rng.choice([10, 12, 15, 20])  # a monthly purchase order
        draft = IncomeDraft(
            community=community,
            package=package,
            tier=tier,
            amount=Money(amount, community.currency),
            paid_at=when,
            method="bank" if tier == "public_benefit" else rng.choice(METHODS),
            payer=payer,
            quantity=quantity,
            external_ref=f"{community.code}-{day:%Y%m%d}-{serial:05d}",
        )
        errors = draft_validate(draft, now=timezone.now())
        assert not errors, errors
        recorded = when + dt.timedelta(minutes=rng.randint(5, 90))
        return income_build(draft, recorded_by=officer, now=recorded)

    def _review(self, income: Income, reviewer) -> None:
        income = Income.objects.get(pk=income.pk)
        if self.rng.random() < 0.1:
            income_reject(
                income=income, reviewer=reviewer, reason="采购合同金额与发票不符，请核对后重新登记"
            )
        else:
            income_approve(income=income, reviewer=reviewer, note="已核对采购合同和发票")

    def _correct(self, income: Income, officer) -> None:
        if income.status != IncomeStatus.POSTED:
            return
        try:
            income_reverse(
                income=income,
                actor=officer,
                reason=self.rng.choice(["重复登记", "服务包选错", "金额录入错误", "居民退费"]),
            )
        except ValidationError:
            pass  # the refund would overdraw an account that day: the mistake stands

    def _settle(self, community, officer, month: dt.date, paid_on: dt.date, reviewer) -> None:
        """Pay each provider and the hub what it was owed at the end of `month` - no more
        than it is still owed, nor than the paying account holds, from `paid_on` on. From
        the collective-decision limit a settlement cites the passed item of that day's
        joint meeting of the two committees (三重一大)."""
        from .services import payouts

        book = community.book
        owed_then = net_by_account(book, through=dates.month_end(month))
        # The bank first, then what came in through WeChat and Alipay (paid out of the
        # platform accounts directly, as small organisations do).
        paying = [PaymentMethod.BANK, PaymentMethod.WECHAT, PaymentMethod.ALIPAY]
        for code in sorted(owed_then):
            if code.startswith(PROVIDER_ACCOUNT_PREFIX):
                provider = Provider.objects.get(code=code.removeprefix(PROVIDER_ACCOUNT_PREFIX))
            elif code == HUB_ACCOUNT:
                provider = None
            else:
                continue
            # The replay is in date order, so nothing is dated after `paid_on` yet: what
            # an account holds from that day on is what it holds now (settlement_record
            # checks every later day all the same).
            owed = min(-owed_then[code], balance_fen(book, code))
            for method in paying:
                source = method_account_code(method)
                try:
                    fen = min(owed, balance_fen(book, source))
                except Account.DoesNotExist:
                    continue
                if fen < 10000:  # under ¥100 is not worth a transfer
                    continue
                amount = Money(Decimal(fen).scaleb(-2), community.currency)
                reference = f"{community.code}-JS-{paid_on:%Y%m}-{code}-{method}"
                decision = None
                if payouts.major(community, amount):
                    payee = provider.name if provider else community.hub.name
                    (decision,) = passed_items(
                        community,
                        officer,
                        reviewer,
                        held_on=paid_on,
                        reference=f"联席〔{reference}〕号",
                        titles=[(f"同意结算{payee}{month:%Y年%m月}应付款", amount)],
                    )
                payouts.settlement_record(
                    community=community,
                    provider=provider,
                    amount=amount,
                    method=method,
                    bank_reference=reference,
                    paid_on=paid_on,
                    user=officer,
                    note=f"{month:%Y-%m} 结算",
                    decision=decision,
                )
                owed -= fen
