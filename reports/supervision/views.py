"""The supervisor's page (log in, hold Role.SUPERVISOR), the public committee page and
the open-data routes: supervisors' keys with history, and a month's co-signatures (GET
to read, POST to submit - the signature itself is the credential)."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fundmgr.access import communities_for, community_role
from fundmgr.lib.dates import parse_month
from fundmgr.models import Community, Role

from .. import selectors
from . import services
from .models import CoSignature, SupervisionEvent, Supervisor, SupervisorKey

NO_STORE = "no-cache"


def _json(data, status=200):
    response = JsonResponse(
        data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = NO_STORE
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(message: str, status: int):
    return _json({"error": message, "status": status}, status=status)


def _when(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _by(event: SupervisionEvent) -> str:
    if event.by_role == services.SUPERVISOR:
        return _("the member themselves")
    return _("Administrator")


def keys_public(community: Community) -> dict:
    """The committee as published: each member's public name, keys and their history."""
    seats = Supervisor.objects.filter(community=community).prefetch_related("keys")
    events = SupervisionEvent.objects.filter(community=community).select_related(
        "supervisor", "key"
    )
    return {
        "community": community.code,
        "quorum": services.quorum_of(community),
        "message_format": "fundmgr.cosign/1",
        "supervisors": [
            {
                "name": s.public_label,
                "enrolled_at": _when(s.enrolled_at),
                "left_at": _when(s.ended_at),
                "keys": [
                    {
                        "key_id": k.key_id,
                        "algorithm": "Ed25519",
                        "public_key_hex": k.public_key,
                        "made_in": k.origin,
                        "added_at": _when(k.added_at),
                        "revoked_at": _when(k.revoked_at),
                        "revoke_reason": k.revoke_reason,
                    }
                    for k in s.keys.all()
                ],
            }
            for s in seats
        ],
        "history": [
            {
                "at": _when(e.at),
                "event": e.kind,
                "event_label": e.get_kind_display(),
                "supervisor": e.supervisor.public_label,
                "key_id": e.key.key_id if e.key else None,
                "by": _by(e),
                "note": _(e.note) if e.note else "",
            }
            for e in events
        ],
    }


def api_supervisors(request, code):
    community = Community.objects.filter(code=code).first()
    if community is None:
        return _error(f"no community {code!r}", 404)
    return _json(keys_public(community))


def _published(code: str, month: str):
    first = parse_month(month)
    return selectors.published_period(code, first) if first is not None else None


def cosignatures_public(period) -> dict:
    d = period.disclosure
    st = services.status(d)
    return {
        "community": period.community.code,
        "month": period.label,
        "signed_tree_head": json.loads(d.signed_head),
        "signature": d.signature,
        "message": services.message_for(d).decode("utf-8"),
        "window_ends_at": _when(d.window_ends_at),
        "quorum": st["quorum"],
        "supervisors": st["n"],
        "cosigned": st["k"],
        "cosigned_in_window": st["k_in_time"],
        "short_of_quorum": st["short"],
        "cosignatures": [
            {
                "supervisor": c.supervisor.public_label,
                "key_id": c.key.key_id,
                "signature": c.signature,
                "signed_at": _when(c.signed_at),
                "in_window": c.signed_at <= d.window_ends_at,
            }
            for c in CoSignature.objects.filter(disclosure=d).select_related("supervisor", "key")
        ],
    }


@csrf_exempt  # no session is used: a signature that verifies is the only credential
def api_cosignatures(request, code, month):
    period = _published(code, month)
    if period is None:
        return _error(f"{code} {month[:20]} is not published", 404)
    if request.method == "POST":
        try:
            body = json.loads(request.body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _error(_('Send JSON: {"key_id": ..., "signature": ...}.'), 400)
        if not isinstance(body, dict) or not body.get("key_id") or not body.get("signature"):
            return _error(_('Send JSON: {"key_id": ..., "signature": ...}.'), 400)
        try:
            services.cosign_submit(
                disclosure=period.disclosure,
                key_id=str(body["key_id"]),
                signature=str(body["signature"]),
            )
        except ValidationError as error:
            return _error(" ".join(error.messages), 400)
        return _json(cosignatures_public(period), status=201)
    if request.method not in ("GET", "HEAD"):
        return _error("GET or POST", 405)
    return _json(cosignatures_public(period))


def committee_page(request, code):
    community = get_object_or_404(Community, code=code)
    return render(
        request,
        "supervision/committee.html",
        {"community": community, "committee": keys_public(community)},
    )


@login_required
def home(request):
    """A supervisor's communities, their key and the months waiting for a co-signature."""
    rows = []
    for community in communities_for(request.user, Role.SUPERVISOR):
        seat = Supervisor.objects.filter(
            community=community, user=request.user, ended_at=None
        ).first()
        if seat is None:
            continue
        key = SupervisorKey.objects.filter(supervisor=seat, revoked_at=None).first()
        signed = set(
            CoSignature.objects.filter(supervisor=seat).values_list("disclosure_id", flat=True)
        )
        months = [
            {
                "period": p,
                "signed": p.disclosure.pk in signed,
                "status": services.status(p.disclosure),
                "message": services.message_for(p.disclosure).decode("utf-8"),
            }
            for p in list(selectors.published_periods(community))[:12]
        ]
        rows.append({"community": community, "seat": seat, "key": key, "months": months})
    if not rows:
        raise Http404(_("You do not sit on any supervisory committee."))
    words = {
        "short_passphrase": _("The passphrase needs at least 10 characters."),
        "key_made": _("Key %s registered. Keep the backup file and its passphrase safe."),
        "choose_file": _("Choose the backup file first."),
        "wrong_passphrase": _("This passphrase does not open the backup file."),
        "not_current": _("This backup holds another key than your current one."),
        "restored": _("Key %s restored in this browser."),
        "no_key_here": _("Your key is not in this browser: restore it from its backup file."),
        "cosigned": _("Co-signed %s:"),
        "you_cosigned": _("you co-signed"),
        "no_webcrypto": _("This browser cannot make Ed25519 keys; use tools/cosign.py."),
        "key_here": _("(kept in this browser)"),
        "key_elsewhere": _("(not in this browser)"),
    }
    return render(request, "supervision/home.html", {"rows": rows, "words": words})


@require_POST
@community_role(Role.SUPERVISOR)
def add_key(request, community):
    """The browser registers the public half of the key it just made (JSON body)."""
    seat = Supervisor.objects.filter(community=community, user=request.user, ended_at=None).first()
    if seat is None:
        raise Http404
    try:
        body = json.loads(request.body.decode("utf-8") or "{}")
        public_key = str(body.get("public_key", ""))
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        return _error(_('Send JSON: {"public_key": ...}.'), 400)
    try:
        key = services.key_add(
            supervisor=seat,
            public_key=public_key,
            actor=request.user,
            origin="browser" if body.get("origin") == "browser" else "command",
        )
    except ValidationError as error:
        return _error(" ".join(error.messages), 400)
    return _json({"key_id": key.key_id, "public_key_hex": key.public_key}, status=201)
