"""The second factor at login (enrolment by QR code the first time, then a code from
the app or a backup code) and self-service password change for every logged-in user."""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from fundmgr.officer.income import receipts_qr

from . import two_factor


class TokenForm(forms.Form):
    token = forms.CharField(
        label=pgettext_lazy("second factor", "Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse_lazy("home")


@never_cache
@sensitive_post_parameters("token")
@login_required
def verify(request):
    """Enter the code of the authenticator app (or a backup code); enrols first."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    device = two_factor.confirmed_device(user)
    if device is None:
        return enrol(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accepted = two_factor.verify(user, form.cleaned_data["token"])
        if accepted is not None:
            otp_login(request, accepted)
            return redirect(_next(request))
        form.add_error("token", _("That code is wrong or has expired. Try the newest one."))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next(request)},
        status=400 if form.errors else 200,
    )


def enrol(request):
    user = request.user
    device = two_factor.pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm(device, "".join(form.cleaned_data["token"].split()))
        if codes is not None:
            otp_login(request, device)
            return render(
                request,
                "registration/two_factor_backup.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error("token", _("That code is wrong or has expired. Try the newest one."))
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "next": _next(request),
            "qr": receipts_qr(device.config_url),
            "secret": two_factor.secret_base32(device),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def backup_codes(request):
    """New backup codes (the old ones stop working); only after the second factor."""
    if not request.user.is_verified():
        return two_factor.redirect_to_verify(request)
    if request.method != "POST":
        return render(request, "registration/two_factor_backup.html", {"codes": None})
    codes = two_factor.new_backup_codes(request.user)
    messages.success(request, _("New backup codes made; the old ones no longer work."))
    return render(
        request, "registration/two_factor_backup.html", {"codes": codes, "next": _next(request)}
    )


password_change = auth_views.PasswordChangeView.as_view(
    success_url=reverse_lazy("password_change_done")
)
password_change_done = auth_views.PasswordChangeDoneView.as_view()
