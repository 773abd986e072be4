"""Projects in the admin: to read only. Every record is made through the services
(fundmgr/projects/services.py), which post the earmarks and check every payment."""

from django.contrib import admin

from ..decisions.admin import ReadOnly
from .models import Acceptance, Milestone, Plan, PlanLine, Project, ProjectPayment, Proposal


@admin.register(Project)
class ProjectAdmin(ReadOnly):
    list_display = ("community", "number", "title", "status", "decided_amount")
    list_filter = ("community", "status", "category")


@admin.register(Proposal)
class ProposalAdmin(ReadOnly):
    list_display = ("community", "title", "status", "submitted_on", "on_paper")
    list_filter = ("community", "status")


for model in (Acceptance, Milestone, Plan, PlanLine, ProjectPayment):
    admin.site.register(model, ReadOnly)
