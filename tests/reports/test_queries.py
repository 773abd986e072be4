"""Resident queries (质询): asked without a login during the window, rate-limited,
answered by the community's officers, published without the contact."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from fundmgr.services.income import income_record
from reports.models import Query
from reports.services import period_close, period_publish
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/c/SQQ/2026-03/"


@pytest.fixture
def month():
    cache.clear()
    c = f.community("SQQ")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    income_record(
        f.draft(c, pkg, paid_at=timezone.make_aware(dt.datetime(2026, 3, 3, 9))),
        recorded_by=officer,
    )
    period_close(community=c, month=dt.date(2026, 3, 1), actor="officer", today=dt.date(2026, 4, 2))
    record = period_publish(community=c, month=dt.date(2026, 3, 1), actor="officer")
    return c, officer, record


def ask(client, question, contact="", **extra):
    return client.post(URL + "query/", {"question": question, "contact": contact, **extra})


def test_a_question_is_answered_in_public_without_the_contact(month):
    c, officer, _ = month
    resident = Client()
    response = ask(
        resident, "为什么三月的社区基金只有5元？<script>alert(1)</script>", contact="13812345678"
    )
    assert response.status_code == 302 and response["Location"] == URL + "query/"
    assert 'href="/c/SQQ/2026-03/query/"' in resident.get(URL).content.decode()
    query = Query.objects.get()
    assert query.contact == "13812345678"
    page = resident.get(URL + "query/").content.decode()
    assert "&lt;script&gt;" in page and "<script>alert(1)" not in page
    assert "13812345678" not in page

    staff = Client()
    staff.force_login(officer)
    assert "13812345678" in staff.get("/officer/queries/").content.decode()
    staff.post(f"/officer/queries/{query.pk}/answer/", {"answer": "三月只有一笔收入，5% 即 5 元。"})
    page = Client().get(URL + "query/").content.decode()
    assert "三月只有一笔收入" in page and "13812345678" not in page


def test_floods_robots_and_bad_text_are_refused(month):
    resident = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(3):
        assert ask(resident, f"第{i}个问题：请说明。").status_code == 302
    assert ask(resident, "第四个问题：请说明。").status_code == 429
    assert ask(Client(), "短").status_code == 400
    assert ask(Client(), "长" * 1001).status_code == 400
    assert ask(Client(), "我是机器人发的广告", website="http://spam").status_code == 400
    assert Query.objects.count() == 3


def test_no_questions_after_the_window_or_for_unpublished_months(month):
    _, _, record = month
    later = record.window_ends_at + dt.timedelta(minutes=1)
    with time_machine.travel(later):
        assert ask(Client(), "窗口期已过还能提问吗？").status_code == 400
        page = Client().get(URL + "query/").content.decode()
        assert 'id="query-question"' not in page
    assert 'id="query-question"' in Client().get(URL + "query/").content.decode()
    assert (
        Client().post("/c/SQQ/2026-04/query/", {"question": "四月呢？四月呢？"}).status_code == 404
    )
    assert Query.objects.count() == 0


def test_only_the_communitys_staff_answer(month):
    c, _, _ = month
    ask(Client(), "请问这笔钱去哪了？")
    query = Query.objects.get()
    outsider = Client()
    outsider.force_login(f.user("outsider", (f.community(), "officer")))
    assert outsider.post(f"/officer/queries/{query.pk}/answer/", {"answer": "x"}).status_code == 404
    assert Client().post(f"/officer/queries/{query.pk}/answer/", {"answer": "x"}).status_code == 302
    query.refresh_from_db()
    assert query.answer == ""
