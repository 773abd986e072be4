"""Celery tasks: thin, each calls one service (queued after commit by the callers)."""

from celery import shared_task


@shared_task(name="notices.month_published")
def month_published(disclosure_pk: int) -> int:
    from .services import notify_month_published

    return notify_month_published(disclosure_pk)


@shared_task(name="notices.query_answered")
def query_answered(query_pk: int) -> int:
    from .services import notify_query_answered

    return notify_query_answered(query_pk)


@shared_task(name="notices.send_confirmation")
def send_confirmation(subscription_pk: int) -> int:
    from .services import confirmation_send

    return confirmation_send(subscription_pk)


@shared_task(name="notices.project_event")
def project_event(project_pk: int, kind: str, pk: int) -> int:
    from .services import notify_project_event

    return notify_project_event(project_pk, kind, pk)
