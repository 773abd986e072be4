"""Upload jobs: the same import as `manage.py import_income`, run as Celery
tasks (inline without a broker), with progress kept in the cache because the recording
transaction's own writes are invisible to other connections until it commits."""

from __future__ import annotations

import tempfile
import uuid

from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import communities_for
from ..models import ImportJob, ImportState, Role
from . import batch
from .files import FileError


def progress_key(job_id) -> str:
    return f"fundmgr:import:{job_id}:progress"


def progress(job: ImportJob) -> dict:
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
        "finished": job.state
        in {ImportState.CHECKED, ImportState.REFUSED, ImportState.DONE, ImportState.FAILED},
    }


def job_create(*, user, upload) -> ImportJob:
    """Store the upload and queue its check (after commit)."""
    from ..tasks import check_import

    job = ImportJob(id=uuid.uuid4(), created_by=user, original_name=upload.name[:200])
    job.file.save(upload.name, upload, save=False)
    job.save()
    check_import.delay_on_commit(str(job.pk))
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
        )
    except FileError as exc:
        job.state, job.message = ImportState.FAILED, str(exc)
        report.close()
        return None
    job.rows, job.bad_rows, job.skipped = summary.rows, summary.bad_rows, summary.skipped
    job.recorded, job.pending = summary.recorded, summary.pending
    job.errors = [{"row": e.row, "message": e.message} for e in summary.errors]
    job.ignored_columns = summary.ignored_columns
    job.message = batch.report_text(summary)
    report.flush()
    with open(report.fileno(), "rb", closefd=False) as raw:
        raw.seek(0)
        job.report.save(f"{job.pk}-report.csv", File(raw), save=False)
    report.close()
    return summary


def _advance(job_id: str, *, expect: str, dry_run: bool, done) -> str:
    """Run the import for a job in state `expect`; a repeated task changes nothing."""
    job = ImportJob.objects.get(pk=job_id)
    if job.state != expect:
        return job.state
    summary = _run(job, dry_run=dry_run)
    if summary is not None:
        job.state = done(summary)
    job.finished_at = timezone.now()
    job.save()
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
            state=ImportState.IMPORTING
        )
        if updated == 1:  # another request did not get there first
            run_import.delay_on_commit(str(job.pk))
    job.refresh_from_db()
    return job


def job_run(job_id: str) -> str:
    return _advance(
        job_id,
        expect=ImportState.IMPORTING,
        dry_run=False,
        done=lambda s: ImportState.DONE if s.written else ImportState.FAILED,
    )
