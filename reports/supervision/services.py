"""The committee's services: enrol a supervisor, add or revoke a public key, accept a
co-signature (verified first), and the month's co-signing status. Each write is one
transaction and leaves a SupervisionEvent (the published trail)."""

from __future__ import annotations

import datetime as dt
import json
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fundmgr.access import has_role
from fundmgr.models import Community, Membership, Role
from fundmgr.services.setup import membership_grant

from ..models import Disclosure
from .message import cosign_message, key_id
from .models import (
    DEFAULT_QUORUM,
    CoSignature,
    CosignPolicy,
    EventKind,
    SupervisionEvent,
    Supervisor,
    SupervisorKey,
)

HEX = re.compile(r"^[0-9a-f]+$")
ADMINISTRATOR, SUPERVISOR = "administrator", "supervisor"


def quorum_of(community: Community) -> int:
    policy = CosignPolicy.objects.filter(community=community).first()
    return policy.quorum if policy else DEFAULT_QUORUM


def _is_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


def _event(supervisor: Supervisor, kind: str, actor, key=None, note: str = "") -> None:
    SupervisionEvent.objects.create(
        community=supervisor.community,
        supervisor=supervisor,
        key=key,
        kind=kind,
        at=timezone.now(),
        by=actor.get_username(),
        by_role=SUPERVISOR if actor.pk == supervisor.user_id else ADMINISTRATOR,
        note=note[:200],
    )


@transaction.atomic
def supervisor_enrol(
    *,
    community: Community,
    user,
    display_name: str,
    title: str = "",
    actor,
    public_key: str = "",
) -> Supervisor:
    """The administrator seats a committee member: the role, the public name and title,
    and (for a key made with tools/cosign.py) their public key. In the trail."""
    if not _is_admin(actor):
        raise PermissionError(_("Only the administrator enrols supervisors."))
    display_name, title = display_name.strip(), title.strip()
    if not display_name:
        raise ValidationError({"display_name": _("Give the name the public will see.")})
    if Supervisor.objects.filter(community=community, user=user, ended_at=None).exists():
        raise ValidationError(
            _("%(name)s already sits on %(community)s's committee.")
            % {"name": display_name, "community": community.name}
        )
    membership_grant(user=user, community=community, role=Role.SUPERVISOR)
    seat, _created = Supervisor.objects.update_or_create(
        community=community,
        user=user,
        defaults={
            "display_name": display_name[:40],
            "title": title[:40],
            "enrolled_at": timezone.now(),
            "enrolled_by": actor.get_username(),
            "ended_at": None,
        },
    )
    _event(seat, EventKind.ENROLLED, actor)
    if public_key:
        key_add(supervisor=seat, public_key=public_key, actor=actor, origin="command")
    return seat


def public_raw(public_key: str) -> bytes:
    text = public_key.strip().lower()
    if len(text) != 64 or not HEX.match(text):
        raise ValidationError(
            {"public_key": _("A public key is 64 hexadecimal characters (32 bytes, Ed25519).")}
        )
    raw = bytes.fromhex(text)
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise ValidationError({"public_key": _("This is not an Ed25519 public key.")}) from exc
    return raw


@transaction.atomic
def key_add(*, supervisor: Supervisor, public_key: str, actor, origin: str) -> SupervisorKey:
    """Register a supervisor's public key; their earlier key, if any, is revoked (its
    earlier co-signatures stay valid). The supervisor adds their own, or the admin."""
    if actor.pk != supervisor.user_id and not _is_admin(actor):
        raise PermissionError(_("Only the supervisor or the administrator adds their key."))
    if supervisor.ended_at is not None:
        raise ValidationError(_("This supervisor has left the committee."))
    raw = public_raw(public_key)
    if SupervisorKey.objects.filter(public_key=raw.hex()).exists():
        raise ValidationError({"public_key": _("This key is already registered.")})
    now = timezone.now()
    for old in supervisor.keys.select_for_update().filter(revoked_at=None):
        _revoke(old, actor, gettext_noop("replaced by a new key"), now)
    key = SupervisorKey.objects.create(
        supervisor=supervisor,
        public_key=raw.hex(),
        key_id=key_id(raw),
        origin="browser" if origin == "browser" else "command",
        added_at=now,
        added_by=actor.get_username(),
    )
    _event(supervisor, EventKind.KEY_ADDED, actor, key=key)
    return key


