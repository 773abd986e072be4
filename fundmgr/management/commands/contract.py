"""manage.py contract {create,extend,deliver,show} ...: government purchase-of-service
contracts (政府购买服务) from the command line, through the same services as the pages.
Every action names the user it acts as (--user), an officer of the community. A refusal
prints the reasons naming the field, writes nothing and exits non-zero.

    contract create COMMUNITY --user U --json contract.json
        {"buyer": "街道办事处", "number": "GM-1", "starts_on": "2026-03-01",
         "ends_on": "2026-12-31", "decision": "居议〔3〕号#1",
         "lines": [{"package": "WH01", "units": 10, "unit_price": "80.00", "cap": "800.00",
                    "eligible": 40}]}
    contract extend COMMUNITY NUMBER --package WH01 --units 5 --cap 400.00 \\
        --decision 'MEETING-REF#ITEM' --user U
    contract deliver COMMUNITY NUMBER --package WH01 --date 2026-06-10 \\
        --beneficiaries ids.txt --user U
        (one identifier a line; - reads standard input. Never on the command line, where
        the shell's history and the process list would keep them; they are hashed at once
        and never printed.)
    contract show COMMUNITY NUMBER [--json]
"""

from __future__ import annotations

import json

from django.core.management.base import CommandError

from fundmgr.inflows import cli, services
from fundmgr.inflows.models import ContractLine, PurchaseContract
from fundmgr.inflows.selectors import contract_doc
from fundmgr.lib import dates
from fundmgr.management.actions import ActionCommand


class Command(ActionCommand):
    help = "Purchase contracts: create one with its lines, extend a line, bill a delivery."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("create", help="record a contract and its lines from JSON")
        c.add_argument("community")
        c.add_argument("--user", required=True)
        c.add_argument("--json", required=True, help="a file, or - for standard input")

        e = sub.add_parser("extend", help="more units and cap on a line, with its decision")
        e.add_argument("community")
        e.add_argument("number", help="the contract's number")
        for name in ("--package", "--units", "--cap", "--decision", "--user"):
            e.add_argument(name, required=True)

        d = sub.add_parser("deliver", help="bill units delivered, one per beneficiary")
        d.add_argument("community")
        d.add_argument("number")
        for name in ("--package", "--date", "--user"):
            d.add_argument(name, required=True)
        d.add_argument(
            "--beneficiaries", required=True, help="a file of identifiers, one a line; - stdin"
        )

        s = sub.add_parser("show", help="print the contract and each line's burn-down")
        s.add_argument("community")
        s.add_argument("number")
        s.add_argument("--json", action="store_true")

    def _contract(self, community, number: str) -> PurchaseContract:
        found = PurchaseContract.objects.filter(community=community, number=number).first()
        if found is None:
            raise CommandError(f"number: no contract {number!r} in {community.code}")
        return found

    def _line(self, community, o) -> ContractLine:
        contract = self._contract(community, o["number"])
        package = cli.package(community, o["package"], "--package")
        found = contract.lines.filter(package=package).first()
        if found is None:
            raise CommandError(f"--package: contract {contract.number} has no line {package.code}")
        return found

    def _create(self, community, o):
        data = cli.read_json(o["json"])
        cny = community.currency
        lines = cli.required(data, "lines", "lines")
        if not isinstance(lines, list):
            raise CommandError("lines: expected a list of lines")
        rows = []
        for n, ln in enumerate(lines, start=1):
            where = f"lines[{n}]"
            if not isinstance(ln, dict):
                raise CommandError(f"{where}: expected an object")
            rows.append(
                {
                    "package": cli.package(
                        community,
                        cli.required(ln, "package", f"{where}.package"),
                        f"{where}.package",
                    ),
                    "units": cli.units(
                        cli.required(ln, "units", f"{where}.units"), f"{where}.units"
                    ),
                    "unit_price": cli.amount(
                        cli.required(ln, "unit_price", f"{where}.unit_price"),
                        f"{where}.unit_price",
                        cny,
                    ),
                    "cap": cli.amount(cli.required(ln, "cap", f"{where}.cap"), f"{where}.cap", cny),
                    # How many residents the buyer's list covers: optional.
                    "eligible": (
                        cli.units(ln["eligible"], f"{where}.eligible")
                        if ln.get("eligible") is not None
                        else None
                    ),
                }
            )
        contract = services.contract_create(
            community=community,
            buyer=cli.text(data, "buyer", "buyer"),
            number=cli.text(data, "number", "number"),
            starts_on=cli.date(cli.required(data, "starts_on", "starts_on"), "starts_on"),
            ends_on=cli.date(cli.required(data, "ends_on", "ends_on"), "ends_on"),
            decision=cli.decision(community, cli.text(data, "decision", "decision"), "decision"),
            lines=rows,
            user=cli.user(o["user"]),
        )
        self.stdout.write(f"recorded contract {contract.number} with {len(rows)} lines")

    def _extend(self, community, o):
        line = self._line(community, o)
        extension = services.line_extend(
            line=line,
            units=cli.units(o["units"], "--units", minimum=0),
            cap=cli.amount(o["cap"], "--cap", community.currency),
            decision=cli.decision(community, o["decision"], "--decision"),
            user=cli.user(o["user"]),
        )
        units, cap = services.line_limits(line)
        self.stdout.write(
            f"extended {line} by {extension.units} units and {extension.cap.amount:.2f}: "
            f"now {units} units, {cap.amount:.2f}"
        )

    def _deliver(self, community, o):
        line = self._line(community, o)
        ids = [s.strip() for s in cli.read_text(o["beneficiaries"], "--beneficiaries").splitlines()]
        delivery = services.delivery_bill(
            line=line,
            delivered_on=cli.date(o["date"], "--date"),
            beneficiaries=[i for i in ids if i],
            user=cli.user(o["user"]),
        )
        used, _amount = services.line_used(line)
        units, _cap = services.line_limits(line)
        self.stdout.write(
            f"billed {delivery.units} units ({delivery.amount.amount:.2f}) on {line} as entry "
            f"{delivery.entry.seq}; {units - used} units left"
        )

    def _show(self, community, o):
        doc = contract_doc(self._contract(community, o["number"]), dates.today())
        if o["json"]:
            self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{doc['number']} {doc['buyer']} {doc['starts_on']}..{doc['ends_on']} "
            f"receivable {doc['receivable']}"
        )
        for ln in doc["lines"]:
            self.stdout.write(
                f"  {ln['package']} units {ln['units_allowed']} delivered {ln['delivered']} "
                f"paid {ln['paid']} · cap {ln['cap_allowed']} billed {ln['billed_amount']} "
                f"paid {ln['paid_amount']}"
            )
