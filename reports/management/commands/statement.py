"""manage.py statement COMMUNITY YYYY-MM [--kind period|party|trial-balance|journal|audit-trail]
[--party CODE] --out FILE.pdf"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.auditor.formats import to_pdf
from reports.auditor.statements import KINDS, StatementError, build

from ._period import community_and_month


class Command(BaseCommand):
    help = "Write an auditor's PDF statement."

    def add_arguments(self, parser):
        parser.add_argument("community")
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--kind", default="period", choices=KINDS)
        parser.add_argument("--party", help="hub, fund or a provider code (kind party)")
        parser.add_argument("--out", required=True, help="the PDF file to write")

    def handle(self, *args, **options):
        community, month = community_and_month(options["community"], options["month"])
        try:
            statement = build(community, month, options["kind"], options["party"])
        except StatementError as exc:
            raise CommandError(str(exc)) from exc
        out = Path(options["out"])
        out.write_bytes(to_pdf(statement))
        self.stdout.write(f"wrote {out} ({statement.kind}, digest {statement.digest})")
