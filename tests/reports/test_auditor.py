"""The auditor workspace: read-only, scoped; verification on demand and nightly; statements
downloaded as PDF/CSV/XLSX, cached, drawn in the background when large."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from fundmgr.services.income import income_record
from reports import services as auditor
from reports.models import IntegrityCheck, StatementFile
from reports.services import period_close, period_publish
from reports.tasks import nightly_verify
from tests import factories as f
from tests.ledger.tamper import execute, guards_lifted

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    c = f.community("SQA")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    audit = f.user("auditor", (c, "auditor"))
    for day in (3, 4, 5):
        income_record(
            f.draft(c, pkg, paid_at=timezone.make_aware(dt.datetime(2026, 3, day, 9))),
            recorded_by=officer,
        )
    period_close(community=c, month=dt.date(2026, 3, 1), actor="officer", today=dt.date(2026, 4, 2))
    period_publish(community=c, month=dt.date(2026, 3, 1), actor="officer")
    client = Client()
    client.force_login(audit)
    return c, officer, audit, client


def test_the_workspace_verifies_on_demand_and_shows_a_break(world):
    c, _, _, client = world
    assert "SQA社区" in client.get("/auditor/").content.decode()
    client.post("/auditor/SQA/verify/")
    check = IntegrityCheck.objects.get()
    assert check.ok and check.entries == 3 and check.ran_by == "auditor"
    entry = c.book.entries.get(seq=2)
    with guards_lifted():
        execute("UPDATE ledger_entry SET memo = 'x' WHERE id = %s", [entry.pk])
    client.post("/auditor/SQA/verify/")
    page = client.get("/auditor/").content.decode()
    assert "entry #2" in page and "hash mismatch" in page


def test_the_nightly_task_checks_every_book(world):
    nightly_verify()  # the task body; test_celery.py covers a real broker round trip
    assert IntegrityCheck.objects.filter(ran_by="nightly", ok=True).count() == 1


@pytest.mark.parametrize(
    ("kind", "fmt", "magic"),
    [
        ("period", "pdf", b"%PDF"),
        ("journal", "pdf", b"%PDF"),
        ("trial-balance", "csv", b"\xef\xbb\xbf"),
        ("audit-trail", "xlsx", b"PK\x03\x04"),
        ("party", "pdf", b"%PDF"),
    ],
)
def test_statements_download_and_are_cached(world, kind, fmt, magic):
    _, _, _, client = world
    params = {"month": "2026-03", "kind": kind, "format": fmt, "party": "fund"}
    response = client.post("/auditor/SQA/statements/", params)
    assert response.status_code == 302
    download = client.get(response.url)
    assert b"".join(download.streaming_content).startswith(magic)
    again = client.post("/auditor/SQA/statements/", params)
    assert again.url == response.url and StatementFile.objects.count() == 1


def test_a_new_entry_makes_a_new_file(world):
    c, officer, _, client = world
    params = {"month": "2026-03", "kind": "trial-balance", "format": "pdf"}
    first = client.post("/auditor/SQA/statements/", params).url
    income_record(
        f.draft(c, c.packages.get(), paid_at=timezone.make_aware(dt.datetime(2026, 4, 3, 9))),
        recorded_by=officer,
    )
    assert client.post("/auditor/SQA/statements/", params).url != first


def test_a_large_journal_is_drawn_by_a_task(world, monkeypatch, django_capture_on_commit_callbacks):
    from fundmgr.conf.celery import app

    _, _, _, client = world
    monkeypatch.setattr(auditor, "INLINE_ENTRIES", 0)
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/auditor/SQA/statements/", {"month": "2026-03", "kind": "journal", "format": "pdf"}
        )
    record = StatementFile.objects.get()
    # The first click leads to the job's page, never back to the bare form (issue 14).
    assert record.state == "queued" and response.status_code == 302
    assert response.url == f"/auditor/files/{record.pk}/"
    waiting = client.get(response.url).content.decode()
    assert "<progress" in waiting and "等候" in waiting and "fundmgr/poll.js" in waiting
    assert "重新载入" in waiting  # a plain reload link when scripts do not run
    try:
        for callback in callbacks:
            callback()
    finally:
        app.conf.task_always_eager = eager
    assert client.get(f"/auditor/files/{record.pk}/", {"status": 1}).json()["state"] == "done"
    done = client.get(f"/auditor/files/{record.pk}/")
    assert b"".join(done.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("fmt", ["pdf", "csv", "xlsx"])
@pytest.mark.parametrize("kind", ["period", "party", "trial-balance", "journal", "audit-trail"])
def test_the_first_click_gives_the_file_or_its_job(world, kind, fmt):
    _, _, _, client = world
    params = {"month": "2026-03", "kind": kind, "format": fmt, "party": "fund"}
    response = client.post("/auditor/SQA/statements/", params)
    assert response.status_code == 302 and response.url.startswith("/auditor/files/")
    record = StatementFile.objects.get()
    assert record.state in {"done", "queued", "running"}


def test_a_refused_request_keeps_the_choices_made(world):
    _, _, _, client = world
    params = {"month": "2020-01", "kind": "journal", "format": "xlsx", "party": ""}
    page = client.post("/auditor/SQA/statements/", params).content.decode()
    assert 'value="2020-01"' in page
    assert '<option value="journal" selected>' in page
    assert '<option value="xlsx" selected>' in page
    params = {"month": "2020-01", "kind": "party", "format": "csv", "party": "hub"}
    page = client.post("/auditor/SQA/statements/", params).content.decode()
    assert '<option value="party" selected>' in page and '<option value="hub" selected>' in page


def test_statements_are_scoped_and_auditors_do_not_write(world):
    c, _, audit, client = world
    stranger = Client()
    stranger.force_login(f.user("stranger", (f.community(), "auditor")))
    assert stranger.get("/auditor/SQA/statements/", {"month": "2026-03"}).status_code == 404
    assert stranger.post("/auditor/SQA/verify/").status_code == 404
    client.post("/auditor/SQA/statements/", {"month": "2026-03", "kind": "period", "format": "pdf"})
    record = StatementFile.objects.get()
    assert stranger.get(f"/auditor/files/{record.pk}/").status_code == 404
    assert client.post("/officer/periods/SQA/2026-03/publish/").status_code == 403
    assert client.get("/officer/c/SQA/incomes/new/").status_code == 404


def test_bad_statement_requests_are_explained(world):
    _, _, _, client = world
    for params, message in (
        ({"month": "garbage"}, "请选择"),
        ({"month": "2026-03", "kind": "novel"}, "请选择"),
        ({"month": "2026-05", "kind": "period", "format": "pdf"}, "尚未公示"),
    ):
        response = client.post("/auditor/SQA/statements/", params)
        assert response.status_code == 400
        assert message in response.content.decode()
