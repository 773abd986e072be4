"""The home page at a city's size: communities grouped by subdistrict, a search, pages of
a fixed size, the same number of queries whatever the number of communities, and one
URL per search and page."""

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fundmgr.models import Community
from reports.public import views
from tests import factories as f
from tests.reports.published import world

pytestmark = pytest.mark.django_db


def _communities(n: int, start: int = 0) -> None:
    hub = f.hub()
    for i in range(start, start + n):
        c = f.community(f"H{i:03d}", hub_=hub)
        Community.objects.filter(pk=c.pk).update(name=f"第{i:03d}社区", subdistrict=f"街道{i % 3}")


def _queries(path: str) -> tuple[int, str]:
    from django.core.cache import cache as shared

    from reports.public import cache

    shared.clear()
    cache.forget_all()
    with CaptureQueriesContext(connection) as seen:
        response = Client().get(path)
    assert response.status_code == 200
    return len(seen), response.content.decode()


def test_communities_are_grouped_by_subdistrict_a_page_at_a_time(monkeypatch):
    monkeypatch.setattr(views, "HOME_PER_PAGE", 10)
    _communities(25)
    count, page1 = _queries("/")
    assert page1.count('class="card"') == 10
    # By subdistrict, then code: the nine of 街道0, then the first of 街道1.
    assert page1.count('class="subdistrict"') == 2
    assert page1.index("街道0") < page1.index("街道1") and "街道2" not in page1
    assert "共 25" in page1 or "of 25" in page1
    _, page3 = _queries("/?page=3")
    assert page3.count('class="card"') == 5 and page3.count('class="subdistrict"') == 1
    assert "街道2" in page3 and "街道0" not in page3
    assert Client().get("/?page=4").status_code == 404
    assert Client().get("/?page=abc").status_code == 404
    # One URL per page: other spellings of it, and unknown parameters, go there.
    for spelled, target in (("/?page=1", "/"), ("/?page=03", "/?page=3"), ("/?x=1", "/")):
        response = Client().get(spelled)
        assert response.status_code == 301 and response["Location"] == target, spelled


def test_the_queries_do_not_grow_with_the_number_of_communities(monkeypatch):
    monkeypatch.setattr(views, "HOME_PER_PAGE", 10)
    world("HOMEA")
    _communities(12)
    few, _ = _queries("/")
    _communities(60, start=100)
    many, body = _queries("/")
    assert few == many
    assert body.count('class="card"') == 10


def test_search_finds_by_name_code_or_subdistrict_and_is_never_cached():
    world("HOMEB")
    _communities(6)
    found = Client().get("/?q=HOMEB").content.decode()
    assert "HOMEB社区" in found and "第001社区" not in found and "2026-03" in found
    by_subdistrict = Client().get("/?q=街道1").content.decode()
    assert by_subdistrict.count('class="card"') == 2  # H001 and H004
    none = Client().get("/?q=没有这个").content.decode()
    assert 'id="community-none"' in none
    assert Client().get("/?q=%20HOMEB%20").status_code == 301  # one spelling of a search


def test_the_page_is_served_from_the_cache_until_something_is_published():
    _communities(3)
    client = Client()
    with time_machine.travel("2026-06-15 10:00:05 +08:00", tick=False):
        first = client.get("/").content
        with CaptureQueriesContext(connection) as seen:
            again = client.get("/")
        assert again.content == first and len(seen) <= 4  # the three aggregates of the key
        world("HOMEC")  # a new community publishes a month: the page shows it at once
        assert "HOMEC社区" in client.get("/").content.decode()


def test_a_renamed_community_shows_within_the_minute():
    _communities(2)
    client = Client()
    with time_machine.travel("2026-06-15 10:00:05 +08:00", tick=False):
        assert "第000社区" in client.get("/").content.decode()
        Community.objects.filter(code="H000").update(name="新名社区")
    with time_machine.travel("2026-06-15 10:01:05 +08:00", tick=False):
        body = client.get("/").content.decode()
    assert "新名社区" in body and "第000社区" not in body


def test_a_visitor_with_a_message_waiting_is_never_served_or_cached_a_shared_page(rf):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    _communities(1)
    request = rf.get("/")
    request.user = __import__("django.contrib.auth.models", fromlist=["x"]).AnonymousUser()
    request.session = SessionStore()
    request.LANGUAGE_CODE = "zh-hans"
    request._messages = FallbackStorage(request)
    request._messages.add(20, "只给这位访客的消息")
    body = views.home(request).content.decode()
    assert "只给这位访客的消息" in body
    assert "只给这位访客的消息" not in Client().get("/").content.decode()


def test_the_communities_api_is_read_a_page_at_a_time_by_its_link_header():
    _communities(7)
    seen, path, pages = [], "/api/v1/communities/?limit=3", 0
    while path:
        response = Client().get(path)
        assert response.status_code == 200
        rows = response.json()
        assert len(rows) <= 3
        seen += [r["code"] for r in rows]
        link = response.get("Link", "")
        path = link[1 : link.index(">")] if link else ""
        assert not link or link.endswith('; rel="next"')
        pages += 1
    assert pages == 3 and seen == sorted(seen) and len(seen) == 7
    # The CSV stays whole, for a spreadsheet.
    csv = Client().get("/api/v1/communities/?format=csv&limit=3").content.decode()
    assert len(csv.strip().splitlines()) == 8


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=501", "limit=abc", "limit=1e2", "limit=%D9%A1", "after=" + "x" * 65]
)
def test_a_bad_page_of_the_api_is_a_400_naming_the_parameter(query):
    response = Client().get(f"/api/v1/communities/?{query}")
    assert response.status_code == 400
    assert response.json()["error"].startswith(query.split("=")[0] + ":")


def test_the_periods_api_pages_backwards_from_a_month():
    world("HOMED")
    url = "/api/v1/communities/HOMED/periods/"
    assert [r["month"] for r in Client().get(url + "?after=2026-04").json()] == ["2026-03"]
    assert Client().get(url + "?after=2026-03").json() == []
    response = Client().get(url + "?limit=1")
    assert [r["month"] for r in response.json()] == ["2026-03"] and "Link" not in response
    bad = Client().get(url + "?after=March")
    assert bad.status_code == 400 and bad.json()["error"].startswith("after:")
