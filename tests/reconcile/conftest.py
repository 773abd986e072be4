import datetime as dt

import pytest
from django.utils import timezone

from fundmgr.reconcile.samples import Sample
from tests import factories as f


def at(day: dt.date, hour: int = 10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def world(db):
    c = f.community("SQR", threshold="1000000")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    reviewer = f.user("reviewer", (c, "reviewer"))
    return c, pkg, officer, reviewer


def sample(day, fen, ref, merchant_ref="", **kw):
    return Sample(at(day), fen, ref, merchant_ref, **kw)
