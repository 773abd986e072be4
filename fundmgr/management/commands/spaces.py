"""manage.py spaces {agreement,deliver,confirm,rent,link,meter} ...: space agreements (一元租金·
资源换服务) from the command line, through the same services as the pages. Every action
names the user it acts as (--user), who needs the same role as on the pages. A refusal
prints the reasons, writes nothing and exits non-zero."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import CommandError
from djmoney.money import Money

from fundmgr.decisions.models import DecisionItem
from fundmgr.lib import dates
from fundmgr.management.actions import ActionCommand
from fundmgr.models import Provider, ServicePackage
from fundmgr.spaces import services
from fundmgr.spaces.models import Agreement, Delivery, Space
from fundmgr.spaces.selectors import agreement_doc


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", "").lstrip("¥"))
    except InvalidOperation:
        raise CommandError(f"not an amount: {text!r}") from None


class Command(ActionCommand):
    help = "Space agreements: record one, enter and confirm deliveries, the rent; print meters."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        a = sub.add_parser("agreement", help="record an agreement with one obligation")
        a.add_argument("community")
        for name in ("--number", "--space", "--operator", "--from", "--to", "--user"):
            a.add_argument(name, required=True)
        a.add_argument("--rent", default="1")
        a.add_argument("--market-rent", required=True, help="per month")
        a.add_argument("--market-source", required=True)
        a.add_argument("--paid-foreseen", default="0", help="paid-tier income foreseen per month")
        a.add_argument("--decision", default="", help="MEETING-REFERENCE#ITEM")
        a.add_argument(
            "--obligation", action="append", default=[], help="PACKAGE:TIER:PER-MONTH (repeat)"
        )
        a.add_argument("--follows", default="")

        d = sub.add_parser("deliver", help="enter a delivered session")
        d.add_argument("community")
        d.add_argument("agreement")
        for name in ("--package", "--tier", "--date", "--user"):
            d.add_argument(name, required=True)
        d.add_argument("--participants", type=int, required=True)
        d.add_argument("--quantity", type=int, default=1)
        d.add_argument("--evidence", help="a PDF, JPG or PNG file")
        d.add_argument("--sha256", default="", help="or the evidence's SHA-256")

        c = sub.add_parser("confirm", help="confirm a delivery")
        c.add_argument("community")
        c.add_argument("agreement")
        c.add_argument("delivery", type=int)
        c.add_argument("--user", required=True)

        r = sub.add_parser("rent", help="record the symbolic rent received")
        r.add_argument("community")
        r.add_argument("agreement")
        for name in ("--amount", "--method", "--reference", "--date", "--user"):
            r.add_argument(name, required=True)

        li = sub.add_parser("link", help="link a package income earned in the space")
        li.add_argument("community")
        li.add_argument("agreement")
        li.add_argument("receipt")
        li.add_argument("--user", required=True)

        m = sub.add_parser("meter", help="print the meters (this month and to date)")
        m.add_argument("community")
        m.add_argument("--month", help="YYYY-MM (default: this month, up to today)")
        m.add_argument("--json", action="store_true")

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        return user

    def _agreement_of(self, community, number: str) -> Agreement:
        found = Agreement.objects.filter(community=community, number=number).first()
        if found is None:
            raise CommandError(f"no agreement {number!r} in {community.code}")
        return found

    def _agreement(self, community, o):
        decision = None
        if o["decision"]:
            ref, _sep, number = o["decision"].rpartition("#")
            decision = DecisionItem.objects.filter(
                meeting__community=community, meeting__reference=ref, number=int(number or 0)
            ).first()
            if decision is None:
                raise CommandError(f"no decision item {o['decision']!r} in {community.code}")
        obligations = []
        for text in o["obligation"]:
            try:
                code, tier, per_month = text.split(":")
                per_month = int(per_month)
            except ValueError:
                raise CommandError(
                    f"--obligation is PACKAGE:TIER:PER-MONTH, not {text!r}"
                ) from None
            obligations.append(
                {
                    "package": ServicePackage.objects.filter(
                        community=community, code=code
                    ).first(),
                    "tier": tier,
                    "per_month": per_month,
                }
            )
        cny = community.currency
        agreement = services.agreement_create(
            community=community,
            space=Space.objects.filter(community=community, code=o["space"]).first(),
            number=o["number"],
            operator=Provider.objects.filter(code=o["operator"]).first(),
            starts_on=_date(o["from"]),
            ends_on=_date(o["to"]),
            rent=Money(_amount(o["rent"]), cny),
            market_rent_month=Money(_amount(o["market_rent"]), cny),
            market_rent_source=o["market_source"],
            paid_income_foreseen_month=Money(_amount(o["paid_foreseen"]), cny),
            decision=decision,
            follows=self._agreement_of(community, o["follows"]) if o["follows"] else None,
            obligations=obligations,
            user=self._user(o["user"]),
        )
        self.stdout.write(f"recorded agreement {agreement.number}")

    def _deliver(self, community, o):
        agreement = self._agreement_of(community, o["agreement"])
        package = ServicePackage.objects.filter(community=community, code=o["package"]).first()
        evidence = None
        if o["evidence"]:
            try:
                evidence = File(open(o["evidence"], "rb"), name=o["evidence"].rsplit("/", 1)[-1])  # noqa: SIM115
            except OSError as exc:
                raise CommandError(f"cannot read {o['evidence']}: {exc}") from None
        try:
            delivery = services.delivery_record(
                agreement=agreement,
                package=package,
                tier=o["tier"],
                delivered_on=_date(o["date"]),
                participants=o["participants"],
                quantity=o["quantity"],
                evidence=evidence,
                evidence_sha256=o["sha256"],
                user=self._user(o["user"]),
            )
        finally:
            if evidence is not None:
                evidence.close()
        self.stdout.write(f"recorded delivery {delivery.pk} (counts once confirmed)")

    def _confirm(self, community, o):
        agreement = self._agreement_of(community, o["agreement"])
        delivery = Delivery.objects.filter(agreement=agreement, pk=o["delivery"]).first()
        if delivery is None:
            raise CommandError(f"no delivery {o['delivery']} under {agreement.number}")
        services.delivery_confirm(delivery=delivery, user=self._user(o["user"]))
        self.stdout.write(f"confirmed delivery {delivery.pk}")

    def _rent(self, community, o):
        agreement = self._agreement_of(community, o["agreement"])
        payment = services.rent_record(
            agreement=agreement,
            amount=Money(_amount(o["amount"]), community.currency),
            method=o["method"],
            reference=o["reference"],
            paid_on=_date(o["date"]),
            user=self._user(o["user"]),
        )
        self.stdout.write(
            f"posted rent {payment.amount.amount:.2f} as entry {payment.entry.seq} "
            "(community income, not split 70/25/5)"
        )

    def _link(self, community, o):
        from fundmgr.lib.receipts import normalise
        from fundmgr.models import Income

        agreement = self._agreement_of(community, o["agreement"])
        income = Income.objects.filter(
            community=community, receipt_code=normalise(o["receipt"]) or ""
        ).first()
        if income is None:
            raise CommandError(f"no income with receipt {o['receipt']!r} in {community.code}")
        services.income_link(agreement=agreement, income=income, user=self._user(o["user"]))
        self.stdout.write(f"linked {income.receipt_display} to {agreement.number}")

    def _meter(self, community, o):
        today = dates.today()
        if o["month"]:
            month = dates.parse_month(o["month"])
            if month is None:
                raise CommandError(f"not a month (YYYY-MM): {o['month']!r}")
            through = min(dates.month_end(month), today)
        else:
            month, through = dates.month_start(today), today
        docs = [
            agreement_doc(a, month, through)
            for a in Agreement.objects.filter(community=community).order_by("number")
        ]
        if o["json"]:
            self.stdout.write(json.dumps(docs, ensure_ascii=False, indent=2))
            return
        for a in docs:
            t, s = a["this_month"], a["to_date"]
            self.stdout.write(
                f"{a['number']} {a['space']['name']} ({a['operator']['name']}) "
                f"{a['term']['from']}..{a['term']['to']} "
                f"decision {a['decision']['meeting']}#{a['decision']['item']}\n"
                f"  {month:%Y-%m}: sessions {t['sessions_delivered']}/{t['sessions_owed']}, "
                f"value {t['value_delivered']}/{t['value_owed']}, "
                f"rent forgone {t['rent_forgone']}\n"
                f"  to date: sessions {s['sessions_delivered']}/{s['sessions_owed']}, "
                f"value {s['value_delivered']}/{s['value_owed']}, rent forgone {s['rent_forgone']}"
            )
