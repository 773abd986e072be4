"""Celery tasks: thin, each calls one service. Queued with delay_on_commit."""

from celery import shared_task

from . import imports


@shared_task(name="fundmgr.check_import")
def check_import(job_id: str) -> str:
    return imports.check_job(job_id)


@shared_task(name="fundmgr.run_import")
def run_import(job_id: str) -> str:
    return imports.run_job(job_id)
