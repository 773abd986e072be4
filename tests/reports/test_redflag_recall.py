"""Measure the red flags on a planted-case world (tests/plantedworld.py): overall recall
at least 90 % and false alerts at most 10 % of distinct alerts (issue #17), and a second
screening of the same data adds no incident, no evidence and no event."""

import pytest

from reports.models import FlagEvent, FlagEvidence, RedFlag
from tests import plantedworld

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def scored(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            world = plantedworld.build()
            score = plantedworld.measure(world)
            counts = (
                RedFlag.objects.count(),
                FlagEvidence.objects.count(),
                FlagEvent.objects.count(),
            )
            again = plantedworld.measure(world)
            after = (
                RedFlag.objects.count(),
                FlagEvidence.objects.count(),
                FlagEvent.objects.count(),
            )
            print("\n" + plantedworld.table(score))
            for alert in score.false_alerts:
                print("false alert:", alert)
            transaction.set_rollback(True)
    return score, again, counts, after


def test_recall_is_at_least_ninety_percent(scored):
    score, *_ = scored
    assert score.recall >= 0.9, plantedworld.table(score)


def test_false_alerts_are_at_most_ten_percent_of_alerts(scored):
    score, *_ = scored
    assert score.false_share <= 0.1, score.false_alerts


def test_a_second_screening_adds_no_rows(scored):
    score, again, counts, after = scored
    assert after == counts
    assert (again.caught, again.alerts) == (score.caught, score.alerts)
