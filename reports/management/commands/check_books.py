"""manage.py check_books [--book CODE]: the check of meaning (reports/checks.py) over
every book, or the named ones; exit 1 naming the first violation (account, date,
amount)."""

from django.core.management.base import BaseCommand, CommandError

from fundmgr.models import Community
from reports.checks import check_community


class Command(BaseCommand):
    help = (
        "Check that the books make sense: no account overdrawn, overpaid or overspent on "
        "any day, debits equal credits, and every published month agrees with the books."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--book", action="append", help="only this book (community) code; repeatable"
        )

    def handle(self, *args, **options):
        communities = Community.objects.select_related("book").order_by("code")
        if options["book"]:
            communities = communities.filter(book__code__in=options["book"])
            missing = set(options["book"]) - {c.book.code for c in communities}
            if missing:
                raise CommandError(f"no such book: {', '.join(sorted(missing))}")
        first = None
        for community in communities:
            violations = check_community(community)
            if not violations:
                self.stdout.write(f"ok      {community.book.code}")
            for v in violations:
                self.stderr.write(f"WRONG   {v}")
            first = first or (violations[0] if violations else None)
        if first is not None:
            raise CommandError(f"the books do not make sense; first: {first}")
        self.stdout.write(self.style.SUCCESS(f"the books make sense: {len(communities)} books"))
