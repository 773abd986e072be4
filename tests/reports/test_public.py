"""The residents' site and the open-data API: published data only, no personal data,
JSON errors (never a 500), CSV safe against formula injection, cache headers."""

import csv
import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.utils import timezone

from fundmgr.services.income import income_record
from ledger import merkle
from reports import signing
from reports.services import period_close, period_publish
from tests import factories as f
from tests.reports.privacy import PHONE

pytestmark = pytest.mark.django_db


def at(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture
def published():
    c = f.community("SQP")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    march = [
        income_record(
            f.draft(c, pkg, amount, paid_at=at(dt.date(2026, 3, d)), payer=payer, ref=ref),
            recorded_by=officer,
        )[0]
        for d, amount, payer, ref in (
            (2, "100.00", "张三丰", "WX1"),
            (9, "0.10", '=HYPERLINK("x")', "WX2"),
            (20, "33.33", "13812345678", "WX3"),
        )
    ]
    period_close(community=c, month=dt.date(2026, 3, 1), actor="officer", today=dt.date(2026, 4, 2))
    period_publish(community=c, month=dt.date(2026, 3, 1), actor="officer")
    april, _ = income_record(
        f.draft(c, pkg, "50.00", paid_at=at(dt.date(2026, 4, 3)), payer="李四", ref="WX4"),
        recorded_by=officer,
    )
    return c, march, april


def get(path, **params):
    return Client().get(path, params)


def test_communities_and_a_community(published):
    data = get("/api/v1/communities/").json()
    assert data == [
        {"code": "SQP", "name": "SQP社区", "subdistrict": "测试街道", "currency": "CNY"}
    ]
    one = get("/api/v1/communities/SQP/").json()
    assert one["packages"][0]["prices"] == {
        "public_benefit": "80.00",
        "paid": "100.00",
        "low_cost": "30.00",
    }
    assert one["split_policy"]["provider_bp"] == 7000
    assert one["hub"]["name"].startswith("枢纽社企")


def test_periods_and_a_published_month_with_every_income(published):
    c, march, _ = published
    periods = get("/api/v1/communities/SQP/periods/").json()
    assert [p["month"] for p in periods] == ["2026-03"]
    response = get("/api/v1/communities/SQP/periods/2026-03/")
    # The document never changes, but what later months reverse of it is given beside it:
    # kept for minutes, not forever.
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"] and response.json()["reversed_later"] == {}
    month = response.json()
    assert [i["receipt"] for i in month["incomes"]] == [i.receipt_display for i in march]
    assert month["incomes"][1]["amount"] == "0.10"
    assert month["incomes"][1]["split"] == {"provider": "0.07", "hub": "0.02", "fund": "0.01"}
    head = month["signed_tree_head"]
    assert head["document_digest"] == month["digest"]
    raw = bytes.fromhex(get("/api/v1/public-key/").json()["public_key_hex"])
    canonical = json.dumps(head, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert signing.verify(raw, canonical.encode(), month["signature"])
    again = Client().get(
        "/api/v1/communities/SQP/periods/2026-03/", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_a_receipt_has_its_inclusion_proof_once_published(published):
    c, march, april = published
    record = get(f"/api/v1/receipts/{march[2].receipt_display}/").json()
    assert record["published"] and record["period"] == "2026-03"
    proof = record["inclusion"]
    assert proof["verified"]
    assert merkle.verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        proof["leaf_index"],
        proof["tree_size"],
        [bytes.fromhex(p) for p in proof["path"]],
        bytes.fromhex(proof["signed_tree_head"]["root"]),
    )
    later = get(f"/api/v1/receipts/{april.receipt_code}/").json()
    assert later["period"] == "2026-04" and not later["published"] and later["inclusion"] is None
    page = get(f"/r/{april.receipt_code}/").content.decode()
    assert "2026-04" in page
    page = get(f"/r/{march[0].receipt_code}/").content.decode()
    assert 'id="inclusion"' in page and "2026-03" in page


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/communities/NOPE/",
        "/api/v1/communities/NOPE/periods/",
        "/api/v1/communities/SQP/periods/2026-04/",
        "/api/v1/communities/SQP/periods/2026-13/",
        "/api/v1/communities/SQP/periods/junk/",
        "/api/v1/receipts/NOTACODE/",
        "/api/v1/receipts/ZZZZZZZZZZZZZZZZ/",
        "/api/v1/nothing-here/",
    ],
)
def test_unknown_codes_and_months_get_json_errors(published, path):
    response = get(path)
    assert response.status_code in {400, 404}
    assert response["Content-Type"].startswith("application/json")
    assert "error" in response.json()


def test_csv_variants_defuse_formulas(published):
    for path in (
        "/api/v1/communities/",
        "/api/v1/communities/SQP/",
        "/api/v1/communities/SQP/periods/",
        "/api/v1/communities/SQP/periods/2026-03/",
        "/api/v1/communities/SQP/heads/",
        f"/api/v1/receipts/{published[1][0].receipt_code}/",
    ):
        response = get(path, format="csv")
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) >= 2
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@")), cell
    month = get("/api/v1/communities/SQP/periods/2026-03/", format="csv").content.decode()
    assert "'=**" in month or "=HYPERLINK" not in month


