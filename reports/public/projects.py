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


FDP_PLAN = [
    ("year", "integer", "年度 year"),
    ("category", "string", "类别 category"),
    ("planned", "number", "计划金额 amount planned for the year"),
    ("paid_month", "number", "本月支付 paid from earmarks of the category in the month"),
    ("paid_to_date", "number", "本年累计支付 paid in the year to the month's end"),
]
FDP_EARMARKS = [
    ("account", "string", "预留科目 earmark account"),
    ("project", "integer", "项目编号 project number"),
    ("decided", "number", "决定预留 amount earmarked by the decision"),
    ("paid", "number", "已支付 paid from the earmark"),
    ("released", "number", "已退回 returned to the free balance"),
    ("remaining", "number", "余额 remaining = decided - paid - released"),
    ("ledger", "number", "账面余额 the earmark account's balance in the ledger"),
]
FDP_PROJECTS = [
    ("project", "integer", "项目编号 project number"),
    ("title", "string", "项目名称 title"),
    ("category", "string", "类别 category"),
    ("status", "string", "状态 status at the month's end"),
    ("decided", "number", "决定金额 amount decided"),
    ("paid", "number", "已支付 paid"),
    ("released", "number", "已退回 returned to the free balance"),
    ("remaining", "number", "余额 remaining = decided - paid - released"),
    ("decision", "string", "决议 the decision: meeting reference #item"),
    ("earmark_account", "string", "预留科目 earmark account"),
]


def _ref(item: dict | None) -> str:
    return f"{item['meeting']} #{item['item']}" if item else ""


def fdp_projects(doc: dict, currency: str) -> list[tuple[dict, str]]:
    """The Fiscal Data Package resources of the year's plan against what was paid, the
    fund's earmarks (the free balance in the description) and the projects, each with its
    CSV, from the published document alone (it names no proposer and no contact). An
    empty list is left out; nothing for a document published before #19."""
    from fundmgr.lib.money import fen, yuan

    from .inflows import _resource

    out = []
    plan = doc.get("plan")
    if plan and plan["lines"]:
        month = doc["period"]["start"][5:7]
        total = yuan(sum(fen(line["planned"]) for line in plan["lines"]))
        out.append(
            _resource(
                "plan",
                FDP_PLAN,
                (
                    [
                        plan["year"],
                        line["category"],
                        line["planned"],
                        line["paid_by_month"].get(month, "0.00"),
                        line["paid"],
                    ]
                    for line in plan["lines"]
                ),
                f"{plan['year']}年度社区基金使用计划，合计 {total} 元，"
                f"依据 {_ref(plan['decision'])}；支付取自各类别项目的预留。",
                "category",
                currency,
            )
        )
    earmarks = doc.get("earmarks") or {}
    if earmarks.get("rows"):
        resource, text = _resource(
            "earmarks",
            FDP_EARMARKS,
            (
                [
                    r["account"],
                    r["project"],
                    r["decided"],
                    r["paid"],
                    r["released"],
                    r["remaining"],
                    r["ledger"],
                ]
                for r in earmarks["rows"]
            ),
            f"社区基金月末：已为项目预留 {earmarks['earmarked']} 元，"
            f"未预留的自由余额 {earmarks['free']} 元。",
            "account",
            currency,
        )
        resource["free_balance"] = earmarks["free"]
        resource["earmarked"] = earmarks["earmarked"]
        out.append((resource, text))
    if doc.get("projects"):
        out.append(
            _resource(
                "projects",
                FDP_PROJECTS,
                (
                    [
                        p["number"],
                        p["title"],
                        p["category"],
                        p["status"],
                        p["decided"],
                        p["paid"],
                        p["released"],
                        p["remaining"],
                        _ref(p["decision"]),
                        p["earmark_account"],
                    ]
                    for p in doc["projects"]
                ),
                "社区基金项目（月末状态与金额）；不含提议人及其联系方式。",
                "project",
                currency,
            )
        )
    return out
