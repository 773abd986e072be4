from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from reports import views as public_views

urlpatterns = [
    path("", public_views.home, name="home"),
    path("officer/", include("fundmgr.officer_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("reports.urls")),
]
