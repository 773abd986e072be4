from django.urls import path

from . import views

urlpatterns = [
    path("supervisor/", views.home, name="supervisor-home"),
    path("supervisor/<str:code>/key/", views.add_key, name="supervisor-add-key"),
    path("c/<str:code>/supervisors/", views.committee_page, name="public-supervisors"),
    path(
        "api/v1/communities/<str:code>/supervisors/",
        views.api_supervisors,
        name="api-supervisors",
    ),
    path(
        "api/v1/communities/<str:code>/periods/<str:month>/cosignatures/",
        views.api_cosignatures,
        name="api-cosignatures",
    ),
]
