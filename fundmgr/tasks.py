"""Celery tasks: thin, each calls one service. Queued with delay_on_commit."""

from celery import shared_task

from .imports import jobs


@shared_task(name="fundmgr.check_import")
def check_import(job_id: str) -> str:
    return jobs.job_check(job_id)


@shared_task(name="fundmgr.run_import")
def run_import(job_id: str) -> str:
    return jobs.job_run(job_id)
