"""The auditor's view of conflict-of-interest declarations (利益冲突申报).

Private by design: relatives' names and bank accounts are shown to the community's
auditors only - not to its officers or reviewers, never on a public page or the
open-data API (those read published documents, which do not contain them)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from fundmgr.access import communities_for
from fundmgr.models import Community, Role

from ..models import InterestDeclaration


def declarations_for(community: Community):
    """Each declarant's declarations for the community, newest first, with the interests."""
    return (
        InterestDeclaration.objects.filter(community=community)
        .select_related("user")
        .prefetch_related("interests")
        .order_by("user__username", "-declared_on")
    )


@login_required
def auditor_declarations(request, code: str):
    # 404, not 403, for a community outside the user's auditing scope: its existence
    # and its staff's relatives are nobody else's business.
    community = get_object_or_404(communities_for(request.user, Role.AUDITOR), code=code)
    return render(
        request,
        "auditor/declarations.html",
        {
            "community": community,
            "declarations": declarations_for(community),
            "undeclared": community.memberships.exclude(
                user__interest_declarations__community=community
            )
            .select_related("user")
            .order_by("user__username"),
        },
    )
