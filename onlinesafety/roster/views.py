"""The roster pages, addressed by the school's slug (/schools/<slug>/roster/...): a person who administers the
school reaches them whether or not they hold a role in it; anyone else gets the 404 page, as for a school that does
not exist."""

import json
from collections.abc import Callable
from typing import IO, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from onlinesafety.accounts.models import User
from onlinesafety.forms import parse_id
from onlinesafety.schools.models import School
from onlinesafety.schools.rights import administered_school, get_school_to_administer, is_site_admin
from onlinesafety.schools.roles import Role
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.views import refusal

from . import forms, presets, selectors, services
from .adapters import adapter_for
from .models import Kind, RosterImport, Status
from .parsing import ImportRefused, MappingNeeded

PER_PAGE = 25
LEAVE_WORDS = {Kind.PUPILS: ("to mark as left", "marked as left"),
               Kind.CONTACTS: ("links to remove", "links removed"),
               Kind.STAFF: ("memberships to end", "memberships ended")}


def _actor(request: HttpRequest) -> User:
    """The signed-in person (every view here is behind ``login_required``)."""
    assert isinstance(request.user, User), "signed in"
    return request.user


def _kind(kind: str) -> Kind:
    if kind not in Kind.values:
        raise Http404("No such kind of import.")
    return Kind(kind)


def _import(request: HttpRequest, school: School, import_id: str | int) -> RosterImport:
    found = parse_id(import_id)
    if found is None:
        raise Http404("No such import.")
    return selectors.get_import_for_user(request.user, school, found)


@login_required
def current(request: HttpRequest) -> HttpResponse:
    """The menu's entry: the roster page of the current school."""
    school = getattr(request, "school", None)
    if school is None:
        raise Http404("No current school.")
    return redirect("roster:home", get_school_to_administer(request.user, school.slug).slug)


@administered_school
def home(request: HttpRequest, school: School) -> HttpResponse:
    imports = selectors.imports_of(request.user, school).defer("staged", "details")
    page = Paginator(imports, PER_PAGE).get_page(request.GET.get("page"))
    saved = selectors.saved_mappings(school)
    return render(request, "roster/home.html", {
        "school": school, "page": page, "kinds": [(code, label, saved.get(code)) for code, label in Kind.choices],
        "settings": selectors.settings_of(school), "connected": adapter_for(school) is not None,
    })


@administered_school
@sent_once
def upload(request: HttpRequest, school: School, kind: str) -> HttpResponse:
    kind_ = _kind(kind)
    has_saved = selectors.saved_mapping(school, kind_) is not None
    posted = request.method == "POST"
    form = forms.UploadForm(request.POST if posted else None, request.FILES if posted else None, kind=kind_,
                            has_saved=has_saved)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        with refusal(request, form, "file") as attempt:
            roster_import = services.preview_file(
                school=school, actor=_actor(request), kind=kind_, binary=cast(IO[bytes], upload),
                size=upload.size or 0, original_name=upload.name or "", columns=data["columns"],
                mapping=form.mapping(), is_full_export=data["is_full_export"],
                staff_role=Role(data["staff_role"]) if data.get("staff_role") else None,
                save_mapping=data["save_mapping"], request=request)
        if attempt.ok:
            return redirect("roster:import", school.slug, roster_import.pk)
        error = attempt.error
        if isinstance(error, MappingNeeded):
            # The columns by hand, from this file's header, the best guesses chosen where none was.
            data = request.POST.copy()
            data["columns"], data["header"] = forms.COLUMNS_BY_HAND[0], json.dumps(error.header)
            for name, column in error.mapping.items():
                if not data.get(f"col_{name}") or data.get(f"col_{name}") not in error.header:
                    data[f"col_{name}"] = column
            form = forms.UploadForm(data, request.FILES, kind=kind_, has_saved=has_saved, header=error.header,
                                    mapping=error.mapping)
            form.is_valid()
            form.add_error("columns", f"{error} The file is never kept, so choose it again too.")
        elif isinstance(error, ImportRefused) and error.field != "file":
            form.errors.pop("file", None)
            form.add_error(error.field if error.field in form.fields else None, str(error))
    return render(request, "roster/upload.html", {"school": school, "kind": kind_, "form": form},
                  status=400 if form.errors else 200)


@administered_school
def import_detail(request: HttpRequest, school: School, import_id: int) -> HttpResponse:
    roster_import = _import(request, school, import_id)
    context = {"school": school, "item": roster_import, "details": roster_import.details or {},
               "summary": roster_import.summary, "applied": roster_import.applied,
               "leave_words": LEAVE_WORDS[Kind(roster_import.kind)], "columns": _columns_label(roster_import)}
    if getattr(request, "htmx", False):
        if request.GET.get("reading") and roster_import.status != Status.FETCHING:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"  # the dry run is ready: the whole page, with its lists
            return response
        return render(request, "roster/_status.html", context)
    return render(request, "roster/import.html", context)


def _columns_label(roster_import: RosterImport) -> str:
    if roster_import.columns == services.SAVED:
        return "the school's saved columns"
    if roster_import.columns == services.BY_HAND:
        return "chosen by hand"
    preset = presets.BY_CODE.get(roster_import.columns)
    return f"the {preset.label} preset" if preset else ""


def _step(request: HttpRequest, school: School, import_id: int, step: Callable[..., RosterImport],
          done: str) -> HttpResponse:
    roster_import = _import(request, school, import_id)
    with refusal(request) as attempt:
        step(roster_import=roster_import, actor=_actor(request), request=request)
    if attempt.ok:
        messages.success(request, done)
    return redirect("roster:import", school.slug, roster_import.pk)


@require_POST
@administered_school
@sent_once
def confirm(request: HttpRequest, school: School, import_id: int) -> HttpResponse:
    return _step(request, school, import_id, services.confirm_import,
                 "Confirmed. The import is being applied: this page shows when it is done.")


@require_POST
@administered_school
@sent_once
def retry(request: HttpRequest, school: School, import_id: int) -> HttpResponse:
    return _step(request, school, import_id, services.retry_import, "Trying again: this page shows when it is done.")


@require_POST
@administered_school
@sent_once
def discard(request: HttpRequest, school: School, import_id: int) -> HttpResponse:
    return _step(request, school, import_id, services.discard_import, "Discarded. Nothing on the roster changed.")


@require_POST
@administered_school
@sent_once
def fetch(request: HttpRequest, school: School, kind: str) -> HttpResponse:
    """A dry run of the MIS's API for one kind of record: a worker reads the provider; the import's page shows how
    it is going (this request never waits on the provider)."""
    kind_ = _kind(kind)
    with refusal(request) as attempt:
        roster_import = services.start_fetch(school=school, actor=_actor(request), kind=kind_, request=request)
    if attempt.ok:
        return redirect("roster:import", school.slug, roster_import.pk)
    return redirect("roster:home", school.slug)


@administered_school
@sent_once
def roster_settings(request: HttpRequest, school: School) -> HttpResponse:
    form = forms.SettingsForm(request.POST if request.method == "POST" else None,
                              instance=selectors.settings_of(school), can_connect=is_site_admin(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal(request, form) as attempt:
            services.save_roster_settings(school=school, actor=_actor(request), dfe_number=data["dfe_number"],
                                          provider_school_id=data["provider_school_id"],
                                          api_staff_role=data["api_staff_role"] or None, request=request)
        if attempt.ok:
            messages.success(request, "Saved.")
            return redirect("roster:home", school.slug)
    return render(request, "roster/settings.html", {"school": school, "form": form},
                  status=400 if form.errors else 200)
