"""The residents' pages and open-data route of proposals, projects, earmarks and the
annual plan (#19). No login; no personal data: no proposer, no contact, representatives'
names masked. Residents propose without an account, rate-limited per client (the
address only as a keyed hash, as for queries), and a proposal waits for moderation."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from djmoney.money import Money

from fundmgr.lib import dates
from fundmgr.models import Community
from fundmgr.projects import services
from fundmgr.projects.models import Category, ProjectStatus
from fundmgr.projects.selectors import (
    earmarks_part,
    plan_vs_actual,
    project_doc,
    projects_of,
    proposal_doc,
    public_proposals,
)

from .api import _community, _csv, _error, _json, _wants_csv
from .views import _client_key

PROPOSALS_PER_DAY = 5


def _over_limit(request) -> bool:
    key = f"reports:proposal-rate:{_client_key(request)}"
    cache.add(key, 0, 24 * 3600)
    return cache.incr(key) > PROPOSALS_PER_DAY


def _overview(community: Community) -> dict:
    today = dates.today()
    return {
        "community": community.code,
        "plan": plan_vs_actual(community, today.year),
        "earmarks": earmarks_part(community, today),
        "projects": [project_doc(p) for p in projects_of(community)],
        "proposals": [proposal_doc(p) for p in public_proposals(community)],
    }


def _labelled(doc: dict) -> dict:
    return {**doc, "status_label": ProjectStatus(doc["status"]).label}


def projects_page(request, code: str):
    community = get_object_or_404(Community, code=code)
    draft: dict = {}
    status = 200
    if request.method == "POST":
        if request.POST.get("website"):  # a field people never see: only robots fill it
            return HttpResponseBadRequest("")
        draft = {
            k: request.POST.get(k, "")[:4000]
            for k in ("title", "description", "category", "estimated_cost", "location")
        }
        if _over_limit(request):
            messages.error(request, _("Too many proposals from here today; try again tomorrow."))
            status = 429
        else:
            try:
                try:
                    text = draft["estimated_cost"].strip().lstrip("¥").replace(",", "")
                    cost = Money(Decimal(text), community.currency)
                except InvalidOperation as exc:
                    raise ValidationError(
                        {"estimated_cost": _("Enter the estimated cost in yuan, e.g. 1200.00.")}
                    ) from exc
                services.proposal_submit(
                    community=community,
                    title=draft["title"],
                    description=draft["description"],
                    category=draft["category"],
                    estimated_cost=cost,
                    location=draft["location"],
                    contact=request.POST.get("contact", ""),
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                status = 400
            else:
                messages.success(
                    request,
                    _(
                        "Thank you. Your proposal was received; it is published here once "
                        "the community accepts it for consideration."
                    ),
                )
                return redirect("public-projects", code=community.code)
    return render(
        request,
        "public/projects.html",
        {
            "community": community,
            "o": (o := _overview(community)) | {"projects": [_labelled(p) for p in o["projects"]]},
            "categories": Category.choices,
            "draft": draft,
        },
        status=status,
    )


def project_page(request, code: str, number: int):
    community = get_object_or_404(Community, code=code)
    project = get_object_or_404(
        projects_of(community).exclude(status__in=["proposed"]), number=number
    )
    return render(
        request,
        "public/project.html",
        {"community": community, "p": _labelled(project_doc(project))},
    )


CSV_HEADER = ["project", "title", "category", "status", "decided", "paid", "released", "remaining"]


def api_projects(request, code: str):
    community = _community(code)
    if community is None:
        return _error(_("No community with code %(code)s.") % {"code": code})
    data = _overview(community)
    if _wants_csv(request):
        return _csv(
            [
                [
                    p["number"],
                    p["title"],
                    p["category"],
                    p["status"],
                    p["decided"],
                    p["paid"],
                    p["released"],
                    p["remaining"],
                ]
                for p in data["projects"]
            ],
            CSV_HEADER,
            f"{community.code}-projects.csv",
        )
    return _json(data)
