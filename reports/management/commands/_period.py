from django.core.management.base import CommandError

from fundmgr.lib.dates import parse_month
from fundmgr.models import Community


def community_and_month(code: str, text: str):
    community = Community.objects.filter(code=code).first()
    if community is None:
        raise CommandError(f"no such community: {code}")
    month = parse_month(text)
    if month is None:
        raise CommandError(f"month must be YYYY-MM, not {text!r}")
    return community, month
