"""The site administrator's list of failed background jobs (the dead letters): every app's, in one place.

Each app registers its source (``onlinesafety.jobs.register_failed_jobs``). The page only lists: trying a job again
belongs to the people of its school who may, on the job's own page, so it says who they are.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onlinesafety.jobs import failed_jobs
from onlinesafety.schools.rights import is_site_admin

SHOWN = 200


@require_GET
@login_required
def failed_jobs_page(request: HttpRequest) -> HttpResponse:
    if not is_site_admin(request.user):
        raise Http404("No such page.")
    return render(request, "jobs/failed.html", {"jobs": failed_jobs(SHOWN), "shown": SHOWN})
