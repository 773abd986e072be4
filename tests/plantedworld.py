"""A planted-case world for measuring the red flags (issue #17): two subdistricts, four
communities, half a year (June-November 2026, with the National Day holiday and its two
调休 working Saturdays), two officers and two reviewers each, honest noise of every kind
the rules look at, and a known set of planted schemes. Everything is written through the
product's services (recorded/approved moments set with time-machine), never the models.

    world = build()                        # inside a database (test or bench)
    score = measure(world)                 # screen every community, then score

A planted case is *caught* when an incident of the expected rule has one of the case's
objects among its evidence; an incident is a *false alert* when none of its evidence is
planted. Deterministic (seeded); a different world from the demo's and from #17's.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from djmoney.money import Money

from fundmgr import chart
from fundmgr.services import drafts, posting
from fundmgr.services import income as incomes

SEED = 17_2026
START = dt.date(2026, 6, 1)
END = dt.date(2026, 11, 30)
SCREEN_AT = dt.datetime(2026, 12, 1, 9, 0)
TZ = None  # the project's zone, read when building


@dataclass
class Case:
    rule: str
    scheme: str
    community: str
    refs: set[str] = field(default_factory=set)


@dataclass
class World:
    communities: list = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    users: dict = field(default_factory=dict)


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def invoice_pdf(number: str, payee: str, amount: Decimal, day: dt.date, title: str = "") -> bytes:
    """A small invoice PDF whose text says what it is (reportlab: ASCII text, Helvetica)."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=not title)
    if title:
        c.setTitle(title)  # a re-saved copy: other metadata, other bytes, same text
    c.setFont("Helvetica", 12)
    c.drawString(72, 760, f"Invoice No. {number}")
    c.drawString(72, 740, f"Seller ref {abs(hash(payee)) % 10**8:08d}")
    c.drawString(72, 720, f"Amount CNY {amount}")
    c.drawString(72, 700, f"Date {day.isoformat()}")
    c.showPage()
    c.save()
    return buf.getvalue()


