"""The app's own URLs and two bare pages beside them, to time the app against (bench/http_load.py only).

``/bare/`` answers a few bytes with no query; ``/bare-db/`` makes one query on an index and renders a small template.
Both go through the whole middleware stack: a request without a session cookie, as the harness sends them, costs
the middleware no query.
"""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from onlinesafety.schools.models import School
from onlinesafety.urls import urlpatterns as app_urlpatterns

BARE_MARKER = "bare page"
BARE_DB_MARKER = "bare-db page"
PAGE = engines["django"].from_string(
    "<!doctype html><title>{{ marker }}</title><h1>{{ marker }}</h1><p>{{ name|default:'No school' }}</p>")


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BARE_MARKER)


def bare_db(request: HttpRequest) -> HttpResponse:
    school = School.objects.only("name").order_by("pk").first()  # the primary key's index, one row
    return HttpResponse(PAGE.render({"marker": BARE_DB_MARKER, "name": school.name if school else ""}, request))


urlpatterns = [
    path("bare/", bare),
    path("bare-db/", bare_db),
    *app_urlpatterns,
]
