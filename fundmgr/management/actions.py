"""What the commands with actions on one community share (`spaces`, `market`, `contract`,
`fund`): the community named first, `action` dispatched to `_<action>(community,
options)`, and a service's refusal printed by field, nothing written, a non-zero exit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ..models import Community


def refused(exc: ValidationError) -> CommandError:
    reasons = (
        [f"{k}: {m}" for k, ms in exc.message_dict.items() for m in ms]
        if hasattr(exc, "error_dict")
        else exc.messages
    )
    return CommandError("refused, nothing written:\n  " + "\n  ".join(reasons))


def community(code: str) -> Community:
    found = Community.objects.filter(code=code).first()
    if found is None:
        raise CommandError(f"community: no community with code {code!r}")
    return found


class ActionCommand(BaseCommand):
    def handle(self, *args, **o):
        on = community(o["community"])
        try:
            getattr(self, f"_{o['action']}")(on, o)
        except ValidationError as exc:
            raise refused(exc) from None
        except PermissionError as exc:
            raise CommandError(str(exc)) from None
