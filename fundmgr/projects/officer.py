"""Officer pages of residents' proposals, projects and the annual plan (#19): the
moderation queue, a paper proposal typed in, each project's moves through the services
(review, decide citing a passed item, start, milestones, 验收, close, reject, cancel) and
the year's plan beside what was paid. Every change is one call of
fundmgr.projects.services; a refused one shows its reasons beside the fields, with a 400,
and writes nothing."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from djmoney.money import Money

from ..access import community_role, roles_in
from ..decisions.models import DecisionItem
from ..decisions.selectors import passed_items
from ..lib.dates import today
from ..models import Community, Role
from ..officer.forms import AmountField, TextField, add_service_error
from ..services.payouts import check_upload
from . import services
from .models import PAYABLE, Category, Plan, Project, ProjectPayment, Proposal, ProposalStatus
from .selectors import figures, plan_vs_actual

STAFF = (Role.OFFICER, Role.REVIEWER)
# Who proposed and how to reach them stay with the people who moderate: never on a
# public page, nor shown to an auditor reading the books.
SEES_CONTACT = {Role.OFFICER, Role.REVIEWER}


def _date(label):
    return forms.DateField(
        label=label, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


class EvidenceMixin:
    """An evidence file hashed on arrival (SHA-256, as disbursement attachments are), or
    its SHA-256 typed from a record kept elsewhere. Only the hash is kept."""

    def evidence_sha(self) -> str:
        upload = self.cleaned_data.get("evidence")
        if upload:
            return check_upload(upload, field="evidence")[1]  # refuses naming the field
        return self.cleaned_data.get("evidence_sha256", "")


def _sha_field():
    return forms.CharField(
        required=False, max_length=64, label=gettext_lazy("or the evidence's SHA-256")
    )


class ProposalForm(forms.Form):
    title = TextField(max_length=200, label=gettext_lazy("Title"))
    description = TextField(
        max_length=4000,
        multiline=True,
        label=gettext_lazy("What should be done"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    category = forms.ChoiceField(choices=Category.choices, label=gettext_lazy("Category"))
    estimated_cost = AmountField(min_value=0, label=gettext_lazy("Estimated cost (yuan)"))
    location = TextField(max_length=200, required=False, label=gettext_lazy("Where"))
    proposer_name = TextField(
        max_length=100, required=False, label=gettext_lazy("Proposer (kept private)")
    )
    contact = TextField(
        max_length=100, required=False, label=gettext_lazy("Contact (kept private)")
    )


class ModerateForm(forms.Form):
    accept = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", label=gettext_lazy("Decision")
    )
    note = TextField(max_length=300, required=False, label=gettext_lazy("Reason or note"))


class ProjectForm(forms.Form):
    proposal = forms.ModelChoiceField(
        queryset=Proposal.objects.none(),
        required=False,
        label=gettext_lazy("From the accepted proposal"),
    )
    title = TextField(
        max_length=200,
        required=False,
        label=gettext_lazy("Title"),
        help_text=gettext_lazy("Empty: the proposal's title."),
    )
    category = forms.ChoiceField(
        choices=[("", "—"), *Category.choices],
        required=False,
        label=gettext_lazy("Category"),
        help_text=gettext_lazy("Empty: the proposal's category."),
    )
    description = TextField(
        max_length=4000,
        multiline=True,
        required=False,
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    location = TextField(max_length=200, required=False, label=gettext_lazy("Where"))
    provider = TextField(
        max_length=100, required=False, label=gettext_lazy("Who carries it out (payee)")
    )

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = Proposal.objects.filter(
            community=community, status=ProposalStatus.ACCEPTED, project__isnull=True
        )


class NoteForm(forms.Form):
    note = TextField(max_length=300, required=False, label=gettext_lazy("Note"))


class ReasonForm(forms.Form):
    reason = TextField(max_length=300, label=gettext_lazy("Reason"))


class CloseForm(forms.Form):
    reason = TextField(
        max_length=300,
        required=False,
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Empty: 项目完成. What remains of the earmark returns to the fund."),
    )


class DecideForm(forms.Form):
    decision = forms.ModelChoiceField(
        queryset=DecisionItem.objects.none(), label=gettext_lazy("Approving decision")
    )
    amount = AmountField(min_value=0, label=gettext_lazy("Amount decided (earmarked)"))
    provider = TextField(
        max_length=100, required=False, label=gettext_lazy("Who carries it out (payee)")
    )

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = passed_items(community)


class MilestoneForm(EvidenceMixin, forms.Form):
    title = TextField(max_length=200, label=gettext_lazy("Milestone"))
    due_on = _date(gettext_lazy("Planned for"))
    done_on = forms.DateField(
        required=False,
        label=gettext_lazy("Reached on (empty: not yet)"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    evidence = forms.FileField(required=False, label=gettext_lazy("Evidence (PDF, JPG or PNG)"))
    evidence_sha256 = _sha_field()


class AcceptForm(EvidenceMixin, forms.Form):
    representatives = TextField(
        max_length=500,
        multiline=True,
        label=gettext_lazy("Resident representatives"),
        help_text=gettext_lazy("At least two, one a line (or separated by 、 or commas)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    on = _date(gettext_lazy("Accepted on"))
    evidence = forms.FileField(
        required=False, label=gettext_lazy("Signed acceptance record (PDF, JPG or PNG)")
    )
    evidence_sha256 = _sha_field()
    note = TextField(max_length=300, required=False, label=gettext_lazy("Note"))

    def names(self) -> list[str]:
        return [n for n in re.split(r"[\n,，、;；]+", self.cleaned_data["representatives"]) if n]


class PlanForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, label=gettext_lazy("Year"))
    decision = forms.ModelChoiceField(
        queryset=DecisionItem.objects.none(), label=gettext_lazy("Approving decision")
    )

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = passed_items(community)
        for value, label in Category.choices:
            self.fields[f"line_{value}"] = AmountField(min_value=0, required=False, label=label)

    def lines(self, currency) -> dict[str, Money]:
        return {
            value: Money(self.cleaned_data[f"line_{value}"], currency)
            for value in Category.values
            if self.cleaned_data.get(f"line_{value}") is not None
        }


# --- Proposals and the list of projects -----------------------------------------------
@community_role(Role.OFFICER, Role.REVIEWER, Role.AUDITOR)
def project_list(request, community: Community):
    roles = roles_in(request.user, community)
    projects = list(Project.objects.filter(community=community).order_by("-number"))
    return render(
        request,
        "officer/projects.html",
        {
            "community": community,
            "roles": roles,
            "sees_contact": bool(roles & SEES_CONTACT),
            "waiting": Proposal.objects.filter(
                community=community, status=ProposalStatus.SUBMITTED
            ).order_by("submitted_on", "id"),
            "accepted": Proposal.objects.filter(
                community=community, status=ProposalStatus.ACCEPTED, project__isnull=True
            ),
            "declined": Proposal.objects.filter(
                community=community, status=ProposalStatus.DECLINED
            )[:50],
            "projects": [(p, figures(p)) for p in projects],
            "plans": Plan.objects.filter(community=community).order_by("-year"),
        },
    )


@community_role(Role.OFFICER)
def proposal_new(request, community: Community):
    """A proposal handed in on paper, typed in by an officer: it waits for moderation
    like one from the public site."""
    form = ProposalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.proposal_submit(
                    community=community,
                    user=request.user,
                    **{
                        **data,
                        "estimated_cost": Money(data["estimated_cost"], community.currency),
                    },
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Paper proposal entered: it waits for moderation."))
                return redirect("officer:projects", code=community.code)
    return render(
        request,
        "officer/payout_form.html",
        {"community": community, "form": form, "title": _("Enter a paper proposal")},
        status=status,
    )


@require_POST
@community_role(*STAFF)
def proposal_moderate(request, community: Community, pk: int):
    proposal = get_object_or_404(Proposal, community=community, pk=pk)
    form = ModerateForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Accept the proposal or give the reason it is not accepted."))
        services.proposal_moderate(
            proposal=proposal,
            accept=form.cleaned_data["accept"],
            note=form.cleaned_data["note"],
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        response = project_list(request, code=community.code)
        response.status_code = 400
        return response
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    messages.success(
        request,
        _("Accepted for consideration: it is now public.")
        if form.cleaned_data["accept"]
        else _("Proposal not accepted; the reason is kept."),
    )
    return redirect("officer:projects", code=community.code)


@community_role(Role.OFFICER)
def project_new(request, community: Community):
    initial = {"proposal": request.GET.get("proposal")} if request.GET.get("proposal") else {}
    form = ProjectForm(request.POST or None, community=community, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                project = services.project_create(
                    community=community, user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Project put forward for review."))
                return redirect("officer:project", code=community.code, number=project.number)
    return render(
        request,
        "officer/payout_form.html",
        {"community": community, "form": form, "title": _("Put a project forward")},
        status=status,
    )


# --- One project and its moves ---------------------------------------------------------
# action -> (form class, service call). Each service checks the role itself (a reviewer
# may review, reject and record the acceptance; only an officer decides, starts, adds a
# milestone, closes or cancels); the page offers each form only to whom it allows.
def _review(project, form, user):
    services.project_review(project=project, user=user, note=form.cleaned_data["note"])
    return _("Project reviewed: it waits for a decision.")


def _reject(project, form, user):
    services.project_reject(project=project, user=user, reason=form.cleaned_data["reason"])
    return _("Project rejected.")


def _decide(project, form, user):
    data = form.cleaned_data
    services.project_decide(
        project=project,
        item=data["decision"],
        amount=Money(data["amount"], project.community.currency),
        provider=data["provider"],
        user=user,
    )
    return _("Decided: the amount is set aside from the fund as the project's earmark.")


def _start(project, form, user):
    services.project_start(project=project, user=user)
    return _("Project started.")


def _milestone(project, form, user):
    data = form.cleaned_data
    services.milestone_record(
        project=project,
        title=data["title"],
        due_on=data["due_on"],
        done_on=data["done_on"],
        evidence_sha256=form.evidence_sha(),
        user=user,
    )
    return _("Milestone recorded.")


def _accept(project, form, user):
    services.project_accept(
        project=project,
        representatives=form.names(),
        evidence_sha256=form.evidence_sha(),
        on=form.cleaned_data["on"],
        note=form.cleaned_data["note"],
        user=user,
    )
    return _("Acceptance (验收) recorded: the final payment may now be requested.")


def _close(project, form, user):
    services.project_close(project=project, user=user, reason=form.cleaned_data["reason"])
    return _("Project closed; what remained of its earmark returned to the fund.")


def _cancel(project, form, user):
    services.project_cancel(project=project, user=user, reason=form.cleaned_data["reason"])
    return _("Project cancelled; its earmark returned to the fund.")


ACTIONS = {
    "review": (NoteForm, _review, STAFF),
    "reject": (ReasonForm, _reject, STAFF),
    "decide": (DecideForm, _decide, (Role.OFFICER,)),
    "start": (forms.Form, _start, (Role.OFFICER,)),
    "milestone": (MilestoneForm, _milestone, (Role.OFFICER,)),
    "accept": (AcceptForm, _accept, STAFF),
    "close": (CloseForm, _close, (Role.OFFICER,)),
    "cancel": (ReasonForm, _cancel, (Role.OFFICER,)),
}
BUTTONS = {
    "review": gettext_lazy("Mark as reviewed"),
    "reject": gettext_lazy("Reject the project"),
    "decide": gettext_lazy("Record the decision and set the earmark aside"),
    "start": gettext_lazy("Start the work"),
    "milestone": gettext_lazy("Record the milestone"),
    "accept": gettext_lazy("Record the acceptance (验收)"),
    "close": gettext_lazy("Close the project"),
    "cancel": gettext_lazy("Cancel the project"),
}
# Which forms a project in each status offers.
OFFERED = {
    "proposed": ("review", "reject"),
    "reviewed": ("decide", "reject"),
    "decided": ("start", "milestone", "cancel"),
    "progress": ("milestone", "accept", "cancel"),
    "accepted": ("milestone", "close"),
}


def _form(action: str, community: Community, data=None, files=None):
    cls = ACTIONS[action][0]
    kwargs = {"community": community} if cls is DecideForm else {}
    initial = {"on": today()} if action == "accept" else {}
    return cls(data, files, prefix=action, initial=initial, **kwargs)


def _project(community: Community, number: int) -> Project:
    return get_object_or_404(
        Project.objects.select_related("decision__meeting", "proposal", "community"),
        community=community,
        number=number,
    )


def _detail(request, community: Community, project: Project, failed=None, status=200):
    roles = roles_in(request.user, community)
    offered = [
        (
            action,
            failed[1] if failed and failed[0] == action else _form(action, community),
            BUTTONS[action],
        )
        for action in OFFERED.get(project.status, ())
        if roles & set(ACTIONS[action][2])
    ]
    payments = (
        ProjectPayment.objects.filter(project=project)
        .select_related("disbursement__entry")
        .order_by("disbursement__requested_at", "pk")
    )
    return render(
        request,
        "officer/project.html",
        {
            "community": community,
            "project": project,
            "roles": roles,
            "sees_contact": bool(roles & SEES_CONTACT),
            "figures": figures(project),
            "payments": payments,
            "milestones": project.milestones.all(),
            "acceptance": getattr(project, "acceptance", None),
            "changes": project.changes.select_related("by"),
            "offered": offered,
            "payable": project.status in PAYABLE and project.earmark_entry_id is not None,
            "failed": failed[0] if failed else None,
        },
        status=status,
    )


@community_role(Role.OFFICER, Role.REVIEWER, Role.AUDITOR)
def project_detail(request, community: Community, number: int):
    return _detail(request, community, _project(community, number))


@require_POST
@community_role(*STAFF)
def project_action(request, community: Community, number: int, action: str):
    if action not in ACTIONS:
        raise Http404
    project = _project(community, number)
    form = _form(action, community, request.POST, request.FILES)
    try:
        if form.is_valid():
            message = ACTIONS[action][1](project, form, request.user)
            messages.success(request, message)
            return redirect("officer:project", code=community.code, number=project.number)
    except ValidationError as error:
        add_service_error(form, error)
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    project.refresh_from_db()
    return _detail(request, community, project, failed=(action, form), status=400)


# --- The annual plan --------------------------------------------------------------------
@community_role(Role.OFFICER, Role.REVIEWER, Role.AUDITOR)
def plan_page(request, community: Community):
    try:
        year = int(request.GET.get("year") or today().year)
    except ValueError:
        year = today().year
    roles = roles_in(request.user, community)
    form = None
    if Role.OFFICER in roles:
        form = PlanForm(request.POST or None, community=community, initial={"year": year})
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        status = 400
        if form.is_valid():
            try:
                plan = services.plan_record(
                    community=community,
                    year=form.cleaned_data["year"],
                    item=form.cleaned_data["decision"],
                    lines=form.lines(community.currency),
                    user=request.user,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("The plan of %(year)d is recorded.") % {"year": plan.year}
                )
                return redirect(f"{request.path}?year={plan.year}")
    actual = plan_vs_actual(community, year)
    return render(
        request,
        "officer/plan.html",
        {
            "community": community,
            "year": year,
            "plan": actual,
            "labels": dict(Category.choices),
            "years": Plan.objects.filter(community=community).order_by("-year"),
            "form": form if actual is None or request.method == "POST" else None,
        },
        status=status,
    )
