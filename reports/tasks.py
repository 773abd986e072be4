"""Celery tasks: thin, each calls one service."""

from celery import shared_task


@shared_task(name="reports.make_statement")
def make_statement(pk: int) -> str:
    from .auditor import make_file

    return make_file(pk)


@shared_task(name="reports.nightly_verify")
def nightly_verify() -> list[str]:
    """Recompute every community's book; the auditor workspace shows the last result."""
    from fundmgr.models import Community

    from .auditor import integrity_check

    return [str(integrity_check(c, "nightly")) for c in Community.objects.order_by("code")]
