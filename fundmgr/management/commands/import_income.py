"""manage.py import_income FILE [--dry-run] [--report OUT.csv] [--user USERNAME]

All rows or none: any bad row is reported with its row number and reason, nothing is
written and the exit status is 1. Rows whose external_ref is already recorded are
skipped and counted."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fundmgr.imports import batch
from fundmgr.imports.files import FileError


class Command(BaseCommand):
    help = "Import service-package income from a CSV or XLSX file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and write nothing"
        )
        parser.add_argument(
            "--report",
            metavar="OUT.csv",
            help="write one CSV row per input row: row, external_ref, "
            "status, receipt, provider, hub, fund, message",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="record as this finance officer (checked per community)",
        )

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no such user: {options['user']}")
        report = None
        try:
            if options["report"]:
                report = open(options["report"], "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
            summary = batch.import_file(
                options["file"], user=user, dry_run=options["dry_run"], report=report
            )
        except FileNotFoundError as exc:
            raise CommandError(f"no such file: {options['file']}") from exc
        except FileError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if report is not None:
                report.close()
        for error in summary.errors:
            self.stderr.write(str(error))
        if summary.bad_rows > len(summary.errors):
            self.stderr.write(
                f"... and {summary.bad_rows - len(summary.errors)} more bad rows (see --report)"
            )
        if summary.ignored_columns:
            self.stderr.write("ignored columns: " + ", ".join(summary.ignored_columns))
        self.stdout.write(batch.report_text(summary))
        if not summary.ok:
            raise CommandError(f"{summary.bad_rows} bad rows: nothing was written")
