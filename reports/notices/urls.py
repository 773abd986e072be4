from django.urls import path

from . import feeds, views

urlpatterns = [
    path("c/<str:code>/feed/", feeds.CommunityFeed(), name="notices-feed"),
    path("c/<str:code>/notices/", views.subscribe, name="notices-subscribe"),
    path("c/<str:code>/notices/confirm/<str:token>/", views.confirm, name="notices-confirm"),
    path(
        "c/<str:code>/notices/unsubscribe/<str:token>/",
        views.unsubscribe,
        name="notices-unsubscribe",
    ),
    path("c/<str:code>/<str:month>/poster-<str:size>.pdf", views.poster, name="notices-poster"),
]
