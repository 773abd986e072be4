#!/usr/bin/env python3
"""Measure the red flags: recall and false-alert share per rule on the planted-case world
of tests/plantedworld.py (four communities, half a year, honest noise, 18 planted schemes).

    .venv/bin/python bench/redflags.py [--seeds 17,1,2]

For each seed the world is built in a fresh database through the product's services,
every community is screened (as the nightly task does) and screened again; the table
gives, per rule, the planted cases, how many were caught (an incident of that rule with a
planted object among its evidence), the distinct alerts and how many pointed only at
honest records. The second screening must add no incident, evidence or event. Prints
the tables and one JSON line per seed; asserts nothing (tests/reports/
test_redflag_recall.py asserts the targets on seed 17)."""

import argparse
import json
import sys
import time

from _django import setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="172026")
    args = parser.parse_args()
    setup("fundmgr-bench-redflags-")
    from django.db import transaction

    from reports.models import FlagEvent, FlagEvidence, RedFlag
    from tests import plantedworld

    for seed in (int(s) for s in args.seeds.split(",")):
        started = time.perf_counter()
        with transaction.atomic():
            world = plantedworld.build(seed)
            built = time.perf_counter() - started
            score = plantedworld.measure(world)
            rows = (
                RedFlag.objects.count(),
                FlagEvidence.objects.count(),
                FlagEvent.objects.count(),
            )
            plantedworld.measure(world)
            again = (
                RedFlag.objects.count(),
                FlagEvidence.objects.count(),
                FlagEvent.objects.count(),
            )
            print(f"\nseed {seed}")
            print(plantedworld.table(score))
            for alert in score.false_alerts:
                print("  false alert:", alert)
            print(
                json.dumps(
                    {
                        "seed": seed,
                        "recall": round(score.recall, 3),
                        "false_share": round(score.false_share, 3),
                        "cases": score.cases,
                        "alerts": score.alerts,
                        "second_screening_added_rows": again != rows,
                        "build_s": round(built, 1),
                        "screen_s": round(time.perf_counter() - started - built, 1),
                    }
                ),
                flush=True,
            )
            transaction.set_rollback(True)


if __name__ == "__main__":
    sys.exit(main())
