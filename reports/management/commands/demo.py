"""manage.py demo [--today YYYY-MM-DD]: load the demo, then close and publish every month
that has ended, so a new user sees real published pages at once.

Any day of the year works. The demo's income covers the twelve full months before
today's month and today's month up to yesterday; reviews still waiting are in today's
month, which stays open. Run twice on one day, the second run changes nothing. Run on a
later day, it adds no income (the demo is already loaded) but closes and publishes the
months that have ended since, when they can close; a month that cannot (a review still
waits) is left open and the command says why.

`--today` runs the whole load on that day's clock (time-machine moves the process's
clock to 21:00 that day, local time), so a demo is reproducible and every date it
writes - postings, reviews, closes, the disclosure window - is consistent with it.

It lives in `reports` because publishing is reports' work (reports -> fundmgr -> ledger)."""

from __future__ import annotations

import contextlib
import datetime as dt
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fundmgr.demo import COMMUNITIES as DEMO_COMMUNITIES
from fundmgr.demo import PASSWORDS, Demo, clock_at
from fundmgr.lib import dates
from fundmgr.models import Community, Income
from ledger.models import Entry
from reports.models import Period, PeriodState
from reports.redflags.screening import community_screen as screen_community
from reports.services import period_close, period_publish


def publish_past_months(today: dt.date) -> tuple[int, list[str]]:
    """Close and publish each demo month that has ended and is not yet published.

    Returns how many were published and, for each community whose next month could not
    close, why (that month and every later one stay open)."""
    count, left_open = 0, []
    for community in Community.objects.filter(code__in=[c[0] for c in DEMO_COMMUNITIES]):
        first = (
            Entry.objects.filter(book_id=community.book_id)
            .order_by("date")
            .values_list("date", flat=True)
            .first()
        )
        if first is None:
            continue
        for month in dates.months(first, today):
            if not dates.has_ended(month, today):
                break
            period = Period.objects.filter(community=community, month=month).first()
            try:
                if period is None or period.state == PeriodState.OPEN:
                    period_close(
                        community=community,
                        month=month,
                        actor="officer",
                        confirmed_by="reviewer",
                        today=today,
                    )
                if period is None or period.state != PeriodState.PUBLISHED:
                    period_publish(community=community, month=month, actor="officer")
                    count += 1
            except ValidationError as exc:
                left_open.append(f"{community.code} {month:%Y-%m}: {' '.join(exc.messages)}")
                break
    return count, left_open


def enrol_supervisors() -> None:
    """Seat the demo's two supervisors on the first community's committee, once."""
    from django.contrib.auth import get_user_model

    from reports.supervision.models import Supervisor
    from reports.supervision.services import supervisor_enrol

    community = Community.objects.get(code=DEMO_COMMUNITIES[0][0])
    users = get_user_model().objects
    admin = users.get(username="admin")
    for username, name, title in (
        ("supervisor", "王建国", "监督委员会主任"),
        ("supervisor2", "李秀英", "监督委员会委员"),
    ):
        user = users.get(username=username)
        if not Supervisor.objects.filter(community=community, user=user).exists():
            supervisor_enrol(
                community=community, user=user, display_name=name, title=title, actor=admin
            )


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today: {text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Load a realistic demo: communities, providers, packages, a year of income up to "
        "today, users; close and publish every month that has ended."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="multiply the daily number of incomes (default 1)",
        )
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="load as if today were this date (YYYY-MM-DD); default: the local date",
        )

    def handle(self, *args, **options):
        if not 0 < options["scale"] <= 10:
            raise CommandError("--scale must be more than 0 and at most 10")
        today = options["today"]
        with clock_at(today, 21) if today else contextlib.nullcontext():
            self._load(options["scale"])

    def _load(self, scale: float) -> None:
        demo = Demo(scale=scale)
        started = time.perf_counter()
        already = demo.exists()
        demo.load()
        published, left_open = publish_past_months(demo.today)
        enrol_supervisors()
        for community in Community.objects.filter(code__in=[c[0] for c in DEMO_COMMUNITIES]):
            screen_community(community)
        if already and not published:
            self.stdout.write("the demo is already loaded; nothing changed")
        elif already:
            self.stdout.write(
                f"the demo is already loaded; {published} months that have "
                f"ended since were published"
            )
        else:
            self.stdout.write(
                f"demo loaded for {demo.today:%Y-%m-%d}: "
                f"{Income.objects.count()} incomes, {published} months "
                f"published, in {time.perf_counter() - started:.1f}s"
            )
        for reason in left_open:
            self.stdout.write(f"left open: {reason}")
        self.stdout.write("demo users (username / password):")
        roles = {
            "admin": "administrator (/admin/)",
            "officer": "finance officer: 桥一, 花园",
            "officer2": "finance officer: 南湖",
            "reviewer": "reviewer: all three",
            "reviewer2": "second reviewer: all three",
            "auditor": "auditor: all three",
            "supervisor": "supervisory committee: 桥一 (/supervisor/)",
            "supervisor2": "supervisory committee: 桥一 (/supervisor/)",
        }
        for username, password in PASSWORDS.items():
            self.stdout.write(f"  {username:<9} {password:<22} {roles[username]}")
