"""Officer pages: login, roles and community scoping on every page; forms that refuse
bad input by field and write nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fundmgr.models import ImportJob, Income, IncomeStatus
from fundmgr.services.income import income_record
from ledger.models import Entry
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    a, b = f.community("SQA"), f.community("SQB")
    pkg_a, pkg_b = f.package(a, "YL01"), f.package(b, "TY01")
    officer = f.user("officer", (a, "officer"))
    other_officer = f.user("officer_b", (b, "officer"))
    reviewer = f.user("reviewer", (a, "reviewer"))
    auditor = f.user("auditor", (a, "auditor"))
    return dict(
        a=a,
        b=b,
        pkg_a=pkg_a,
        pkg_b=pkg_b,
        officer=officer,
        other_officer=other_officer,
        reviewer=reviewer,
        auditor=auditor,
    )


def login(user):
    client = Client()
    client.force_login(user)
    return client


def form_data(pkg, **overrides):
    data = {
        "package": pkg.pk,
        "tier": "paid",
        "quantity": 1,
        "amount_0": "100.00",
        "amount_1": "CNY",
        "paid_at": "2026-03-05T10:30",
        "method": "wechat",
        "payer": "张三丰",
        "external_ref": "WX-100",
        "note": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "name,args",
    [
        ("officer:dashboard", []),
        ("officer:reviews", []),
        ("officer:import", []),
        ("officer:incomes", ["SQA"]),
        ("officer:record", ["SQA"]),
        ("officer:receipt", ["AAAAAAAAAAAAAAAA"]),
    ],
)
def test_anonymous_users_are_sent_to_login(world, name, args):
    response = Client().get(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_officer_records_income_and_gets_a_receipt(world):
    client = login(world["officer"])
    response = client.post(reverse("officer:record", args=["SQA"]), form_data(world["pkg_a"]))
    income = Income.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("officer:receipt", args=[income.receipt_code])
    page = client.get(response.url).content.decode()
    assert income.receipt_display in page
    assert "壹佰元整" in page
    assert "70.00" in page and "25.00" in page and "5.00" in page
    assert "/r/" + income.receipt_code in page and "<svg" in page
    assert income.recorded_by == world["officer"] and income.status == IncomeStatus.POSTED


def test_a_price_below_the_list_needs_a_reason_kept_on_the_receipt(world):
    client = login(world["officer"])
    url = reverse("officer:record", args=["SQA"])
    # ¥55.50 for two of a ¥100.00 package: refused until a reason is given.
    low = form_data(world["pkg_a"], amount_0="55.50", quantity=2)
    refused = client.post(url, low)
    assert refused.status_code == 200 and Income.objects.count() == 0
    assert "低于标价 ¥200.00" in refused.context["form"].errors["price_note"][0]
    assert 'value="55.50"' in refused.content.decode()  # the input is kept
    response = client.post(url, {**low, "price_note": "居委会同意的困难户优惠"})
    income = Income.objects.get()
    assert income.price_note == "居委会同意的困难户优惠"
    assert "居委会同意的困难户优惠" in client.get(response.url).content.decode()
    # The listed price (or more) needs no reason.
    client.post(url, form_data(world["pkg_a"], external_ref="WX-101"))
    assert Income.objects.get(external_ref="WX-101").price_note == ""


def test_the_record_form_has_no_currency_selector(world):
    page = login(world["officer"]).get(reverse("officer:record", args=["SQA"])).content.decode()
    assert '<select name="amount_1"' not in page
    assert 'type="hidden" name="amount_1" value="CNY"' in page


def test_the_form_page_lists_only_this_communitys_packages(world):
    page = login(world["officer"]).get(reverse("officer:record", args=["SQA"])).content.decode()
    assert world["pkg_a"].name in page and world["pkg_b"].name not in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount_0": "10.005"}, "amount", "2 位"),
        ({"amount_0": "-1"}, "amount", "金额必须大于零"),
        ({"amount_0": "0"}, "amount", "金额必须大于零"),
        ({"amount_0": "abc"}, "amount", ""),
        ({"amount_1": "USD"}, "amount", ""),
        ({"paid_at": "2999-01-01T00:00"}, "paid_at", "付款时间晚于现在"),
        ({"paid_at": "yesterday"}, "paid_at", ""),
        ({"tier": "vip"}, "tier", ""),
        ({"method": "cheque"}, "method", ""),
        ({"quantity": "0"}, "quantity", ""),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_nothing_is_written(
    world, overrides, field, message
):
    response = login(world["officer"]).post(
        reverse("officer:record", args=["SQA"]), form_data(world["pkg_a"], **overrides)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert Income.objects.count() == 0 and Entry.objects.count() == 0


def test_another_communitys_package_cannot_be_slipped_in(world):
    response = login(world["officer"]).post(
        reverse("officer:record", args=["SQA"]), form_data(world["pkg_b"])
    )
    assert response.status_code == 200 and "package" in response.context["form"].errors
    assert Income.objects.count() == 0


def test_a_second_submission_of_the_same_reference_shows_the_first_receipt(world):
    client = login(world["officer"])
    first = client.post(reverse("officer:record", args=["SQA"]), form_data(world["pkg_a"]))
    again = client.post(reverse("officer:record", args=["SQA"]), form_data(world["pkg_a"]))
    assert again.url == first.url and Income.objects.count() == 1
    changed = client.post(
        reverse("officer:record", args=["SQA"]), form_data(world["pkg_a"], amount_0="190.00")
    )
    assert changed.status_code == 200
    assert "external_ref" in changed.context["form"].errors


def test_communities_without_a_role_do_not_exist_for_the_user(world):
    income, _ = income_record(
        f.draft(world["b"], world["pkg_b"]), recorded_by=world["other_officer"]
    )
    client = login(world["officer"])
    assert client.get(reverse("officer:record", args=["SQB"])).status_code == 404
    assert (
        client.post(reverse("officer:record", args=["SQB"]), form_data(world["pkg_b"])).status_code
        == 404
    )
    assert client.get(reverse("officer:incomes", args=["SQB"])).status_code == 404
    assert client.get(reverse("officer:receipt", args=[income.receipt_code])).status_code == 404
    assert (
        client.post(
            reverse("officer:reverse", args=[income.receipt_code]), {"reason": "x", "confirm": "on"}
        ).status_code
        == 404
    )
    dashboard = client.get(reverse("officer:dashboard")).content.decode()
    assert world["a"].name in dashboard and world["b"].name not in dashboard
    assert Income.objects.count() == 1


def test_auditors_and_reviewers_read_but_do_not_record_or_reverse(world):
    income, _ = income_record(f.draft(world["a"], world["pkg_a"]), recorded_by=world["officer"])
    for who in ("auditor", "reviewer"):
        client = login(world[who])
        assert client.get(reverse("officer:incomes", args=["SQA"])).status_code == 200
        assert client.get(reverse("officer:receipt", args=[income.receipt_code])).status_code == 200
        assert client.get(reverse("officer:record", args=["SQA"])).status_code == 404
        assert (
            client.post(
                reverse("officer:reverse", args=[income.receipt_code]),
                {"reason": "x", "confirm": "on"},
            ).status_code
            == 403
        )
    assert Entry.objects.count() == 1


def test_reversal_needs_a_reason_and_then_reverses(world):
    income, _ = income_record(f.draft(world["a"], world["pkg_a"]), recorded_by=world["officer"])
    client = login(world["officer"])
    url = reverse("officer:reverse", args=[income.receipt_code])
    client.post(url, {"reason": "", "confirm": "on"})
    assert Income.objects.get().status == IncomeStatus.POSTED
    client.post(url, {"reason": "重复登记"})  # not confirmed
    assert Income.objects.get().status == IncomeStatus.POSTED
    client.post(url, {"reason": "重复登记", "confirm": "on"})
    assert Income.objects.get().status == IncomeStatus.REVERSED


def test_the_review_queue_approves_and_refuses_self_approval(world):
    both = f.user("both", (world["a"], "officer"), (world["a"], "reviewer"))
    mine, _ = income_record(f.draft(world["a"], world["pkg_a"], "9000.00"), recorded_by=both)
    theirs, _ = income_record(
        f.draft(world["a"], world["pkg_a"], "8000.00"), recorded_by=world["officer"]
    )
    client = login(both)
    page = client.get(reverse("officer:reviews")).content.decode()
    assert mine.receipt_display in page and theirs.receipt_display in page
    client.post(reverse("officer:review", args=[mine.receipt_code]), {"decision": "approve"})
    client.post(
        reverse("officer:review", args=[theirs.receipt_code]), {"decision": "approve", "note": "ok"}
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (IncomeStatus.PENDING, IncomeStatus.POSTED)
    client.post(reverse("officer:review", args=[mine.receipt_code]), {"decision": "reject"})
    mine.refresh_from_db()
    assert mine.status == IncomeStatus.PENDING  # a rejection needs a reason, and not by self
    assert (
        login(world["auditor"])
        .post(reverse("officer:review", args=[mine.receipt_code]), {"decision": "approve"})
        .status_code
        == 403
    )


def test_posts_without_a_csrf_token_are_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["officer"])
    response = client.post(reverse("officer:record", args=["SQA"]), form_data(world["pkg_a"]))
    assert response.status_code == 403
    assert Income.objects.count() == 0


def test_the_income_list_filters_and_searches(world):
    officer, a, pkg = world["officer"], world["a"], world["pkg_a"]
    march = income_record(f.draft(a, pkg, "10.00", ref="M1", payer="李四"), recorded_by=officer)[0]
    income_record(
        f.draft(
            a,
            pkg,
            "20.00",
            ref="A1",
            tier="low_cost",
            paid_at=timezone.make_aware(dt.datetime(2026, 4, 2, 9)),
        ),
        recorded_by=officer,
    )
    client = login(officer)
    url = reverse("officer:incomes", args=["SQA"])

    def found(**params):
        return [i.external_ref for i in client.get(url, params).context["page"]]

    assert found() == ["A1", "M1"]
    assert found(month="2026-03") == ["M1"]
    assert found(tier="low_cost") == ["A1"]
    assert found(q="李四") == ["M1"]
    assert found(q=march.receipt_display.lower()) == ["M1"]
    middle = march.receipt_display[5:14]  # "A4ZD-W528": the middle of the printed code
    assert found(q=middle) == ["M1"] and found(q=middle.lower().replace("-", " ")) == ["M1"]
    assert found(q=march.receipt_display[:3]) == []  # three characters are not a search
    assert found(month="garbage", status="nope") == ["A1", "M1"]


def test_capital_numerals_as_you_type(world):
    client = login(world["officer"])
    url = reverse("officer:capital")
    assert client.get(url, {"amount": "1234.56"}).json()["capital"] == "壹仟贰佰叁拾肆元伍角陆分"
    assert client.get(url, {"amount": "1.234"}).json()["capital"] == ""
    assert client.get(url, {"amount": "x"}).json()["capital"] == ""


def test_the_public_receipt_masks_the_payer_and_unknown_codes_are_404(world):
    income, _ = income_record(
        f.draft(world["a"], world["pkg_a"], payer="张三丰"), recorded_by=world["officer"]
    )
    page = Client().get(reverse("public-receipt", args=[income.receipt_code])).content.decode()
    assert "张**" in page and "张三丰" not in page
    assert income.receipt_display in page and "壹佰元整" in page
    assert Client().get(reverse("public-receipt", args=["ZZZZZZZZZZZZZZZZ"])).status_code == 404
    assert Client().get(reverse("public-receipt", args=["<script>"])).status_code == 404
    lookup = Client().get(reverse("public-receipt-lookup"), {"code": income.receipt_display})
    assert lookup.status_code == 302
    assert Client().get(reverse("public-receipt-lookup"), {"code": "nope"}).status_code == 400


def test_pages_are_chinese_unless_the_reader_switches(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en", enforce_csrf_checks=True)
    home = client.get("/").content.decode()
    assert "社区基金账目" in home and "csrfmiddlewaretoken" not in home
    # The switch needs no token (public pages carry none, so they can be cached whole);
    # it only sets the display language, and only to a local address.
    switched = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert switched.status_code == 302 and switched["Location"] == "/"
    assert "Community fund accounts" in client.get("/").content.decode()
    away = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": "https://evil.example/"}
    )
    assert away["Location"] == "/"
    # Everything else still checks CSRF.
    assert client.post(reverse("login"), {"username": "x", "password": "y"}).status_code == 403


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Tasks are queued on commit; run them (inline, even where a broker is configured:
    test_import_broker.py covers the worker) as the test's transaction never commits."""
    from fundmgr.conf.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    yield run
    app.conf.task_always_eager = eager


