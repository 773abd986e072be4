"""Residents' notices: the subscription form and its links, and the month's poster."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from fundmgr.lib.dates import parse_month
from fundmgr.models import Community

from .. import selectors
from ..supervision import services as supervision
from . import poster as posters
from . import services
from .project_events import public_projects


def _client_key(request) -> str:
    """Counted per client address, stored only as a keyed hash."""
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(f"{settings.SECRET_KEY}:notices:{address}".encode()).hexdigest()[:24]


def _subscribe_page(request, community, project=None):
    """The community's subscription form, or (with `project`) the form to follow one
    project: the same opt-in, the same limit per client."""
    context = {"community": community, "project": project, "email": ""}
    if request.method == "POST":
        if request.POST.get("website"):  # a field people never see: only robots fill it
            return HttpResponseBadRequest("")
        email = request.POST.get("email", "")[:254]
        try:
            services.subscribe(
                community=community,
                email=email,
                client_key=_client_key(request),
                project=project,
            )
        except PermissionError as exc:
            return render(
                request,
                "notices/subscribe.html",
                {**context, "email": email, "error": exc},
                status=429,
            )
        except ValidationError as error:
            return render(
                request,
                "notices/subscribe.html",
                {**context, "email": email, "error": " ".join(error.messages)},
                status=400,
            )
        context["done"] = _(services.SUBSCRIBE_RECEIVED)
    return render(request, "notices/subscribe.html", context)


def subscribe(request, code):
    return _subscribe_page(request, get_object_or_404(Community, code=code))


def follow(request, code, number):
    community = get_object_or_404(Community, code=code)
    project = get_object_or_404(public_projects(community), number=number)
    return _subscribe_page(request, community, project)


def _token_page(request, code, token, *, action, heading, button, done):
    community = get_object_or_404(Community, code=code)
    context = {"community": community, "heading": heading, "button": button}
    if request.method == "POST":
        try:
            sub = action(token)
        except ValidationError as error:
            return render(
                request,
                "notices/token.html",
                {**context, "error": " ".join(error.messages)},
                status=400,
            )
        if sub.community_id != community.pk:
            raise Http404
        context["done"] = done(sub) if callable(done) else done
    return render(request, "notices/token.html", context)


# The signed token is the credential (no session): a mail client's one-click POST
# (RFC 8058) carries no CSRF token. A GET only shows the button, so link scanners that
# open every link in a mail neither confirm nor unsubscribe anyone.
@csrf_exempt
def confirm(request, code, token):
    return _token_page(
        request,
        code,
        token,
        action=services.subscription_confirm,
        heading=_("Confirm your e-mail notices"),
        button=_("Yes, send me the notices"),
        done=lambda sub: (
            _("Confirmed. You will hear from us at each step of project %(number)s.")
            % {"number": sub.project.number}
            if sub.project_id
            else _("Confirmed. You will hear from us when the next month is published.")
        ),
    )


@csrf_exempt
def unsubscribe(request, code, token):
    return _token_page(
        request,
        code,
        token,
        action=services.subscription_cancel,
        heading=_("Stop e-mail notices"),
        button=_("Stop the notices"),
        done=_("Done: no more notices will be sent to this address."),
    )


def poster(request, code, month, size):
    if size not in posters.SIZES:
        raise Http404
    first = parse_month(month)
    period = selectors.published_period(code, first) if first is not None else None
    if period is None:
        raise Http404(_("This month is not published."))
    d = period.disclosure
    # The document never changes; the supervisors' boxes do, as they co-sign.
    key = f"notices:poster:{d.digest}:{size}:{supervision.state_token(d)}:{d.window_open()}"
    data = cache.get(key)
    if data is None:
        data = posters.render(period, size)
        cache.set(key, data, 24 * 3600)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{period.community.code}-{period.label}-poster-{size}.pdf"'
    )
    return response
