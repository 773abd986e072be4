"""More beneficiaries billed on a contract line than residents eligible (issue 18):
recorded with the contract, a red flag when exceeded (not a refusal), and the counts -
never a token - on the contract's public burn-down."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from djmoney.money import Money

from fundmgr.inflows import services as inflows
from fundmgr.inflows.models import ContractLine
from reports.redflags import inflows as rules
from reports.redflags.inflow_facts import inflow_facts
from tests import factories as f

pytestmark = pytest.mark.django_db


def cny(v):
    return Money(v, "CNY")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-04-10 10:00 +08:00", tick=False):
        yield


def _world(eligible):
    c = f.community("ELG")
    officer = f.user("elg-officer", (c, "officer"))
    reviewer = f.user("elg-reviewer", (c, "reviewer"))
    pkg = f.package(c, "WH01")
    other = f.package(c, "WH02")
    item = f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 2, 20), title="合同")
    inflows.contract_create(
        community=c,
        buyer="街道办事处",
        number="GM-1",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 12, 31),
        decision=item,
        lines=[
            {
                "package": pkg,
                "units": 20,
                "unit_price": cny("80.00"),
                "cap": cny("1600.00"),
                "eligible": eligible,
            },
            {"package": other, "units": 5, "unit_price": cny("10.00"), "cap": cny("50.00")},
        ],
        user=officer,
    )
    return c, officer, ContractLine.objects.get(package=pkg)


def _flags(c):
    return [
        fl for fl in rules.screen(**inflow_facts(c)) if fl.rule == "beneficiaries_over_eligible"
    ]


def test_eligible_is_recorded_and_refused_when_not_a_count():
    c, officer, line = _world(3)
    assert line.eligible == 3
    assert ContractLine.objects.get(package__code="WH02").eligible is None
    with pytest.raises(ValidationError) as exc:
        inflows.contract_create(
            community=c,
            buyer="民政局",
            number="GM-2",
            starts_on=dt.date(2026, 3, 1),
            ends_on=dt.date(2026, 12, 31),
            decision=line.contract.decision,
            lines=[
                {
                    "package": line.package,
                    "units": 1,
                    "unit_price": cny("1.00"),
                    "cap": cny("1.00"),
                    "eligible": 0,
                }
            ],
            user=officer,
        )
    assert "符合条件的居民人数" in exc.value.message_dict["lines"][0]


def test_no_flag_up_to_the_eligible_count_even_with_repeat_visits():
    c, officer, line = _world(3)
    inflows.delivery_bill(
        line=line, delivered_on=dt.date(2026, 3, 4), beneficiaries=["A1", "A2"], user=officer
    )
    inflows.delivery_bill(
        line=line, delivered_on=dt.date(2026, 4, 2), beneficiaries=["A1", "a 3"], user=officer
    )
    assert _flags(c) == []


def test_more_distinct_beneficiaries_than_eligible_is_flagged_without_tokens():
    c, officer, line = _world(2)
    inflows.delivery_bill(
        line=line, delivered_on=dt.date(2026, 3, 4), beneficiaries=["A1", "A2"], user=officer
    )
    inflows.delivery_bill(
        line=line, delivered_on=dt.date(2026, 4, 2), beneficiaries=["A1", "A3"], user=officer
    )
    (flag,) = _flags(c)
    assert flag.params == {"line": "GM-1/WH01", "beneficiaries": 3, "eligible": 2}
    assert flag.key == f"beneficiaries_over_eligible:{line.pk}"
    assert flag.severity == rules.HIGH
    token = inflows.beneficiary_token("A3")
    assert "A3" not in str(flag.evidence) and token[:12] not in str(flag.evidence)
    assert "A3" not in flag.key and token[:12] not in flag.key


def test_a_line_without_an_eligible_count_is_never_flagged():
    c, officer, line = _world(None)
    inflows.delivery_bill(
        line=line, delivered_on=dt.date(2026, 3, 4), beneficiaries=["A1", "A2", "A3"], user=officer
    )
    assert _flags(c) == []


def test_the_rule_over_facts():
    fact = rules.LineFact(1, "X/P", 10, 100000, 4, 32000, 0, eligible=3, beneficiaries=4)
    assert [fl.rule for fl in rules.over_eligible([fact])] == ["beneficiaries_over_eligible"]
    same = rules.LineFact(1, "X/P", 10, 100000, 4, 32000, 0, eligible=4, beneficiaries=4)
    assert rules.over_eligible([same]) == []
    assert rules.LABELS["beneficiaries_over_eligible"]


def test_the_label_is_chinese():
    from django.utils import translation

    from reports.redflags.rules import RULE_LABELS

    with translation.override("zh-hans"):
        assert translation.gettext(RULE_LABELS["beneficiaries_over_eligible"]) == (
            "受益人多于符合条件的居民"
        )


def test_the_burn_down_shows_the_counts_only():
    c, officer, line = _world(2)
    inflows.delivery_bill(
        line=line,
        delivered_on=dt.date(2026, 3, 4),
        beneficiaries=["A1", "A2", "A3"],
        user=officer,
    )
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/c/ELG/contract/GM-1/").content.decode()
    assert "受益人 3 / 符合条件 2" in page
    assert "受益人多于符合条件的居民" in page
    assert "A1" not in page and inflows.beneficiary_token("A1")[:12] not in page
    # The line without a count says so instead of inventing one.
    assert "受益人 0（未记录符合条件的居民人数）" in page
