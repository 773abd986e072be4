"""Decisions in the admin: to read only. Every record is made through the services
(fundmgr/decisions/services.py), which check quorum, prior review and the two tallies."""

from django.contrib import admin

from ..officer.forms import AmountAdmin
from .models import DecisionItem, Meeting, OnlineTally, OnlineVote, PriorReview, Tally


class ReadOnly(AmountAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnly):
    list_display = ("reference", "community", "body", "held_on", "members_present", "quorum")
    list_filter = ("community", "body")


@admin.register(DecisionItem)
class DecisionItemAdmin(ReadOnly):
    list_display = ("meeting", "number", "title", "outcome")
    list_filter = ("outcome",)


admin.site.register(PriorReview, ReadOnly)
admin.site.register(Tally, ReadOnly)
# Online votes and their counts; codes (hashes) and ballots are not shown anywhere.
admin.site.register(OnlineVote, ReadOnly)
admin.site.register(OnlineTally, ReadOnly)
