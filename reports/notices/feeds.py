"""Each community's Atom feed: published months and answered questions, newest first;
and each project's: its public events (django.contrib.syndication). Only what the
public pages already show."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from fundmgr.models import Community

from ..models import Disclosure, Query
from .project_events import project_events, project_url, public_projects

ITEMS = 40


class CommunityFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, code):
        return get_object_or_404(Community, code=code)

    def title(self, community):
        return _("%(community)s: published accounts and answers") % {"community": community.name}

    def link(self, community):
        return reverse("public-community", args=[community.code])

    def subtitle(self, community):
        return _(
            "Each month's accounts when they are published, and every answer to a "
            "resident's question."
        )

    def items(self, community):
        months = [
            ("month", d.period.published_at, d)
            for d in Disclosure.objects.filter(period__community=community)
            .select_related("period")
            .order_by("-period__month")[:ITEMS]
        ]
        answers = [
            ("answer", q.answered_at, q)
            for q in Query.objects.filter(period__community=community, answered_at__isnull=False)
            .select_related("period")
            .order_by("-answered_at")[:ITEMS]
        ]
        return sorted(months + answers, key=lambda item: item[1], reverse=True)[:ITEMS]

    def item_title(self, item):
        kind, _at, obj = item
        if kind == "month":
            return _("Accounts of %(month)s published") % {"month": obj.period.label}
        return _("Answer to a question about %(month)s") % {"month": obj.period.label}

    def item_description(self, item):
        kind, _at, obj = item
        if kind == "month":
            t = json.loads(obj.document)["totals"]
            return _(
                "%(n)s payments, ¥%(gross)s; net ¥%(net)s. Providers ¥%(p)s, hub ¥%(h)s, "
                "community fund ¥%(f)s. Questions until %(date)s."
            ) % {
                "n": t["count"],
                "gross": t["income"],
                "net": t["net"],
                "p": t["provider"],
                "h": t["hub"],
                "f": t["fund"],
                "date": f"{obj.window_ends_at:%Y-%m-%d}",
            }
        return _("Question: %(q)s — Answer: %(a)s") % {
            "q": obj.question[:300],
            "a": obj.answer[:600],
        }

    def item_link(self, item):
        kind, _at, obj = item
        if kind == "month":
            return reverse("public-month", args=[obj.period.community.code, obj.period.label])
        return (
            reverse("public-query", args=[obj.period.community.code, obj.period.label])
            + f"#q{obj.pk}"
        )

    def item_guid(self, item):
        kind, _at, obj = item
        code = obj.period.community.code
        if kind == "month":
            return f"tag:fundmgr,{code}:month:{obj.period.label}:{obj.digest[:16]}"
        return f"tag:fundmgr,{code}:answer:{obj.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item[1]

    def item_updateddate(self, item):
        return item[1]


class ProjectFeed(Feed):
    """One project's public events (reports.notices.project_events), newest first."""

    feed_type = Atom1Feed

    def get_object(self, request, code, number):
        community = get_object_or_404(Community, code=code)
        return get_object_or_404(
            public_projects(community).select_related("community"), number=number
        )

    def title(self, project):
        return _("%(community)s: project %(number)s. %(title)s") % {
            "community": project.community.name,
            "number": project.number,
            "title": project.title,
        }

    def link(self, project):
        return project_url(project)

    def subtitle(self, project):
        return _(
            "Every step of the project: its status, the decision and its vote, milestones, "
            "the residents' acceptance and each payment."
        )

    def items(self, project):
        # (project, event): one Feed object serves every request, so nothing is kept on it.
        return [(project, e) for e in project_events(project)[:ITEMS]]

    def item_title(self, item):
        return item[1].title

    def item_description(self, item):
        return item[1].text

    def item_link(self, item):
        project, event = item
        return f"{project_url(project)}#{event.anchor}"

    def item_guid(self, item):
        p, event = item
        return f"tag:fundmgr,{p.community.code}:project:{p.number}:{event.kind}:{event.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return _midnight(item[1].on)

    def item_updateddate(self, item):
        return _midnight(item[1].on)


def _midnight(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))
