"""Every URL the project serves × every kind of visitor, against a table of who may reach
it. A URL added without a row in RULES fails `test_every_url_has_an_access_rule`: decide
who may reach it, then add the row. Requests are made as each visitor; a 500 anywhere
fails.

Visitors: anonymous; an officer, a reviewer and an auditor of community A; an officer of
community B only; an administrator (superuser with no community role).
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from djmoney.money import Money

from fundmgr.models import ImportJob
from fundmgr.services import payouts
from fundmgr.services.income import income_record
from reports.models import StatementFile
from reports.services import period_close, period_publish, query_ask
from tests import factories as f
from tests.fundmgr.test_payouts import PDF

VISITORS = ("anonymous", "officer", "reviewer", "auditor", "other_officer", "admin")
MEMBERS = {"officer", "reviewer", "auditor"}

# What a visitor gets: OK (a page, or a redirect somewhere other than a login page),
# LOGIN (sent to log in), DENIED (403 or 404: the community or object does not exist
# for them), GONE (404 for everyone: the object named does not exist).
OK, LOGIN, DENIED, GONE = "ok", "login", "denied", "gone"


def public():
    return dict.fromkeys(VISITORS, OK)


def logged_in():
    return {v: (LOGIN if v == "anonymous" else OK) for v in VISITORS}


def members(*roles):
    allowed = set(roles) or MEMBERS
    return {v: LOGIN if v == "anonymous" else OK if v in allowed else DENIED for v in VISITORS}


def staff():
    return {v: OK if v == "admin" else LOGIN for v in VISITORS}


def owner(who):
    return {v: LOGIN if v == "anonymous" else OK if v == who else DENIED for v in VISITORS}


def gone():
    return {v: LOGIN if v == "anonymous" else GONE for v in VISITORS}


def nowhere():
    """A public page of an object that does not exist: 404 for everyone."""
    return {v: GONE for v in VISITORS}


def seated():
    """Pages of the supervisory committee's members (none of the visitors is one)."""
    return {v: LOGIN if v == "anonymous" else DENIED for v in VISITORS}


