"""A project's public events, newest first: its status changes (the decision and its
vote with "decided", the residents' acceptance with "accepted", the reason with a
rejection, cancellation or closing), its reached milestones and its posted payments.

One list feeds the project's Atom feed and the mail to its followers, and it holds only
what the public project page shows: private payees and representatives masked as there
(fundmgr.projects.selectors), free text through fundmgr.lib.privacy.mask, no proposer,
no contact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from fundmgr.decisions.selectors import item_ref
from fundmgr.lib.privacy import mask, mask_name
from fundmgr.projects.models import Project, ProjectStatus
from fundmgr.projects.selectors import payment_doc, posted_payments

S = ProjectStatus
# The statuses whose reason the public page prints beside the status.
WITH_REASON = {S.REJECTED, S.CANCELLED, S.CLOSED}
# Within one day (the records hold dates, not times) the order the work goes in.
KIND_ORDER = {"status": 0, "milestone": 1, "payment": 2}


@dataclass(frozen=True)
class Event:
    kind: str  # "status", "milestone" or "payment"
    pk: int  # of the StatusChange, Milestone or ProjectPayment
    on: dt.date
    title: str
    text: str
    anchor: str  # the section of the project page that shows it

    @property
    def sort_key(self) -> tuple:
        return (self.on, KIND_ORDER[self.kind], self.pk)


def public_projects(community):
    """Projects the public pages show: every one past "proposed"."""
    return Project.objects.filter(community=community).exclude(status=S.PROPOSED)


def _decision_text(project: Project) -> str:
    if not project.decision_id:
        return ""
    ref = item_ref(project.decision)
    votes = ref["votes"]
    return _(
        "Decided at %(meeting)s, item %(item)s (%(date)s): %(title)s - %(for)s for, "
        "%(against)s against, %(abstain)s abstaining. Amount decided: ¥%(amount)s."
    ) % {
        "meeting": ref["meeting"],
        "item": ref["item"],
        "date": ref["held_on"],
        "title": ref["title"],
        "for": votes["for"],
        "against": votes["against"],
        "abstain": votes["abstain"],
        "amount": f"{project.decided_amount.amount:.2f}" if project.decided_amount else "0.00",
    }


def _acceptance_text(project: Project) -> str:
    acceptance = getattr(project, "acceptance", None)
    if acceptance is None:
        return ""
    return _("Accepted on %(date)s by resident representatives %(names)s.") % {
        "date": acceptance.on.isoformat(),
        "names": "、".join(mask_name(n) for n in acceptance.representatives),
    }


def _status_events(project: Project) -> list[Event]:
    events = []
    for change in project.changes.exclude(to_status=S.PROPOSED).order_by("id"):
        status = S(change.to_status)
        if status == S.DECIDED:
            text = _decision_text(project)
        elif status == S.ACCEPTED:
            text = _acceptance_text(project)
        elif status in WITH_REASON and change.reason:
            text = _("Reason: %(reason)s") % {"reason": mask(change.reason)}
        else:
            text = ""
        events.append(
            Event(
                kind="status",
                pk=change.pk,
                on=change.on,
                title=_("Status: %(status)s") % {"status": status.label},
                text=text,
                anchor="project-status",
            )
        )
    return events


def _milestone_events(project: Project) -> list[Event]:
    return [
        Event(
            kind="milestone",
            pk=m.pk,
            on=m.done_on,
            title=_("Milestone reached: %(title)s") % {"title": m.title},
            text=_("Planned for %(due)s, reached on %(done)s. Evidence SHA-256: %(sha)s")
            % {
                "due": m.due_on.isoformat(),
                "done": m.done_on.isoformat(),
                "sha": m.evidence_sha256,
            },
            anchor="milestones",
        )
        for m in project.milestones.filter(done_on__isnull=False)
    ]


def _payment_events(project: Project) -> list[Event]:
    events = []
    for p in posted_payments(project):
        doc = payment_doc(p)
        text = _("Paid on %(date)s to %(payee)s: %(purpose)s") % {
            "date": doc["date"],
            "payee": doc["payee"],
            "purpose": mask(doc["purpose"]),
        }
        if doc["final"]:
            text += " " + _("(final)")
        events.append(
            Event(
                kind="payment",
                pk=p.pk,
                on=p.disbursement.entry.date,
                title=_("Payment of ¥%(amount)s") % {"amount": doc["amount"]},
                text=text,
                anchor="payments",
            )
        )
    return events


def project_events(project: Project) -> list[Event]:
    """Newest first."""
    events = _status_events(project) + _milestone_events(project) + _payment_events(project)
    return sorted(events, key=lambda e: e.sort_key, reverse=True)


def project_event(project: Project, kind: str, pk: int) -> Event | None:
    return next((e for e in project_events(project) if (e.kind, e.pk) == (kind, pk)), None)


def project_url(project: Project) -> str:
    return reverse("public-project", args=[project.community.code, project.number])
