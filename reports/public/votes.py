"""The residents' online vote: a code from a printed slip, then the ballot. No login; the
rules (one vote per code, the window, failed tries limited per address) are
fundmgr.decisions.online's. Nothing about the voter is kept: the address only keys the
failed-try counter, as a hash, in the cache."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fundmgr.decisions import online
from fundmgr.decisions.models import Choice, OnlineVote

from .views import _client_key


def _code_page(request, status: int = 200, code: str = ""):
    return render(request, "public/vote_code.html", {"code": code[:40]}, status=status)


def _ballot_page(request, vote: OnlineVote, code: str, status: int = 200, chosen=None):
    return render(
        request,
        "public/vote_ballot.html",
        {
            "vote": vote,
            "community": vote.meeting.community,
            "meeting": vote.meeting,
            "code": online.display(code),
            "items": vote.items.order_by("number"),
            "choices": Choice.choices,
            "chosen": chosen or {},
        },
        status=status,
    )


def _refused(request, error: Exception, status: int, code: str = ""):
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text)
    return _code_page(request, status, code)


@never_cache
@require_http_methods(["GET", "POST"])
def vote_page(request):
    """GET: the code form. POST: the code checked, then the ballot of its vote."""
    if request.method == "GET":
        return _code_page(request)
    code = request.POST.get("code", "")
    try:
        vote, normalised = online.online_code_check(code=code, client_key=_client_key(request))
    except PermissionError as error:
        return _refused(request, error, 429, code)
    except ValidationError as error:
        return _refused(request, error, 400, code)
    return _ballot_page(request, vote, normalised)


@never_cache
@require_POST
def vote_cast(request, pk: int):
    vote = get_object_or_404(OnlineVote.objects.select_related("meeting__community"), pk=pk)
    code = request.POST.get("code", "")
    chosen = {}
    for item in vote.items.all():
        value = request.POST.get(f"item-{item.number}", "")
        if value:
            chosen[item.number] = value
    try:
        online.online_ballot_cast(
            vote=vote, code=code, choices=chosen, client_key=_client_key(request)
        )
    except PermissionError as error:
        return _refused(request, error, 429, code)
    except ValidationError as error:
        if "choices" in error.message_dict:
            messages.error(request, " ".join(error.messages))
            return _ballot_page(request, vote, online.normalise(code) or "", 400, chosen)
        return _refused(request, error, 400, code)
    return render(
        request,
        "public/vote_done.html",
        {"vote": vote, "community": vote.meeting.community, "meeting": vote.meeting},
    )
