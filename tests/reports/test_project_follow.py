"""Residents follow a project (#19, item 5): its Atom feed lists every public step, and
an address that opted in hears of each one by e-mail - the same subscription, opt-in
and one-click unsubscribe as the community's notices, and never an address or a
person's data on a public page."""

import datetime as dt
import re
from xml.etree import ElementTree

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, TestCase
from djmoney.money import Money

from fundmgr.projects import services as projects
from fundmgr.services.income import income_record
from reports.notices.models import Subscription, SubscriptionState
from reports.notices.services import notify_month_published
from tests import factories as f
from tests.reports import published
from tests.reports.test_public_projects import _pay

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SHA = "cd" * 32
PHONE = "13800001111"


@pytest.fixture(autouse=True)
def tasks_inline():
    """The mails are Celery tasks; with a broker configured they would wait for a worker."""
    from fundmgr.conf.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def clock():
    with time_machine.travel("2026-06-01 10:00 +08:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(clock):
    c = f.community("PFW", threshold="1000000")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    r1, r2 = f.user("r1", (c, "reviewer")), f.user("r2", (c, "reviewer"))
    income_record(f.draft(c, pkg, "200000.00", method="bank"), recorded_by=officer)
    return c, officer, r1, r2


def after_commit():
    """Run what the code queues for after its commit (the test's transaction never
    commits)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def day(clock, n):
    clock.move_to(f"2026-06-{n:02d} 10:00 +08:00")


def decided_project(c, officer, r1, clock):
    """Project 1, reviewed on 06-01 and decided on 06-02 (item passed 6-1-0)."""
    project = projects.project_create(
        community=c, user=officer, title="小区长椅", category="facilities", provider="王师傅"
    )
    projects.project_review(project=project, user=r1)
    day(clock, 2)
    item = f.decided_item(
        c, officer, r1, title="小区长椅", held_on=dt.date(2026, 6, 2), major=False
    )
    projects.project_decide(
        project=project, item=item, amount=Money("2400.00", "CNY"), user=officer
    )
    return project


def milestone(project, officer, on):
    return projects.milestone_record(
        project=project, title="长椅安装", due_on=on, done_on=on, evidence_sha256=SHA, user=officer
    )


def feed_entries(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)  # well-formed XML
    assert root.tag == f"{ATOM}feed"
    return root, response


def en_client():
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def test_the_project_feed_lists_its_public_events_newest_first(world, clock):
    c, officer, r1, r2 = world
    project = decided_project(c, officer, r1, clock)
    day(clock, 3)
    projects.project_start(project=project, user=officer)
    day(clock, 4)
    milestone(project, officer, dt.date(2026, 6, 4))
    day(clock, 5)
    _pay(c, officer, r1, "1000.00", project)
    day(clock, 6)
    projects.project_accept(
        project=project, representatives=["赵阿姨", "钱叔叔"], evidence_sha256=SHA, user=r2
    )
    day(clock, 7)
    _pay(c, officer, r1, "1200.00", project, final=True)
    day(clock, 8)
    projects.project_close(project=project, user=officer, reason=f"验收合格，联系人张伟{PHONE}")

    root, response = feed_entries(en_client(), f"/c/{c.code}/project/1/feed/")
    assert "public" in response["Cache-Control"]
    assert root.findtext(f"{ATOM}title").endswith("project 1. 小区长椅")
    entries = list(root.iter(f"{ATOM}entry"))
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Status: Closed",
        "Payment of ¥1200.00",
        "Status: Accepted (验收)",
        "Payment of ¥1000.00",
        "Milestone reached: 长椅安装",
        "Status: In progress",
        "Status: Decided",
        "Status: Reviewed",
    ]
    assert [e.findtext(f"{ATOM}updated")[:10] for e in entries] == [
        "2026-06-08",
        "2026-06-07",
        "2026-06-06",
        "2026-06-05",
        "2026-06-04",
        "2026-06-03",
        "2026-06-02",
        "2026-06-01",
    ]
    for e in entries:  # every entry has its own id and a link to the project page
        assert e.findtext(f"{ATOM}id").startswith("tag:fundmgr,PFW:project:1:")
        assert e.find(f"{ATOM}link").get("href").startswith("http://testserver/c/PFW/project/1/#")
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == len(entries)
    summaries = [e.findtext(f"{ATOM}summary") or "" for e in entries]
    assert "6 for, 1 against, 0 abstaining" in summaries[6] and "¥2400.00" in summaries[6]
    assert "赵**、钱**" in summaries[2]
    assert "王*" in summaries[1] and "(final)" in summaries[1]
    assert summaries[0].startswith("Reason: 验收合格")
    body = response.content.decode()
    # Nothing the public page does not show: no private payee, representative, phone,
    # or name beside it.
    for private in ("王师傅", "赵阿姨", "钱叔叔", PHONE, "张伟", "@"):
        assert private not in body, private

    page = en_client().get(f"/c/{c.code}/project/1/").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" href="/c/PFW/project/1/feed/">' in page
    )
    assert 'action="/c/PFW/project/1/follow/"' in page and "csrfmiddlewaretoken" in page
    assert PHONE not in page


def test_a_rejected_project_s_reason_is_masked_and_unknown_projects_are_404(world, clock):
    c, officer, r1, _r2 = world
    project = projects.project_create(
        community=c, user=officer, title="健身器材", category="culture"
    )
    client = en_client()
    # Proposed: not on the public pages yet, so neither its feed nor its follow form.
    assert client.get(f"/c/{c.code}/project/1/feed/").status_code == 404
    assert client.get(f"/c/{c.code}/project/1/follow/").status_code == 404
    projects.project_reject(project=project, user=r1, reason=f"申请人李明{PHONE}已搬走")
    root, response = feed_entries(client, f"/c/{c.code}/project/1/feed/")
    (entry,) = root.iter(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Status: Rejected"
    assert entry.findtext(f"{ATOM}summary").startswith("Reason: 申请人")
    assert PHONE not in response.content.decode() and "李明" not in response.content.decode()
    assert client.get(f"/c/{c.code}/project/99/feed/").status_code == 404
    assert client.get("/c/NOPE/project/1/feed/").status_code == 404


def follow(c, email, number=1, address="10.0.0.1", **extra):
    with after_commit():
        return Client(REMOTE_ADDR=address).post(
            f"/c/{c.code}/project/{number}/follow/", {"email": email, **extra}
        )


def path_of(url):
    return url.split("8000", 1)[1]


def test_a_follower_hears_of_each_event_once_and_month_subscribers_do_not(world, clock):
    c, officer, r1, r2 = world
    project = decided_project(c, officer, r1, clock)
    Subscription.objects.create(community=c, email="month@example.org", state="confirmed")

    response = follow(c, "Ju.Min@Example.org")
    assert response.status_code == 200
    (confirmation,) = mail.outbox
    assert confirmation.to == ["ju.min@example.org"] and "小区长椅" in confirmation.body
    sub = Subscription.objects.get(project=project)
    assert sub.state == SubscriptionState.PENDING and sub.community == c
    confirm = path_of(re.search(r"http://\S+/notices/confirm/\S+/", confirmation.body).group(0))
    assert Client().get(confirm).status_code == 200  # a link scanner's GET confirms nothing
    sub.refresh_from_db()
    assert sub.state == SubscriptionState.PENDING
    assert Client().post(confirm).status_code == 200
    sub.refresh_from_db()
    assert sub.state == SubscriptionState.CONFIRMED

    mail.outbox.clear()
    day(clock, 3)
    with after_commit():
        projects.project_start(project=project, user=officer)
    with after_commit():
        milestone(project, officer, dt.date(2026, 6, 3))
    with after_commit():
        _pay(c, officer, r1, "1000.00", project)
    assert [m.to for m in mail.outbox] == [["ju.min@example.org"]] * 3
    status, reached, payment = mail.outbox
    assert "实施中" in status.subject and "小区长椅" in status.body
    assert "长椅安装" in reached.subject
    assert "1000.00" in payment.subject and "王*" in payment.body and "王师傅" not in payment.body
    assert "http://127.0.0.1:8000/c/PFW/project/1/" in payment.body
    assert payment.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A refused change announces nothing (its transaction rolls back).
    mail.outbox.clear()
    with after_commit(), pytest.raises(Exception):  # noqa: B017, PT011
        projects.project_cancel(project=project, user=officer, reason="")
    assert not mail.outbox

    # One click (RFC 8058: a POST with no session nor CSRF token) and no more mail.
    unsubscribe = path_of(payment.extra_headers["List-Unsubscribe"].strip("<>"))
    response = Client(enforce_csrf_checks=True).post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.state == SubscriptionState.UNSUBSCRIBED
    with after_commit():
        milestone(project, officer, dt.date(2026, 6, 3))
    assert not mail.outbox
    # The community's own subscription is untouched.
    assert Subscription.objects.get(email="month@example.org").state == "confirmed"


def test_month_notices_go_to_month_subscribers_only():
    w = published.world("PFM")
    officer = f.user("offpfm", (w.community, "officer"))
    project = projects.project_create(
        community=w.community, user=officer, title="长椅", category="facilities"
    )
    Subscription.objects.create(community=w.community, email="month@example.org", state="confirmed")
    Subscription.objects.create(
        community=w.community, project=project, email="follower@example.org", state="confirmed"
    )
    assert notify_month_published(w.disclosure.pk) == 1
    assert [m.to for m in mail.outbox] == [["month@example.org"]]


def test_one_address_may_follow_a_project_and_the_community_apart(world, clock):
    c, officer, r1, _r2 = world
    project = decided_project(c, officer, r1, clock)
    Subscription.objects.create(community=c, email="a@example.org", state="confirmed")
    assert follow(c, "a@example.org").status_code == 200
    assert Subscription.objects.filter(email="a@example.org").count() == 2
    assert Subscription.objects.get(project=project).state == SubscriptionState.PENDING
    assert follow(c, "a@example.org").status_code == 200  # asked again: still one row
    assert Subscription.objects.filter(project=project).count() == 1


def test_a_bad_address_a_robot_or_a_flood_is_refused_and_nothing_stored(world, clock):
    c, officer, r1, _r2 = world
    decided_project(c, officer, r1, clock)
    assert follow(c, "not-an-address").status_code == 400
    assert follow(c, "robot@example.org", website="http://spam").status_code == 400
    assert not Subscription.objects.exists() and not mail.outbox
    assert follow(c, "x@example.org", number=99).status_code == 404
    # The same limit per client as the community's form (they share it).
    for n in range(5):
        assert follow(c, f"p{n}@example.org", address="10.0.0.9").status_code == 200
    assert follow(c, "p5@example.org", address="10.0.0.9").status_code == 429
    assert Subscription.objects.count() == 5
    assert not Subscription.objects.filter(email="p5@example.org").exists()
    # No address is ever on the public project page or its feed.
    page = Client().get(f"/c/{c.code}/project/1/").content.decode()
    feed = Client().get(f"/c/{c.code}/project/1/feed/").content.decode()
    assert "@example.org" not in page and "@example.org" not in feed


BEFORE = [("notices", "0001_initial")]
AFTER = [("notices", "0002_subscription_project")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_existing_subscriptions_as_community_notices(ledger_purge):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Hub = old.get_model("fundmgr", "HubEnterprise")
    Book = old.get_model("ledger", "Book")
    Community = old.get_model("fundmgr", "Community")
    hub = Hub.objects.create(code="MHF", name="枢纽", subdistrict="街道")
    book = Book.objects.create(code="MIGF", name="MIGF")
    community = Community.objects.create(
        code="MIGF", name="迁移社区", subdistrict="街道", hub=hub, book=book
    )
    old.get_model("notices", "Subscription").objects.create(
        community_id=community.pk, email="old@example.org", state="confirmed"
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Subscription_ = new.get_model("notices", "Subscription")
    (row,) = Subscription_.objects.all()
    assert (row.email, row.state, row.project_id) == ("old@example.org", "confirmed", None)
    # Still one community subscription per address.
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription_.objects.create(community_id=community.pk, email="old@example.org")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
