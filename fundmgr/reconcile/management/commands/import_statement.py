"""manage.py import_statement COMMUNITY FILE --format F --user NAME [--bank B] [--opening
YUAN] [--through YYYY-MM-DD] [--dry-run]: a bank or payment-platform statement, all its
lines or none; exit non-zero naming every bad row."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fundmgr.models import Community
from fundmgr.reconcile.models import StatementFormat
from fundmgr.reconcile.services import StatementRefused, statement_import


class Command(BaseCommand):
    help = "Import a bank, WeChat Pay or Alipay statement of a community's money account."

    def add_arguments(self, parser):
        parser.add_argument("community")
        parser.add_argument("file")
        parser.add_argument("--format", required=True, choices=StatementFormat.values)
        parser.add_argument("--user", required=True, help="the finance officer importing it")
        parser.add_argument("--bank", default="", help="the bank whose column mapping to use")
        parser.add_argument("--opening", help="opening balance, for a bill without balances")
        parser.add_argument("--through", help="the last day the statement covers")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **o):
        community = Community.objects.filter(code=o["community"]).first()
        if community is None:
            raise CommandError(f"no such community: {o['community']}")
        user = get_user_model().objects.filter(username=o["user"]).first()
        if user is None:
            raise CommandError(f"no such user: {o['user']}")
        try:
            opening = int(Decimal(o["opening"]).scaleb(2)) if o["opening"] else None
            through = dt.date.fromisoformat(o["through"]) if o["through"] else None
        except (InvalidOperation, ValueError) as exc:
            raise CommandError(f"--opening or --through is malformed: {exc}") from exc
        try:
            result = statement_import(
                community=community,
                format=o["format"],
                path=o["file"],
                user=user,
                bank=o["bank"],
                opening_fen=opening,
                through=through,
                dry_run=o["dry_run"],
            )
        except StatementRefused as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"{len(exc.rows)} bad rows; nothing imported") from exc
        except (ValidationError, PermissionError, FileNotFoundError) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        verb = "would import" if o["dry_run"] else "imported"
        self.stdout.write(f"{verb} {result.lines} lines, skipped {result.skipped} already kept")
