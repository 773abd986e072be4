"""manage.py fund {open,spend,approve} ...: the community fund's named funds (冠名基金) and
restricted purposes (定向) from the command line, through the same services as the pages.
Every action names the user it acts as (--user), who needs the same role as on the pages:
an officer opens a fund and asks to pay from it, a reviewer who did not ask approves. A
refusal prints the reasons naming the field, writes nothing and exits non-zero.

    fund open COMMUNITY --user U --json fund.json
        {"code": "HX-ZL", "kind": "named", "name": "和信科技助老基金",
         "purpose_code": "elderly-meals", "purpose": "70岁以上老人助餐补贴",
         "donor_name": "和信科技有限公司", "donor_kind": "company", "donor_named": true,
         "rules": "只用于助餐补贴", "decision": "桥居代〔2026〕3号#2"}
    fund spend COMMUNITY FUND --user U --purpose-code elderly-meals --purpose "3月助餐"
        --payee 长者食堂 --amount 400.00 --method bank
    fund approve COMMUNITY SPENDING_ID --user U
"""

from __future__ import annotations

from django.core.management.base import CommandError

from fundmgr.inflows import cli, services
from fundmgr.inflows.models import RestrictedFund, RestrictedSpending
from fundmgr.management.actions import ActionCommand


class Command(ActionCommand):
    help = "Named and restricted funds: open one, ask to pay from one, approve a payment."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        o = sub.add_parser("open", help="open a named fund or a restricted purpose from JSON")
        o.add_argument("community")
        o.add_argument("--user", required=True)
        o.add_argument("--json", required=True, help="a file, or - for standard input")

        s = sub.add_parser("spend", help="ask to pay from a fund, for its own purpose only")
        s.add_argument("community")
        s.add_argument("fund", help="the fund's code")
        s.add_argument("--user", required=True)
        s.add_argument("--purpose-code", required=True)
        s.add_argument("--purpose", required=True)
        s.add_argument("--payee", required=True)
        s.add_argument("--amount", required=True)
        s.add_argument("--method", required=True)

        a = sub.add_parser("approve", help="approve and post a payment asked for")
        a.add_argument("community")
        a.add_argument("spending", type=int, help="the payment's number")
        a.add_argument("--user", required=True)

    def _open(self, community, o):
        data = cli.read_json(o["json"])
        named = data.get("donor_named", False)
        if not isinstance(named, bool):
            raise CommandError(f"donor_named: true or false, not {named!r}")
        optional = {}
        for key in ("donor_name", "donor_kind", "rules"):
            if data.get(key) not in (None, ""):
                optional[key] = cli.text(data, key, key)
        if data.get("decision"):
            optional["decision"] = cli.decision(community, data["decision"], "decision")
        fund = services.fund_open(
            community=community,
            user=cli.user(o["user"]),
            code=cli.text(data, "code", "code"),
            kind=cli.text(data, "kind", "kind"),
            name=cli.text(data, "name", "name"),
            purpose_code=cli.text(data, "purpose_code", "purpose_code"),
            purpose=cli.text(data, "purpose", "purpose"),
            donor_named=named,
            **optional,
        )
        self.stdout.write(f"opened {fund.code} ({fund.account.code}): {fund.name}")

    def _spend(self, community, o):
        fund = RestrictedFund.objects.filter(community=community, code=o["fund"]).first()
        if fund is None:
            raise CommandError(f"fund: no fund {o['fund']!r} in {community.code}")
        spending = services.spending_request(
            fund=fund,
            purpose_code=o["purpose_code"],
            purpose=o["purpose"],
            payee=o["payee"],
            amount=cli.amount(o["amount"], "--amount", community.currency),
            method=o["method"],
            user=cli.user(o["user"]),
        )
        self.stdout.write(
            f"payment {spending.pk} asked from {fund.code}: {spending.amount.amount:.2f} "
            f"to {spending.payee}; a reviewer approves it (fund approve)"
        )

    def _approve(self, community, o):
        spending = RestrictedSpending.objects.filter(community=community, pk=o["spending"]).first()
        if spending is None:
            raise CommandError(f"spending: no payment {o['spending']} in {community.code}")
        done = services.spending_approve(spending=spending, reviewer=cli.user(o["user"]))
        self.stdout.write(f"payment {done.pk} posted on {done.paid_on:%Y-%m-%d}")