def upload(client, content: bytes, name="income.csv"):
    return client.post(
        reverse("officer:import"), {"file": SimpleUploadedFile(name, content, "text/csv")}
    )


CSV_OK = (
    "community,package,tier,amount,paid_at,payer,method,external_ref\r\n"
    "SQA,YL01,paid,100.00,2026-03-05,张三,wechat,U1\r\n"
    "SQA,YL01,有偿,50,2026-03-06,李四,微信,U2\r\n"
).encode()


def test_an_upload_is_checked_then_recorded_on_confirmation(world, on_commit):
    client = login(world["officer"])
    response = on_commit(upload, client, CSV_OK)
    job = ImportJob.objects.get()
    assert response.url == reverse("officer:import-job", args=[job.pk])
    assert job.state == "checked" and job.ready == 2 and Income.objects.count() == 0
    page = client.get(response.url).content.decode()
    assert "confirm-import" in page
    on_commit(client.post, response.url)
    job.refresh_from_db()
    assert job.state == "done" and job.recorded == 2
    assert Income.objects.count() == 2
    report = client.get(reverse("officer:import-report", args=[job.pk]))
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    # Chinese headers and statuses (issue 14); the stored report keeps its machine words.
    assert text.splitlines()[0] == "行,流水号,状态,收据,服务方份额,枢纽份额,基金份额,备注"
    assert text.count(",已记账,") == 2 and "recorded" not in text
    # The receipts recorded are listed with links to print them.
    page = client.get(response.url).content.decode()
    for income in Income.objects.all():
        assert reverse("officer:receipt", args=[income.receipt_code]) in page
        assert income.receipt_display in page
    on_commit(client.post, response.url)  # a second confirmation changes nothing
    assert Income.objects.count() == 2
    assert client.get(reverse("officer:import-status", args=[job.pk])).json()["percent"] == 100


