from django.urls import path

from . import views

urlpatterns = [
    path("two-factor/", views.verify, name="two-factor"),
    path("two-factor/backup-codes/", views.backup_codes, name="two-factor-backup"),
    path("password_change/", views.password_change, name="password_change"),
    path("password_change/done/", views.password_change_done, name="password_change_done"),
]
