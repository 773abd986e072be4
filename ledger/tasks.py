"""Celery tasks are thin: they call the ledger's own functions."""

from celery import shared_task

from .verify import verify


@shared_task(name="ledger.verify_books")
def verify_books() -> dict:
    """Recompute every book (nightly, or on an auditor's demand)."""
    reports = verify()
    return {
        "books": len(reports),
        "entries": sum(r.entries for r in reports),
        "broken": [str(p) for r in reports for p in r.problems],
    }