# name -> (method, path template, expected per visitor). {c}: community A's code,
# {m}: its published month, {receipt}, {disbursement}, {attachment}, {job}, {statement},
# {query}: objects in community A.
RULES: dict[str, tuple] = {
    "home": ("GET", "/", public()),
    "login": ("GET", "/accounts/login/", public()),
    "logout": ("POST", "/accounts/logout/", public()),
    "set_language": ("POST", "/i18n/setlang/", public()),
    "two-factor": ("GET", "/accounts/two-factor/", logged_in()),
    "two-factor-backup": ("GET", "/accounts/two-factor/backup-codes/", logged_in()),
    "password_change": ("GET", "/accounts/password_change/", logged_in()),
    "password_change_done": ("GET", "/accounts/password_change/done/", logged_in()),
    # The residents' site and the open-data API: no login, published data only.
    "public-receipt-lookup": ("GET", "/r/", public()),
    "public-receipt": ("GET", "/r/{receipt}/", public()),
    "public-community": ("GET", "/c/{c}/", public()),
    "public-month": ("GET", "/c/{c}/{m}/", public()),
    "public-query": ("GET", "/c/{c}/{m}/query/", public()),
    "api-communities": ("GET", "/api/v1/communities/", public()),
    "api-community": ("GET", "/api/v1/communities/{c}/", public()),
    "api-periods": ("GET", "/api/v1/communities/{c}/periods/", public()),
    "api-period": ("GET", "/api/v1/communities/{c}/periods/{m}/", public()),
    "api-fdp": ("GET", "/api/v1/communities/{c}/periods/{m}/fdp.zip", public()),
    "api-heads": ("GET", "/api/v1/communities/{c}/heads/", public()),
    "api-consistency": ("GET", "/api/v1/communities/{c}/consistency/?from=1&to=1", public()),
    "api-receipt": ("GET", "/api/v1/receipts/{receipt}/", public()),
    "api-public-key": ("GET", "/api/v1/public-key/", public()),
    "api-openapi": ("GET", "/api/v1/openapi.json", public()),
    "^api/(?P<rest>.*)$": ("GET", "/api/v2/nothing/", {v: GONE for v in VISITORS}),
    # The officers' area: pages listing the user's own communities need a login; pages of
    # one community need a role in it; objects of a community are the community's.
    "officer:dashboard": ("GET", "/officer/", logged_in()),
    "officer:reviews": ("GET", "/officer/reviews/", logged_in()),
    "officer:capital": ("GET", "/officer/capital/?amount=12.30", logged_in()),
    # Officers of any community import (the file names the community of each row).
    "officer:import": (
        "GET",
        "/officer/import/",
        {**logged_in(), "reviewer": DENIED, "auditor": DENIED, "admin": DENIED},
    ),
    "officer:import-template": (
        "GET",
        "/officer/import/template.csv",
        {**logged_in(), "reviewer": DENIED, "auditor": DENIED, "admin": DENIED},
    ),
    "officer:import-job": ("GET", "/officer/import/{job}/", owner("officer")),
    "officer:import-status": ("GET", "/officer/import/{job}/status.json", owner("officer")),
    "officer:import-report": ("GET", "/officer/import/{job}/report.csv", owner("officer")),
    "officer:receipt": ("GET", "/officer/receipts/{receipt}/", members()),
    "officer:reverse": ("POST", "/officer/receipts/{receipt}/reverse/", members()),
    "officer:review": ("POST", "/officer/receipts/{receipt}/review/", members()),
    "officer:incomes": ("GET", "/officer/c/{c}/incomes/", members()),
    "officer:record": ("GET", "/officer/c/{c}/incomes/new/", members("officer")),
    "officer:payouts": ("GET", "/officer/c/{c}/payouts/", members()),
    "officer:settlement-new": ("GET", "/officer/c/{c}/settlements/new/", members("officer")),
    "officer:disbursement-new": (
        "GET",
        "/officer/c/{c}/disbursements/new/",
        members("officer"),
    ),
    "officer:disbursement": ("GET", "/officer/disbursements/{disbursement}/", members()),
    # A rejection with no reason: refused with a message, nothing written.
    "officer:disbursement-decide": (
        "POST",
        "/officer/disbursements/{disbursement}/decide/",
        members(),
        {"action": "reject", "note": ""},
    ),
    "officer:attachment": ("GET", "/officer/attachments/{attachment}/", members()),
    "officer:queries": ("GET", "/officer/queries/", logged_in()),
    "officer:periods": ("GET", "/officer/periods/", logged_in()),
    "officer:period-action": (
        "POST",
        "/officer/periods/{c}/{m}/publish/",
        {**members("officer"), "reviewer": DENIED, "auditor": DENIED},
    ),
    "officer:answer": ("POST", "/officer/queries/{query}/answer/", members("officer", "reviewer")),
    # The auditors' workspace: read-only, any role of the community reads it.
    "auditor:home": ("GET", "/auditor/", logged_in()),
    "auditor:verify": ("POST", "/auditor/{c}/verify/", members()),
    "auditor:statements": ("GET", "/auditor/{c}/statements/", members()),
    "auditor:statement-file": ("GET", "/auditor/files/{statement}/?status=1", members()),
    "auditor:flags": ("GET", "/auditor/{c}/flags/", members()),
    "auditor:screen": ("POST", "/auditor/{c}/flags/screen/", members()),
    "auditor:flag-close": ("POST", "/auditor/{c}/flags/999999/close/", gone()),
    "auditor:declarations": ("GET", "/auditor/{c}/declarations/", members("auditor")),
    "auditor:reconciliation": ("GET", "/auditor/{c}/reconciliation/", members()),
    "auditor:receipts": ("GET", "/auditor/{c}/receipts/", members("auditor")),
    "auditor:receipt-confirm": ("POST", "/auditor/{c}/receipts/999999/confirm/", gone()),
    # Where each role lands after logging in.
    "workspace": ("GET", "/workspace/", logged_in()),
    # Donations, named funds, markets and contracts (fundmgr.inflows).
    "officer:inflows": ("GET", "/officer/c/{c}/inflows/", members()),
    "officer:donation-new": ("GET", "/officer/c/{c}/donations/new/", members("officer")),
    "officer:donation": ("GET", "/officer/c/{c}/donations/999999/", gone()),
    "officer:donation-approve": ("POST", "/officer/c/{c}/donations/999999/approve/", gone()),
    "officer:spending-approve": ("POST", "/officer/c/{c}/spendings/999999/approve/", gone()),
    "officer:fund-new": ("GET", "/officer/c/{c}/funds/new/", members("officer")),
    "officer:spending-new": ("GET", "/officer/c/{c}/spendings/new/", members("officer")),
    "officer:market-new": ("GET", "/officer/c/{c}/markets/new/", members("officer")),
    "officer:market": ("GET", "/officer/c/{c}/markets/999999/", gone()),
    "officer:market-count": ("POST", "/officer/c/{c}/markets/999999/count/", gone()),
    "officer:market-post": ("POST", "/officer/c/{c}/markets/999999/post/", gone()),
    "officer:contract-new": ("GET", "/officer/c/{c}/contracts/new/", members("officer")),
    "officer:contract": ("GET", "/officer/c/{c}/contracts/999999/", gone()),
    "officer:contract-extend": ("POST", "/officer/c/{c}/contracts/999999/extend/", gone()),
    "officer:contract-deliver": ("POST", "/officer/c/{c}/contracts/999999/deliveries/", gone()),
    # Spaces let for services and the decisions behind them.
    "officer:spaces": ("GET", "/officer/c/{c}/spaces/", members()),
    "officer:space-new": ("GET", "/officer/c/{c}/spaces/new/", members("officer")),
    "officer:agreement-new": ("GET", "/officer/c/{c}/agreements/new/", members("officer")),
    "officer:agreement": ("GET", "/officer/c/{c}/agreements/NOPE/", gone()),
    "officer:delivery-new": ("POST", "/officer/c/{c}/agreements/NOPE/deliveries/", gone()),
    "officer:delivery-confirm": (
        "POST",
        "/officer/c/{c}/agreements/NOPE/deliveries/999999/confirm/",
        gone(),
    ),
    "officer:rent-new": ("POST", "/officer/c/{c}/agreements/NOPE/rent/", gone()),
    "officer:person-new": ("POST", "/officer/c/{c}/agreements/NOPE/people/", gone()),
    "officer:income-link": ("POST", "/officer/c/{c}/agreements/NOPE/income/", gone()),
    "officer:meeting-new": ("GET", "/officer/c/{c}/meetings/new/", members("officer")),
    "officer:meeting": ("GET", "/officer/c/{c}/meetings/999999/", gone()),
    "officer:prior-review": ("POST", "/officer/c/{c}/meetings/999999/items/1/review/", gone()),
    "officer:tally": ("POST", "/officer/c/{c}/meetings/999999/items/1/tally/", gone()),
    # Proposals, projects and the annual plan (fundmgr/projects/officer.py).
    "officer:projects": ("GET", "/officer/c/{c}/projects/", members()),
    "officer:project-new": ("GET", "/officer/c/{c}/projects/new/", members("officer")),
    "officer:project": ("GET", "/officer/c/{c}/projects/999999/", gone()),
    "officer:project-action": ("POST", "/officer/c/{c}/projects/999999/review/", gone()),
    "officer:proposal-new": ("GET", "/officer/c/{c}/proposals/new/", members("officer")),
    "officer:proposal-moderate": ("POST", "/officer/c/{c}/proposals/999999/moderate/", gone()),
    "officer:plan": ("GET", "/officer/c/{c}/plan/", members()),
    "officer:online-vote-open": ("POST", "/officer/c/{c}/meetings/999999/online/", gone()),
    "officer:online-vote-close": (
        "POST",
        "/officer/c/{c}/meetings/999999/online/count/",
        gone(),
    ),
    # Bank and platform reconciliation.
    "officer:reconcile": ("GET", "/officer/c/{c}/reconcile/", members()),
    "officer:reconcile-upload": ("GET", "/officer/c/{c}/reconcile/upload/", members("officer")),
    "officer:reconcile-bank": ("GET", "/officer/c/{c}/reconcile/bank/", members("officer")),
    "officer:deposit-new": ("GET", "/officer/c/{c}/reconcile/deposits/new/", members("officer")),
    "officer:deposit-decide": ("POST", "/officer/deposits/999999/decide/", gone()),
    "officer:reconcile-month": ("GET", "/officer/c/{c}/reconcile/1002/2026-03/", members()),
    # No statement of that account and month: nothing to confirm, for anyone.
    "officer:reconcile-confirm": (
        "POST",
        "/officer/c/{c}/reconcile/1002/2026-03/confirm/",
        gone(),
    ),
    # The supervisory committee: its own pages, and what it publishes.
    "supervisor-home": ("GET", "/supervisor/", seated()),
    "supervisor-add-key": ("POST", "/supervisor/{c}/key/", seated()),
    "public-supervisors": ("GET", "/c/{c}/supervisors/", public()),
    "api-supervisors": ("GET", "/api/v1/communities/{c}/supervisors/", public()),
    "api-cosignatures": ("GET", "/api/v1/communities/{c}/periods/{m}/cosignatures/", public()),
    # Residents' notices: the feed, the subscription (a bad token is a page, not a 500),
    # the poster.
    "notices-feed": ("GET", "/c/{c}/feed/", public()),
    "notices-subscribe": ("GET", "/c/{c}/notices/", public()),
    "notices-confirm": ("GET", "/c/{c}/notices/confirm/not-a-token/", public()),
    "notices-unsubscribe": ("GET", "/c/{c}/notices/unsubscribe/not-a-token/", public()),
    "notices-poster": ("GET", "/c/{c}/{m}/poster-a4.pdf", public()),
    # Public pages of objects: one that does not exist is a 404 for everyone.
    "public-space": ("GET", "/c/{c}/space/NOPE/", nowhere()),
    "public-decision": ("GET", "/c/{c}/decision/999999/", nowhere()),
    # The online resident vote: a code form for anyone; a vote that does not exist, 404.
    "public-vote": ("GET", "/v/", public()),
    "public-vote-cast": ("POST", "/v/999999/", nowhere()),
    "public-fund": ("GET", "/c/{c}/fund/", public()),
    "public-named-fund": ("GET", "/c/{c}/fund/NOPE/", nowhere()),
    "public-contract": ("GET", "/c/{c}/contract/NOPE/", nowhere()),
    "public-donation": ("GET", "/d/NOPE/", nowhere()),
    "api-spaces": ("GET", "/api/v1/communities/{c}/spaces/", public()),
    "api-decisions": ("GET", "/api/v1/communities/{c}/decisions/", public()),
    "api-inflows": ("GET", "/api/v1/communities/{c}/inflows/", public()),
    # Residents' proposals and the projects decided from them.
    "public-projects": ("GET", "/c/{c}/projects/", public()),
    "public-project": ("GET", "/c/{c}/project/999999/", nowhere()),
    "api-projects": ("GET", "/api/v1/communities/{c}/projects/", public()),
    # Following a project: its feed and its follow form (tests/reports/test_project_follow).
    "notices-project-feed": ("GET", "/c/{c}/project/999999/feed/", nowhere()),
    "notices-follow": ("GET", "/c/{c}/project/999999/follow/", nowhere()),
}
# The Django admin: staff only, every page of it.
ADMIN = staff()


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from _walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield namespace + (p.name or str(p.pattern)), prefix + str(p.pattern)