def invoice_jpeg(
    number: str, amount: Decimal, day: dt.date, rng: random.Random, quality: int = 88
) -> bytes:
    """A photographed invoice: one template, this invoice's number, amount and date."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 320), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle([10, 10, 470, 310], outline="black", width=3)
    draw.rectangle([20, 20, 460, 60], fill=(200, 60, 60))
    draw.text((30, 30), "FAPIAO", fill="white")
    draw.text((30, 90), f"No. {number}", fill="black")
    draw.text((30, 130), f"CNY {amount}", fill="black")
    draw.text((30, 170), day.isoformat(), fill="black")
    # Handwriting and stamps differ from one invoice to the next.
    for _ in range(6):
        x, y = rng.randint(40, 420), rng.randint(200, 280)
        draw.ellipse(
            [x, y, x + rng.randint(20, 60), y + rng.randint(10, 30)],
            outline=(rng.randint(0, 120), 0, 0),
            width=2,
        )
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def resave_jpeg(data: bytes) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        smaller = img.resize((int(img.width * 0.9), int(img.height * 0.9)))
        buf = io.BytesIO()
        smaller.save(buf, "JPEG", quality=62)
    return buf.getvalue()


class Builder:
    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.world = World()
        self.serial = 0

    # --- set-up ---------------------------------------------------------------------
    def build(self) -> World:
        from django.contrib.auth import get_user_model

        from fundmgr.models import HubEnterprise, Provider
        from fundmgr.services import setup as fs

        User = get_user_model()
        hubs = {
            s: HubEnterprise.objects.create(
                code=f"PW-HUB-{s}", name=f"{s}枢纽社企", subdistrict=f"{s}街道"
            )
            for s in ("东湖", "西岭")
        }
        providers = {
            code: Provider.objects.create(code=f"PW-{code}", name=name, category=cat)
            for code, name, cat in [
                ("YL", "夕照养老服务社", "elderly"),
                ("ST", "邻里食堂", "meals"),
                ("TY", "小橡树托育", "childcare"),
                ("JZ", "安心家政", "housekeeping"),
                ("KF", "康宁康复", "rehab"),
            ]
        }
        names = [
            ("王", "建华"),
            ("李", "秀英"),
            ("陈", "志强"),
            ("刘", "丽娟"),
            ("周", "海燕"),
            ("吴", "国平"),
            ("郑", "晓东"),
            ("孙", "玉兰"),
            ("赵", "春明"),
            ("黄", "淑芬"),
            ("何", "文军"),
            ("马", "桂芳"),
            ("林", "振宇"),
            ("高", "美玲"),
            ("罗", "德胜"),
            ("梁", "红梅"),
        ]
        auditor = User.objects.create_user("pw-auditor", password="x")
        for n, (code, sub) in enumerate(
            [("PW-DH1", "东湖"), ("PW-DH2", "东湖"), ("PW-XL1", "西岭"), ("PW-XL2", "西岭")]
        ):
            c = fs.community_create(
                code=code,
                name=f"{code}社区",
                subdistrict=f"{sub}街道",
                hub=hubs[sub],
                review_threshold=Decimal("1000000"),
            )
            staff = {}
            for role, k in (("officer", 0), ("officer", 1), ("reviewer", 2), ("reviewer", 3)):
                last, first = names[n * 4 + k]
                u = User.objects.create_user(
                    f"{code.lower()}-{role}{k}", password="x", first_name=first, last_name=last
                )
                fs.membership_grant(user=u, community=c, role=role)
                staff[f"{role}{k}"] = u
            fs.membership_grant(user=auditor, community=c, role="auditor")
            packages = [
                fs.package_create(
                    community=c,
                    code="HOME",
                    name="居家照护（月）",
                    provider=providers["YL"],
                    prices={
                        "public_benefit": Decimal("500"),
                        "paid": Decimal("800"),
                        "low_cost": Decimal("320"),
                    },
                    low_cost_eligibility="80岁以上",
                ),
                fs.package_create(
                    community=c,
                    code="MEAL",
                    name="助餐（每餐）",
                    provider=providers["ST"],
                    prices={
                        "paid": Decimal("18"),
                        "low_cost": Decimal("8"),
                        "public_benefit": None,
                    },
                ),
                fs.package_create(
                    community=c,
                    code="CARE",
                    name="托育（月）",
                    provider=providers["TY"],
                    prices={
                        "paid": Decimal("1500"),
                        "low_cost": Decimal("900"),
                        "public_benefit": None,
                    },
                ),
                fs.package_create(
                    community=c,
                    code="CLEAN",
                    name="保洁（次）",
                    provider=providers["JZ"],
                    prices={
                        "paid": Decimal("120"),
                        "low_cost": Decimal("60"),
                        "public_benefit": None,
                    },
                ),
                fs.package_create(
                    community=c,
                    code="REHAB",
                    name="康复（疗程）",
                    provider=providers["KF"],
                    prices={
                        "paid": Decimal("1200"),
                        "low_cost": Decimal("480"),
                        "public_benefit": Decimal("900"),
                    },
                ),
            ]
            self.world.communities.append({"c": c, "staff": staff, "packages": packages})
        self.world.users["auditor"] = auditor
        self.declarations()
        for entry in self.world.communities:
            self.incomes(entry)
        for entry in self.world.communities:
            self.disbursements(entry)
            self.settlements(entry)
        self.plant()
        return self.world

    def declarations(self):
        from reports.models import DeclaredInterest, InterestDeclaration

        for entry in self.world.communities:
            for key, u in entry["staff"].items():
                d = InterestDeclaration.objects.create(
                    community=entry["c"], user=u, declared_on=START
                )
                DeclaredInterest.objects.create(
                    declaration=d,
                    relation="spouse",
                    name=f"{u.last_name}{self.rng.choice('秀英淑珍')}",
                    bank_account=f"6222 0300 {self.rng.randint(10**7, 10**8 - 1)}",
                )
                if key == "officer0":
                    DeclaredInterest.objects.create(
                        declaration=d, relation="business", name=f"{u.last_name}氏装修工作室"
                    )
            entry["declared"] = {
                u.username: list(DeclaredInterest.objects.filter(declaration__user=u))
                for u in entry["staff"].values()
            }

    # --- honest income --------------------------------------------------------------
    def _draft(self, c, package, tier, when, *, quantity=1, payer=None, amount=None, method=None):

        self.serial += 1
        price = package.price(tier).amount
        if payer is None:
            payer = (
                "街道办事处（购买服务）"
                if tier == "public_benefit"
                else self.rng.choice("张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗")
                + "".join(self.rng.choices("伟芳秀兰建国丽强桂英明静志刚玉华平红军霞敏杰涛超", k=2))
            )
        return drafts.IncomeDraft(
            community=c,
            package=package,
            tier=tier,
            amount=Money(amount if amount is not None else price * quantity, "CNY"),
            paid_at=when,
            method=method or self.rng.choice(["wechat", "alipay", "cash"]),
            payer=payer,
            quantity=quantity,
            external_ref=f"PW-{self.serial:06d}",
        )

    def incomes(self, entry):
        from fundmgr.lib import workcalendar

        cal = workcalendar.build()
        rng, c = self.rng, entry["c"]
        built = {"officer0": [], "officer1": []}
        # The government's purchase orders for the 公益 tier: what funds the payouts.
        with self._at(_aware(START, 9)):
            for n in range(4):
                incomes.income_record(
                    self._draft(
                        c,
                        entry["packages"][0],
                        "public_benefit",
                        _aware(START, 8, n),
                        quantity=1900 - 100 * n,
                        payer="街道办事处（购买服务）",
                        method="bank",
                    ),
                    recorded_by=entry["staff"]["officer0"],
                )
        for day in _days(START, END):
            if not cal.is_workday(day):
                continue
            for key in built:
                officer = entry["staff"][key]
                for _ in range(rng.randint(3, 5)):
                    package = rng.choice(entry["packages"])
                    tiers = package.tiers
                    tier = (
                        "low_cost"
                        if "low_cost" in tiers and rng.random() < 0.3
                        else "public_benefit"
                        if "public_benefit" in tiers and rng.random() < 0.15
                        else "paid"
                    )
                    qty = rng.choice([1, 1, 1, 2, 5]) if package.code == "MEAL" else 1
                    when = _aware(day, rng.randint(8, 17), rng.randint(0, 59))
                    draft = self._draft(c, package, tier, when, quantity=qty)
                    errors = drafts.draft_validate(draft, now=_aware(END, 23))
                    assert not errors, errors
                    lag = (
                        dt.timedelta(minutes=rng.randint(5, 120))
                        if rng.random() > 0.04
                        else dt.timedelta(days=rng.randint(1, 4))
                    )
                    recorded = when + lag
                    while not cal.is_workday(recorded.date()) or recorded.hour >= 19:
                        recorded = _aware(recorded.date() + dt.timedelta(days=1), 9, 15)
                    built[key].append(drafts.income_build(draft, recorded_by=officer, now=recorded))
        for key, items in built.items():
            posting.incomes_save(items, entry["staff"][key].get_username())
        entry["incomes"] = {k: [i.pk for i in v] for k, v in built.items()}
        self.honest_corrections(entry)
        # The administrator raised the cleaning price at the end of November: every
        # earlier sale now reads "below the listed price", for every officer alike.
        from fundmgr.models import ServicePackage

        ServicePackage.objects.filter(pk=entry["packages"][3].pk).update(price_paid=Decimal("150"))
        entry["packages"][3].refresh_from_db()

    def _at(self, moment: dt.datetime):
        return time_machine.travel(moment, tick=False)

    def honest_corrections(self, entry):
        """Reversals an honest office makes: a wrong payment method (re-recorded at the
        same amount), a wrong quantity (re-recorded at the listed price), a refund, and
        a double entry caught and reversed the same day."""
        from fundmgr.models import Income

        rng, c = self.rng, entry["c"]
        for key in ("officer0", "officer1"):
            officer = entry["staff"][key]
            ids = entry["incomes"][key]
            for pk in rng.sample(ids, 4):
                income = Income.objects.get(pk=pk)
                if income.status != "posted" or income.tier == "public_benefit":
                    continue
                at = timezone.localtime(income.recorded_at) + dt.timedelta(hours=2)
                with self._at(at):
                    incomes.income_reverse(income=income, actor=officer, reason="支付方式选错")
                    redo = self._draft(
                        c,
                        income.package,
                        income.tier,
                        income.paid_at,
                        quantity=income.quantity,
                        payer=income.payer,
                        amount=income.amount.amount,
                    )
                    incomes.income_record(redo, recorded_by=officer)
            meal = entry["packages"][1]
            day = dt.date(2026, 7, 8) + dt.timedelta(days=int(key[-1]))
            with self._at(_aware(day, 10, 5)):
                wrong, _ = incomes.income_record(
                    self._draft(c, meal, "paid", _aware(day, 10), quantity=2, payer="钱大妈"),
                    recorded_by=officer,
                )
            with self._at(_aware(day, 11)):
                incomes.income_reverse(income=wrong, actor=officer, reason="份数录错")
                incomes.income_record(
                    self._draft(c, meal, "paid", _aware(day, 10), quantity=1, payer="钱大妈"),
                    recorded_by=officer,
                )
            with self._at(_aware(day, 14)):
                twice = [
                    incomes.income_record(
                        self._draft(
                            c, entry["packages"][3], "paid", _aware(day, 13, 50), payer="孙阿姨"
                        ),
                        recorded_by=officer,
                    )[0]
                    for _ in range(2)
                ]
            with self._at(_aware(day, 15)):
                incomes.income_reverse(income=twice[1], actor=officer, reason="重复登记")
            # An honest officer working the official 调休 Saturday before National Day.
            with self._at(_aware(dt.date(2026, 9, 20), 10)):
                for _ in range(3):
                    incomes.income_record(
                        self._draft(
                            c, entry["packages"][0], "paid", _aware(dt.date(2026, 9, 20), 9)
                        ),
                        recorded_by=officer,
                    )

    # --- honest payouts -------------------------------------------------------------
    def pay(
        self,
        entry,
        payee,
        amount,
        day,
        *,
        invoice=None,
        files=None,
        person=False,
        account="",
        hour=10,
        approve_after=dt.timedelta(hours=3),
        officer="officer0",
        category="activity",
        minutes_file=None,
        invoice_date=None,
    ):
        from fundmgr.services import payouts

        c, staff = entry["c"], entry["staff"]
        amount = Decimal(amount)
        number = invoice if invoice is not None else f"{self.rng.randint(10**7, 10**8 - 1)}"
        if files is None:
            if self.rng.random() < 0.3:
                files = [
                    (
                        "invoice",
                        SimpleUploadedFile(
                            f"fp{self.serial}.jpg", invoice_jpeg(number, amount, day, self.rng)
                        ),
                    )
                ]
            else:
                files = [
                    (
                        "invoice",
                        SimpleUploadedFile(
                            f"fp{self.serial}.pdf", invoice_pdf(number, payee, amount, day)
                        ),
                    )
                ]
        if minutes_file is not None:
            files = [*files, ("minutes", SimpleUploadedFile("jiyao.pdf", minutes_file))]
        self.serial += 1
        requested = _aware(day, hour, self.rng.randint(0, 50))
        decision = None
        if payouts.major(c, Money(amount, "CNY")):
            # 三重一大: the joint meeting's passed item, recorded the day before.
            from fundmgr.decisions.demo import passed_items

            with self._at(requested - dt.timedelta(days=1)):
                (decision,) = passed_items(
                    c,
                    staff[officer],
                    staff["reviewer2"],
                    held_on=day - dt.timedelta(days=1),
                    reference=f"M-{c.code}-{self.serial}",
                    titles=[(f"{payee}服务费", Money(amount, "CNY"))],
                )
        with self._at(requested):
            d = payouts.disbursement_request(
                community=c,
                payee=payee,
                purpose=f"{payee}服务费",
                category=category,
                amount=Money(amount, "CNY"),
                user=staff[officer],
                payee_is_person=person,
                payee_account=account,
                invoice_number=number,
                invoice_date=invoice_date or day,
                attachments=files,
                decision=decision,
            )
        with self._at(requested + approve_after):
            if d.tier == "committee":
                payouts.disbursement_committee(
                    disbursement=d, reviewer=staff["reviewer2"], decision=decision
                )
            else:
                payouts.disbursement_approve(disbursement=d, reviewer=staff["reviewer2"])
                if d.tier == "two":
                    d.refresh_from_db()
                    payouts.disbursement_approve(disbursement=d, reviewer=staff["reviewer3"])
        d.refresh_from_db()
        return d

    def disbursements(self, entry):
        from fundmgr.lib import workcalendar

        cal = workcalendar.build()
        rng = self.rng
        payees = [
            "绿源环保社",
            "晨光文具店",
            "安居物业",
            "百姓大药房",
            "乐活体育用品",
            "彩虹印务",
            "邻家超市",
            "明亮电器维修",
            "青松园艺",
            "四季鲜果",
            "长城五金",
            "小雨点绘本馆",
            "康乐医疗器械",
            "红星书店",
            "顺达物流",
        ]
        workdays = [d for d in _days(START, END) if cal.is_workday(d)]
        # Everyday purchases, log-uniform over two whole decades (so Benford's law holds);
        # the last community buys often enough for the first-digit test to apply.
        many = entry is self.world.communities[-1]
        for day in sorted(rng.choices(workdays, k=110) if many else rng.sample(workdays, 40)):
            amount = Decimal(str(round(10 ** rng.uniform(1.5, 3.5), 2)))
            self.pay(entry, rng.choice(payees), amount, day)
        # Fixed rent, paid monthly: round and repeated, and honest.
        for month in range(6, 12):
            self.pay(
                entry,
                "街道活动中心",
                "3000.00",
                dt.date(2026, month, 5)
                + dt.timedelta(days=(dt.date(2026, month, 5).weekday() >= 5) * 2),
            )
        # Study grants: round, one to each pupil.
        for n in range(4):
            self.pay(
                entry,
                f"学生{entry['c'].code[-1]}{n}号",
                "1000.00",
                workdays[20 + n],
                person=True,
                category="education",
            )
        # A big purchase decided by the committee, and its minutes on a second payment.
        minutes = invoice_pdf(
            f"MIN-{entry['c'].code}", "committee", Decimal("0"), dt.date(2026, 8, 3)
        )
        self.pay(entry, "安居物业", "26500.00", dt.date(2026, 8, 4), minutes_file=minutes)
        self.pay(entry, "青松园艺", "1700.00", dt.date(2026, 8, 6), minutes_file=minutes)
        # Two different sellers whose invoice numbers happen to agree.
        self.pay(entry, "彩虹印务", "356.00", dt.date(2026, 9, 8), invoice="00012345")
        self.pay(entry, "晨光文具店", "88.50", dt.date(2026, 9, 9), invoice="12345")
        # A payee sharing only a surname with an officer.
        officer = entry["staff"]["officer0"]
        self.pay(entry, f"{officer.last_name}小明", "240.00", dt.date(2026, 7, 15), person=True)
        # Regular monthly cleaning just under the one-reviewer limit: a month apart.
        for month in (7, 8, 9, 10):
            day = dt.date(2026, month, 12)
            while not cal.is_workday(day):
                day += dt.timedelta(days=1)
            self.pay(entry, "安心保洁队", "1850.00", day)

    def settlements(self, entry):
        from fundmgr.services import payouts
        from ledger.selectors import balance_fen, net_by_account

        c = entry["c"]
        for month in (7, 8, 9, 10, 11):
            paid_on = dt.date(2026, month, 10)
            with self._at(_aware(paid_on, 16)):
                # Half of what was owed on the day (the incomes were written in one batch,
                # so today's balance includes months still to come).
                owed_then = net_by_account(c.book, through=paid_on)
                for provider in sorted({p.provider for p in entry["packages"]}, key=str):
                    code = chart.provider_account_code(provider)
                    owed = min(-owed_then.get(code, 0), balance_fen(c.book, code))
                    if owed <= 0:
                        continue
                    amount = Money(Decimal(owed // 2).scaleb(-2), "CNY")
                    reference = f"{c.code}-{provider.code}-{month}"
                    decision = None
                    if payouts.major(c, amount):
                        # 三重一大: the joint meeting's passed item, on the day it is paid.
                        from fundmgr.decisions.demo import passed_items

                        (decision,) = passed_items(
                            c,
                            entry["staff"]["officer0"],
                            entry["staff"]["reviewer2"],
                            held_on=paid_on,
                            reference=f"JS-{reference}",
                            titles=[(f"结算{provider.name}", amount)],
                        )
                    payouts.settlement_record(
                        community=c,
                        provider=provider,
                        amount=amount,
                        method="bank",
                        bank_reference=reference,
                        paid_on=paid_on,
                        user=entry["staff"]["officer0"],
                        decision=decision,
                    )

    # --- planted schemes ------------------------------------------------------------
    def case(self, rule, scheme, entry, *objs):
        refs = set()
        for o in objs:
            if isinstance(o, str):
                refs.add(o)
            else:
                refs.add(f"{'income' if o._meta.model_name == 'income' else 'disbursement'}:{o.pk}")
        self.world.cases.append(Case(rule, scheme, entry["c"].code, refs))

    def plant(self):
        from fundmgr.lib import workcalendar
        from fundmgr.lib.names import _SIMPLIFY
        from fundmgr.models import Income

        rng = self.rng
        cal = workcalendar.build()
        c1, c2, c3, c4 = self.world.communities
        # 1. Skimming: paid sales recorded below the listed price (two officers, two months).
        for entry, key, day in (
            (c1, "officer1", dt.date(2026, 8, 12)),
            (c3, "officer0", dt.date(2026, 10, 20)),
        ):
            officer = entry["staff"][key]
            made = []
            for n in range(3):
                when = _aware(day, 10 + n)
                with self._at(when + dt.timedelta(minutes=20)):
                    made.append(
                        incomes.income_record(
                            self._draft(
                                entry["c"],
                                entry["packages"][2],
                                "paid",
                                when,
                                amount=Decimal("1200"),
                            ),
                            recorded_by=officer,
                        )[0]
                    )
            self.case("below_list_price", "sale recorded below listed price", entry, *made)
        # 2. Full-price sales recorded as 低偿: one officer, over three months.
        entry = c2
        officer = entry["staff"]["officer1"]
        made = []
        for n in range(90):
            day = dt.date(2026, 8, 3) + dt.timedelta(days=n)
            if not cal.is_workday(day) or day > END:
                continue
            when = _aware(day, 11)
            package = entry["packages"][rng.choice([0, 2, 3, 4])]
            with self._at(when + dt.timedelta(minutes=30)):
                made.append(
                    incomes.income_record(
                        self._draft(entry["c"], package, "low_cost", when), recorded_by=officer
                    )[0]
                )
        self.case("low_cost_share", "full price recorded as 低偿", entry, *made)
        # 3. Reversal, then the same payer and package re-recorded for less.
        for entry, day in ((c3, dt.date(2026, 7, 21)), (c4, dt.date(2026, 10, 27))):
            officer = entry["staff"]["officer1"]
            home = entry["packages"][0]
            when = _aware(day, 9, 30)
            with self._at(when + dt.timedelta(minutes=10)):
                first, _ = incomes.income_record(
                    self._draft(entry["c"], home, "paid", when, payer="冯德明"), recorded_by=officer
                )
            with self._at(when + dt.timedelta(days=1)):
                incomes.income_reverse(income=first, actor=officer, reason="金额录入错误")
                again, _ = incomes.income_record(
                    self._draft(entry["c"], home, "low_cost", when, payer="冯 德明"),
                    recorded_by=officer,
                )
            self.case("rerecorded_lower", "reversal then lower re-recording", entry, first, again)
        # 4. One purchase cut under the one-reviewer limit; 5. under the committee limit.
        parts = [
            self.pay(c1, "宏远办公家具", amount, dt.date(2026, 9, 14) + dt.timedelta(days=n))
            for n, amount in enumerate(["1960.00", "1880.00", "1990.00"])
        ]
        self.case("split_payment", "split under the one-reviewer limit", c1, *parts)
        parts = [
            self.pay(c2, "博远装饰工程", amount, dt.date(2026, 10, 19) + dt.timedelta(days=n))
            for n, amount in enumerate(["18600.00", "19400.00"])
        ]
        self.case("split_payment", "split under the committee limit", c2, *parts)
        # 6. Invented round grants to one person among honest payments.
        grants = [
            self.pay(c3, "李建国", amount, day, person=True, category="elderly")
            for amount, day in (
                ("3000.00", dt.date(2026, 7, 7)),
                ("2000.00", dt.date(2026, 8, 18)),
                ("5000.00", dt.date(2026, 9, 2)),
                ("3000.00", dt.date(2026, 9, 29)),
                ("4000.00", dt.date(2026, 11, 4)),
            )
        ]
        self.case("round_grants", "round grants to one payee", c3, *grants)
        # 7. One invoice claimed twice, the copy with a changed amount and date.
        a = self.pay(c4, "鑫达建材", "2680.00", dt.date(2026, 8, 20), invoice="44021958")
        b = self.pay(
            c4,
            "鑫达建材",
            "2860.00",
            dt.date(2026, 9, 24),
            invoice="4402-1958",
            invoice_date=dt.date(2026, 9, 20),
        )
        self.case("duplicate_invoice", "duplicate invoice, amount and date changed", c4, a, b)
        # 8. A re-saved copy of an evidence file: a PDF printed again, a photo re-saved.
        pdf1 = invoice_pdf("77120066", "宏图广告", Decimal("1450.00"), dt.date(2026, 7, 9))
        pdf2 = invoice_pdf(
            "77120066", "宏图广告", Decimal("1450.00"), dt.date(2026, 7, 9), title="scan-2"
        )
        assert pdf1 != pdf2
        a = self.pay(
            c1,
            "宏图广告",
            "1450.00",
            dt.date(2026, 7, 9),
            invoice="77120066",
            files=[("invoice", SimpleUploadedFile("a.pdf", pdf1))],
        )
        b = self.pay(
            c1,
            "宏图广告",
            "1450.00",
            dt.date(2026, 10, 13),
            invoice="",
            files=[("invoice", SimpleUploadedFile("b.pdf", pdf2))],
        )
        self.case("duplicate_attachment", "re-saved PDF invoice", c1, a, b)
        jpg = invoice_jpeg("55330019", Decimal("980.00"), dt.date(2026, 8, 25), rng)
        a = self.pay(
            c2,
            "美佳餐饮",
            "980.00",
            dt.date(2026, 8, 25),
            invoice="55330019",
            files=[("invoice", SimpleUploadedFile("a.jpg", jpg))],
        )
        b = self.pay(
            c2,
            "美佳餐饮",
            "980.00",
            dt.date(2026, 11, 10),
            invoice="55330091",
            files=[("invoice", SimpleUploadedFile("b.jpg", resave_jpeg(jpg)))],
        )
        self.case("duplicate_attachment", "re-saved photo of an invoice", c2, a, b)
        # 9. Payees who are staff or their declared relatives, written differently.
        reviewer = c2["staff"]["reviewer2"]
        spouse = c2["declared"][reviewer.username][0]
        to_traditional = {v: k for k, v in _SIMPLIFY.items() if k != v}
        traditional = "".join(to_traditional.get(ch, ch) for ch in spouse.name)
        d = self.pay(c2, " ".join(traditional), "1280.00", dt.date(2026, 9, 16), person=True)
        self.case("payee_conflict", "payee is a reviewer's declared spouse", c2, d)
        officer = c4["staff"]["officer0"]
        d = self.pay(
            c4,
            f"{officer.last_name}{officer.first_name}",
            "1500.00",
            dt.date(2026, 10, 14),
            person=True,
            category="elderly",
        )
        self.case("payee_conflict", "payee is the officer", c4, d)
        account = c1["declared"][c1["staff"]["officer1"].username][0].bank_account
        d = self.pay(
            c1,
            "周晓光",
            "1750.00",
            dt.date(2026, 11, 3),
            person=True,
            account=account.replace(" ", ""),
        )
        self.case("payee_conflict", "paid into a relative's declared account", c1, d)
        # 10. Back-dated income: cash held 12-20 days before it was recorded.
        entry = c3
        officer = entry["staff"]["officer1"]
        made = []
        for n in range(5):
            paid = _aware(dt.date(2026, 9, 1) + dt.timedelta(days=n), 10)
            recorded = paid + dt.timedelta(days=12 + 2 * n)
            while recorded.weekday() >= 5:
                recorded += dt.timedelta(days=1)
            with self._at(recorded):
                made.append(
                    incomes.income_record(
                        self._draft(entry["c"], entry["packages"][3], "paid", paid),
                        recorded_by=officer,
                    )[0]
                )
        self.case("backdated", "income recorded 12-20 days late", entry, *made)
        # 11. False voids: real payments reversed later without being recorded again.
        entry = c1
        officer = entry["staff"]["officer0"]
        voided = []
        for pk in rng.sample(entry["incomes"]["officer0"], 60):
            income = Income.objects.get(pk=pk)
            if income.status != "posted" or income.tier == "public_benefit" or len(voided) >= 40:
                continue
            at = timezone.localtime(income.recorded_at) + dt.timedelta(days=3)
            while not cal.is_workday(at.date()):
                at += dt.timedelta(days=1)
            with self._at(at.replace(hour=10)):
                incomes.income_reverse(income=income, actor=officer, reason="居民退费")
            voided.append(income)
        self.case("reversal_rate", "false voids", entry, *voided)
        # 12. Reversals at night on the National Day holiday.
        entry = c4
        officer = entry["staff"]["officer1"]
        night = []
        for n, pk in enumerate(entry["incomes"]["officer1"][:40:10]):
            income = Income.objects.get(pk=pk)
            if income.status != "posted":
                continue
            with self._at(_aware(dt.date(2026, 10, 3), 23, 10 + n)):
                incomes.income_reverse(income=income, actor=officer, reason="冲正")
            night.append(f"reversal:{income.pk}")
        self.case("off_hours", "reversals at night on a public holiday", entry, *night)
        # 17. Invented everyday purchases: amounts made up, mostly 6xx-9xx.
        payees = ["晨光文具店", "邻家超市", "彩虹印务", "百姓大药房", "四季鲜果", "长城五金"]
        invented = [
            self.pay(c4, rng.choice(payees), f"{rng.uniform(600, 999):.2f}", day)
            for day in sorted(
                rng.choices([d for d in _days(dt.date(2026, 8, 1), END) if cal.is_workday(d)], k=45)
            )
        ]
        self.case("benford", "invented amounts among everyday purchases", c4, *invented)
        # 14. Paid without any evidence (白条).
        bare = self.pay(c1, "临时工劳务费", "640.00", dt.date(2026, 10, 22), files=[], invoice="")
        self.case("no_evidence", "payment without a document", c1, bare)
        # 15. Two payees, one bank account: a second name for the same pocket.
        one = self.pay(
            c4, "恒通劳务", "1620.00", dt.date(2026, 7, 28), account="6217 0000 4455 0188"
        )
        two = self.pay(
            c4, "张海", "1340.00", dt.date(2026, 9, 9), person=True, account="621700004455 0188"
        )
        self.case("shared_account", "two payees paid into one account", c4, one, two)
        # 16. A reviewer who approves within a minute, again and again.
        stamped = [
            self.pay(
                c3,
                payee,
                amount,
                dt.date(2026, 11, 16) + dt.timedelta(days=n),
                approve_after=dt.timedelta(seconds=40),
            )
            for n, (payee, amount) in enumerate(
                [("晨光文具店", "312.40"), ("邻家超市", "286.90"), ("彩虹印务", "455.00")]
            )
        ]
        self.case("quick_approval", "rubber-stamp approvals", c3, *stamped)
        # 13. The same payment recorded twice within minutes, and neither reversed.
        entry = c2
        officer = entry["staff"]["officer0"]
        when = _aware(dt.date(2026, 10, 15), 15)
        with self._at(when + dt.timedelta(minutes=5)):
            twice = [
                incomes.income_record(
                    self._draft(
                        entry["c"],
                        entry["packages"][4],
                        "paid",
                        when + dt.timedelta(minutes=n),
                        payer="高阿婆",
                    ),
                    recorded_by=officer,
                )[0]
                for n in (0, 3)
            ]
        self.case("duplicate_payment", "one payment recorded twice", entry, *twice)


def build(seed: int = SEED) -> World:
    with time_machine.travel(
        timezone.make_aware(dt.datetime.combine(START, dt.time(8))), tick=False
    ):
        return Builder(seed).build()


@dataclass
class Score:
    per_rule: dict
    recall: float
    false_share: float
    alerts: int
    cases: int
    caught: int
    false_alerts: list


def measure(world: World, *, screen: bool = True) -> Score:
    from reports.models import RedFlag
    from reports.redflags.screening import community_screen

    with time_machine.travel(timezone.make_aware(SCREEN_AT), tick=False):
        if screen:
            for entry in world.communities:
                community_screen(entry["c"])
    planted = defaultdict(set)
    for case in world.cases:
        planted[case.community] |= case.refs
    per_rule = defaultdict(lambda: {"cases": 0, "caught": 0, "alerts": 0, "false": 0})
    incidents = list(
        RedFlag.objects.filter(community__code__in=list(planted) or ["-"])
        .select_related("community")
        .prefetch_related("evidence_items")
    )
    refs = {f.pk: {e.ref for e in f.evidence_items.all()} for f in incidents}
    false_alerts = []
    for f in incidents:
        per_rule[f.rule]["alerts"] += 1
        if not refs[f.pk] & planted[f.community.code]:
            per_rule[f.rule]["false"] += 1
            false_alerts.append(f"{f.community.code} {f.rule} {f.key}")
    caught = 0
    for case in world.cases:
        per_rule[case.rule]["cases"] += 1
        hit = any(
            f.rule == case.rule and f.community.code == case.community and refs[f.pk] & case.refs
            for f in incidents
        )
        per_rule[case.rule]["caught"] += hit
        caught += hit
    alerts = len(incidents)
    false = sum(r["false"] for r in per_rule.values())
    return Score(
        dict(per_rule),
        caught / len(world.cases) if world.cases else 0.0,
        false / alerts if alerts else 0.0,
        alerts,
        len(world.cases),
        caught,
        false_alerts,
    )


def table(score: Score) -> str:
    lines = [
        f"{'rule':<22}{'cases':>6}{'caught':>8}{'recall':>8}{'alerts':>8}{'false':>7}{'false %':>9}"
    ]
    for rule, r in sorted(score.per_rule.items()):
        recall = f"{r['caught'] / r['cases']:.0%}" if r["cases"] else "-"
        share = f"{r['false'] / r['alerts']:.0%}" if r["alerts"] else "-"
        lines.append(
            f"{rule:<22}{r['cases']:>6}{r['caught']:>8}{recall:>8}{r['alerts']:>8}"
            f"{r['false']:>7}{share:>9}"
        )
    lines.append(
        f"{'overall':<22}{score.cases:>6}{score.caught:>8}{score.recall:>8.0%}"
        f"{score.alerts:>8}{len(score.false_alerts):>7}{score.false_share:>9.0%}"
    )
    return "\n".join(lines)
