from django.urls import path
from django.views.decorators.cache import cache_control

from . import feeds, views

urlpatterns = [
    path("c/<str:code>/feed/", feeds.CommunityFeed(), name="notices-feed"),
    path(
        "c/<str:code>/project/<int:number>/feed/",
        cache_control(max_age=300, public=True)(feeds.ProjectFeed()),
        name="notices-project-feed",
    ),
    path("c/<str:code>/project/<int:number>/follow/", views.follow, name="notices-follow"),
    path("c/<str:code>/notices/", views.subscribe, name="notices-subscribe"),
    path("c/<str:code>/notices/confirm/<str:token>/", views.confirm, name="notices-confirm"),
    path(
        "c/<str:code>/notices/unsubscribe/<str:token>/",
        views.unsubscribe,
        name="notices-unsubscribe",
    ),
    path("c/<str:code>/<str:month>/poster-<str:size>.pdf", views.poster, name="notices-poster"),
]
