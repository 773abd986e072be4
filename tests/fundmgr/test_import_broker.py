"""The upload page's import through a real broker and worker (PostgreSQL + Redis run)."""

import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from fundmgr.models import ImportJob, Income
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "community,package,tier,amount,paid_at,payer,method,external_ref\r\n"
    + "".join(f"SQW,YL01,paid,{i}.00,2026-03-05,居民{i},wechat,W{i}\r\n" for i in range(1, 2501))
).encode()


def wait_for(job, states, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in states:
            return job
        time.sleep(0.2)
    raise AssertionError(f"import stuck in {job.state}")


def test_a_worker_checks_and_records_an_upload_with_progress(ledger_purge):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("no CELERY_BROKER_URL: tasks run inline (test_views.py covers that)")
    from celery.contrib.testing.worker import start_worker

    from fundmgr.conf.celery import app

    c = f.community("SQW", threshold="100000")
    f.package(c, "YL01")
    officer = f.user("w_officer", (c, "officer"))
    client = Client()
    client.force_login(officer)
    app.loader.import_module("celery.contrib.testing.tasks")
    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=60):
        response = client.post(
            reverse("officer:import"), {"file": SimpleUploadedFile("w.csv", CSV, "text/csv")}
        )
        job = wait_for(ImportJob.objects.get(), {"checked", "refused", "failed"})
        assert job.state == "checked" and job.ready == 2500
        client.post(response.url)
        seen = set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status = client.get(reverse("officer:import-status", args=[job.pk])).json()
            seen.add(status["percent"])
            if status["finished"]:
                break
            time.sleep(0.05)
        job.refresh_from_db()
    assert job.state == "done" and job.recorded == 2500
    assert Income.objects.filter(community=c).count() == 2500
    assert 100 in seen
