"""The administrator's command for the supervisory committee.

manage.py supervisor enrol COMMUNITY USERNAME "NAME" [--title T] [--public-key HEX] --by ADMIN
manage.py supervisor revoke-key KEY_ID "REASON" --by ADMIN
manage.py supervisor list COMMUNITY
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fundmgr.models import Community

from ... import services
from ...models import Supervisor, SupervisorKey


class Command(BaseCommand):
    help = "Enrol supervisors, revoke their keys, list a committee."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        enrol = sub.add_parser("enrol")
        enrol.add_argument("community")
        enrol.add_argument("username")
        enrol.add_argument("display_name")
        enrol.add_argument("--title", default="")
        enrol.add_argument("--public-key", default="")
        enrol.add_argument("--by", required=True, help="the administrator's username")
        revoke = sub.add_parser("revoke-key")
        revoke.add_argument("key_id")
        revoke.add_argument("reason")
        revoke.add_argument("--by", required=True)
        leave = sub.add_parser("leave")
        leave.add_argument("community")
        leave.add_argument("username")
        leave.add_argument("reason")
        leave.add_argument("--by", required=True)
        listing = sub.add_parser("list")
        listing.add_argument("community")

    def _user(self, username):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        return user

    def _community(self, code):
        community = Community.objects.filter(code=code).first()
        if community is None:
            raise CommandError(f"no community {code!r}")
        return community

    def handle(self, *args, action, **opts):
        try:
            if action == "enrol":
                seat = services.supervisor_enrol(
                    community=self._community(opts["community"]),
                    user=self._user(opts["username"]),
                    display_name=opts["display_name"],
                    title=opts["title"],
                    public_key=opts["public_key"],
                    actor=self._user(opts["by"]),
                )
                self.stdout.write(f"enrolled: {seat}")
            elif action == "revoke-key":
                key = SupervisorKey.objects.filter(key_id=opts["key_id"]).first()
                if key is None:
                    raise CommandError(f"no key {opts['key_id']!r}")
                services.key_revoke(key=key, actor=self._user(opts["by"]), reason=opts["reason"])
                self.stdout.write(f"revoked: {key.key_id}")
            elif action == "leave":
                seat = Supervisor.objects.filter(
                    community=self._community(opts["community"]),
                    user=self._user(opts["username"]),
                ).first()
                if seat is None:
                    raise CommandError(f"{opts['username']!r} is not on that committee")
                services.supervisor_leave(
                    supervisor=seat, actor=self._user(opts["by"]), reason=opts["reason"]
                )
                self.stdout.write(f"left: {seat}")
            else:
                for seat in Supervisor.objects.filter(community=self._community(opts["community"])):
                    keys = ", ".join(
                        k.key_id + (" (revoked)" if k.revoked_at else "") for k in seat.keys.all()
                    )
                    self.stdout.write(f"{seat.public_label}\t{keys or '-'}")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except PermissionError as error:
            raise CommandError(str(error)) from error
