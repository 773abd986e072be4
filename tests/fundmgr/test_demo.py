import io

import pytest
import time_machine
from django.core.management import call_command

from fundmgr.models import Community, Income, IncomeStatus, Membership, Provider
from ledger.models import Entry
from ledger.verify import verify

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-11-24 10:00 +08:00")
def test_the_demo_is_realistic_verifies_and_loads_once():
    out = io.StringIO()
    call_command("demo", "--scale", "0.3", stdout=out)
    assert "officer   demo-officer-2026" in out.getvalue()
    communities = Community.objects.all()
    assert len(communities) == 3 and len({c.subdistrict for c in communities}) == 3
    assert len({c.hub_id for c in communities}) == 3
    assert Provider.objects.count() >= 8
    tiers = set(Income.objects.values_list("tier", flat=True))
    assert tiers == {"public_benefit", "paid", "low_cost"}
    statuses = set(Income.objects.values_list("status", flat=True))
    assert {IncomeStatus.POSTED, IncomeStatus.REVERSED} <= statuses
    assert Income.objects.count() > 1000
    assert {"officer", "reviewer", "auditor", "supervisor"} == set(
        Membership.objects.values_list("role", flat=True)
    )
    assert all(report.ok for report in verify())

    before = (Income.objects.count(), Entry.objects.count())
    again = io.StringIO()
    call_command("demo", stdout=again)
    assert "nothing changed" in again.getvalue()
    assert (Income.objects.count(), Entry.objects.count()) == before
