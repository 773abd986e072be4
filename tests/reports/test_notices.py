"""Residents hear when to look: the Atom feed, e-mail notices with double opt-in and a
one-click unsubscribe, and the month's poster for the notice board."""

import re
import subprocess
from xml.etree import ElementTree

import pytest
from django.core import mail
from django.test import Client, TestCase

from reports.notices import poster
from reports.notices.models import Subscription, SubscriptionState
from reports.services import query_answer, query_ask
from reports.supervision import services as supervision
from tests import factories as f
from tests.reports.published import world

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def tasks_inline():
    """The notices are Celery tasks; with a broker configured (the PostgreSQL run) they
    would wait for a worker. What is tested here is what they send."""
    from fundmgr.conf.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = eager


def test_the_feed_lists_published_months_and_answers():
    w = world("FDA")
    q = query_ask(
        period=w.disclosure.period, question="三月的助餐收入为何减少？", contact="", client_key="x"
    )
    query_answer(
        query=q, user=f.user("offr", (w.community, "officer")), answer="三月少了两天开餐。"
    )
    response = Client().get("/c/FDA/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles == ["关于 2026-03 的质询已答复", "2026-03 账目已公示"]
    body = response.content.decode()
    assert "¥147.80" in body and "/c/FDA/2026-03/" in body
    assert Client().get("/c/NOPE/feed/").status_code == 404


def after_commit():
    """Run what the code queues for after its commit (the test's transaction never
    commits)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def subscribe(email, address="10.0.0.1"):
    with after_commit():
        return Client(REMOTE_ADDR=address).post("/c/FDB/notices/", {"email": email})


def link(message, name):
    return re.search(rf"http://\S+/notices/{name}/\S+/", message.body).group(0).split("8000")[1]


def test_double_opt_in_then_a_notice_on_publishing_and_a_one_click_unsubscribe():
    w = world("FDB")
    response = subscribe("Ju.Min@Example.org")
    assert response.status_code == 200 and "确认链接" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ju.min@example.org"]
    sub = Subscription.objects.get()
    assert sub.state == SubscriptionState.PENDING
    confirm = link(mail.outbox[0], "confirm")
    # A GET (a link scanner) confirms nothing; the button's POST does.
    assert Client().get(confirm).status_code == 200
    sub.refresh_from_db()
    assert sub.state == SubscriptionState.PENDING
    assert "已确认" in Client().post(confirm).content.decode()
    sub.refresh_from_db()
    assert sub.state == SubscriptionState.CONFIRMED

    mail.outbox.clear()
    from reports.notices.services import notify_month_published

    assert notify_month_published(w.disclosure.pk) == 1
    notice = mail.outbox[0]
    assert "2026-03 账目已公示" in notice.subject
    assert "¥147.80" in notice.body and "http://127.0.0.1:8000/c/FDB/2026-03/" in notice.body
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = notice.extra_headers["List-Unsubscribe"].strip("<>").split("8000")[1]
    # RFC 8058: the mail client POSTs, with no session and no CSRF token.
    response = Client(enforce_csrf_checks=True).post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.state == SubscriptionState.UNSUBSCRIBED
    mail.outbox.clear()
    assert notify_month_published(w.disclosure.pk) == 0 and not mail.outbox


def test_publishing_queues_the_notice_after_commit():
    c = f.community("FDC")
    Subscription.objects.create(community=c, email="a@example.org", state="confirmed")
    with after_commit():
        import datetime as dt

        from django.utils import timezone

        from fundmgr.services.income import income_record
        from reports.services import period_close, period_publish

        pkg = f.package(c, "YL01")
        officer = f.user("offfdc", (c, "officer"))
        paid = timezone.make_aware(dt.datetime(2026, 3, 5, 10))
        income_record(f.draft(c, pkg, "20.00", paid_at=paid), recorded_by=officer)
        period_close(community=c, month=dt.date(2026, 3, 1), actor="o", today=dt.date(2026, 4, 2))
        period_publish(community=c, month=dt.date(2026, 3, 1), actor="o")
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


def test_the_asker_who_subscribed_hears_of_the_answer_and_nobody_else():
    w = world("FDD")
    Subscription.objects.create(community=w.community, email="ask@example.org", state="confirmed")
    Subscription.objects.create(community=w.community, email="other@example.org", state="pending")
    officer = f.user("offfdd", (w.community, "officer"))
    period = w.disclosure.period
    mine = query_ask(
        period=period, question="为什么有一笔冲销？", contact="Ask@example.org ", client_key="a"
    )
    theirs = query_ask(
        period=period, question="请问何时结算？", contact="other@example.org", client_key="b"
    )
    mail.outbox.clear()
    with after_commit():
        query_answer(query=mine, user=officer, answer="录错了金额，已冲销重录。")
        query_answer(query=theirs, user=officer, answer="下月初。")
    assert [m.to for m in mail.outbox] == [["ask@example.org"]]
    assert "录错了金额" in mail.outbox[0].body and "/c/FDD/2026-03/query/" in mail.outbox[0].body
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers


def test_bad_addresses_forged_links_and_floods_are_refused_and_nothing_is_shown():
    world("FDB")
    response = subscribe("not-an-address")
    assert response.status_code == 400 and "请填写有效的电子邮箱地址" in response.content.decode()
    assert Client().post("/c/FDB/notices/confirm/forged-token/").status_code == 400
    assert Client().post("/c/FDB/notices/unsubscribe/forged:token/").status_code == 400
    assert not Subscription.objects.exists()
    statuses = [subscribe(f"r{i}@example.org", "10.9.9.9").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]
    # The same answer whether or not an address is already known; no address on any page.
    assert subscribe("r0@example.org", "10.1.1.1").content == subscribe(
        "fresh@example.org", "10.1.1.2"
    ).content.replace(b"fresh@example.org", b"r0@example.org")
    for path in ("/c/FDB/", "/c/FDB/2026-03/", "/c/FDB/feed/", "/c/FDB/notices/"):
        assert b"@example.org" not in Client().get(path).content


def test_the_poster_says_what_the_notice_board_needs(tmp_path):
    w = world("FDP")
    d = w.disclosure
    sig = w.keys[0].sign(supervision.message_for(d)).hex()
    supervision.cosign_submit(disclosure=d, key_id=w.seats[0].keys.get().key_id, signature=sig)
    facts = poster.facts(d.period)
    assert facts["digest8"] == d.digest[:8]
    assert facts["fund"]["balance"] >= 0 and facts["url"].endswith("/c/FDP/2026-03/")
    assert [bool(s) for _seat, s in facts["seats"]] == [True, False, False]
    for size in ("a4", "a3"):
        response = Client().get(f"/c/FDP/2026-03/poster-{size}.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        pdf = tmp_path / f"{size}.pdf"
        pdf.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        for words in (
            "百分之七十",
            "百分之二十五",
            "百分之五",
            d.digest[:8],
            "公示期",
            "已由 1 / 3 位会签",
            "待会签",
            "有偿",
            "月末余额",
            "风险预警",
        ):
            assert words in text, (size, words)
    sizes = subprocess.run(
        ["pdfinfo", str(tmp_path / "a3.pdf")], capture_output=True, text=True
    ).stdout
    assert "841.89 x 1190.55" in sizes  # A3 in points
    assert Client().get("/c/FDP/2026-03/poster-a5.pdf").status_code == 404
    assert Client().get("/c/FDP/2026-04/poster-a4.pdf").status_code == 404


@pytest.mark.parametrize(
    "bp,words",
    [
        (7000, "百分之七十"),
        (2500, "百分之二十五"),
        (500, "百分之五"),
        (1250, "百分之十二点五"),
        (10000, "百分之一百"),
        (10500, "百分之一百零五"),
        (0, "百分之零"),
    ],
)
def test_percentages_in_words(bp, words):
    assert poster.percent_words(bp) == words


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_month_mail_prints_amounts_through_yuan_as_plain_text(language):
    """The e-mail is text/plain: ¥12,345.60 like the pages, the payment count left a
    count (not read as fen), and nothing HTML-escaped."""
    import datetime as dt

    from django.template.loader import render_to_string
    from django.utils import translation

    context = {
        "community": {"name": 'A&B <"东">\'社区'},
        "period": {"label": "2026-03"},
        "totals": {
            "count": 1234,
            "income": "12345.60",
            "net": "-1000.00",
            "provider": "8641.92",
            "hub": "3086.40",
            "fund": "617.28",
        },
        "fund_balance": "1000000.00",
        "window_ends": dt.date(2026, 4, 30),
        "month_url": "http://127.0.0.1:8000/c/X/2026-03/?a=1&b=2",
        "unsubscribe_url": "http://127.0.0.1:8000/notices/unsubscribe/t/",
    }
    with translation.override(language):
        body = render_to_string("notices/mail_month.txt", context)
    for amount in ("¥12,345.60", "-¥1,000.00", "¥8,641.92", "¥3,086.40", "¥617.28"):
        assert amount in body
    assert "¥1,000,000.00" in body and "1234" in body and "¥12.34" not in body
    assert not re.search(r"¥-?\d{4}", body) and "¥¥" not in body
    assert 'A&B <"东">\'社区' in body and "?a=1&b=2" in body
    assert "&amp;" not in body and "&lt;" not in body and "&#" not in body
