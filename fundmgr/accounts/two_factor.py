"""Who needs a second factor, and the device operations behind the pages (django-otp).

A user needs one when they are staff or hold a role in settings.TWO_FACTOR_ROLES in any
community. The demo's users are exempt only under DEBUG (settings.DEMO_2FA_EXEMPT), so
the quick start logs in with the README's passwords alone.
"""

from __future__ import annotations

import base64
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fundmgr.models import Membership

BACKUP_CODES = 10
DEVICE_NAME = "authenticator"
BACKUP_NAME = "backup"


def demo_exempt(user) -> bool:
    if not settings.DEMO_2FA_EXEMPT or not settings.DEBUG:
        return False
    from fundmgr.demo import PASSWORDS

    return user.get_username() in PASSWORDS


def required_for(user) -> bool:
    if not settings.TWO_FACTOR_ENFORCED or not user.is_authenticated:
        return False
    if demo_exempt(user):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role__in=settings.TWO_FACTOR_ROLES).exists()


def redirect_to_verify(request):
    return redirect(f"{reverse('two-factor')}?{urlencode({'next': request.get_full_path()})}")


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The device being enrolled (not yet confirmed by a first code), made once."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in by hand."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def confirm(device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm a pending device with its first code: the new backup codes, or None."""
    if not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_backup_codes(device.user)


@transaction.atomic
def new_backup_codes(user) -> list[str]:
    """Ten fresh one-time codes; the old ones stop working."""
    static, _made = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_NAME, defaults={"confirmed": True}
    )
    static.token_set.all().delete()
    codes = [secrets.token_hex(4) for _ in range(BACKUP_CODES)]
    for code in codes:
        StaticToken.objects.create(device=static, token=code)
    return codes


def verify(user, token: str):
    """The device that accepts this code (authenticator or one backup code), or None."""
    token = "".join(token.split()).lower()
    if not token or len(token) > 16:
        return None
    for device in [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]:
        if device.verify_token(token):
            return device
    return None
