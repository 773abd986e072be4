"""manage.py market {create,count,post,show} ...: charity markets (公益集市) from the
command line, through the same services as the pages. Every action names the user it
acts as (--user), who needs the same role as on the pages: an officer creates and posts;
an officer or a reviewer enters a count sheet, and one person only one. A refusal prints
the reasons naming the field, writes nothing and exits non-zero.

    market create COMMUNITY --user U --json market.json
        {"code": "M1", "name": "六月公益集市", "held_on": "2026-06-14", "method": "cash",
         "stalls": [{"code": "S1", "name": "手工组", "holder": "group", "rule": "fund"},
                    {"code": "S2", "name": "体验", "holder": "provider", "rule": "package",
                     "package": "WH01"}]}
    market count COMMUNITY MARKET --user U --stall S1=300.00 --stall S2=200.00
        (or --json counts.json: {"S1": "300.00", "S2": "200.00"})
    market post COMMUNITY MARKET --user U
    market show COMMUNITY MARKET [--json]
"""

from __future__ import annotations

import json

from django.core.management.base import CommandError

from fundmgr.inflows import cli, services
from fundmgr.inflows.models import Market
from fundmgr.inflows.selectors import market_doc
from fundmgr.management.actions import ActionCommand


class Command(ActionCommand):
    help = "Charity markets: create one with its stalls, enter a count sheet, post, show."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("create", help="record a market and its stalls from JSON")
        c.add_argument("community")
        c.add_argument("--user", required=True)
        c.add_argument("--json", required=True, help="a file, or - for standard input")

        n = sub.add_parser("count", help="enter one person's count sheet")
        n.add_argument("community")
        n.add_argument("market", help="the market's code")
        n.add_argument("--user", required=True)
        n.add_argument("--stall", action="append", default=[], help="CODE=AMOUNT (repeat)")
        n.add_argument("--json", help='or a file {"CODE": "AMOUNT", ...}, - for standard input')

        p = sub.add_parser("post", help="post the takings once both sheets are in")
        p.add_argument("community")
        p.add_argument("market")
        p.add_argument("--user", required=True)

        s = sub.add_parser("show", help="print the market, its stalls and counts")
        s.add_argument("community")
        s.add_argument("market")
        s.add_argument("--json", action="store_true")

    def _market(self, community, code: str) -> Market:
        found = Market.objects.filter(community=community, code=code).first()
        if found is None:
            raise CommandError(f"market: no market {code!r} in {community.code}")
        return found

    def _create(self, community, o):
        data = cli.read_json(o["json"])
        stalls = cli.required(data, "stalls", "stalls")
        if not isinstance(stalls, list):
            raise CommandError("stalls: expected a list of stalls")
        rows = []
        for n, st in enumerate(stalls, start=1):
            where = f"stalls[{n}]"
            if not isinstance(st, dict):
                raise CommandError(f"{where}: expected an object")
            row = {
                "code": cli.text(st, "code", f"{where}.code"),
                "name": cli.text(st, "name", f"{where}.name"),
                "holder": cli.text(st, "holder", f"{where}.holder"),
                "rule": cli.text(st, "rule", f"{where}.rule"),
            }
            if st.get("package"):
                row["package"] = cli.package(community, st["package"], f"{where}.package")
            rows.append(row)
        market = services.market_create(
            community=community,
            code=cli.text(data, "code", "code"),
            name=cli.text(data, "name", "name"),
            held_on=cli.date(cli.required(data, "held_on", "held_on"), "held_on"),
            method=data.get("method") or "cash",
            stalls=rows,
            user=cli.user(o["user"]),
        )
        self.stdout.write(f"recorded market {market.code} with {len(rows)} stalls")

    def _count(self, community, o):
        market = self._market(community, o["market"])
        if o["json"] and o["stall"]:
            raise CommandError("--stall: give the counts either as --stall or as --json")
        if o["json"]:
            raw = cli.read_json(o["json"])
        else:
            raw = {}
            for item in o["stall"]:
                code, sep, value = item.partition("=")
                if not sep or not code:
                    raise CommandError(f"--stall: CODE=AMOUNT, not {item!r}")
                if code in raw:
                    raise CommandError(f"--stall: stall {code} given twice")
                raw[code] = value
        if not raw:
            raise CommandError("--stall: enter the amount counted for every stall")
        counts = {
            code: cli.amount(value, f"stall {code}", community.currency)
            for code, value in raw.items()
        }
        user = cli.user(o["user"])
        services.count_enter(market=market, counts=counts, user=user)
        self.stdout.write(f"entered the count sheet of {user.get_username()} for {market.code}")

    def _post(self, community, o):
        market = services.market_post(
            market=self._market(community, o["market"]), user=cli.user(o["user"])
        )
        for s in market.stalls.select_related("income", "entry"):
            where = (
                f"entry {s.entry.seq}"
                if s.entry_id
                else f"receipt {s.income.receipt_display}"
                if s.income_id
                else "nothing to post"
            )
            self.stdout.write(f"{s.code} {s.posted_amount.amount:.2f} ({s.rule}): {where}")
        self.stdout.write(f"posted market {market.code}")

    def _show(self, community, o):
        doc = market_doc(self._market(community, o["market"]))
        if doc["sheets"] < 2:
            # The second person counts blind, here as on the page.
            for s in doc["stalls"]:
                s["counts"] = []
        if o["json"]:
            self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{doc['code']} {doc['name']} {doc['held_on']} sheets {doc['sheets']}/2"
            f"{' posted' if doc['posted'] else ''}"
        )
        for s in doc["stalls"]:
            flag = " DIFFERENT" if s["difference"] else ""
            self.stdout.write(
                f"  {s['code']} {s['name']} {s['rule']} counts {'/'.join(s['counts']) or '-'}"
                f" posted {s['posted'] or '-'}{flag}"
            )
