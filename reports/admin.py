"""Administrator's screens for reports: conflict-of-interest declarations, entered for
(or by) staff and committee members. Read by the red-flag screening."""

from django.contrib import admin

from fundmgr.officer.forms import AmountAdmin

from .models import DeclaredInterest, InterestDeclaration


class DeclaredInterestInline(admin.TabularInline):
    model = DeclaredInterest
    extra = 2


@admin.register(InterestDeclaration)
class InterestDeclarationAdmin(AmountAdmin):
    list_display = ("community", "user", "declared_on")
    list_filter = ("community",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)
    inlines = [DeclaredInterestInline]
