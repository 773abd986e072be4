"""E-mail notices: subscribe (double opt-in), confirm, unsubscribe (one click, RFC 8058),
and the notices sent when a month is published or a subscriber's question is answered;
following a project is the same subscription scoped to it, told of each of its events.

Tokens are django.core.signing values bound to the subscription and its address; the
confirmation expires, the unsubscribe link never does (an old mail must still work)."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fundmgr.models import Community
from fundmgr.projects.models import Project

from ..models import Disclosure, Query
from .models import Subscription, SubscriptionState
from .project_events import project_event, project_url

CONFIRM_SALT, UNSUBSCRIBE_SALT = "notices.confirm", "notices.unsubscribe"
CONFIRM_MAX_AGE = dt.timedelta(days=7)
SUBSCRIBE_LIMIT_PER_HOUR = 5
CONFIRMATIONS_MAX = 3

SUBSCRIBE_RECEIVED = gettext_noop(
    "If this address can receive mail, a message with a confirmation link is on its way. "
    "Nothing is sent until you confirm."
)


def _url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def token(subscription: Subscription, salt: str) -> str:
    return signing.dumps([subscription.pk, subscription.email], salt=salt, compress=True)


def _from_token(value: str, salt: str, max_age=None) -> Subscription:
    try:
        pk, email = signing.loads(value, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise ValidationError(_("This link is not valid or has expired.")) from exc
    found = Subscription.objects.select_related("community").filter(pk=pk, email=email).first()
    if found is None:
        raise ValidationError(_("This link is not valid or has expired."))
    return found


def subscribe(
    *, community: Community, email: str, client_key: str, project: Project | None = None
) -> None:
    """Ask for notices (with `project`: that project's events only). The answer is the
    same whether or not the address was known, so the form tells nobody who subscribes;
    only a confirmed address receives notices."""
    if project is not None and project.community_id != community.pk:
        raise ValidationError({"project": _("That project belongs to another community.")})
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    key = f"notices:subscribe-rate:{client_key}"
    cache.add(key, 0, 3600)
    if cache.incr(key) > SUBSCRIBE_LIMIT_PER_HOUR:
        raise PermissionError(_("Too many requests from here; try again in an hour."))
    from .tasks import send_confirmation

    with transaction.atomic():
        sub, _created = Subscription.objects.select_for_update().get_or_create(
            community=community, email=email, project=project
        )
        if sub.state == SubscriptionState.CONFIRMED or sub.confirmations_sent >= CONFIRMATIONS_MAX:
            return
        if sub.state == SubscriptionState.UNSUBSCRIBED:
            sub.state, sub.unsubscribed_at = SubscriptionState.PENDING, None
            sub.save(update_fields=["state", "unsubscribed_at"])
        send_confirmation.delay_on_commit(sub.pk)


def confirmation_send(pk: int) -> int:
    sub = Subscription.objects.select_related("community", "project").get(pk=pk)
    if sub.state != SubscriptionState.PENDING:
        return 0
    Subscription.objects.filter(pk=pk).update(confirmations_sent=sub.confirmations_sent + 1)
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "notices/mail_confirm.txt",
            {
                "community": sub.community,
                "confirm_url": _url(
                    "notices-confirm", code=sub.community.code, token=token(sub, CONFIRM_SALT)
                ),
                "days": CONFIRM_MAX_AGE.days,
                "project": sub.project,
            },
        )
        if sub.project is not None:
            subject = _("Confirm news of project %(number)s of %(community)s") % {
                "number": sub.project.number,
                "community": sub.community.name,
            }
        else:
            subject = _("Confirm notices from %(community)s") % {"community": sub.community.name}
    EmailMessage(subject, body, to=[sub.email]).send()
    return 1


@transaction.atomic
def subscription_confirm(value: str) -> Subscription:
    sub = _from_token(value, CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if sub.state != SubscriptionState.CONFIRMED:
        sub.state, sub.confirmed_at, sub.unsubscribed_at = (
            SubscriptionState.CONFIRMED,
            timezone.now(),
            None,
        )
        sub.save(update_fields=["state", "confirmed_at", "unsubscribed_at"])
    return sub


@transaction.atomic
def subscription_cancel(value: str) -> Subscription:
    sub = _from_token(value, UNSUBSCRIBE_SALT)
    if sub.state != SubscriptionState.UNSUBSCRIBED:
        sub.state, sub.unsubscribed_at = SubscriptionState.UNSUBSCRIBED, timezone.now()
        sub.save(update_fields=["state", "unsubscribed_at"])
    return sub


def _notice(sub: Subscription, subject: str, template: str, context: dict) -> EmailMessage:
    unsubscribe = _url(
        "notices-unsubscribe", code=sub.community.code, token=token(sub, UNSUBSCRIBE_SALT)
    )
    body = render_to_string(template, {**context, "unsubscribe_url": unsubscribe})
    return EmailMessage(
        subject,
        body,
        to=[sub.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def notify_month_published(disclosure_pk: int) -> int:
    """A short notice to every confirmed subscriber: the month's totals and its link."""
    d = Disclosure.objects.select_related("period__community").get(pk=disclosure_pk)
    period, community = d.period, d.period.community
    doc = json.loads(d.document)
    subs = Subscription.objects.filter(
        community=community, project__isnull=True, state=SubscriptionState.CONFIRMED
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(community)s: the accounts of %(month)s are published") % {
            "community": community.name,
            "month": period.label,
        }
        context = {
            "community": community,
            "period": period,
            "totals": doc["totals"],
            "fund_balance": doc["balances"]["closing"]["fund"],
            "window_ends": d.window_ends_at,
            "month_url": _url("public-month", code=community.code, month=period.label),
        }
        messages = [
            _notice(sub, subject, "notices/mail_month.txt", context)
            for sub in subs.select_related("community")
        ]
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


def notify_query_answered(query_pk: int) -> int:
    """The resident who asked, if the contact they left is a confirmed subscriber's
    address in that community (no mail to an address that did not opt in)."""
    q = Query.objects.select_related("period__community").get(pk=query_pk)
    contact = q.contact.strip().lower()
    if not contact or not q.answer:
        return 0
    community = q.period.community
    sub = (
        Subscription.objects.select_related("community")
        .filter(
            community=community,
            project__isnull=True,
            email=contact,
            state=SubscriptionState.CONFIRMED,
        )
        .first()
    )
    if sub is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(community)s: your question about %(month)s is answered") % {
            "community": community.name,
            "month": q.period.label,
        }
        message = _notice(
            sub,
            subject,
            "notices/mail_answer.txt",
            {
                "community": community,
                "period": q.period,
                "query": q,
                "query_url": _url("public-query", code=community.code, month=q.period.label),
            },
        )
    message.send()
    return 1


