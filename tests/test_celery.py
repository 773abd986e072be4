"""Tasks run inline without a broker, and through a real broker and worker with one."""

import pytest
from django.conf import settings

from fundmgr.conf.celery import app
from ledger.tasks import verify_books
from tests import factories as f


@pytest.mark.django_db
def test_without_a_broker_tasks_run_inline(settings):
    if settings.CELERY_BROKER_URL:
        pytest.skip("a broker is configured: tasks go to it")
    f.income(f.book("EAGER"))
    result = verify_books.delay()
    assert result.get() == {"books": 1, "entries": 1, "broken": []}


@pytest.mark.django_db(transaction=True)
def test_a_task_round_trips_through_the_real_broker(ledger_purge):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("no CELERY_BROKER_URL: tasks run inline")
    from celery.contrib.testing.worker import start_worker

    f.income(f.book("BROKER"))
    app.loader.import_module("celery.contrib.testing.tasks")  # the worker's ping task
    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=30):
        result = verify_books.delay()
        assert result.get(timeout=60) == {"books": 1, "entries": 1, "broken": []}
