"""manage.py spaces: the same services as the pages; a refusal exits non-zero naming the
field and writes nothing."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from fundmgr.services.income import income_record
from fundmgr.spaces.models import Agreement, Delivery, RentPayment, SpaceIncome
from tests import factories as f

pytestmark = pytest.mark.django_db
SHA = "cd" * 32


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False), translation.override("en"):
        yield


def run(*args):
    out = io.StringIO()
    call_command("spaces", *args, stdout=out)
    return out.getvalue()


def test_an_agreement_its_deliveries_rent_income_and_meter_by_command():
    c = f.community("SCM")
    officer = f.user("off", (c, "officer"))
    reviewer = f.user("rev", (c, "reviewer"))
    item = f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 5, 20))
    pkg = f.package(c, "PKC")
    f.space(c, officer, "RM1")
    base = [
        "agreement",
        "SCM",
        "--number",
        "CM1",
        "--space",
        "RM1",
        "--operator",
        pkg.provider.code,
        "--from",
        "2026-06-01",
        "--to",
        "2027-05-31",
        "--user",
        "off",
        "--market-rent",
        "2000",
        "--market-source",
        "评估报告",
        "--obligation",
        "PKC:public_benefit:3",
    ]
    with pytest.raises(CommandError, match="decision"):
        run(*base)
    assert not Agreement.objects.exists()
    ref = f"{item.meeting.reference}#1"
    assert "recorded agreement CM1" in run(*base, "--decision", ref)
    with pytest.raises(CommandError, match="outside the agreement's term"):
        run(
            "deliver",
            "SCM",
            "CM1",
            "--package",
            "PKC",
            "--tier",
            "public_benefit",
            "--date",
            "2026-05-31",
            "--participants",
            "5",
            "--user",
            "off",
            "--sha256",
            SHA,
        )
    run(
        "deliver",
        "SCM",
        "CM1",
        "--package",
        "PKC",
        "--tier",
        "public_benefit",
        "--date",
        "2026-06-02",
        "--participants",
        "5",
        "--user",
        "off",
        "--sha256",
        SHA,
    )
    d = Delivery.objects.get()
    with pytest.raises(CommandError, match="Nobody may confirm"):
        run("confirm", "SCM", "CM1", str(d.pk), "--user", "off")
    run("confirm", "SCM", "CM1", str(d.pk), "--user", "rev")
    assert "not split 70/25/5" in run(
        "rent",
        "SCM",
        "CM1",
        "--amount",
        "1",
        "--method",
        "cash",
        "--reference",
        "ZJ1",
        "--date",
        "2026-06-03",
        "--user",
        "off",
    )
    assert RentPayment.objects.count() == 1
    income, _created = income_record(
        f.draft(c, pkg, "100.00", paid_at=timezone.make_aware(dt.datetime(2026, 6, 4, 10))),
        recorded_by=officer,
    )
    run("link", "SCM", "CM1", income.receipt_code, "--user", "off")
    assert SpaceIncome.objects.get().income == income
    meter = run("meter", "SCM")
    assert "2026-06: sessions 1/3" in meter
