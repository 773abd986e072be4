"""Shared set-up of the hostile-input tests: one community, its officer, and helpers
that put a file through both doors (the command and the upload page)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fundmgr.models import ImportJob, Income
from ledger.models import Entry
from tests import factories as f


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    c = f.community("SQA", threshold="5000")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    reviewer = f.user("reviewer", (c, "reviewer"))
    auditor = f.user("auditor", (c, "auditor"))
    return {"c": c, "pkg": pkg, "officer": officer, "reviewer": reviewer, "auditor": auditor}


def login(user, language: str = "en") -> Client:
    """A logged-in client whose requests speak `language` (messages are asserted in
    English unless a test says otherwise)."""
    from django.conf import settings

    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def command_fails(path) -> str:
    """The command's error for `path`; asserts it wrote nothing."""
    with pytest.raises(CommandError) as failure:
        call_command("import_income", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert_nothing_written()
    return str(failure.value)


def command_errors(path) -> str:
    """The per-row errors the command printed for `path` (it must fail)."""
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_income", str(path), stdout=io.StringIO(), stderr=err)
    assert_nothing_written()
    return err.getvalue()


def assert_nothing_written() -> None:
    assert Income.objects.count() == 0 and Entry.objects.count() == 0


@pytest.fixture
def upload(world, django_capture_on_commit_callbacks):
    """Upload bytes on the import page as the officer, run the queued check, and return
    the job (asserting the request itself answered at once, with a redirect)."""
    from fundmgr.conf.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    client = login(world["officer"])

    def run(content: bytes, name: str) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("officer:import"),
                {"file": SimpleUploadedFile(name, content, "application/octet-stream")},
            )
        assert response.status_code == 302, response.content[:500]
        job = ImportJob.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
        assert job.state in {"checked", "refused", "failed"}, job.state
        page = client.get(response.url)
        assert page.status_code == 200
        return job

    yield run
    app.conf.task_always_eager = eager
