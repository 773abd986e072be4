"""Celery tasks are thin: they call the ledger's own functions."""

from celery import shared_task

from .verify import verify


@shared_task(name="ledger.verify_books")
def verify_books() -> dict:
    """Recompute every book of the ledger, with nothing of any app around it: for an
    operator (`celery -A fundmgr.conf call ledger.verify_books`) and the broker's smoke
    test. The nightly run is reports.tasks.nightly_verify, which keeps each
    community's result for its auditors and screens for red flags."""
    reports = verify()
    return {
        "books": len(reports),
        "entries": sum(r.entries for r in reports),
        "broken": [str(p) for r in reports for p in r.problems],
    }
