"""Celery tasks: thin, each calls one service. Queued with delay_on_commit."""

from celery import shared_task

from .imports import jobs

# Celery's own limits on top of the import's cooperative one (IMPORT_TIME_LIMIT, 600 s
# by default): the soft one raises inside the task, which then fails the job.
LIMITS = {"soft_time_limit": 660, "time_limit": 720}


@shared_task(name="fundmgr.check_import", **LIMITS)
def check_import(job_id: str) -> str:
    return jobs.job_check(job_id)


@shared_task(name="fundmgr.run_import", **LIMITS)
def run_import(job_id: str) -> str:
    return jobs.job_run(job_id)