def notify_project_event(project_pk: int, kind: str, pk: int) -> int:
    """One mail to each confirmed follower of the project: the event as its feed shows
    it (reports.notices.project_events), never more than the public page."""
    project = Project.objects.select_related("community", "decision__meeting").get(pk=project_pk)
    subs = Subscription.objects.filter(project=project, state=SubscriptionState.CONFIRMED)
    with translation.override(settings.LANGUAGE_CODE):
        event = project_event(project, kind, pk)
        if event is None:  # not public (yet): nothing to tell
            return 0
        community = project.community
        subject = _("%(community)s, project %(number)s: %(event)s") % {
            "community": community.name,
            "number": project.number,
            "event": event.title,
        }
        context = {
            "community": community,
            "project": project,
            "event": event,
            "project_url": settings.SITE_URL + project_url(project),
            "feed_url": _url("notices-project-feed", code=community.code, number=project.number),
        }
        messages = [
            _notice(sub, subject, "notices/mail_project.txt", context)
            for sub in subs.select_related("community")
        ]
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


def on_month_published(disclosure: Disclosure) -> None:
    """Hooked after reports.services.period_publish commits."""
    from .tasks import month_published

    month_published.delay_on_commit(disclosure.pk)


def on_query_answered(query: Query) -> None:
    from .tasks import query_answered

    query_answered.delay_on_commit(query.pk)


def on_project_event(sender, *, project, kind: str, pk: int, **kwargs) -> None:
    """Connected to fundmgr.projects.signals.project_event (reports.notices.apps): the
    followers' mail is queued after the service's commit, as the month notice is."""
    from .tasks import project_event as task

    # Most projects have no follower: no task for them.
    if Subscription.objects.filter(project=project, state=SubscriptionState.CONFIRMED).exists():
        task.delay_on_commit(project.pk, kind, pk)
