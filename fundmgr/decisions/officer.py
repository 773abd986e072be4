"""Officer pages of decisions: record a meeting with its items, then each item's prior
review and the two tallies of its paper ballots."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from djmoney.money import Money

from ..access import community_role, roles_in
from ..models import Community, Role
from ..officer.forms import AmountField, add_service_error
from . import online, services
from .models import Body, DecisionItem, Meeting, ReviewOutcome
from .selectors import online_result

ITEMS = 3


class MeetingForm(forms.Form):
    body = forms.ChoiceField(choices=Body.choices, label=gettext_lazy("Body"))
    reference = forms.CharField(max_length=100, label=gettext_lazy("Reference number"))
    held_on = forms.DateField(
        label=gettext_lazy("Held on"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    members_entitled = forms.IntegerField(
        min_value=1, max_value=1000, label=gettext_lazy("Members entitled")
    )
    members_present = forms.IntegerField(
        min_value=0, max_value=1000, label=gettext_lazy("Members present")
    )
    quorum = forms.IntegerField(
        min_value=1,
        max_value=1000,
        required=False,
        label=gettext_lazy("Quorum"),
        help_text=gettext_lazy("Empty: more than half of the members entitled."),
    )
    minutes = forms.FileField(required=False, label=gettext_lazy("Minutes (PDF, JPG or PNG)"))
    minutes_sha256 = forms.CharField(
        required=False,
        max_length=64,
        label=gettext_lazy("or the minutes' SHA-256"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, ITEMS + 1):
            self.fields[f"item{n}_title"] = forms.CharField(
                max_length=300,
                required=n == 1,
                label=_("Item %(n)d: matter") % {"n": n},
            )
            self.fields[f"item{n}_amount"] = AmountField(
                min_value=0,
                required=False,
                label=_("Item %(n)d: sum involved") % {"n": n},
            )
            self.fields[f"item{n}_major"] = forms.BooleanField(
                required=False, label=_("Item %(n)d: major matter (三重一大)") % {"n": n}
            )


class ReviewForm(forms.Form):
    body = forms.CharField(max_length=100, label=gettext_lazy("Reviewed by"))
    held_on = forms.DateField(
        label=gettext_lazy("Reviewed on"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    outcome = forms.ChoiceField(choices=ReviewOutcome.choices, label=gettext_lazy("Outcome"))
    reference = forms.CharField(max_length=100, required=False, label=gettext_lazy("Reference"))


class TallyForm(forms.Form):
    votes_for = forms.IntegerField(min_value=0, max_value=1000, label=gettext_lazy("For"))
    votes_against = forms.IntegerField(min_value=0, max_value=1000, label=gettext_lazy("Against"))
    votes_abstain = forms.IntegerField(
        min_value=0, max_value=1000, label=gettext_lazy("Abstaining")
    )


class OnlineVoteForm(forms.Form):
    opens_at = forms.DateTimeField(
        label=gettext_lazy("Voting opens"),
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Voting closes"),
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
    )
    households = forms.IntegerField(
        min_value=1,
        max_value=online.MAX_CODES,
        label=gettext_lazy("Households (one code each)"),
    )
    items = forms.CharField(
        required=False,
        max_length=100,
        label=gettext_lazy("Item numbers"),
        help_text=gettext_lazy("Empty: every item. Otherwise e.g. 1, 3."),
    )


@community_role(Role.OFFICER)
def meeting_new(request, community: Community):
    form = MeetingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        items = [
            {
                "title": data[f"item{n}_title"],
                "amount": (
                    Money(data[f"item{n}_amount"], community.currency)
                    if data[f"item{n}_amount"] is not None
                    else None
                ),
                "major": data[f"item{n}_major"],
            }
            for n in range(1, ITEMS + 1)
            if data[f"item{n}_title"]
        ]
        try:
            meeting = services.meeting_record(
                community=community,
                body=data["body"],
                reference=data["reference"],
                held_on=data["held_on"],
                members_entitled=data["members_entitled"],
                members_present=data["members_present"],
                quorum=data["quorum"],
                minutes=data["minutes"],
                minutes_sha256=data["minutes_sha256"],
                items=items,
                user=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Meeting recorded."))
            return redirect("officer:meeting", code=community.code, pk=meeting.pk)
    return render(
        request,
        "officer/payout_form.html",
        {
            "community": community,
            "form": form,
            "title": _("Record a meeting"),
            "multipart": True,
        },
    )


@community_role(Role.OFFICER, Role.REVIEWER, Role.AUDITOR)
def meeting_detail(request, community: Community, pk: int):
    return _detail(request, community, pk)


def _detail(request, community: Community, pk: int, errors=(), status: int = 200):
    """The meeting's page; after a refused action, with its reasons and a 400."""
    meeting = get_object_or_404(Meeting, community=community, pk=pk)
    return render(
        request,
        "officer/meeting.html",
        {
            "community": community,
            "meeting": meeting,
            "items": meeting.items.prefetch_related("tallies").order_by("number"),
            "roles": roles_in(request.user, community),
            "review_form": ReviewForm(initial={"held_on": meeting.held_on}),
            "tally_form": TallyForm(),
            "online": online_result(meeting),
            "online_form": OnlineVoteForm(initial=_vote_window()),
            "errors": list(errors),
        },
        status=status,
    )


def _vote_window() -> dict:
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    return {"opens_at": start + dt.timedelta(hours=1), "closes_at": start + dt.timedelta(days=7)}


def _item(community: Community, pk: int, item: int) -> DecisionItem:
    return get_object_or_404(
        DecisionItem.objects.select_related("meeting"),
        meeting__community=community,
        meeting__pk=pk,
        number=item,
    )


@require_POST
@community_role(Role.OFFICER)
def prior_review_new(request, community: Community, pk: int, item: int):
    target = _item(community, pk, item)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.prior_review_record(item=target, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            return _detail(request, community, pk, error.messages, 400)
        messages.success(request, _("Prior review recorded."))
    else:
        return _detail(
            request, community, pk, [_("Fill in who reviewed it, when and the outcome.")], 400
        )
    return redirect("officer:meeting", code=community.code, pk=pk)


@require_POST
@community_role(Role.OFFICER, Role.REVIEWER)
def tally_new(request, community: Community, pk: int, item: int):
    target = _item(community, pk, item)
    form = TallyForm(request.POST)
    if form.is_valid():
        try:
            services.tally_enter(item=target, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            return _detail(request, community, pk, error.messages, 400)
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        messages.success(request, _("Tally recorded."))
    else:
        return _detail(
            request, community, pk, [_("Enter each count as a whole number, 0 or more.")], 400
        )
    return redirect("officer:meeting", code=community.code, pk=pk)
