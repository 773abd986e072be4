"""Reconciliation routes, mounted in the officer area (`officer:` namespace) by
fundmgr.conf.urls."""

from django.urls import path

from . import views

urlpatterns = [
    path("c/<str:code>/reconcile/", views.overview, name="reconcile"),
    path("c/<str:code>/reconcile/upload/", views.upload, name="reconcile-upload"),
    path("c/<str:code>/reconcile/bank/", views.bank_mapping, name="reconcile-bank"),
    path("c/<str:code>/reconcile/deposits/new/", views.deposit_new, name="deposit-new"),
    path("deposits/<int:pk>/decide/", views.deposit_decide, name="deposit-decide"),
    path("c/<str:code>/reconcile/<str:account>/<str:month>/", views.month, name="reconcile-month"),
    path(
        "c/<str:code>/reconcile/<str:account>/<str:month>/confirm/",
        views.confirm,
        name="reconcile-confirm",
    ),
]
