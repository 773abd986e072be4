"""A community with a published month and a supervisory committee, for the tests of
co-signing, notices and the poster."""

import datetime as dt
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.auth import get_user_model
from django.utils import timezone

from fundmgr.services.income import income_record
from reports.models import Disclosure
from reports.services import period_close, period_publish
from reports.supervision import services as supervision
from tests import factories as f


@dataclass
class World:
    community: object
    disclosure: Disclosure
    admin: object
    seats: list
    keys: list  # Ed25519PrivateKey per seat, held by "the supervisors", not the server
    receipts: list


def public_hex(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        .hex()
    )


def committee(community, admin, names=("王建国", "李秀英", "赵明")):
    seats, keys = [], []
    for i, name in enumerate(names):
        user = f.user(f"sup{community.code.lower()}{i}")
        key = Ed25519PrivateKey.generate()
        seats.append(
            supervision.supervisor_enrol(
                community=community,
                user=user,
                display_name=name,
                title="委员",
                actor=admin,
                public_key=public_hex(key),
            )
        )
        keys.append(key)
    return seats, keys


def world(code="SPV", *, supervisors=True) -> World:
    c = f.community(code)
    admin = get_user_model().objects.create_superuser(f"admin{code.lower()}", "", "pw-admin")
    seats, keys = committee(c, admin) if supervisors else ([], [])
    pkg = f.package(c, "YL01")
    officer = f.user(f"officer{code.lower()}", (c, "officer"))
    receipts = []
    for day, amount in ((2, "100.00"), (9, "35.50"), (17, "12.30")):
        paid = timezone.make_aware(dt.datetime(2026, 3, day, 10))
        receipts.append(
            income_record(f.draft(c, pkg, amount, paid_at=paid), recorded_by=officer)[0]
        )
    first = dt.date(2026, 3, 1)
    period_close(community=c, month=first, actor="officer", today=dt.date(2026, 4, 3))
    d = period_publish(community=c, month=first, actor="officer")
    return World(c, d, admin, seats, keys, receipts)
