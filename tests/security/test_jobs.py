"""Import jobs always end in a final state and can be retried (issue 21): errors of
every kind, a lost connection, two imports of the same payments at once, a worker that
died, a time limit, and the check run outside the request."""

import datetime as dt
import time

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone

from fundmgr.imports import batch, jobs
from fundmgr.models import ImportJob, ImportState, Income
from ledger.models import Entry

from . import hostile
from .conftest import login

pytestmark = pytest.mark.django_db

ROWS = [[*hostile.GOOD, f"J{i}"] for i in range(3)]


def confirm(job, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        jobs.job_confirm(job=job, user=officer)
    job.refresh_from_db()
    return job


def test_an_unexpected_error_in_the_check_fails_the_job_with_a_message(world, upload, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(batch, "import_file", boom)
    job = upload(hostile.csv_bytes(ROWS), "a.csv")
    assert job.state == ImportState.FAILED
    assert "could not be checked" in job.message and "RuntimeError" in job.message
    assert job.finished_at is not None


def test_a_lost_connection_while_recording_fails_the_job_and_a_retry_records_it(
    world, upload, monkeypatch, django_capture_on_commit_callbacks
):
    job = upload(hostile.csv_bytes(ROWS), "a.csv")
    assert job.state == ImportState.CHECKED
    real = batch.incomes_save

    def killed(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(batch, "incomes_save", killed)
    job = confirm(job, world["officer"], django_capture_on_commit_callbacks)
    assert job.state == ImportState.FAILED and "connection was lost" in job.message
    assert Income.objects.count() == 0 and Entry.objects.count() == 0

    monkeypatch.setattr(batch, "incomes_save", real)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.job_retry(job=job, user=world["officer"])
    job.refresh_from_db()
    assert job.state == ImportState.CHECKED and job.rows == 3 and job.bad_rows == 0
    job = confirm(job, world["officer"], django_capture_on_commit_callbacks)
    assert job.state == ImportState.DONE and Income.objects.count() == 3


def test_two_imports_of_the_same_payments_one_records_the_other_ends_cleanly(
    world, upload, monkeypatch, django_capture_on_commit_callbacks
):
    first = upload(hostile.csv_bytes(ROWS), "a.csv")
    second = upload(hostile.csv_bytes(ROWS), "b.csv")
    assert first.state == second.state == ImportState.CHECKED
    assert confirm(first, world["officer"], django_capture_on_commit_callbacks).state == "done"
    # The race as PostgreSQL saw it: the second looked its references up before the
    # first committed, so it inserts them again and the unique index refuses.
    monkeypatch.setattr(batch, "_existing_for", lambda items: {})
    second = confirm(second, world["officer"], django_capture_on_commit_callbacks)
    assert second.state == ImportState.FAILED
    assert "Another import or officer recorded some of these payments" in second.message
    assert Income.objects.count() == 3
    # Without the race (the references are looked up again under the lock): skipped.
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        jobs.job_retry(job=second, user=world["officer"])
    second.refresh_from_db()
    assert second.state == ImportState.CHECKED and second.skipped == 3


def test_a_job_stuck_past_its_time_limit_is_failed_when_looked_at_and_can_be_retried(
    world, upload, django_capture_on_commit_callbacks
):
    job = upload(hostile.csv_bytes(ROWS), "a.csv")
    long_ago = timezone.now() - jobs.stuck_after() - dt.timedelta(seconds=1)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.IMPORTING, started_at=long_ago)
    client = login(world["officer"])
    status = client.get(f"/officer/import/{job.pk}/status.json").json()
    assert status["state"] == "failed" and status["finished"] and status["retry"]
    job.refresh_from_db()
    assert "interrupted" in job.message
    page = client.get(f"/officer/import/{job.pk}/").content.decode()
    assert "retry-import" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/officer/import/{job.pk}/", {"action": "retry"})
    job.refresh_from_db()
    assert job.state == ImportState.CHECKED


def test_a_running_job_within_its_limit_is_left_alone(world, upload):
    job = upload(hostile.csv_bytes(ROWS), "a.csv")
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.CHECKING)
    assert jobs.fail_stuck() == 0


def test_a_check_past_its_time_limit_fails_the_job(world, upload, monkeypatch):
    monkeypatch.setattr(jobs, "time_limit", lambda: -1)
    rows = [[*hostile.GOOD, f"T{i}"] for i in range(600)]
    job = upload(hostile.csv_bytes(rows), "a.csv")
    assert job.state == ImportState.FAILED and "time limit" in job.message


def test_only_the_uploader_retries(world, upload):
    from tests import factories as f

    job = upload(hostile.csv_bytes(ROWS), "a.csv")
    other = f.user("officer2", (world["c"], "officer"))
    with pytest.raises(PermissionError):
        jobs.job_retry(job=job, user=other)


@pytest.mark.django_db(transaction=True)
@override_settings(IMPORT_JOBS_IN_THREAD=True)
def test_without_a_broker_the_check_runs_outside_the_request(world):
    """The upload answers before the check; a thread of the process does it."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from fundmgr.conf.celery import app

    if not app.conf.task_always_eager:
        pytest.skip("a broker is configured: a worker runs the check")
    client = login(world["officer"])
    response = client.post(
        reverse("officer:import"),
        {"file": SimpleUploadedFile("a.csv", hostile.csv_bytes(ROWS), "text/csv")},
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    for _ in range(200):  # the thread's pace, not a timing assert
        job.refresh_from_db()
        if job.state != ImportState.CHECKING:
            break
        time.sleep(0.05)
    assert job.state == ImportState.CHECKED


@pytest.mark.postgres
def test_two_imports_of_the_same_payments_confirmed_at_once_on_postgresql(ledger_purge):
    """Real concurrency: both jobs record in threads at the same moment; one records the
    payments, the other waits for the book lock and finds them already recorded."""
    import threading

    from django.core.files.base import ContentFile
    from django.db import connection

    from tests import factories as f

    c = f.community("SQA", threshold="5000")
    f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    rows = [[*hostile.GOOD, f"P{i}"] for i in range(200)]
    made = []
    for name in ("a.csv", "b.csv"):
        job = ImportJob(id=__import__("uuid").uuid4(), created_by=officer, original_name=name)
        job.file.save(name, ContentFile(hostile.csv_bytes(rows)), save=False)
        job.state, job.started_at = ImportState.IMPORTING, timezone.now()
        job.save()
        made.append(job)
    barrier = threading.Barrier(2)

    def run(job_id):
        try:
            barrier.wait()
            jobs.job_run(str(job_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(j.pk,)) for j in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    states = sorted(
        ImportJob.objects.filter(pk__in=[j.pk for j in made]).values_list(
            "state", "recorded", "skipped"
        )
    )
    assert states == [("done", 0, 200), ("done", 200, 0)]
    assert Income.objects.count() == 200


def test_a_dry_run_opens_no_transaction(world, tmp_path, monkeypatch):
    """On SQLite every transaction takes the write lock at BEGIN (IMMEDIATE): the check
    must run without one, or it holds off every other writer (issue 21)."""

    def no_transactions(*args, **kwargs):
        raise AssertionError("the check opened a transaction")

    monkeypatch.setattr(batch.transaction, "atomic", no_transactions)
    path = tmp_path / "a.csv"
    path.write_bytes(hostile.csv_bytes(ROWS))
    summary = batch.import_file(path, dry_run=True)
    assert summary.ok and summary.rows == 3 and not summary.written
