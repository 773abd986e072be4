"""Web hardening: a strict Content-Security-Policy on every response and no inline
script anywhere; personalised responses are never publicly cacheable; one URL per page
of a month (no cache entry per spelling of ?page=); the questions' rate limit keyed on
the client behind a trusted proxy, and on nothing a client can forge otherwise."""

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache as shared_cache
from django.test import Client, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from fundmgr.lib.clientaddr import from_forwarded, networks
from reports.public import cache as published_cache
from tests.reports.test_public import published  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_every_response_carries_a_strict_content_security_policy(db):
    for path in ("/", "/accounts/login/", "/api/v1/communities/", "/nothing/"):
        policy = Client().get(path)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", path
        assert "'unsafe-inline'" not in directives["script-src"]
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


def test_no_template_holds_an_inline_script_or_event_handler():
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    offenders = []
    for template in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/**/templates/**/*.html")]:
        if ".venv" in template.parts:
            continue
        text = template.read_text(encoding="utf-8")
        if inline.search(text) or handler.search(text):
            offenders.append(str(template.relative_to(ROOT)))
    assert not offenders


def test_a_logged_in_visitor_s_receipt_page_is_private_and_not_stored(published):  # noqa: F811
    _c, march, _april = published
    path = f"/r/{march[0].receipt_code}/"
    assert "public" in Client().get(path)["Cache-Control"]
    from tests import factories as f

    client = Client()
    client.force_login(f.user("someone"))
    headers = client.get(path)["Cache-Control"]
    assert "private" in headers and "no-store" in headers and "public" not in headers


def test_a_logged_in_visitor_s_month_page_is_private(published):  # noqa: F811
    from tests import factories as f

    client = Client()
    client.force_login(f.user("someone"))
    headers = client.get("/c/SQP/2026-03/")["Cache-Control"]
    assert "private" in headers and "no-store" in headers


@pytest.mark.parametrize("spelling", ["1", "0001", "+1", " 1", "١", "1 ", "01"])
def test_other_spellings_of_page_one_go_to_the_bare_url(published, spelling):  # noqa: F811
    response = Client().get("/c/SQP/2026-03/", {"page": spelling})
    assert response.status_code == 301 and response["Location"] == "/c/SQP/2026-03/"


@pytest.mark.parametrize("bad", ["0", "-1", "x", "1e3", "9" * 40, ""])
def test_a_page_that_is_no_number_is_not_found(published, bad):  # noqa: F811
    assert Client().get("/c/SQP/2026-03/", {"page": bad}).status_code == 404


def test_many_spellings_make_one_cache_entry(published, monkeypatch):  # noqa: F811
    from reports.public import views

    monkeypatch.setattr(views, "PAYMENTS_PER_PAGE", 2)
    client = Client()
    for spelling in ["2", "02", "002", "+2", " 2", "٢", "2 ", "0002"]:
        response = client.get("/c/SQP/2026-03/", {"page": spelling}, follow=True)
        assert response.status_code == 200
    keys = [k for k in published_cache._kept if k.startswith("reports:published:month-page:")]
    assert len(keys) == 1
    assert client.get("/c/SQP/2026-03/", {"page": "2", "x": "y"}).status_code == 301


@given(
    client=st.ip_addresses(v=4).map(str),
    forged=st.lists(st.ip_addresses(v=4).map(str), max_size=3),
)
@settings(max_examples=50)
def test_a_forwarded_for_header_counts_only_from_a_trusted_proxy(client, forged):
    proxy = networks(["10.0.0.0/8"])
    chain = ", ".join([*forged, client])
    # From the proxy: the right-most address it did not add itself.
    if not client.startswith("10."):
        assert from_forwarded("10.1.2.3", chain, proxy) == client
    # Straight from the internet: the header is whatever the client wrote; ignored.
    assert from_forwarded("203.0.113.5", chain, proxy) == "203.0.113.5"
    assert from_forwarded("203.0.113.5", chain, []) == "203.0.113.5"


def test_a_malformed_forwarded_for_falls_back_to_the_proxy():
    proxy = networks(["10.0.0.1"])
    assert from_forwarded("10.0.0.1", "not-an-address", proxy) == "10.0.0.1"
    assert from_forwarded("10.0.0.1", "", proxy) == "10.0.0.1"
    assert from_forwarded("10.0.0.1", "[2001:db8::1]:443", proxy) == "2001:db8::1"


def _ask(client, n, **extra):
    return client.post("/c/SQP/2026-03/query/", {"question": f"第{n}个问题：基金怎么用？"}, **extra)


@override_settings(TRUSTED_PROXIES=["10.0.0.1"])
def test_behind_the_proxy_one_resident_s_questions_do_not_close_the_form_for_others(
    published,  # noqa: F811
):
    shared_cache.clear()
    with time_machine.travel(dt.datetime(2026, 4, 3, 2, tzinfo=dt.UTC), tick=True):
        proxy = Client(REMOTE_ADDR="10.0.0.1")
        statuses = [
            _ask(proxy, n, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code for n in range(6)
        ]
        assert statuses[-1] == 429
        other = _ask(proxy, 9, HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert other.status_code == 302
