from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from reports import views as public_views

urlpatterns = [
    path("", public_views.home, name="home"),
    path("officer/", include("fundmgr.officer_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch takes no CSRF token, so public pages carry nothing per visitor
    # and are served whole from cache (reports.views.month_page); a forged switch can only
    # change the display language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("reports.urls")),
]
