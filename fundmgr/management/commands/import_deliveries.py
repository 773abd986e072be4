"""manage.py import_deliveries FILE --community CODE --user USERNAME [--dry-run]

Deliveries billed to government purchase contracts, from CSV (UTF-8 or GB18030) or XLSX:
columns 合同编号, 服务项目 (the package code), 服务日期, 数量, 受益人标识, 备注 (or contract,
package, delivered_on, units, beneficiaries, note). One row is one delivery on one
contract line: 数量 units and as many beneficiary identifiers in 受益人标识, separated by 、
or ; (hashed at once, never kept). 备注 is checked, not kept. All rows or none, like
import_donations: each bad row is named with its number and field; exit non-zero on any."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fundmgr.imports.files import FileError
from fundmgr.inflows.imports import import_deliveries
from fundmgr.models import Community


class Command(BaseCommand):
    help = "Import contract-billed deliveries from a CSV or XLSX file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--community", required=True, metavar="CODE")
        parser.add_argument("--user", required=True, metavar="USERNAME")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no such user: {options['user']}")
        community = Community.objects.filter(code=options["community"]).first()
        if community is None:
            raise CommandError(f"no such community: {options['community']}")
        try:
            result = import_deliveries(
                options["file"], community=community, user=user, dry_run=options["dry_run"]
            )
        except FileNotFoundError as exc:
            raise CommandError(f"no such file: {options['file']}") from exc
        except (FileError, PermissionError) as exc:
            raise CommandError(str(exc)) from exc
        for number, message in result.errors:
            self.stderr.write(
                _("row %(number)d: %(message)s") % {"number": number, "message": message}
            )
        if result.errors:
            raise CommandError(
                _("%(count)d bad rows: nothing was written") % {"count": len(result.errors)}
            )
        message = (
            _("would bill %(rows)d deliveries (%(units)d units); nothing was written")
            if options["dry_run"]
            else _("billed %(rows)d deliveries (%(units)d units)")
        )
        self.stdout.write(message % {"rows": result.recorded, "units": result.units})
