"""Over the whole demo: no payer's full name, phone or query contact on any public page
or API response."""

import io

import pytest
import time_machine
from django.core.management import call_command

from fundmgr.models import Income
from reports.models import Period, Query
from tests.reports.privacy import assert_nothing_personal_public

# Each test loads the whole demo: its code is measured once, by tests/fundmgr/test_demo.py;
# traced again here it only made the coverage pass (dev.py cover) three times slower.
pytestmark = [pytest.mark.django_db, pytest.mark.no_cover]


@time_machine.travel("2026-11-24 10:00 +08:00")
def test_no_personal_data_anywhere_public_in_the_demo():
    call_command("demo", "--scale", "0.3", stdout=io.StringIO())
    period = Period.objects.filter(state="published").order_by("-month").first()
    Query.objects.create(period=period, question="请公开三月的支出明细", contact="13900001111")
    names = {p for p in Income.objects.values_list("payer", flat=True) if len(p) >= 2}
    assert len(names) > 50
    assert_nothing_personal_public(names)
