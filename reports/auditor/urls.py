"""The auditor area's routes, mounted at /auditor/ under the `auditor:` namespace."""

from django.urls import path

from ..checking import views as checking
from . import declarations, reconciliation, views

app_name = "auditor"

urlpatterns = [
    path("", views.auditor_home, name="home"),
    path("<str:code>/verify/", views.auditor_verify, name="verify"),
    path("<str:code>/statements/", views.auditor_statements, name="statements"),
    path("files/<int:pk>/", views.auditor_statement_file, name="statement-file"),
    path("<str:code>/flags/", views.auditor_flags, name="flags"),
    path("<str:code>/flags/screen/", views.auditor_screen, name="screen"),
    path("<str:code>/flags/<int:pk>/close/", views.auditor_flag_close, name="flag-close"),
    path(
        "<str:code>/reconciliation/",
        reconciliation.auditor_reconciliation,
        name="reconciliation",
    ),
    path("<str:code>/declarations/", declarations.auditor_declarations, name="declarations"),
    path("<str:code>/receipts/", checking.auditor_receipts, name="receipts"),
    path("<str:code>/receipts/<int:pk>/confirm/", checking.auditor_confirm, name="receipt-confirm"),
]
