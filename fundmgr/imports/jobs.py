"""Upload jobs: the same import as `manage.py import_income`, run as Celery
tasks, with progress kept in the cache because the recording transaction's own writes
are invisible to other connections until it commits.

Every job ends in a final state (issue 21: jobs stayed "checking" or "recording" for
ever after a worker timeout, a UniqueViolation or a killed connection):
- the work is never done inside the request: with a broker, a worker runs it; without
  one, a thread of the web process does, after the upload's transaction commits;
- it has a time limit (IMPORT_TIME_LIMIT seconds, checked as rows are read, and
  Celery's own limits on the tasks);
- whatever it raises, the job is marked failed with a message, on a fresh connection;
- a job found still "checking" or "recording" well past the time limit (its process
  died) is failed as stuck when anyone looks at it;
- a failed job can be retried: it is checked again from the start. Retrying is safe
  because recording is all-or-none and payment references are idempotency keys: rows a
  lost run did record are "already recorded" the second time.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import communities_for
from ..models import ImportJob, ImportState, Role
from . import batch
from .files import FileError

log = logging.getLogger(__name__)

FINAL = {ImportState.CHECKED, ImportState.REFUSED, ImportState.DONE, ImportState.FAILED}
RUNNING = {ImportState.CHECKING, ImportState.IMPORTING}


def time_limit() -> int:
    """Seconds one check or one recording may take (a 200k-row file: about a minute)."""
    return int(getattr(settings, "IMPORT_TIME_LIMIT", 600))


def stuck_after() -> dt.timedelta:
    """A running job older than this has lost its worker: its time limit has passed."""
    return dt.timedelta(seconds=time_limit() + 120)


def progress_key(job_id) -> str:
    return f"fundmgr:import:{job_id}:progress"


def progress(job: ImportJob) -> dict:
    fail_stuck(job)
    done, total = cache.get(progress_key(job.pk), (0, 0))
    if job.state == ImportState.DONE:
        done = total = max(job.recorded + job.pending + job.skipped, 1)
    percent = int(100 * done / total) if total else 0
    return {
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "done": done,
        "total": total,
        "percent": percent,
        "finished": job.state in FINAL,
        "retry": job.state == ImportState.FAILED,
    }


def _queue(task, job_id: str) -> None:
    """The task after commit: to the broker, or - without one - to a thread of this
    process, so the request answers at once whatever the file holds."""
    if not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False) or not getattr(
        settings, "IMPORT_JOBS_IN_THREAD", True
    ):
        task.delay_on_commit(job_id)
        return

    def run() -> None:
        try:
            task.run(job_id)
        finally:
            connection.close()  # this thread's own connection

    transaction.on_commit(
        lambda: threading.Thread(target=run, name=f"import-{job_id}", daemon=True).start()
    )


def job_create(*, user, upload) -> ImportJob:
    """Store the upload and queue its check (after commit)."""
    from ..tasks import check_import

    job = ImportJob(
        id=uuid.uuid4(),
        created_by=user,
        original_name=upload.name[:200],
        started_at=timezone.now(),
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    _queue(check_import, str(job.pk))
    return job


def _allowed(job: ImportJob) -> set[int]:
    return set(communities_for(job.created_by, Role.OFFICER).values_list("pk", flat=True))


def _run(job: ImportJob, *, dry_run: bool) -> batch.Summary | None:
    # On disk, not in memory: a 100k-row file's report is megabytes.
    report = tempfile.TemporaryFile("w+", encoding="utf-8-sig", newline="")

    def tick(done: int, total: int) -> None:
        cache.set(progress_key(job.pk), (done, total), 3600)

    try:
        summary = batch.import_file(
            job.file.path,
            user=job.created_by,
            allowed_communities=_allowed(job),
            dry_run=dry_run,
            report=report,
            progress=tick,
            expected_rows=job.rows or 0,
            deadline=time.monotonic() + time_limit(),
        )
    except FileError as exc:
        job.state, job.message = ImportState.FAILED, str(exc)
        report.close()
        return None
    job.rows, job.bad_rows, job.skipped = summary.rows, summary.bad_rows, summary.skipped
    job.recorded, job.pending = summary.recorded, summary.pending
    job.errors = [
        {"row": e.row, "content": e.content, "message": e.message} for e in summary.errors
    ]
    job.ignored_columns = summary.ignored_columns
    job.message = batch.report_text(summary)
    report.flush()
    with open(report.fileno(), "rb", closefd=False) as raw:
        raw.seek(0)
        job.report.save(f"{job.pk}-report.csv", File(raw), save=False)
    report.close()
    return summary


def _failure_message(exc: BaseException, *, recording: bool) -> str:
    from django.db import IntegrityError

    if isinstance(exc, IntegrityError):
        return _(
            "Another import or officer recorded some of these payments at the same time. "
            "Nothing of this file was written; try again to see which rows are already "
            "recorded."
        )
    if isinstance(exc, DatabaseError):
        return _(
            "The database connection was lost while the file was being %(what)s. Nothing of "
            "this file was written; try again."
        ) % {"what": _("recorded") if recording else _("checked")}
    return _(
        "The file could not be %(what)s (an unexpected error: %(error)s). Nothing of this "
        "file was written; try again or tell the administrator."
    ) % {"what": _("recorded") if recording else _("checked"), "error": type(exc).__name__}


def _fail(job_id, expect: str, message: str) -> None:
    """Mark the job failed, if it is still in state `expect`, on a connection of its own
    (the one the work used may be broken)."""
    if (
        not connection.in_atomic_block
        and connection.connection is not None
        and not connection.is_usable()
    ):
        connection.close()  # the next query opens a new one
    ImportJob.objects.filter(pk=job_id, state=expect).update(
        state=ImportState.FAILED, message=message, finished_at=timezone.now()
    )


def _advance(job_id: str, *, expect: str, dry_run: bool, done) -> str:
    """Run the import for a job in state `expect`; a repeated task changes nothing.
    Whatever happens, the job ends in a final state."""
    job = ImportJob.objects.get(pk=job_id)
    if job.state != expect:
        return job.state
    try:
        summary = _run(job, dry_run=dry_run)
        if summary is not None:
            job.state = done(summary)
        job.finished_at = timezone.now()
        job.save()
    except BaseException as exc:  # noqa: BLE001 - the job must end, then re-raise
        log.exception("import job %s failed", job_id)
        _fail(job_id, expect, _failure_message(exc, recording=not dry_run))
        if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit: pass on
            raise
        return ImportState.FAILED
    return job.state


def job_check(job_id: str) -> str:
    return _advance(
        job_id,
        expect=ImportState.CHECKING,
        dry_run=True,
        done=lambda s: ImportState.CHECKED if s.ok else ImportState.REFUSED,
    )


def job_confirm(*, job: ImportJob, user) -> ImportJob:
    """Queue the recording of a checked file; a second click changes nothing."""
    from ..tasks import run_import

    if job.created_by_id != user.pk:
        raise PermissionError(_("Only the officer who uploaded the file may confirm it."))
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, state=ImportState.CHECKED).update(
            state=ImportState.IMPORTING, started_at=timezone.now()
        )
        if updated == 1:  # another request did not get there first
            _queue(run_import, str(job.pk))
    job.refresh_from_db()
    return job


def job_run(job_id: str) -> str:
    return _advance(
        job_id,
        expect=ImportState.IMPORTING,
        dry_run=False,
        done=lambda s: ImportState.DONE if s.written else ImportState.FAILED,
    )


def job_retry(*, job: ImportJob, user) -> ImportJob:
    """Check a failed job's file again from the start (then it is confirmed as any)."""
    from ..tasks import check_import

    if job.created_by_id != user.pk:
        raise PermissionError(_("Only the officer who uploaded the file may retry it."))
    fail_stuck(job)
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, state=ImportState.FAILED).update(
            state=ImportState.CHECKING,
            started_at=timezone.now(),
            finished_at=None,
            message="",
            errors=[],
        )
        if updated == 1:
            cache.delete(progress_key(job.pk))
            _queue(check_import, str(job.pk))
    job.refresh_from_db()
    return job


def fail_stuck(job: ImportJob | None = None) -> int:
    """Fail the running jobs (or `job`) whose time limit passed long ago: their worker
    died (killed, restarted, out of memory). Returns how many were failed."""
    cutoff = timezone.now() - stuck_after()
    stuck = ImportJob.objects.filter(
        Q(started_at__lt=cutoff) | Q(started_at__isnull=True, created_at__lt=cutoff),
        state__in=RUNNING,
    )
    if job is not None:
        stuck = stuck.filter(pk=job.pk)
    n = 0
    for state in RUNNING:
        n += stuck.filter(state=state).update(
            state=ImportState.FAILED,
            finished_at=timezone.now(),
            message=_(
                "The file was still being %(what)s long after its time limit: the work was "
                "interrupted. Try again: the file is checked from the start, and any rows "
                "that were recorded show as already recorded."
            )
            % {"what": _("recorded") if state == ImportState.IMPORTING else _("checked")},
        )
    if job is not None and n:
        job.refresh_from_db()
    return n
