"""manage.py demo: load the demo (idempotent: a second run changes nothing), then close
and publish every past month, so a new user sees real published pages at once.

It lives in `reports` because publishing is reports' work (reports -> fundmgr -> ledger)."""

import datetime as dt
import time

from django.core.management.base import BaseCommand

from fundmgr.demo import COMMUNITIES as DEMO_COMMUNITIES
from fundmgr.demo import PASSWORDS, START, Demo
from fundmgr.models import Community, Income
from reports.models import Period, PeriodState
from reports.services import period_close, period_publish


def publish_past_months(today) -> int:
    """Close and publish each demo month that has ended and is not yet published."""
    count = 0
    for community in Community.objects.filter(code__in=[c[0] for c in DEMO_COMMUNITIES]):
        month = START
        while (month + dt.timedelta(days=32)).replace(day=1) <= today:
            period = Period.objects.filter(community=community, month=month).first()
            if period is None or period.state == PeriodState.OPEN:
                period_close(community=community, month=month, actor="officer",
                             confirmed_by="reviewer", today=today)
            if period is None or period.state != PeriodState.PUBLISHED:
                period_publish(community=community, month=month, actor="officer")
                count += 1
            month = (month + dt.timedelta(days=32)).replace(day=1)
    return count


class Command(BaseCommand):
    help = "Load a realistic demo: communities, providers, packages, a year of income, users."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="multiply the daily number of incomes (default 1)")

    def handle(self, *args, **options):
        demo = Demo(scale=options["scale"])
        started = time.perf_counter()
        already = demo.exists()
        demo.load()
        published = publish_past_months(demo.today)
        from reports.redflags.screening import community_screen as screen_community

        for community in Community.objects.filter(code__in=[c[0] for c in DEMO_COMMUNITIES]):
            screen_community(community)
        if already:
            self.stdout.write("the demo is already loaded; nothing changed")
        else:
            self.stdout.write(f"demo loaded: {Income.objects.count()} incomes, {published} "
                              f"months published, in {time.perf_counter() - started:.1f}s")
        self.stdout.write("demo users (username / password):")
        roles = {"admin": "administrator (/admin/)", "officer": "finance officer: 桥一, 花园",
                 "officer2": "finance officer: 南湖", "reviewer": "reviewer: all three",
                 "reviewer2": "second reviewer: all three",
                 "auditor": "auditor: all three"}
        for username, password in PASSWORDS.items():
            self.stdout.write(f"  {username:<9} {password:<22} {roles[username]}")
