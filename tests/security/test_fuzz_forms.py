"""Property-based fuzzing of the public forms and query strings (hypothesis): whatever a
visitor types - enormous, control characters, any script - the answer is a page or a
4xx, never a 500, and a refused question writes nothing."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache as shared_cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.models import Query
from tests.reports.test_public import published  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
texts = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=900, max_size=1200),
    st.sampled_from(["", " ", "\x00", "١٢٣", "<script>alert(1)</script>", '=HYPERLINK("x")']),
)


@FUZZ
@given(question=texts, contact=texts, website=st.sampled_from(["", "x"]))
def test_the_question_form_never_fails(published, question, contact, website):  # noqa: F811
    shared_cache.clear()  # the rate limit would answer every later example
    before = Query.objects.count()
    with time_machine.travel(dt.datetime(2026, 4, 3, 2, tzinfo=dt.UTC), tick=True):
        response = Client().post(
            "/c/SQP/2026-03/query/",
            {"question": question, "contact": contact, "website": website},
        )
    assert response.status_code in (200, 302, 400, 429), response.status_code
    if response.status_code != 302:
        assert Query.objects.count() == before


@FUZZ
@given(code=texts)
def test_the_receipt_lookup_never_fails(published, code):  # noqa: F811
    assert Client().get("/r/", {"code": code}).status_code in (200, 302, 400)


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["page", "format", "q", "x"]), texts, max_size=3))
def test_the_month_page_and_api_never_fail_on_any_query_string(published, params):  # noqa: F811
    for path in ("/c/SQP/2026-03/", "/api/v1/communities/SQP/periods/2026-03/", "/c/SQP/"):
        assert Client().get(path, params).status_code < 500, (path, params)


@FUZZ
@given(username=texts, password=texts)
def test_the_login_form_never_fails(db, username, password):
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code in (200, 302, 400, 429)


@pytest.mark.django_db
def test_a_long_username_that_composes_short_is_refused_not_a_500():
    # 280 characters posted, 140 once NFKC composes each e + combining acute: the form
    # accepts it, and the failed-login record must still fit its column (PostgreSQL).
    composed = "e\u0301" * 140
    response = Client().post("/accounts/login/", {"username": composed, "password": "x" * 12})
    assert response.status_code in (200, 400)
    from axes.models import AccessAttempt

    recorded = AccessAttempt.objects.values_list("username", flat=True)
    assert all(len(u) <= 150 for u in recorded)
