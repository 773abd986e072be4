"""manage.py publish_period COMMUNITY YYYY-MM [--by NAME]"""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.services import period_publish

from ._period import community_and_month


class Command(BaseCommand):
    help = "Publish a closed month: an immutable, signed disclosure."

    def add_arguments(self, parser):
        parser.add_argument("community")
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--by", default=None, help="who publishes it (default: the OS user)")

    def handle(self, *args, **options):
        community, month = community_and_month(options["community"], options["month"])
        try:
            record = period_publish(
                community=community, month=month, actor=options["by"] or f"cli:{getpass.getuser()}"
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"published {community.code} {record.period.label}: digest "
            f"{record.digest}, tree {record.tree_size} {record.tree_root}"
        )
