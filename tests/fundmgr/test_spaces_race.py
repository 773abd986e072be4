"""Two overlapping agreements for one space recorded at the same moment: the space's row
lock lets one through and refuses the other (PostgreSQL, where the lock is real)."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from fundmgr.spaces.models import Agreement
from tests import factories as f


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_agreements_racing_on_postgresql(ledger_purge):
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=True):
        c = f.community("SRC")
        officer = f.user("race_off", (c, "officer"))
        reviewer = f.user("race_rev", (c, "reviewer"))
        pkg = f.package(c)
        space = f.space(c, officer, "RACE")
        items = [
            f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 5, day)) for day in (1, 2)
        ]
        barrier = threading.Barrier(2)
        outcomes = []

        def record(i):
            try:
                barrier.wait()
                f.agreement(
                    c,
                    officer,
                    items[i],
                    sp=space,
                    pkg=pkg,
                    number=f"R{i}",
                    starts=dt.date(2026, 7, 1),
                    ends=dt.date(2027, 6, 30),
                )
                outcomes.append("recorded")
            except ValidationError:
                outcomes.append("refused")
            finally:
                connection.close()

        threads = [threading.Thread(target=record, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(outcomes) == ["recorded", "refused"]
        assert Agreement.objects.filter(space=space).count() == 1
