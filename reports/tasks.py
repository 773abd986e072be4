"""Celery tasks: thin, each calls one service."""

from celery import shared_task


@shared_task(name="reports.make_statement")
def make_statement(pk: int) -> str:
    from .auditor import make_file

    return make_file(pk)


@shared_task(name="reports.nightly_verify")
def nightly_verify() -> list[str]:
    """Recompute every community's book and screen it for red flags; the auditor
    workspace shows the results."""
    from fundmgr.models import Community

    from .auditor import integrity_check
    from .screening import screen_community

    results = []
    for community in Community.objects.order_by("code"):
        results.append(str(integrity_check(community, "nightly")))
        results.append(f"{community.code}: {len(screen_community(community))} red flags raised "
                       "or with new evidence")
    return results
