"""Books that make sense (DESIGN 4.3a): payments limited by every later day, reversals
that would overdraw refused, `check_books` naming the first impossible balance, and a
month that shows one refused for publishing."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from fundmgr.models import Income
from fundmgr.services import payouts
from fundmgr.services.income import income_record, income_reverse
from ledger import services as ledger
from reports.checks import check_community, movement_violations
from reports.services import period_close, period_publish
from tests import factories as f

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC), tick=True):
        yield


@pytest.fixture
def world():
    """Oct 1: ¥1,000 by bank (provider owed 700); Oct 20: the provider is paid 700;
    Nov 5: ¥100 more by bank."""
    c = f.community("SQB", threshold="100000")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    reviewer = f.user("reviewer", (c, "reviewer"))
    income_record(
        f.draft(c, pkg, "1000.00", method="bank", ref="A", paid_at=at(dt.date(2026, 10, 1))),
        recorded_by=officer,
    )
    payouts.settlement_record(
        community=c,
        provider=pkg.provider,
        amount=f.cny("700.00"),
        method="bank",
        bank_reference="JS-1",
        paid_on=dt.date(2026, 10, 20),
        user=officer,
    )
    late, _ = income_record(
        f.draft(c, pkg, "100.00", method="bank", ref="B", paid_at=at(dt.date(2026, 11, 5))),
        recorded_by=officer,
    )
    return c, pkg, officer, reviewer, late


def test_a_back_dated_settlement_is_checked_against_every_later_day(world):
    c, pkg, officer, *_ = world
    # Today the provider is owed 70.00 (from Nov 5), but on Oct 15 and every day up to
    # Nov 4 it was owed nothing more: a settlement dated Oct 15 would overpay it then.
    with pytest.raises(ValidationError) as err:
        payouts.settlement_record(
            community=c,
            provider=pkg.provider,
            amount=f.cny("50.00"),
            method="bank",
            bank_reference="JS-2",
            paid_on=dt.date(2026, 10, 15),
            user=officer,
        )
    message = err.value.message_dict["amount"][0]
    assert f"2202.{pkg.provider.code}" in message and "2026-10-20" in message
    assert "-50.00" in message and "50.00" in message
    # Dated today it is fine: it was owed on that day and is on every later one.
    payouts.settlement_record(
        community=c,
        provider=pkg.provider,
        amount=f.cny("50.00"),
        method="bank",
        bank_reference="JS-3",
        paid_on=dt.date(2026, 11, 20),
        user=officer,
    )
    assert check_community(c) == []


def test_a_settlement_cannot_take_more_than_the_paying_account_holds(world):
    c, _pkg, officer, *_ = world
    # The hub is owed 275.00 but the cash box never received anything.
    with pytest.raises(ValidationError) as err:
        payouts.settlement_record(
            community=c,
            provider=None,
            amount=f.cny("100.00"),
            method="cash",
            bank_reference="JS-4",
            paid_on=dt.date(2026, 11, 20),
            user=officer,
        )
    assert "1001" in str(err.value) and "100.00" in str(err.value)
    # The bank holds 400.00 (1,100 in, 700 out): the hub's 275.00 can go from there.
    payouts.settlement_record(
        community=c,
        provider=None,
        amount=f.cny("275.00"),
        method="bank",
        bank_reference="JS-5",
        paid_on=dt.date(2026, 11, 20),
        user=officer,
    )
    assert c.book.accounts.get(code="2241").balance == f.cny("0.00")


def test_a_reversal_that_would_overpay_the_provider_is_refused(world):
    c, _pkg, officer, _reviewer, late = world
    first = Income.objects.get(external_ref="A")
    # Its 700.00 provider share was paid out on Oct 20: taking it back now would leave
    # the provider overpaid (owed 70.00 - 700.00), and the bank (400.00) cannot refund
    # 1,000.00.
    with pytest.raises(ValidationError) as err:
        income_reverse(income=first, actor=officer, reason="重复登记")
    assert "1002" in str(err.value) and "600.00" in str(err.value)
    first.refresh_from_db()
    assert first.status == "posted"
    income_reverse(income=late, actor=officer, reason="重复登记")  # nothing paid of it
    assert check_community(c) == []


def test_check_books_names_the_first_impossible_balance(world):
    c, pkg, *_ = world
    out = io.StringIO()
    call_command("check_books", stdout=out)
    assert "the books make sense: 1 books" in out.getvalue()
    # Staged below the payout services, as an insider posting straight to the ledger
    # would: the provider paid 700.00 again on Oct 25.
    accounts = {a.code: a for a in c.book.accounts.all()}
    ledger.post(
        book=c.book,
        date=dt.date(2026, 10, 25),
        memo="结算",
        actor="insider",
        legs=[
            ledger.debit(accounts[f"2202.{pkg.provider.code}"], f.cny("700.00")),
            ledger.credit(accounts["1002"], f.cny("700.00")),
        ],
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("check_books", "--book", "SQB", stdout=io.StringIO(), stderr=err)
    first = str(failure.value)
    assert "1002" in first and "2026-10-25" in first and "-400.00" in first
    assert f"2202.{pkg.provider.code}" in err.getvalue()
    with pytest.raises(CommandError, match="no such book: NOPE"):
        call_command("check_books", "--book", "NOPE", stdout=io.StringIO())


def test_a_month_that_shows_an_impossible_balance_is_not_published(world):
    c, pkg, *_ = world
    accounts = {a.code: a for a in c.book.accounts.all()}
    ledger.post(
        book=c.book,
        date=dt.date(2026, 10, 25),
        memo="结算",
        actor="insider",
        legs=[
            ledger.debit(accounts[f"2202.{pkg.provider.code}"], f.cny("700.00")),
            ledger.credit(accounts["1002"], f.cny("700.00")),
        ],
    )
    period_close(community=c, month=dt.date(2026, 10, 1), actor="officer")
    with pytest.raises(ValidationError) as err:
        period_publish(community=c, month=dt.date(2026, 10, 1), actor="officer")
    assert "2026-10" in str(err.value) and "1002" in str(err.value)
    assert not c.periods.filter(state="published").exists()


def test_published_months_agree_with_the_books_and_with_each_other(world):
    c, *_ = world
    period_close(community=c, month=dt.date(2026, 10, 1), actor="officer")
    record = period_publish(community=c, month=dt.date(2026, 10, 1), actor="officer")
    assert check_community(c) == []
    document = json.loads(record.document)
    assert movement_violations(c, document) == []
    # A document whose closing bank balance does not follow from its own movements.
    document["balances"]["closing"]["cash"]["1002"] = "301.00"
    [wrong] = movement_violations(c, document)
    assert wrong.kind == "movement" and "300.00" in wrong.message and "301.00" in wrong.message


def test_the_auditor_sees_whether_the_books_make_sense_beside_their_integrity(world):
    from django.test import Client

    c, pkg, *_ = world
    auditor = f.user("auditor", (c, "auditor"))
    client = Client()
    client.force_login(auditor)
    client.post("/auditor/SQB/verify/")
    page = client.get("/auditor/").content.decode()
    assert 'class="books-check"' in page and "books-problems" not in page
    accounts = {a.code: a for a in c.book.accounts.all()}
    ledger.post(
        book=c.book,
        date=dt.date(2026, 10, 25),
        memo="结算",
        actor="insider",
        legs=[
            ledger.debit(accounts[f"2202.{pkg.provider.code}"], f.cny("700.00")),
            ledger.credit(accounts["1002"], f.cny("700.00")),
        ],
    )
    client.post("/auditor/SQB/verify/")
    page = client.get("/auditor/").content.decode()
    # The chain is intact (nothing was changed), but the books show the impossible.
    assert "books-problems" in page and "2026-10-25" in page and "1002" in page
    from reports.tasks import nightly_verify

    nightly_verify()
    assert c.integrity_checks.first().books_ok is False
