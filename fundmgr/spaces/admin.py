"""Spaces in the admin: to read only. Every record is made through the services
(fundmgr/spaces/services.py), which refuse overlaps, deliveries outside the term and
self-confirmation, and post the rent."""

from django.contrib import admin

from ..decisions.admin import ReadOnly
from .models import Agreement, Delivery, Obligation, RentPayment, Space, SpaceIncome


@admin.register(Agreement)
class AgreementAdmin(ReadOnly):
    list_display = ("number", "community", "space", "operator", "starts_on", "ends_on")
    list_filter = ("community",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ("agreement", "delivered_on", "quantity", "participants", "confirmed_as")


for model in (Space, Obligation, RentPayment, SpaceIncome):
    admin.site.register(model, ReadOnly)
