"""Residents' checking made visible (#16 item 7): look-ups of published receipts counted
with nothing about who looked, the share shown on the month page and in the API, a
look-up gone wrong offering a pre-filled question routed to the auditors, and the
auditors' random sample of receipts nobody checked."""

import re
from urllib.parse import unquote

import pytest
from django.test import Client

from reports.checking.models import Concern, PhoneConfirmation, ReceiptCheck
from reports.checking.selectors import unchecked_sample
from reports.models import Query
from tests import factories as f
from tests.reports.rewrite import take_off

pytestmark = pytest.mark.django_db


def test_look_ups_of_published_receipts_are_counted_and_nothing_of_who(published_months):
    c, receipts = published_months
    client = Client()
    for _ in range(2):
        assert client.get(f"/r/{receipts[0].receipt_code}/").status_code == 200
    assert client.get(f"/api/v1/receipts/{receipts[0].receipt_code}/").status_code == 200
    assert client.get(f"/api/v1/receipts/{receipts[1].receipt_code}/").status_code == 200

    assert sorted(ReceiptCheck.objects.values_list("income_id", "lookups")) == [
        (receipts[0].pk, 3),
        (receipts[1].pk, 1),
    ]
    fields = {field.name for field in ReceiptCheck._meta.get_fields()}
    assert fields == {"id", "income", "period", "first_at", "lookups"}  # no address, no cookie
    assert "sessionid" not in client.cookies

    page = client.get("/c/SQV/2026-03/").content.decode()
    assert "本月 66.7 % 的收据已由付款人自己核对" in page
    april = client.get("/c/SQV/2026-04/").content.decode()
    assert "0.0 %" in april
    summary = {p["month"]: p for p in client.get("/api/v1/communities/SQV/periods/").json()}
    assert summary["2026-03"]["checked_by_payers"] == {
        "receipts": 3,
        "checked": 2,
        "percent": "66.7",
        "questions": 0,
    }


def test_the_month_page_shows_new_checks_though_it_is_kept(published_months):
    _c, receipts = published_months
    client = Client()
    assert "0.0 %" in client.get("/c/SQV/2026-04/").content.decode()
    client.get(f"/r/{receipts[3].receipt_code}/")
    assert "33.3 %" in client.get("/c/SQV/2026-04/").content.decode()


def ask_link(page: str) -> str:
    found = re.search(r'href="(/c/SQV/2026-0\d/query/\?[^"]+)"', page)
    assert found, page
    return found.group(1).replace("&amp;", "&")


def test_a_receipt_not_found_offers_a_question_routed_to_the_auditors(published_months):
    c, _receipts = published_months
    client = Client()
    missing = client.get("/r/ABCD-EFGH-JKMN-PQRS/")
    assert missing.status_code == 404
    link = ask_link(missing.content.decode())
    assert "concern=missing" in link

    form = client.get(link).content.decode()
    assert "ABCD-EFGH-JKMN-PQRS" in form and 'name="concern" value="missing"' in form
    draft = re.search(r"<textarea[^>]*>([^<]*)</textarea>", form).group(1)
    assert "ABCD-EFGH-JKMN-PQRS" in draft
    month = link.split("/")[3]
    sent = client.post(
        f"/c/SQV/{month}/query/",
        {
            "question": unquote(draft),
            "contact": "138 0000 0000",
            "concern": "missing",
            "receipt": "ABCD-EFGH-JKMN-PQRS",
        },
    )
    assert sent.status_code == 302
    concern = Concern.objects.get()
    assert (concern.kind, concern.receipt) == ("missing", "ABCD-EFGH-JKMN-PQRS")
    assert concern.query.period.label == month

    page = client.get(f"/c/SQV/{month}/").content.decode()
    assert "1 个付款人反映收据查不到或对不上的问题" in page
    assert "138 0000 0000" not in client.get(f"/c/SQV/{month}/query/").content.decode()

    auditor, officer = Client(), Client()
    auditor.force_login(f.user("aud", (c, "auditor")))
    officer.force_login(f.user("off2", (c, "officer")))
    listing = auditor.get(f"/auditor/SQV/receipts/?month={month}").content.decode()
    assert "ABCD-EFGH-JKMN-PQRS" in listing and "138 0000 0000" in listing
    assert officer.get("/auditor/SQV/receipts/").status_code == 404


def test_a_question_with_an_unknown_concern_is_an_ordinary_question(published_months):
    client = Client()
    sent = client.post(
        "/c/SQV/2026-03/query/", {"question": "这个月的支出是什么？", "concern": "bogus"}
    )
    assert sent.status_code == 302 and Query.objects.count() == 1
    assert not Concern.objects.exists()


def test_a_bad_question_about_a_receipt_writes_nothing(published_months):
    sent = Client().post(
        "/c/SQV/2026-03/query/", {"question": "短", "concern": "missing", "receipt": "X"}
    )
    assert sent.status_code == 400
    assert not Query.objects.exists() and not Concern.objects.exists()
    assert 'name="concern" value="missing"' in sent.content.decode()


def test_a_receipt_that_does_not_agree_offers_a_question(published_months):
    _c, receipts = published_months
    take_off(receipts[1])
    page = Client().get(f"/r/{receipts[1].receipt_code}/").content.decode()
    assert 'id="inclusion-failed"' in page and "¥250.00" in page and "¥300.00" in page
    link = ask_link(page)
    assert "concern=mismatch" in link and "/2026-03/" in link
    form = Client().get(link).content.decode()
    assert receipts[1].receipt_display in form and "2026-03" in form


def test_auditors_call_a_random_sample_of_the_receipts_nobody_checked(published_months):
    c, receipts = published_months
    march = receipts[0].community.periods.get(month__month=3)
    Client().get(f"/r/{receipts[0].receipt_code}/")
    sample = unchecked_sample(march)
    assert {i.pk for i in sample} == {receipts[1].pk, receipts[2].pk}

    auditor = Client()
    auditor.force_login(f.user("aud", (c, "auditor")))
    page = auditor.get("/auditor/SQV/receipts/?month=2026-03").content.decode()
    assert receipts[1].payer and receipts[1].payer in page  # the full name, auditors only
    assert receipts[0].receipt_display not in page.split('id="sample"')[1].split("</table>")[0]

    url = f"/auditor/SQV/receipts/{receipts[1].pk}/confirm/"
    refused = auditor.post(url, {"outcome": "disputed", "note": ""}, follow=True)
    assert "请写明付款人对什么有异议" in refused.content.decode()
    assert not PhoneConfirmation.objects.exists()
    assert auditor.post(url, {"outcome": "nonsense"}).status_code == 302
    assert not PhoneConfirmation.objects.exists()
    assert auditor.post(url, {"outcome": "confirmed"}).status_code == 302
    assert PhoneConfirmation.objects.get().by == "aud"
    assert {i.pk for i in unchecked_sample(march)} == {receipts[2].pk}

    officer = Client()
    officer.force_login(f.user("off2", (c, "officer")))
    assert officer.post(url, {"outcome": "confirmed"}).status_code == 404
    assert PhoneConfirmation.objects.count() == 1