def _revoke(key: SupervisorKey, actor, reason: str, now: dt.datetime) -> None:
    key.revoked_at, key.revoked_by, key.revoke_reason = now, actor.get_username(), reason[:200]
    key.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    _event(key.supervisor, EventKind.KEY_REVOKED, actor, key=key, note=reason)


@transaction.atomic
def key_revoke(*, key: SupervisorKey, actor, reason: str) -> SupervisorKey:
    """A lost or exposed key: the supervisor or the administrator revokes it."""
    key = SupervisorKey.objects.select_for_update().select_related("supervisor").get(pk=key.pk)
    if actor.pk != key.supervisor.user_id and not _is_admin(actor):
        raise PermissionError(_("Only the supervisor or the administrator revokes their key."))
    if key.revoked_at is not None:
        raise ValidationError(_("This key is already revoked."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the key is revoked.")})
    _revoke(key, actor, reason.strip(), timezone.now())
    return key


@transaction.atomic
def supervisor_leave(*, supervisor: Supervisor, actor, reason: str) -> Supervisor:
    """A member leaves the committee: the role goes, their keys are revoked (earlier
    co-signatures stay valid), and the trail says so."""
    if not _is_admin(actor):
        raise PermissionError(_("Only the administrator enrols supervisors."))
    seat = Supervisor.objects.select_for_update().get(pk=supervisor.pk)
    if seat.ended_at is not None:
        raise ValidationError(_("This supervisor has left the committee."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the member leaves.")})
    now = timezone.now()
    for key in seat.keys.select_for_update().filter(revoked_at=None):
        _revoke(key, actor, gettext_noop("the member left the committee"), now)
    seat.ended_at = now
    seat.save(update_fields=["ended_at"])
    Membership.objects.filter(
        user_id=seat.user_id, community_id=seat.community_id, role=Role.SUPERVISOR
    ).delete()
    _event(seat, EventKind.LEFT, actor, note=reason.strip())
    return seat


def message_for(disclosure: Disclosure) -> bytes:
    return cosign_message(json.loads(disclosure.signed_head), disclosure.signature)


COSIGN_FORGED = gettext_noop(
    "This co-signature does not verify with key %(key)s: it was not made with that key over "
    "the signed tree head of %(community)s %(month)s. Nothing was stored."
)


@transaction.atomic
def cosign_submit(*, disclosure: Disclosure, key_id: str, signature: str) -> CoSignature:
    """Keep a supervisor's co-signature after checking it. No login is needed: only the
    holder of an enrolled, unrevoked key can make a signature that verifies."""
    period = disclosure.period
    community = period.community
    key = (
        SupervisorKey.objects.select_related("supervisor")
        .filter(key_id=str(key_id).strip().lower()[:16], supervisor__community=community)
        .first()
    )
    if key is None:
        raise ValidationError(
            _("No supervisor of %(community)s has the key %(key)s.")
            % {"community": community.name, "key": str(key_id)[:20]}
        )
    if key.revoked_at is not None or key.supervisor.ended_at is not None:
        raise ValidationError(
            _("The key %(key)s was revoked on %(date)s; sign with the current key.")
            % {"key": key.key_id, "date": f"{(key.revoked_at or key.supervisor.ended_at):%Y-%m-%d}"}
        )
    text = str(signature).strip().lower()
    params = {"key": key.key_id, "community": community.name, "month": period.label}
    if len(text) != 128 or not HEX.match(text):
        raise ValidationError(_(COSIGN_FORGED) % params)
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(key.public_key)).verify(
            bytes.fromhex(text), message_for(disclosure)
        )
    except InvalidSignature as exc:
        raise ValidationError(_(COSIGN_FORGED) % params) from exc
    # Now, and again once committed (a reader in between may have cached the old state).
    cache.delete(_state_key(disclosure.pk))
    transaction.on_commit(lambda: cache.delete(_state_key(disclosure.pk)))
    existing = CoSignature.objects.filter(disclosure=disclosure, supervisor=key.supervisor).first()
    if existing is not None:
        return existing  # Ed25519 is deterministic: the same key signs the same bytes alike
    try:
        with transaction.atomic():
            return CoSignature.objects.create(
                disclosure=disclosure,
                supervisor=key.supervisor,
                key=key,
                signature=text,
                signed_at=timezone.now(),
            )
    except IntegrityError:  # a retry raced this one
        return CoSignature.objects.get(disclosure=disclosure, supervisor=key.supervisor)


def _verifies(cosignature, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(cosignature.key.public_key)).verify(
            bytes.fromhex(cosignature.signature), message
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def broken_cosignatures(disclosure: Disclosure) -> list[str]:
    """Public names of the supervisors whose kept co-signature no longer verifies over the
    month's signed head as it is stored now. Each was checked when it was submitted, so a
    failure means the head (or the document it covers) was rebuilt and re-signed after
    they signed: the server's key can do that, the supervisors' keys are not there."""
    message = message_for(disclosure)
    return [
        c.supervisor.public_label
        for c in CoSignature.objects.filter(disclosure=disclosure).select_related(
            "supervisor", "key"
        )
        if not _verifies(c, message)
    ]


def status(disclosure: Disclosure) -> dict:
    """k of n: who co-signed (public names), whether within the window, the quorum, and
    whether the month is to be flagged (window over, fewer than the quorum in time)."""
    community = disclosure.period.community
    message = message_for(disclosure)
    kept = list(
        CoSignature.objects.filter(disclosure=disclosure).select_related("supervisor", "key")
    )
    # Verified again on every reading: a stored row is not a co-signature of the head
    # as it stands now unless the supervisor's key says so.
    signatures = [c for c in kept if _verifies(c, message)]
    broken = [c.supervisor.public_label for c in kept if c not in signatures]
    seated = list(Supervisor.objects.filter(community=community, ended_at=None))
    in_time = [s for s in signatures if s.signed_at <= disclosure.window_ends_at]
    quorum = quorum_of(community)
    window_over = timezone.now() > disclosure.window_ends_at
    # The rule holds from the committee's first enrolment on: months published before
    # there was anyone to co-sign are shown k of n, not flagged.
    first = Supervisor.objects.filter(community=community).order_by("enrolled_at").first()
    applies = first is not None and disclosure.created_at >= first.enrolled_at
    return {
        "k": len(signatures),
        "k_in_time": len(in_time),
        "n": len({s.pk for s in seated} | {c.supervisor_id for c in signatures}),
        "quorum": quorum,
        "signers": [
            {
                "name": c.supervisor.public_label,
                "key_id": c.key.key_id,
                "signed_at": c.signed_at,
                "late": c.signed_at > disclosure.window_ends_at,
            }
            for c in signatures
        ],
        "broken": broken,
        "window_over": window_over,
        "short": applies and window_over and len(in_time) < quorum,
        "met": len(in_time) >= quorum,
    }


STATE_SECONDS = 60


def _state_key(disclosure_pk: int) -> str:
    return f"supervision:state:{disclosure_pk}"


def state_token(disclosure: Disclosure) -> str:
    """Changes whenever the month's co-signing status would read differently: for the
    keys of cached pages. Kept a minute (three queries on the most read page otherwise);
    a new co-signature clears it at once, a change of the committee shows within it."""
    key = _state_key(disclosure.pk)
    token = cache.get(key)
    if token is None:
        ids = list(CoSignature.objects.filter(disclosure=disclosure).values_list("pk", flat=True))
        community = disclosure.period.community
        seated = Supervisor.objects.filter(community=community, ended_at=None).count()
        token = f"{len(ids)}.{max(ids, default=0)}.{seated}.{quorum_of(community)}"
        cache.set(key, token, STATE_SECONDS)
    return token


def can_cosign(user, community: Community) -> bool:
    return has_role(user, community, Role.SUPERVISOR)


# --- Red flag: a month the committee did not co-sign in time ------------------------------
RULE = "cosign_missing"
RULE_MESSAGE = gettext_noop(
    "%(month)s was co-signed by %(k)s of the %(quorum)s supervisors needed within its "
    "disclosure window."
)


def missing_flags(community: Community) -> list:
    """One finding per month whose window closed short of the quorum (key: the month)."""
    from ..models import PeriodState
    from ..redflags.rules import HIGH, Flag

    flags = []
    disclosures = Disclosure.objects.filter(
        period__community=community,
        period__state=PeriodState.PUBLISHED,
        window_ends_at__lt=timezone.now(),
    ).select_related("period__community")
    for d in disclosures:
        st = status(d)
        if not st["short"]:
            continue
        flags.append(
            Flag(
                rule=RULE,
                severity=HIGH,
                key=d.period.label,
                message=RULE_MESSAGE,
                params={"month": d.period.label, "k": st["k_in_time"], "quorum": st["quorum"]},
                evidence=[
                    {
                        "kind": "period",
                        "id": d.period.pk,
                        "ref": f"period:{d.period.label}",
                        "label": d.period.label,
                    }
                ],
                strength=90,
                subject=d.period.label,
            )
        )
    return flags