def all_urls() -> list[tuple[str, str]]:
    return list(_walk(get_resolver()))


def test_every_url_has_an_access_rule():
    missing = [
        (name, route)
        for name, route in all_urls()
        if name not in RULES and not name.startswith("admin:")
    ]
    assert not missing, f"URLs without an access rule in RULES: {missing}"
    stale = set(RULES) - {name for name, _route in all_urls()}
    assert not stale, f"RULES for URLs that no longer exist: {stale}"


@pytest.fixture
def world(db):
    with time_machine.travel(dt.datetime(2026, 3, 20, 2, tzinfo=dt.UTC), tick=True):
        a, b = f.community("MXA", threshold="1000000"), f.community("MXB")
        pkg = f.package(a, "YL01")
        users = {
            "officer": f.user("officer", (a, "officer")),
            "reviewer": f.user("reviewer", (a, "reviewer")),
            "auditor": f.user("auditor", (a, "auditor")),
            "other_officer": f.user("other", (b, "officer")),
            "admin": get_user_model().objects.create_superuser("root", "r@example.org", "pw"),
        }
        income, _ = income_record(
            f.draft(a, pkg, "80000.00", method="bank"),
            recorded_by=users["officer"],
        )
        d = payouts.disbursement_request(
            community=a,
            payee="阳光助老服务社",
            purpose="重阳节慰问",
            category="elderly",
            amount=Money("100.00", "CNY"),
            user=users["officer"],
            attachments=[("invoice", SimpleUploadedFile("fapiao.pdf", PDF))],
        )
        job = ImportJob.objects.create(
            id=uuid.uuid4(),
            created_by=users["officer"],
            file=ContentFile(b"community\n", name="x.csv"),
            original_name="x.csv",
            state="failed",
            finished_at=timezone.now(),
            report=ContentFile(b"row,status\n", name="r.csv"),
        )
        statement = StatementFile.objects.create(
            key="k" * 64, community=a, kind="period", month=dt.date(2026, 2, 1), fmt="pdf"
        )
    with time_machine.travel(dt.datetime(2026, 4, 2, 2, tzinfo=dt.UTC), tick=True):
        period_close(community=a, month=dt.date(2026, 3, 1), actor="officer")
        disclosure = period_publish(community=a, month=dt.date(2026, 3, 1), actor="officer")
        query = query_ask(
            period=disclosure.period, question="基金怎么用？", contact="", client_key="m"
        )
    values = {
        "c": a.code,
        "m": "2026-03",
        "receipt": income.receipt_code,
        "disbursement": d.pk,
        "attachment": d.attachments.first().pk,
        "job": job.pk,
        "statement": statement.pk,
        "query": query.pk,
    }
    return users, values


