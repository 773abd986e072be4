"""Over the whole demo: no payer's full name, phone or query contact on any public page
or API response."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from fundmgr.models import Community, Income
from reports.models import Period, Query
from tests.reports.privacy import PHONE

pytestmark = pytest.mark.django_db


def test_no_personal_data_anywhere_public_in_the_demo():
    call_command("demo", "--scale", "0.3", stdout=io.StringIO())
    period = Period.objects.filter(state="published").order_by("-month").first()
    Query.objects.create(period=period, question="请公开三月的支出明细", contact="13900001111")
    names = {p for p in Income.objects.values_list("payer", flat=True) if len(p) >= 2}
    assert len(names) > 50
    client = Client()
    paths = ["/", "/api/v1/communities/", "/api/v1/public-key/"]
    for c in Community.objects.all():
        paths += [f"/c/{c.code}/", f"/api/v1/communities/{c.code}/",
                  f"/api/v1/communities/{c.code}/periods/",
                  f"/api/v1/communities/{c.code}/periods/?format=csv",
                  f"/api/v1/communities/{c.code}/heads/"]
        for p in Period.objects.filter(community=c, state="published"):
            paths += [f"/c/{c.code}/{p.label}/", f"/api/v1/communities/{c.code}/periods/{p.label}/",
                      f"/api/v1/communities/{c.code}/periods/{p.label}/?format=csv"]
    for income in Income.objects.order_by("?")[:150]:
        paths += [f"/r/{income.receipt_code}/", f"/api/v1/receipts/{income.receipt_code}/"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode("utf-8")
        assert not PHONE.search(body), path
        leaked = [n for n in names if n in body]
        assert not leaked, (path, leaked[:3])
