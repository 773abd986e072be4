import re

from django.test import Client

from fundmgr.models import Community, Income
from reports.models import Period

# A mainland mobile number standing alone - not digits inside a hex hash or signature.
PHONE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def public_paths(receipts: int = 150) -> list[str]:
    """Every public page and API response of every community and published month, and
    the receipts of `receipts` incomes picked at random."""
    paths = ["/", "/api/v1/communities/", "/api/v1/public-key/"]
    for c in Community.objects.all():
        paths += [
            f"/c/{c.code}/",
            f"/api/v1/communities/{c.code}/",
            f"/api/v1/communities/{c.code}/periods/",
            f"/api/v1/communities/{c.code}/periods/?format=csv",
            f"/api/v1/communities/{c.code}/heads/",
        ]
        for p in Period.objects.filter(community=c, state="published"):
            paths += [
                f"/c/{c.code}/{p.label}/",
                f"/api/v1/communities/{c.code}/periods/{p.label}/",
                f"/api/v1/communities/{c.code}/periods/{p.label}/?format=csv",
            ]
    for income in Income.objects.order_by("?")[:receipts]:
        paths += [f"/r/{income.receipt_code}/", f"/api/v1/receipts/{income.receipt_code}/"]
    return paths


def assert_nothing_personal_public(names: set[str], receipts: int = 150) -> int:
    """Every public path answers 200 and shows no phone number and none of `names`.
    Returns how many paths were read."""
    client = Client()
    paths = public_paths(receipts)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode("utf-8")
        assert not PHONE.search(body), path
        leaked = [n for n in names if n in body]
        assert not leaked, (path, leaked[:3])
    return len(paths)
