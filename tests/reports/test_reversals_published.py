"""A reversal booked in a later month: the earlier month's page, API and CSV say when and
where it landed, its own document is unchanged, and the later month lists it with the
original's receipt and month and takes it off its totals."""

import csv
import datetime as dt
import io
import json

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from fundmgr.services.income import income_record, income_reverse
from reports.services import period_close, period_publish
from tests import factories as f

pytestmark = pytest.mark.django_db
MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def at(day: dt.date, hour: int = 10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def months():
    with time_machine.travel(dt.datetime(2026, 4, 1, 2, tzinfo=dt.UTC), tick=True):
        c = f.community("SQR", threshold="100000")
        pkg = f.package(c, "YL01")
        officer = f.user("officer", (c, "officer"))
        kept, _ = income_record(
            f.draft(c, pkg, "100.00", ref="K", paid_at=at(MARCH.replace(day=5))),
            recorded_by=officer,
        )
        wrong, _ = income_record(
            f.draft(c, pkg, "300.00", ref="W", paid_at=at(MARCH.replace(day=6))),
            recorded_by=officer,
        )
        period_close(community=c, month=MARCH, actor="officer")
        march = period_publish(community=c, month=MARCH, actor="officer")
    with time_machine.travel(dt.datetime(2026, 4, 12, 2, tzinfo=dt.UTC), tick=True):
        income_reverse(income=wrong, actor=officer, reason="重复登记")
    with time_machine.travel(dt.datetime(2026, 5, 2, 2, tzinfo=dt.UTC), tick=True):
        period_close(community=c, month=APRIL, actor="officer")
        april = period_publish(community=c, month=APRIL, actor="officer")
    return c, kept, wrong, march, april


def test_the_later_month_lists_the_reversal_with_its_origin_and_counts_it(months):
    _c, _kept, wrong, _march, april = months
    doc = json.loads(april.document)
    [r] = doc["reversals"]
    assert (r["receipt"], r["date"], r["original_month"]) == (
        wrong.receipt_display,
        "2026-04-12",
        "2026-03",
    )
    assert doc["totals"]["reversed"] == "300.00" and doc["totals"]["net"] == "-300.00"
    page = Client().get("/c/SQR/2026-04/").content.decode()
    assert 'id="month-reversals"' in page and 'href="/c/SQR/2026-03/"' in page
    assert "¥300.00" in page


def test_the_earlier_month_says_when_and_where_its_income_was_reversed(months):
    _c, kept, wrong, march, _april = months
    # The published March document is as it was: the income was posted then.
    doc = json.loads(march.document)
    assert {i["receipt"]: i["status"] for i in doc["incomes"]} == {
        kept.receipt_display: "posted",
        wrong.receipt_display: "posted",
    }
    page = Client().get("/c/SQR/2026-03/").content.decode()
    assert "2026年4月12日" in page and "2026-04" in page
    api = Client().get("/api/v1/communities/SQR/periods/2026-03/").json()
    assert api["reversed_later"] == {
        wrong.receipt_display: {"date": "2026-04-12", "month": "2026-04"}
    }
    rows = list(
        csv.DictReader(
            io.StringIO(
                Client()
                .get("/api/v1/communities/SQR/periods/2026-03/?format=csv")
                .content.decode("utf-8-sig")
            )
        )
    )
    fate = {r["receipt"]: (r["reversed_on"], r["reversed_in"]) for r in rows}
    assert fate == {
        kept.receipt_display: ("", ""),
        wrong.receipt_display: ("2026-04-12", "2026-04"),
    }


def test_a_reversal_made_before_its_month_was_published_is_in_that_document():
    with time_machine.travel(dt.datetime(2026, 4, 3, 2, tzinfo=dt.UTC), tick=True):
        c = f.community("SQS", threshold="100000")
        pkg = f.package(c, "YL01")
        officer = f.user("officer", (c, "officer"))
        wrong, _ = income_record(
            f.draft(c, pkg, "300.00", ref="W", paid_at=at(MARCH.replace(day=6))),
            recorded_by=officer,
        )
        income_reverse(income=wrong, actor=officer, reason="重复登记")  # booked April 3
        period_close(community=c, month=MARCH, actor="officer")
        march = period_publish(community=c, month=MARCH, actor="officer")
    [line] = json.loads(march.document)["incomes"]
    assert (line["status"], line["reversed_on"], line["reversed_in"]) == (
        "reversed",
        "2026-04-03",
        "2026-04",
    )
    page = Client().get("/c/SQS/2026-03/").content.decode()
    assert "2026年4月3日" in page  # one date format per language (issue 14)


def test_the_period_statements_say_the_same(months):
    from reports.auditor.statements import period_statement

    c, _kept, wrong, _march, _april = months
    march = period_statement(c, MARCH)
    later = {s.heading: s.rows for s in march.sections}
    [rows] = [v for k, v in later.items() if k.startswith("本月收入在之后被冲销")]
    assert rows == [[wrong.receipt_display, "2026-04-12", "2026-04"]]
    assert "本月执行的分配方案" in later and later["本月执行的分配方案"][0][2] == "70%"
    april = {s.heading: s.rows for s in period_statement(c, APRIL).sections}
    assert april["本月记入的冲销"] == [["2026-04-12", wrong.receipt_display, "2026-03", "300.00"]]
    assert not any(n.startswith("警告") for n in period_statement(c, APRIL).notes)
