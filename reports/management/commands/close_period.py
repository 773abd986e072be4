"""manage.py close_period COMMUNITY YYYY-MM [--by NAME] [--confirmed-by NAME]"""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.services import period_close

from ._period import community_and_month


class Command(BaseCommand):
    help = "Close a month: nothing more may be dated inside it."

    def add_arguments(self, parser):
        parser.add_argument("community")
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--by", default=None, help="who closes it (default: the OS user)")
        parser.add_argument("--confirmed-by", default="", help="the reviewer who confirmed it")

    def handle(self, *args, **options):
        community, month = community_and_month(options["community"], options["month"])
        try:
            period = period_close(
                community=community,
                month=month,
                actor=options["by"] or f"cli:{getpass.getuser()}",
                confirmed_by=options["confirmed_by"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"closed {community.code} {period.label}")
