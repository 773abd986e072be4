"""The officer area's pages of reports (under /officer/, in the `officer:` namespace
beside fundmgr.officer): closing and publishing months, answering residents' queries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fundmgr.access import communities_for, has_role, roles_in
from fundmgr.lib.dates import months as months_between
from fundmgr.lib.dates import parse_month
from fundmgr.lib.dates import today as local_today
from fundmgr.models import Role
from ledger.models import Entry

from . import services
from .models import Period, Query


@login_required
def officer_queries(request):
    scope = communities_for(request.user, Role.OFFICER, Role.REVIEWER)
    queries = (
        Query.objects.filter(period__community__in=scope)
        .select_related("period__community")
        .order_by("answered_at", "-asked_at")[:200]
    )
    return render(request, "officer/queries.html", {"queries": queries})


@require_POST
@login_required
def answer_query(request, pk: int):
    scope = communities_for(request.user, Role.OFFICER, Role.REVIEWER)
    query = get_object_or_404(
        Query.objects.select_related("period__community"), pk=pk, period__community__in=scope
    )
    try:
        services.query_answer(query=query, user=request.user, answer=request.POST.get("answer", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    else:
        messages.success(request, _("Answer published."))
    return redirect("officer:queries")


@login_required
def officer_periods(request):
    """Each community's months: request a close (officer), confirm it (another person, a
    reviewer), publish (officer)."""
    today = local_today()
    rows = []
    for community in communities_for(request.user):
        first_entry = (
            Entry.objects.filter(book_id=community.book_id)
            .order_by("date")
            .values_list("date", flat=True)
            .first()
        )
        periods = {p.month: p for p in community.periods.all()}
        months = [
            periods.get(month) or Period(community=community, month=month)
            for month in months_between(first_entry or today, today)
        ]
        rows.append(
            {
                "community": community,
                "roles": roles_in(request.user, community),
                "months": list(reversed(months)),
                "today": today,
                "officer": Role.OFFICER,
                "reviewer": Role.REVIEWER,
            }
        )
    return render(request, "officer/periods.html", {"rows": rows, "today": today})


@require_POST
@login_required
def officer_period_action(request, code: str, month: str, action: str):
    community = get_object_or_404(communities_for(request.user), code=code)
    first = parse_month(month)
    if first is None or action not in {"request", "confirm", "publish"}:
        raise Http404
    try:
        if action == "request":
            services.period_request_close(community=community, month=first, officer=request.user)
            messages.success(request, _("Close requested: a reviewer must confirm it."))
        elif action == "confirm":
            services.period_confirm_close(community=community, month=first, reviewer=request.user)
            messages.success(request, _("%(month)s is closed.") % {"month": month})
        else:
            if not has_role(request.user, community, Role.OFFICER):
                raise PermissionError(_("Only the community's finance officers publish."))
            if request.POST.get("confirm") != "on":
                messages.error(
                    request,
                    _("Tick the box to confirm: a published month cannot be taken back."),
                )
                return redirect("officer:periods")
            services.period_publish(
                community=community, month=first, actor=request.user.get_username()
            )
            messages.success(request, _("%(month)s is published.") % {"month": month})
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("officer:periods")


urlpatterns = [
    path("queries/", officer_queries, name="queries"),
    path("periods/", officer_periods, name="periods"),
    path(
        "periods/<str:code>/<str:month>/<str:action>/", officer_period_action, name="period-action"
    ),
    path("queries/<int:pk>/answer/", answer_query, name="answer"),
]
