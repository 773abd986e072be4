"""Screening the database, the auditor's flag list, closing with a note, and the counts
published with each month."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from djmoney.money import Money

from fundmgr.services import payouts
from fundmgr.services.income import income_record
from reports.models import RedFlag
from reports.redflags.screening import community_screen
from tests import factories as f

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n" + b"7" * 40


@pytest.fixture(autouse=True)
def _clock():
    """The payments are made on 2026-05-20; the income is dated 2026-03-05."""
    with time_machine.travel(dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC), tick=True):
        yield


@pytest.fixture
def world():
    c = f.community("SQX", threshold="1000000")
    officer = f.user("officer", (c, "officer"))
    reviewer = f.user("reviewer", (c, "reviewer"))
    auditor = f.user("auditor", (c, "auditor"))
    income_record(f.draft(c, f.package(c), "200000.00", method="bank"), recorded_by=officer)
    for n in (1, 2):  # the same invoice file on two payments just under the limit
        d = payouts.disbursement_request(
            community=c,
            payee="宏达办公用品店",
            purpose=f"桌椅第{n}批",
            category="activity",
            amount=Money(1950, "CNY"),
            user=officer,
            attachments=[("invoice", SimpleUploadedFile("fp.pdf", PDF))],
        )
        payouts.disbursement_approve(disbursement=d, reviewer=reviewer)
    client = Client()
    client.force_login(auditor)
    return c, client


def test_screening_raises_each_flag_once(world):
    c, _ = world
    first = community_screen(c)
    assert {"split_payment", "duplicate_attachment"} <= {f.rule for f in first}
    assert community_screen(c) == []
    assert RedFlag.objects.filter(community=c).count() == len(first)


def test_an_auditor_reviews_and_closes_flags_with_a_note(world):
    c, client = world
    client.post("/auditor/SQX/flags/screen/")
    page = client.get("/auditor/SQX/flags/").content.decode()
    assert "split_payment" in page and "宏达办公用品店" in page
    flag = RedFlag.objects.get(community=c, rule="split_payment")
    client.post(f"/auditor/SQX/flags/{flag.pk}/close/", {"note": ""})
    flag.refresh_from_db()
    assert flag.closed_at is None
    client.post(f"/auditor/SQX/flags/{flag.pk}/close/", {"note": "已核实：两批不同的桌椅"})
    flag.refresh_from_db()
    assert flag.closed_by == "auditor" and flag.note.startswith("已核实")
    open_split = client.get("/auditor/SQX/flags/", {"rule": "split_payment"}).content.decode()
    assert 'data-rule="split_payment"' not in open_split
    closed = client.get("/auditor/SQX/flags/", {"state": "closed"}).content.decode()
    assert "已核实" in closed
    officer = Client()
    officer.force_login(c.memberships.get(role="officer").user)
    other = RedFlag.objects.filter(community=c, closed_at__isnull=True).first()
    assert officer.post(f"/auditor/SQX/flags/{other.pk}/close/", {"note": "x"}).status_code == 403
    stranger = Client()
    stranger.force_login(f.user("stranger", (f.community(), "auditor")))
    assert stranger.get("/auditor/SQX/flags/").status_code == 404


def test_a_published_month_counts_flags_without_personal_data(world):
    from reports.services import period_close, period_publish

    c, _ = world
    community_screen(c)
    month = dt.date(2026, 5, 1)
    for m in (dt.date(2026, 3, 1), dt.date(2026, 4, 1), month):
        period_close(community=c, month=m, actor="officer", today=dt.date(2026, 6, 1))
    record = period_publish(community=c, month=month, actor="officer")
    counts = json.loads(record.document)["red_flags"]
    assert counts["split_payment"] == {"raised": 1, "resolved": 0}
    assert "宏达" not in json.dumps(counts, ensure_ascii=False)
