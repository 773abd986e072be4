"""Unchecked input that gave 500s or wrote rows (issue 21): each is refused with a
message, writes nothing, and amounts are read by one rule at every door."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from fundmgr.lib.money import AmountError, fen, parse_yuan
from fundmgr.lib.text import check_text, text_problem
from fundmgr.models import Income
from ledger.models import Book
from reports.models import Period, StatementFile
from reports.services import period_close
from tests import factories as f

from . import hostile
from .conftest import command_errors, login

pytestmark = pytest.mark.django_db

APRIL = dt.datetime(2026, 4, 10, 10, tzinfo=dt.UTC)
TYPED_TWO_WAYS = ["1_000", "1E3", "0.1e1", "１２３", "١٢٣", "NaN", "Infinity", "+5", "1,00", " "]


# --- one amount rule --------------------------------------------------------------------
@pytest.mark.parametrize("text", TYPED_TWO_WAYS)
def test_the_amount_reader_refuses_what_decimal_would_accept(text):
    with pytest.raises(AmountError):
        parse_yuan(text)
    with pytest.raises(ValueError):
        fen(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1234.56", "1234.56"), ("1,234.5", "1234.50"), ("¥ 12", "12.00"), ("￥0.10", "0.10")],
)
def test_the_amount_reader_accepts_the_documented_forms(text, value):
    assert parse_yuan(text) == Decimal(value)


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_every_printed_amount_reads_back_exactly(n):
    from fundmgr.lib.money import yuan

    assert fen(yuan(n)) == n
    assert parse_yuan(f"{Decimal(abs(n)).scaleb(-2):,.2f}") == Decimal(abs(n)).scaleb(-2)


@given(st.text(min_size=1, max_size=12))
def test_any_text_is_an_amount_or_a_clear_refusal(text):
    try:
        value = parse_yuan(text)
    except AmountError as exc:
        assert str(exc)
    else:
        assert value > 0 or value == 0
        assert value == value.quantize(Decimal("0.01"))
        assert all(c.isascii() for c in text.strip().lstrip("¥￥").strip())


@pytest.fixture
def form_world(world):
    world["c"].refresh_from_db()
    return world


@pytest.mark.parametrize("text", TYPED_TWO_WAYS[:5])
def test_the_record_form_refuses_them_and_writes_nothing(form_world, text):
    data = {
        "package": form_world["pkg"].pk,
        "tier": "paid",
        "quantity": 1,
        "amount_0": text,
        "amount_1": "CNY",
        "paid_at": "2026-03-05T10:30",
        "method": "wechat",
        "payer": "张三",
        "external_ref": "WX-1",
        "note": "",
    }
    with time_machine.travel(APRIL):
        response = login(form_world["officer"]).post(reverse("officer:record", args=["SQA"]), data)
    assert response.status_code == 200 and "amount" in response.context["form"].errors
    assert Income.objects.count() == 0


@pytest.mark.parametrize("text", TYPED_TWO_WAYS[:5])
def test_the_settlement_and_disbursement_forms_read_amounts_the_same_way(text):
    from fundmgr.officer.forms import AmountField

    with pytest.raises(ValidationError):
        AmountField().clean(text)
    assert AmountField().clean("1,000.50") == Decimal("1000.50")


def test_the_admin_reads_amounts_the_same_way(world):
    from django.contrib.admin.sites import site

    from fundmgr.models import ServicePackage

    admin = site._registry[ServicePackage]
    field = admin.formfield_for_dbfield(ServicePackage._meta.get_field("price_paid"), None)
    with pytest.raises(ValidationError):
        field.clean(["1E3", "CNY"])
    assert field.clean(["", "CNY"]) is None
    assert field.clean(["1,000", "CNY"]).amount == Decimal("1000.00")


@pytest.mark.parametrize("text", TYPED_TWO_WAYS[:5])
def test_the_importer_refuses_them_too(world, tmp_path, text):
    path = tmp_path / "a.csv"
    path.write_text(
        ",".join(hostile.HEADER)
        + "\r\nSQA,YL01,paid,"
        + f'"{text}"'
        + ",2026-03-05,张三,wechat,A1\r\n",
        encoding="utf-8",
    )
    assert "row 2 (" in command_errors(path)


def test_the_capital_numerals_helper_gives_no_words_for_a_refused_amount(world):
    client = login(world["officer"])
    assert client.get(reverse("officer:capital"), {"amount": "1E3"}).json()["capital"] == ""
    assert "壹仟" in client.get(reverse("officer:capital"), {"amount": "1,000"}).json()["capital"]


# --- free text --------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["a\x00b", "a\x1bb", "a\u2028b", "x" * 101])
def test_the_text_rule_refuses_control_characters_and_overlong_text(value):
    assert text_problem(value, max_length=100)
    with pytest.raises(ValidationError):
        check_text(value, field="note", label="The note", max_length=100)


def test_multi_line_text_keeps_its_line_breaks():
    assert text_problem("line one\nline two\ttab", max_length=100, multiline=True) is None
    assert text_problem("line one\nline two", max_length=100) is not None


def test_a_nul_in_a_public_query_is_refused_before_anything_is_looked_at():
    from reports.services import query_ask

    with pytest.raises(ValidationError) as refused:
        query_ask(period=None, question="钱去哪了\x00？？", contact="", client_key="k")
    assert "question" in refused.value.message_dict


def test_a_nul_in_a_flag_close_note_is_refused(world):
    from reports.services import flag_close

    flag = SimpleNamespace(community=world["c"], closed_at=None)
    with pytest.raises(ValidationError) as refused:
        flag_close(flag=flag, user=world["auditor"], note="已核实\x00")
    assert "note" in refused.value.message_dict


def test_a_nul_in_a_disbursement_rejection_is_refused(world):
    from fundmgr.services.payouts import disbursement_reject

    with pytest.raises(ValidationError) as refused:
        disbursement_reject(disbursement=None, reviewer=world["reviewer"], reason="不符\x00")
    assert "reason" in refused.value.message_dict


@pytest.mark.parametrize("field", ["payer", "external_ref", "note"])
def test_the_record_form_refuses_control_characters(form_world, field):
    from fundmgr.officer.forms import IncomeForm

    data = {
        "package": form_world["pkg"].pk,
        "tier": "paid",
        "quantity": 1,
        "amount_0": "100",
        "amount_1": "CNY",
        "paid_at": "2026-03-05T10:30",
        "method": "wechat",
        field: "a\x01b",
    }
    form = IncomeForm(data, community=form_world["c"])
    assert not form.is_valid() and field in form.errors


# --- searches, statements, periods, redirects ----------------------------------------
def test_a_huge_income_search_is_refused_with_a_message(world):
    response = login(world["officer"]).get(
        reverse("officer:incomes", args=["SQA"]), {"q": "x" * 100_000}
    )
    assert response.status_code == 400
    assert "longer than 100 characters" in response.content.decode()


def test_an_income_list_for_month_9999_12_is_not_an_error(world):
    response = login(world["officer"]).get(
        reverse("officer:incomes", args=["SQA"]), {"month": "9999-12"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"month": "9999-12", "kind": "period", "format": "pdf"}, "Choose a month"),
        ({"month": "0001-01", "kind": "trial-balance", "format": "csv"}, "Choose a month"),
        ({"month": "2026-06", "kind": "period", "format": "pdf"}, "has not begun"),
        ({"month": "2025-01", "kind": "trial-balance", "format": "csv"}, "before this community"),
        (
            {"month": "2026-03", "kind": "party", "format": "pdf", "party": "P" * 41},
            "from the list",
        ),
    ],
)
def test_bad_statement_requests_are_refused_and_leave_no_row(world, params, message):
    with time_machine.travel(APRIL):
        record(world, dt.date(2026, 3, 5), "S1")
        response = login(world["auditor"]).post(reverse("auditor:statements", args=["SQA"]), params)
    assert response.status_code == 400 and message in response.content.decode()
    assert StatementFile.objects.count() == 0


def test_a_get_of_the_statements_page_writes_nothing(world):
    response = login(world["auditor"]).get(
        reverse("auditor:statements", args=["SQA"]),
        {"month": "2026-03", "kind": "trial-balance", "format": "csv"},
    )
    assert response.status_code == 200 and StatementFile.objects.count() == 0


def record(world, on: dt.date, ref: str):
    from django.utils import timezone

    from fundmgr.services.income import income_record

    paid_at = timezone.make_aware(dt.datetime.combine(on, dt.time(10, 30)))
    income_record(
        f.draft(world["c"], world["pkg"], ref=ref, paid_at=paid_at), recorded_by=world["officer"]
    )


@pytest.fixture
def books(world):
    """Entries in January and March 2026; January closed, then March (February empty),
    so the books are closed through 31 March with no February period."""
    c = world["c"]
    with time_machine.travel(APRIL):
        record(world, dt.date(2026, 1, 10), "B1")
        record(world, dt.date(2026, 3, 5), "B2")
        period_close(community=c, month=dt.date(2026, 1, 1), actor="officer")
        period_close(community=c, month=dt.date(2026, 3, 1), actor="officer")
    return world


@pytest.mark.parametrize(
    ("month", "action", "who", "message"),
    [
        ("9999-12", "request", "officer", None),  # not a month with neighbours: 404
        ("0001-01", "confirm", "reviewer", None),
        ("2026-05", "request", "officer", "has not ended yet"),
        ("2000-01", "confirm", "reviewer", "No officer has asked"),
        ("2000-01", "request", "officer", "before this community"),
        ("2024-05", "request", "officer", "before this community"),
        ("2026-02", "request", "officer", "closed through 2026-03-31"),
    ],
)
def test_period_requests_outside_the_books_are_refused_and_write_no_period(
    books, month, action, who, message
):
    before = list(Period.objects.values_list("pk", "state", "close_requested_by"))
    with time_machine.travel(APRIL):
        response = login(books[who]).post(
            reverse("officer:period-action", args=["SQA", month, action]), follow=True
        )
    if message is None:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert message in response.content.decode()
    assert list(Period.objects.values_list("pk", "state", "close_requested_by")) == before
    assert Book.objects.get(pk=books["c"].book_id).closed_through == dt.date(2026, 3, 31)


@pytest.mark.parametrize("month", [dt.date(9999, 12, 1), dt.date(1, 1, 1)])
def test_the_close_services_refuse_months_at_the_ends_of_the_calendar(books, month):
    from reports.services import period_request_close

    with time_machine.travel(APRIL), pytest.raises(ValidationError):
        period_request_close(community=books["c"], month=month, officer=books["officer"])
    assert not Period.objects.filter(month=month).exists()


def test_confirming_a_month_before_the_closed_through_date_is_refused(books):
    """The service itself, as a command or a forged request would call it."""
    from reports.services import period_confirm_close

    Period.objects.create(
        community=books["c"], month=dt.date(2026, 2, 1), close_requested_by="officer"
    )
    with time_machine.travel(APRIL), pytest.raises(ValidationError) as refused:
        period_confirm_close(
            community=books["c"], month=dt.date(2026, 2, 1), reviewer=books["reviewer"]
        )
    assert "closed through 2026-03-31" in " ".join(refused.value.messages)


def test_an_invalid_review_does_not_redirect_off_site(world):
    from fundmgr.services.income import income_record

    with time_machine.travel(APRIL):
        income, _created = income_record(
            f.draft(world["c"], world["pkg"], "6000.00", ref="BIG"), recorded_by=world["officer"]
        )
    response = login(world["reviewer"]).post(
        reverse("officer:review", args=[income.receipt_code]),
        {"decision": "nonsense", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response.url == reverse("officer:reviews")
    on_site = login(world["reviewer"]).post(
        reverse("officer:review", args=[income.receipt_code]),
        {"decision": "nonsense", "next": "/officer/c/SQA/incomes/"},
    )
    assert on_site.url == "/officer/c/SQA/incomes/"