def test_no_personal_data_reaches_a_public_page_or_the_api(published):
    c, march, april = published
    pages = [
        "/",
        "/c/SQP/",
        "/c/SQP/2026-03/",
        "/api/v1/communities/SQP/periods/2026-03/",
        "/api/v1/communities/SQP/periods/2026-03/?format=csv",
        *(f"/r/{i.receipt_code}/" for i in [*march, april]),
        *(f"/api/v1/receipts/{i.receipt_code}/" for i in [*march, april]),
    ]
    for path in pages:
        body = Client().get(path).content.decode("utf-8", "replace")
        assert "张三丰" not in body and "李四" not in body, path
        assert not PHONE.search(body), path
        assert "HYPERLINK" not in body, path


def test_public_pages_render_the_published_month(published):
    home = get("/").content.decode()
    assert "SQP社区" in home and "2026-03" in home
    community = get("/c/SQP/").content.decode()
    assert 'id="fund-chart"' in community and "2026年3月" in community
    month = get("/c/SQP/2026-03/")
    body = month.content.decode()
    assert month.status_code == 200 and "133.43" in body and "张**" in body
    assert get("/c/SQP/2026-04/").status_code == 404
    assert get("/c/NOPE/").status_code == 404
    assert get("/c/SQP/<script>/").status_code == 404


def test_a_month_downloads_as_a_fiscal_data_package(published):
    import zipfile

    response = get("/api/v1/communities/SQP/periods/2026-03/fdp.zip")
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        package = json.loads(zf.read("datapackage.json"))
        rows = list(csv.DictReader(io.StringIO(zf.read("income.csv").decode())))
    assert package["profile"] == "fiscal-data-package"
    fields = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
    assert fields == list(rows[0].keys())
    assert package["model"]["measures"]["amount"]["currency"] == "CNY"
    assert [r["amount"] for r in rows] == ["100.00", "0.10", "33.33"]
    assert get("/api/v1/communities/SQP/periods/2026-04/fdp.zip").status_code == 404


def test_a_published_month_is_rendered_once_and_served_from_the_cache(published, monkeypatch):
    """Published data never changes: an anonymous visitor's month page and the API
    response are made once per document (and language). Questions live on their own
    page and stay live; a signed-in visitor gets a page of their own."""
    from reports import selectors
    from reports.models import Period
    from reports.public import views
    from reports.services import query_answer, query_ask

    c, _march, _april = published
    page, api = "/c/SQP/2026-03/", "/api/v1/communities/SQP/periods/2026-03/"
    first_page, first_json, first_csv = (get(page), get(api), get(api, format="csv"))
    first_en = Client().get(page, HTTP_COOKIE="django_language=en")
    assert first_page.status_code == first_json.status_code == first_csv.status_code == 200
    assert "csrfmiddlewaretoken" not in first_page.content.decode()
    assert "csrftoken" not in first_page.cookies

    def no_reading(*_args, **_kwargs):
        raise AssertionError("the published month was read or rendered again")

    monkeypatch.setattr(selectors, "document", no_reading)
    monkeypatch.setattr(views, "render", no_reading)
    again = get(page)
    assert again.status_code == 200 and again.content == first_page.content
    assert "¥133.43" in again.content.decode() and "33.33" in again.content.decode()
    assert get(api).content == first_json.content
    assert get(api).json()["digest"] == first_json.json()["digest"]
    assert get(api, format="csv").content == first_csv.content
    en = Client().get(page, HTTP_COOKIE="django_language=en")
    assert en.content == first_en.content and "Every payment" in en.content.decode()
    assert "Every payment" not in again.content.decode()  # zh-Hans keeps its own copy
    monkeypatch.undo()

    reviewer = f.user("answerer", (c, "officer"))
    staff = Client()
    staff.force_login(reviewer)
    own = staff.get(page).content.decode()
    assert "answerer" in own and "answerer" not in get(page).content.decode()

    period = Period.objects.get(community=c, month=dt.date(2026, 3, 1))
    query = query_ask(period=period, question="基金怎么用的？", contact="", client_key="k")
    query_answer(query=query, user=reviewer, answer="见支出明细。")
    live = get(page + "query/").content.decode()
    assert "基金怎么用的？" in live and "见支出明细。" in live


def test_every_payment_is_listed_a_page_at_a_time(published, monkeypatch):
    from reports.public import views

    monkeypatch.setattr(views, "PAYMENTS_PER_PAGE", 2)
    page = "/c/SQP/2026-03/"
    first, second = get(page).content.decode(), get(page + "?page=2").content.decode()
    assert first.count('class="mono" href="/r/') == 2 and "?page=2" in first
    assert second.count('class="mono" href="/r/') == 1 and "33.33" in second
    for bad in ("?page=3", "?page=0", "?page=x"):
        assert get(page + bad).status_code == 404
