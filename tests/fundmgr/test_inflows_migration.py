"""Contract lines recorded before residents-eligible was asked keep their rows, with
the count unknown (empty), when the inflows migration adds it."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from djmoney.money import Money

from fundmgr.inflows import services as inflows
from tests import factories as f

BEFORE = [("inflows", "0001_initial")]
AFTER = [("inflows", "0002_line_eligible")]


@pytest.mark.django_db(transaction=True)
def test_existing_contract_lines_get_an_empty_eligible_count(ledger_purge):
    with time_machine.travel("2026-04-10 10:00 +08:00", tick=False):
        c = f.community("MIGI")
        officer = f.user("migi-officer", (c, "officer"))
        reviewer = f.user("migi-reviewer", (c, "reviewer"))
        pkg = f.package(c, "WH01")
        item = f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 2, 20), title="合同")
        contract = inflows.contract_create(
            community=c,
            buyer="街道办事处",
            number="GM-M",
            starts_on=dt.date(2026, 3, 1),
            ends_on=dt.date(2026, 12, 31),
            decision=item,
            lines=[
                {
                    "package": pkg,
                    "units": 5,
                    "unit_price": Money("10.00", "CNY"),
                    "cap": Money("50.00", "CNY"),
                    "eligible": 4,
                }
            ],
            user=officer,
        )
        # No delivery: posted entries could not be emptied after this committing test.
        assert contract.lines.count() == 1
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    assert (
        old.get_model("inflows", "ContractLine").objects.filter(contract__number="GM-M").count()
        == 1
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    line = new.get_model("inflows", "ContractLine").objects.get(contract__number="GM-M")
    assert (line.units, line.eligible) == (5, None)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
