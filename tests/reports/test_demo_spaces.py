"""The demo's spaces: two agreements with their decision, one delivering in full and one
falling behind - the shortfall flag raises on that one only, and the books make sense."""

import io

import pytest
import time_machine
from django.core.management import call_command

from fundmgr.decisions.models import Outcome
from fundmgr.spaces.models import Agreement, Delivery, RentPayment
from reports.models import RedFlag

# Each test loads the whole demo: its code is measured once, by tests/fundmgr/test_demo.py;
# traced again here it only made the coverage pass (dev.py cover) three times slower.
pytestmark = [pytest.mark.django_db, pytest.mark.no_cover]


@time_machine.travel("2026-03-01 09:00 +08:00")
def test_the_demo_shows_a_full_and_a_lagging_agreement():
    call_command("demo", "--scale", "0.3", "--today", "2026-03-01", stdout=io.StringIO())
    agreements = {a.number: a for a in Agreement.objects.select_related("decision")}
    assert set(agreements) == {"QY-ZL-01", "QY-ZL-02"}
    assert all(a.decision.outcome == Outcome.PASSED for a in agreements.values())
    assert all(a.decision.prior_review.outcome == "agreed" for a in agreements.values())
    assert RentPayment.objects.count() == 2
    assert not Delivery.objects.filter(confirmed_by__isnull=True).exists()
    flagged = set(RedFlag.objects.filter(rule="space_shortfall").values_list("subject", flat=True))
    assert flagged == {"QY-ZL-02"}
    assert (
        not RedFlag.objects.filter(rule__startswith="space_")
        .exclude(rule="space_shortfall")
        .exists()
    )
    out = io.StringIO()
    call_command("check_books", stdout=out)
    assert "the books make sense" in out.getvalue()
    meter = io.StringIO()
    call_command("spaces", "meter", "WLQ-QY", "--month", "2026-02", stdout=meter)
    text = meter.getvalue()
    assert "QY-ZL-01" in text and "2026-02: sessions 8/8" in text
    assert "2026-02: sessions 1/4" in text
