"""The administrator enrols supervisors here (through the service, so the enrolment is
in the published trail); keys and co-signatures are read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fundmgr.officer.forms import AmountAdmin

from . import services
from .models import CoSignature, CosignPolicy, SupervisionEvent, Supervisor, SupervisorKey


class EnrolForm(forms.ModelForm):
    public_key = forms.CharField(
        label=_("public key (optional)"),
        required=False,
        max_length=64,
        help_text=_("For a key made with tools/cosign.py keygen: its 64 hexadecimal characters."),
    )

    class Meta:
        model = Supervisor
        fields = ("community", "user", "display_name", "title")

    def clean_public_key(self):
        value = self.cleaned_data.get("public_key", "").strip().lower()
        if value:
            try:
                services.public_raw(value)  # the service's own check, its words
            except ValidationError as error:
                raise ValidationError(error.messages) from error
        return value


@admin.register(Supervisor)
class SupervisorAdmin(AmountAdmin):
    list_display = ("community", "display_name", "title", "enrolled_at", "ended_at")
    list_filter = ("community",)
    autocomplete_fields = ("user",)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = EnrolForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "community",
            "user",
            "display_name",
            "title",
            "enrolled_at",
            "enrolled_by",
            "ended_at",
        )

    def save_model(self, request, obj, form, change):
        if change:
            return
        seat = services.supervisor_enrol(
            community=form.cleaned_data["community"],
            user=form.cleaned_data["user"],
            display_name=form.cleaned_data["display_name"],
            title=form.cleaned_data.get("title", ""),
            public_key=form.cleaned_data.get("public_key", ""),
            actor=request.user,
        )
        obj.pk = seat.pk

    def has_add_permission(self, request):
        return request.user.is_superuser  # the service enrols for the administrator only

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupervisorKey)
class SupervisorKeyAdmin(AmountAdmin):
    list_display = ("supervisor", "key_id", "origin", "added_at", "revoked_at")
    list_filter = ("supervisor__community",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CoSignature)
class CoSignatureAdmin(SupervisorKeyAdmin):
    list_display = ("disclosure", "supervisor", "signed_at")
    list_filter = ("supervisor__community",)


@admin.register(SupervisionEvent)
class SupervisionEventAdmin(SupervisorKeyAdmin):
    list_display = ("community", "at", "kind", "supervisor", "by")
    list_filter = ("community", "kind")


admin.site.register(CosignPolicy)
