"""The product's WSGI application with one extra route, /hello/: a static Django view
behind the same middleware, the ceiling bench/web.py measures the pages against."""

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("hello/", hello), path("", include("fundmgr.conf.urls"))]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
