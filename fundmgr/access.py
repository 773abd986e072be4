"""Roles and scoping: who holds which role in which community, and the pages' guard.

A community the user has no role in does not exist for them: pages answer 404, services
raise PermissionError.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .models import Community, Membership, Role


def has_role(user, community: Community, *roles: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    # Plain SQL: this check guards every page and every action, and the ORM spent most
    # of its time composing the query rather than running it (bench/ record).
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT 1 FROM {Membership._meta.db_table} WHERE user_id = %s AND "
            f"community_id = %s AND role IN ({', '.join(['%s'] * len(roles))}) LIMIT 1",
            [user.pk, community.pk, *roles],
        )
        return cur.fetchone() is not None


def require_role(user, community: Community, *roles: str) -> None:
    """PermissionError unless the user holds one of `roles` in the community."""
    if not has_role(user, community, *roles):
        raise PermissionError(
            _("You have no %(roles)s role in %(community)s.")
            % {"roles": "/".join(str(Role(r).label) for r in roles), "community": community.name}
        )


def communities_for(user, *roles: str) -> QuerySet[Community]:
    """Communities where the user holds one of these roles (any role when none given)."""
    if not getattr(user, "is_authenticated", False):
        return Community.objects.none()
    memberships = Membership.objects.filter(user=user)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return Community.objects.filter(pk__in=memberships.values("community_id")).order_by("code")


def roles_in(user, community: Community) -> set[str]:
    return set(
        Membership.objects.filter(user=user, community=community).values_list("role", flat=True)
    )


def community_role(*roles: str):
    """A view decorator: resolve <code> to a community where the user holds one of
    `roles`, else 404."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, code, *args, **kwargs):
            community = get_object_or_404(communities_for(request.user, *roles), code=code)
            return view(request, community, *args, **kwargs)

        return wrapper

    return decorator


def roles_anywhere(user) -> set[str]:
    """Every role the user holds in any community (one query)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Membership.objects.filter(user=user).values_list("role", flat=True).distinct())


def navigation(request) -> dict:
    """A template context processor: which areas the header offers. Each link is shown
    only to a role that may open it, so nobody is offered a page that answers 403."""
    roles = roles_anywhere(request.user)
    staff = {Role.OFFICER, Role.REVIEWER}
    books = staff | {Role.AUDITOR}
    return {
        "nav": {
            "workspace": bool(roles & staff),
            "reviews": Role.REVIEWER in roles,
            "import": Role.OFFICER in roles,
            "periods": bool(roles & books),
            "queries": bool(roles & staff),
            "audit": bool(roles & books),
            "supervision": Role.SUPERVISOR in roles,
            "admin": getattr(request.user, "is_staff", False),
        }
    }


def landing_url(user) -> str:
    """Where a user lands after logging in: their own workspace."""
    from django.urls import reverse

    roles = roles_anywhere(user)
    if Role.OFFICER in roles:
        return reverse("officer:dashboard")
    if Role.REVIEWER in roles:
        return reverse("officer:reviews")
    if Role.AUDITOR in roles:
        return reverse("auditor:home")
    if Role.SUPERVISOR in roles:
        return reverse("supervisor-home")
    if getattr(user, "is_staff", False):
        return reverse("admin:index")
    return reverse("home")