def outcome(response) -> str:
    assert response.status_code < 500, response.status_code
    if response.status_code in (301, 302):
        where = response["Location"]
        return LOGIN if "/login/" in where else OK
    if response.status_code in (403, 404):
        return DENIED
    if response.status_code == 405:
        return "method"
    return OK


@pytest.mark.django_db
def test_every_visitor_gets_what_the_table_says(world):
    users, values = world
    clients = {"anonymous": Client()}
    for who, user in users.items():
        clients[who] = Client()
        clients[who].force_login(user)
    wrong = []
    with time_machine.travel(dt.datetime(2026, 4, 3, 2, tzinfo=dt.UTC), tick=True):
        # Logging out last: it ends the sessions the other rows use.
        for name, (method, template, expected, *data) in sorted(
            RULES.items(), key=lambda row: row[0] == "logout"
        ):
            path = template.format(**values)
            for who in VISITORS:
                response = getattr(clients[who], method.lower())(path, *data)
                got = outcome(response)
                want = expected[who]
                if want == GONE:
                    want = DENIED
                if got != want:
                    wrong.append((name, who, want, got, response.status_code))
    assert not wrong, "\n".join(map(str, wrong))


@pytest.mark.django_db
def test_the_admin_is_for_staff_only(world):
    users, _values = world
    paths = [
        "/" + route
        for name, route in all_urls()
        if name.startswith("admin:")
        and name not in {"admin:login", "admin:logout"}  # the admin's own door
        and "<" not in route
        and "(?P" not in route
    ]
    assert len(paths) > 20
    for who in VISITORS:
        client = Client()
        if who != "anonymous":
            client.force_login(users[who])
        for path in paths:
            got = outcome(client.get(path))
            # Staff reach every page (the autocomplete answers 403 to a request without
            # its parameters); everyone else is sent to the admin's login.
            allowed = {OK, DENIED} if ADMIN[who] == OK else {LOGIN}
            assert got in allowed, (path, who, got)


@pytest.mark.django_db
@override_settings(TWO_FACTOR_ENFORCED=True)
def test_without_the_second_factor_a_role_holder_reaches_only_public_and_account_pages(world):
    users, values = world
    open_names = {
        name
        for name, (_m, _t, expected, *_data) in RULES.items()
        if expected in (public(), nowhere()) or name.startswith("^api")
    } | {"two-factor", "password_change_done"}
    for who in ("officer", "reviewer", "auditor", "admin"):
        client = Client()
        client.force_login(users[who])
        for name, (method, template, _expected, *data) in RULES.items():
            if name in open_names or name == "logout":
                continue
            response = getattr(client, method.lower())(template.format(**values), *data)
            assert response.status_code == 302, (name, who, response.status_code)
            assert response["Location"].startswith("/accounts/two-factor/"), (name, who)
