"""Issue 14, the residents' pages: payments in the order they were paid, searched and
filtered on canonical URLs (never one cache entry per spelling), a bad receipt code kept
as typed with what is wrong, a reversed receipt's (masked) reason, a rate-limited
question kept in its form, headers on the tier table, plain words for the proof."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from fundmgr.services.income import income_record, income_reverse
from reports.services import QUERY_LIMIT_PER_HOUR, period_close, period_publish
from tests import factories as f
from tests.security.test_published_privacy import march  # noqa: F401, F811 (a fixture)

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)


def at(day: int):
    return timezone.make_aware(dt.datetime.combine(MARCH.replace(day=day), dt.time(10)))


@pytest.fixture
def month():
    cache.clear()
    with time_machine.travel(dt.datetime(2026, 4, 1, 2, tzinfo=dt.UTC), tick=False):
        c = f.community("SQZ", threshold="100000")
        care = f.package(c, "YL01")
        officer = f.user("officer", (c, "officer"))
        # Recorded out of the order they were paid in: the 20th first, then the 2nd.
        late, _ = income_record(
            f.draft(c, care, "60370.00", ref="L", paid_at=at(20), tier="paid"),
            recorded_by=officer,
        )
        early, _ = income_record(
            f.draft(c, care, "30.00", ref="E", paid_at=at(2), tier="low_cost"),
            recorded_by=officer,
        )
        middle, _ = income_record(
            f.draft(c, care, "100.00", ref="M", paid_at=at(9), tier="paid"), recorded_by=officer
        )
        income_reverse(income=middle, actor=officer, reason="重复登记")
        period_close(community=c, month=MARCH, actor="officer")
        period_publish(community=c, month=MARCH, actor="officer")
    with time_machine.travel(dt.datetime(2026, 4, 3, 2, tzinfo=dt.UTC), tick=False):
        yield c, early, middle, late


def codes_on(body: str) -> list[str]:
    return re.findall(r'<td class="receipt"><a class="mono" href="/r/([^/]+)/"', body)


def test_payments_are_listed_in_the_order_they_were_paid(month):
    _c, early, middle, late = month
    body = Client().get("/c/SQZ/2026-03/").content.decode()
    assert codes_on(body) == [
        early.receipt_display,
        middle.receipt_display,
        late.receipt_display,
    ]


def test_one_money_format_and_one_date_format_per_language(month):
    body = Client().get("/c/SQZ/2026-03/").content.decode()
    assert "¥60,370.00" in body and "¥60370.00" not in body and "CN¥" not in body
    assert "2026年3月20日" in body
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = english.get("/c/SQZ/2026-03/").content.decode()
    assert "¥60,370.00" in en and "CN¥" not in en and "20 Mar 2026" in en


def test_the_tier_table_has_column_headers(month):
    body = Client().get("/c/SQZ/2026-03/").content.decode()
    table = body[body.index('id="month-tiers"') :].split("</table>")[0]
    assert "<thead>" in table and table.count("</th>") == 3


def test_search_by_receipt_code_package_and_provider_and_filter_by_tier(month):
    c, early, middle, late = month
    client = Client()
    one = client.get("/c/SQZ/2026-03/", {"q": late.receipt_display})
    assert one.status_code == 200 and codes_on(one.content.decode()) == [late.receipt_display]
    # Typed as on the slip, lower case and with spaces: the same receipt.
    typed = late.receipt_display.lower().replace("-", " ")
    again = client.get("/c/SQZ/2026-03/", {"q": typed}, follow=True)
    assert codes_on(again.content.decode()) == [late.receipt_display]
    package = late.package.name
    assert len(codes_on(client.get("/c/SQZ/2026-03/", {"q": package}).content.decode())) == 3
    provider = late.package.provider.name
    assert len(codes_on(client.get("/c/SQZ/2026-03/", {"q": provider}).content.decode())) == 3
    low = client.get("/c/SQZ/2026-03/", {"tier": "low_cost"}).content.decode()
    assert codes_on(low) == [early.receipt_display]
    both = client.get("/c/SQZ/2026-03/", {"q": package, "tier": "paid"}).content.decode()
    assert codes_on(both) == [middle.receipt_display, late.receipt_display]
    none = client.get("/c/SQZ/2026-03/", {"q": "没有这个"}).content.decode()
    assert codes_on(none) == [] and 'id="payment-none"' in none


def test_search_urls_are_canonical_and_a_tier_that_is_none_is_404(month):
    client = Client()
    assert client.get("/c/SQZ/2026-03/", {"tier": "gold"}).status_code == 404
    for query, target in (
        ("?q=", "/c/SQZ/2026-03/"),
        ("?q=%20%20YL%20%20", "/c/SQZ/2026-03/?q=YL"),
        ("?tier=paid&q=YL", "/c/SQZ/2026-03/?q=YL&tier=paid"),
        ("?q=YL&page=1", "/c/SQZ/2026-03/?q=YL"),
        ("?q=YL&utm=x", "/c/SQZ/2026-03/?q=YL"),
    ):
        response = client.get("/c/SQZ/2026-03/" + query)
        assert (response.status_code, response["Location"]) == (301, target), query


def test_searches_make_no_cache_entry(month):
    from reports.public import cache as page_cache

    made = []
    real = page_cache.response
    page_cache.response = lambda key, *a, **k: made.append(key) or real(key, *a, **k)
    try:
        for n in range(5):
            assert Client().get("/c/SQZ/2026-03/", {"q": f"x{n}"}).status_code == 200
    finally:
        page_cache.response = real
    assert made == []


def test_a_bad_code_keeps_what_was_typed_and_says_what_is_wrong():
    client = Client()
    wrong_shape = client.get("/r/ABCD-12/")
    body = wrong_shape.content.decode()
    assert wrong_shape.status_code == 404
    assert 'value="ABCD-12"' in body and "16" in body and 'id="receipt-error"' in body
    # A code of the right shape that is not recorded: to /r/ with its dashes, kept so.
    looked = client.get("/r/", {"code": "zzzz zzzz zzzz zzzz"})
    assert looked.status_code == 302 and looked["Location"] == "/r/ZZZZ-ZZZZ-ZZZZ-ZZZZ/"
    unknown = client.get(looked["Location"]).content.decode()
    assert 'value="ZZZZ-ZZZZ-ZZZZ-ZZZZ"' in unknown and "ZZZZ-ZZZZ-ZZZZ-ZZZZ”" in unknown
    bad = client.get("/r/", {"code": "12-34"})
    assert bad.status_code == 400 and 'value="12-34"' in bad.content.decode()


def test_a_reversed_receipt_gives_the_reason_masked(month):
    _c, _early, middle, _late = month
    body = Client().get(f"/r/{middle.receipt_display}/").content.decode()
    reason = body[body.index('id="reversal-reason"') :].split("</p>")[0]
    assert "重复登记" in reason and "2026年4月1日" in reason


def test_the_reason_goes_through_the_public_text_mask():
    from django.template import loader

    source = loader.get_template("public/receipt.html").template.source
    assert "income.reverse_reason|public_text" in source


def test_a_rate_limited_question_keeps_what_was_typed(month):
    client = Client()
    for n in range(QUERY_LIMIT_PER_HOUR):
        response = client.post(
            "/c/SQZ/2026-03/query/", {"question": f"第{n}个问题：基金用在哪里？"}
        )
        assert response.status_code == 302
    response = client.post(
        "/c/SQZ/2026-03/query/",
        {"question": "再问一次：基金用在哪里？", "contact": "楼下王阿姨"},
    )
    body = response.content.decode()
    assert response.status_code == 429
    assert "再问一次：基金用在哪里？</textarea>" in body and 'value="楼下王阿姨"' in body


def test_the_proof_is_in_plain_words_with_a_note_on_how_to_check(month):
    body = Client().get("/c/SQZ/2026-03/").content.decode()
    for jargon in ("树头", "摘要值", "基点", "‱"):
        assert jargon not in body, jargon
    assert 'id="how-to-check"' in body and "本月账目的指纹" in body and "系统签名" in body
    receipt = Client().get(f"/r/{month[3].receipt_display}/").content.decode()
    assert 'id="how-to-check"' in receipt and "树头" not in receipt


def test_a_reversal_reason_typed_before_screening_is_shown_masked(march):  # noqa: F811
    from fundmgr.models import Income

    c, _disclosure = march
    wrong = Income.objects.get(community=c, status="reversed")
    body = Client().get(f"/r/{wrong.receipt_display}/").content.decode()
    reason = body[body.index('id="reversal-reason"') :].split("</p>")[0]
    assert "冲销原因" in reason
    assert "13800001111" not in body and "张伟" not in body


def test_the_fund_chart_shows_what_went_out_of_the_fund(march):  # noqa: F811
    """Outflows come from the documents' balances (opening + 5 % shares - closing): the
    ¥500.00 disbursement of March is out, and every number is printed, not hovered."""
    body = Client().get("/c/SQV/").content.decode()
    chart = body[body.index('id="fund-chart"') :].split("</figure>")[0]
    assert "支出 ¥500.00" in chart and "2026年3月" in chart and "<title>" not in chart
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    chart = english.get("/c/SQV/").content.decode()
    assert "out ¥500.00" in chart and "Mar 2026" in chart
