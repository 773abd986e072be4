"""Celery tasks: thin, each calls one service."""

from celery import shared_task


@shared_task(name="reports.make_statement")
def make_statement(pk: int) -> str:
    from .services import statement_make

    return statement_make(pk)


@shared_task(name="reports.nightly_verify")
def nightly_verify() -> list[str]:
    """Recompute every community's book and screen it for red flags; the auditor
    workspace shows the results."""
    from fundmgr.models import Community

    from .redflags.screening import community_screen
    from .services import integrity_verify

    results = []
    for community in Community.objects.order_by("code"):
        results.append(str(integrity_verify(community, "nightly")))
        touched = community_screen(community)
        results.append(f"{community.code}: {len(touched)} red flags raised or with new evidence")
    return results
