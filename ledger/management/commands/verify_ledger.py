"""manage.py verify_ledger: recompute every chain and balance, and the Merkle root at
every signed tree head's size; exit 1 naming the first broken entry of each broken book
(for a signed head that no longer matches: its month and the first entry whose leaf
differs)."""

from django.core.management.base import BaseCommand, CommandError

from ledger.models import Book
from ledger.verify import verify


class Command(BaseCommand):
    help = (
        "Recompute every book's hash chain, account totals and the root at every signed "
        "tree head; exit non-zero if broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--book", action="append", help="only this book code (repeatable)")

    def handle(self, *args, **options):
        books = Book.objects.order_by("code")
        if options["book"]:
            books = books.filter(code__in=options["book"])
            missing = set(options["book"]) - set(books.values_list("code", flat=True))
            if missing:
                raise CommandError(f"no such book: {', '.join(sorted(missing))}")
        reports = verify(books)
        broken = [r for r in reports if not r.ok]
        for report in reports:
            if report.ok:
                self.stdout.write(
                    f"ok      {report.book}: {report.entries} entries, head {report.head_hash}, "
                    f"{report.signed_heads} signed heads recomputed"
                )
            else:
                for problem in report.problems:
                    self.stderr.write(f"BROKEN  {problem}")
        total = sum(r.entries for r in reports)
        if broken:
            raise CommandError(
                f"{len(broken)} of {len(reports)} books failed verification; "
                f"first: {broken[0].problems[0]}"
            )
        self.stdout.write(self.style.SUCCESS(f"intact: {len(reports)} books, {total} entries"))
