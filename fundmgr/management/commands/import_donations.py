"""manage.py import_donations FILE --user USERNAME [--dry-run]

Donations from CSV (UTF-8 or GB18030) or XLSX: columns community, donor_kind, donor,
anonymous, named, amount, method, received_on, reference, fund, drive (or 社区, 捐赠人类别,
捐赠人, 匿名, 公开署名, 金额, 支付方式, 收款日期, 流水号, 定向基金, 募捐活动). All rows or
none; each bad row is named with its number; exit non-zero on any."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fundmgr.imports.files import FileError
from fundmgr.inflows.imports import import_donations


class Command(BaseCommand):
    help = "Import donations from a CSV or XLSX file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, metavar="USERNAME")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no such user: {options['user']}")
        try:
            result = import_donations(options["file"], user=user, dry_run=options["dry_run"])
        except FileNotFoundError as exc:
            raise CommandError(f"no such file: {options['file']}") from exc
        except FileError as exc:
            raise CommandError(str(exc)) from exc
        for number, message in result.errors:
            self.stderr.write(f"row {number}: {message}")
        if result.errors:
            raise CommandError(f"{len(result.errors)} bad rows: nothing was written")
        verb = "would record" if options["dry_run"] else "recorded"
        self.stdout.write(f"{verb} {result.recorded}, skipped {result.skipped} already recorded")
