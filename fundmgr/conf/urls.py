"""The root URLconf: the one place that composes every app's pages. It sits on top of
the apps (fundmgr.conf), so it may import reports; no app imports it.

/officer/ is one area under one namespace (`officer:`), whichever app serves the page:
fundmgr.officer (income, imports, payouts) and reports.officer (periods, queries).
/auditor/ is reports.auditor under `auditor:`. The public site and the API keep their
flat names (`public-month`, `api-period`, ...)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

import reports.officer
import reports.votes
from fundmgr.conf import views as project_views
from fundmgr.officer import urls as officer_urls
from fundmgr.reconcile import urls as reconcile_urls
from reports.public import views as public_views

officer = [
    *officer_urls.urlpatterns,
    *reports.officer.urlpatterns,
    *reports.votes.urlpatterns,
    *reconcile_urls.urlpatterns,
]

urlpatterns = [
    path("", public_views.home, name="home"),
    path("workspace/", project_views.workspace, name="workspace"),
    path("officer/", include((officer, "officer"))),
    path("auditor/", include("reports.auditor.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("fundmgr.accounts.urls")),
    # The language switch takes no CSRF token, so public pages carry nothing per visitor
    # and are served whole from cache (reports.public.views.month_page); a forged switch
    # can only change the display language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    # Before the public site: c/<code>/supervisors/ is not a month, api/... not a 404.
    path("", include("reports.supervision.urls")),
    path("", include("reports.notices.urls")),
    path("", include("reports.public.urls")),
]