def test_an_upload_with_bad_rows_is_refused_and_shows_them(world, on_commit):
    client = login(world["officer"])
    bad = (
        CSV_OK
        + b"SQB,TY01,paid,1,2026-03-05,x,cash,U3\r\nSQA,YL01,paid,-1,2026-03-05,x,cash,U4\r\n"
    )
    response = on_commit(upload, client, bad)
    job = ImportJob.objects.get()
    assert job.state == "refused" and job.bad_rows == 2
    page = client.get(response.url).content.decode()
    assert "您不是社区 SQB 的财务人员" in page
    # Each bad row is shown with its cells as read (issue 14).
    assert "第 5 行（x, 2026-03-05, -1, YL01, paid, U4）：" in page
    assert "confirm-import" not in page
    on_commit(client.post, response.url)
    assert Income.objects.count() == 0


def test_the_import_templates_carry_the_chinese_column_names(world):
    import io

    from openpyxl import load_workbook

    from fundmgr.imports.files import REQUIRED, _map_header

    client = login(world["officer"])
    page = client.get(reverse("officer:import")).content.decode()
    assert reverse("officer:import-template", args=["xlsx"]) in page
    csv_file = client.get(reverse("officer:import-template", args=["csv"]))
    header = csv_file.content.decode("utf-8-sig").strip().split(",")
    assert header[:4] == ["社区", "服务包", "类别", "金额"]
    assert set(REQUIRED) <= set(_map_header(header))
    xlsx = client.get(reverse("officer:import-template", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == header
    assert client.get("/officer/import/template.txt").status_code == 404
    assert (
        login(world["auditor"]).get(reverse("officer:import-template", args=["csv"])).status_code
        == 403
    )


def test_uploads_are_private_to_their_officer_and_checked_for_type(world):
    client = login(world["officer"])
    response = upload(client, CSV_OK)
    stranger = login(world["other_officer"])
    assert stranger.get(response.url).status_code == 404
    assert stranger.post(response.url).status_code == 404
    refused = upload(client, b"MZ\x90\x00", name="virus.exe")
    assert refused.status_code == 200 and "file" in refused.context["form"].errors
    assert login(world["auditor"]).get(reverse("officer:import")).status_code == 403


def test_an_enormous_upload_is_refused_before_it_is_read(world, monkeypatch):
    from fundmgr.officer import forms

    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 1000)
    response = upload(login(world["officer"]), CSV_OK * 20)
    assert response.status_code == 200
    assert "50 MB" in " ".join(response.context["form"].errors["file"])
    assert ImportJob.objects.count() == 0
