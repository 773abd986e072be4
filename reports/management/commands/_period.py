from django.core.management.base import CommandError

from fundmgr.models import Community
from reports.disclosure import month_of


def community_and_month(code: str, text: str):
    community = Community.objects.filter(code=code).first()
    if community is None:
        raise CommandError(f"no such community: {code}")
    month = month_of(text)
    if month is None:
        raise CommandError(f"month must be YYYY-MM, not {text!r}")
    return community, month
