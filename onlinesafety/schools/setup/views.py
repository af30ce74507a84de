"""The set-up pages. A school's pages are addressed by its slug (``/schools/<slug>/setup/...``), because a site or
trust administrator usually holds no role in it: each starts with ``get_school_to_administer`` (404 unless the
person administers the school) and works in the school's time zone. A trust's page is ``/trust/<slug>/`` (404
unless the person administers the trust)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from onlinesafety.accounts.models import User
from onlinesafety.forms import parse_id
from onlinesafety.rules import RuleBroken
from onlinesafety.schools.middleware import SchoolRequest
from onlinesafety.schools.models import Phase, School
from onlinesafety.schools.rights import administered_school, can_create_schools, get_school_to_administer, is_site_admin
from onlinesafety.setup import checklist_for, checklists_for, school_page
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.views import refusal

from . import forms, selectors, services
from .terms import name_a_year_on
from .years import academic_year_label, academic_year_of


def _status(form: Any) -> int:
    return 400 if form.errors else 200


def _show_problems(form: forms.TermForm, refused: services.TermRefused) -> None:
    """A term the service refused (another term saved meanwhile, say): each problem next to its field."""
    for name, message in refused.problems.items():
        form.add_error(name if name in form.fields else None, message)


def _actor(request: SchoolRequest) -> User:
    assert isinstance(request.user, User), "login_required lets only a signed-in person through"
    return request.user


# ---------------------------------------------------------------- a new school

@login_required
@sent_once
def school_new(request: SchoolRequest) -> HttpResponse:
    if not can_create_schools(request.user):
        raise PermissionDenied
    may_stand_alone = is_site_admin(request.user)
    organisations = selectors.organisations_for(request.user)
    chosen = organisations.filter(slug=request.GET.get("organisation", "")).first()
    if chosen is None and not may_stand_alone and organisations.count() == 1:
        chosen = organisations.first()
    form = forms.SchoolForm(request.POST or None, organisations=organisations, may_stand_alone=may_stand_alone,
                            initial={"organisation": chosen.slug if chosen else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            school = services.create_school(
                actor=_actor(request), name=data["name"], urn=data["urn"], local_authority=data["local_authority"],
                phase=Phase(data["phase"]), timezone_name=data["timezone"], organisation=data["organisation"],
                request=request)
        except services.URNTaken as error:
            form.add_error("urn", str(error))
        except RuleBroken as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{school.name} is created. Next, enter its terms and its people.")
            return redirect("setup:school", school.slug)
    return render(request, "schools/setup/school_form.html", {
        "form": form, "errors": forms.error_summary(form), "chosen": chosen,
    }, status=_status(form))


# ---------------------------------------------------------------- the school's set-up page

@administered_school
def school_setup(request: SchoolRequest, school: School) -> HttpResponse:
    checklist = checklist_for(school, timezone.localdate())
    rows = checklist.rows_for(request.user, request.school)
    return render(request, "schools/setup/school.html", {
        "school": school, "checklist": checklist, "rows": rows,
        "next_row": next((row for row in rows if not row.item.done), None),
        "people_url": school_page("people:list", school),
        "roster_url": school_page("roster:home", school),
        "sign_in_url": school_page("sso:school", school),
        "sign_in_security_url": school_page("setup:sign_in_security", school),
    })


@administered_school
@sent_once
def sign_in_security(request: SchoolRequest, school: School) -> HttpResponse:
    """The school's own sign-in rules: a second factor for all staff, and the age of a case that asks again."""
    form = forms.SignInSecurityForm(request.POST or None, initial={
        "second_factor_for_all_staff": school.second_factor_for_all_staff,
        "step_up_case_age_days": school.step_up_case_age_days})
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as attempt:
            services.set_sign_in_security(school=school, actor=_actor(request), request=request, **form.cleaned_data)
        if attempt.ok:
            messages.success(request, "The sign-in rules are saved.")
            return redirect("setup:school", school.slug)
    return render(request, "schools/setup/sign_in_security.html", {
        "form": form, "errors": forms.error_summary(form), "school": school,
    }, status=400 if form.errors else 200)


@login_required
def current_school_setup(request: SchoolRequest) -> HttpResponse:
    """The menu's "Set up": the current school's set-up page."""
    if request.school is None:
        return redirect("home")
    return redirect("setup:school", get_school_to_administer(request.user, request.school.slug).slug)


# ---------------------------------------------------------------- terms and half terms

def _year_sections(school: School, start_year: int) -> list[dict[str, object]]:
    return [{"label": academic_year_label(year), "start_year": year,
             "terms": list(selectors.terms_in_year(school, year))} for year in (start_year, start_year + 1)]


@administered_school
@sent_once
def terms(request: SchoolRequest, school: School) -> HttpResponse:
    form = forms.TermForm(request.POST or None, others=school.terms.all())
    if request.method == "POST" and form.is_valid():
        try:
            term = services.add_term(school=school, actor=_actor(request), dates=form.dates(), request=request)
        except services.TermRefused as refused:
            _show_problems(form, refused)
        except RuleBroken as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{term.name} is saved.")
            return redirect("setup:terms", school.slug)
    start_year = academic_year_of(timezone.localdate())
    source = selectors.year_to_copy(school, start_year)
    return render(request, "schools/setup/terms.html", {
        "school": school, "form": form, "errors": forms.error_summary(form),
        "years": _year_sections(school, start_year),
        "copy_from": academic_year_label(source) if selectors.terms_in_year(school, source).exists() else "",
        "copy_to": academic_year_label(source + 1),
    }, status=_status(form))


@administered_school
@sent_once
def term_edit(request: SchoolRequest, school: School, term_id: str) -> HttpResponse:
    parsed = parse_id(term_id)
    if parsed is None:
        raise Http404("No such term.")
    term = selectors.get_term_to_change(school, parsed)
    others = [other for other in school.terms.all() if other.pk != term.pk]
    initial = {"name": term.name, "starts_on": term.starts_on, "ends_on": term.ends_on,
               "half_term_starts_on": term.half_term_starts_on, "half_term_ends_on": term.half_term_ends_on}
    form = forms.TermForm(request.POST or None, initial=initial, others=others)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_term(term=term, actor=_actor(request), dates=form.dates(), request=request)
        except services.TermRefused as refused:
            _show_problems(form, refused)
        except RuleBroken as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{term.name} is saved.")
            return redirect("setup:terms", school.slug)
    return render(request, "schools/setup/term_form.html", {
        "school": school, "term": term, "form": form, "errors": forms.error_summary(form),
    }, status=_status(form))


@administered_school
@sent_once
def terms_copy_forward(request: SchoolRequest, school: School) -> HttpResponse:
    """Next year's terms made from this year's (the same weekday a year on, each year in the names one later),
    shown to be adjusted, then saved together. An existing term is never overwritten."""
    start_year = selectors.year_to_copy(school, academic_year_of(timezone.localdate()))
    this_year = list(selectors.terms_in_year(school, start_year))
    existing = list(school.terms.all())
    proposals: list[dict[str, object]] = []
    already = []
    for term in this_year:
        starts_on, ends_on = selectors.a_year_on(term.starts_on), selectors.a_year_on(term.ends_on)
        entered = next((other for other in existing if other.starts_on <= ends_on and other.ends_on >= starts_on),
                       None)
        if entered is not None:  # never overwritten: shown as already entered
            already.append(entered)
            continue
        first, last = term.half_term_starts_on, term.half_term_ends_on
        proposals.append({
            "name": name_a_year_on(term.name), "starts_on": starts_on, "ends_on": ends_on,
            "half_term_starts_on": selectors.a_year_on(first) if first else None,
            "half_term_ends_on": selectors.a_year_on(last) if last else None,
        })
    formset = forms.term_formset(request.POST or None, initial=proposals, others=existing)
    if request.method == "POST" and formset.is_valid():
        kept = formset.kept_terms()
        if not kept:
            messages.info(request, "Nothing was added: every term was left out.")
            return redirect("setup:terms", school.slug)
        try:
            saved = services.add_terms(school=school, actor=_actor(request), terms=kept, request=request)
        except services.TermRefused as refused:
            _show_problems(formset.kept_forms()[refused.row or 0], refused)
        except RuleBroken as error:
            formset.kept_forms()[0].add_error(None, str(error))
        else:
            messages.success(request, f"Next year's terms are saved ({len(saved)}).")
            return redirect("setup:terms", school.slug)
    failed = formset.is_bound and (bool(formset.non_form_errors()) or any(form.errors for form in formset.forms))
    return render(request, "schools/setup/terms_copy.html", {
        "school": school, "formset": formset, "errors": forms.error_summary(formset) if failed else [],
        "from_year": academic_year_label(start_year), "to_year": academic_year_label(start_year + 1),
        "this_year": this_year, "already": already,
    }, status=400 if failed else 200)


# ---------------------------------------------------------------- trusts and local authorities

@login_required
def organisation(request: SchoolRequest, slug: str) -> HttpResponse:
    organisation = selectors.get_organisation_to_administer(request.user, slug)
    schools = list(selectors.schools_of(organisation))
    checklists = checklists_for(schools, timezone.localdate())
    return render(request, "schools/setup/organisation.html", {
        "organisation": organisation, "rows": [{"school": school, "checklist": checklists[school.pk]}
                                               for school in schools],
        "new_school_url": f"{reverse('setup:school_new')}?organisation={organisation.slug}",
        "sign_in_url": reverse("sso:organisation", args=[organisation.slug]),
    })


@login_required
def current_organisation(request: SchoolRequest) -> HttpResponse:
    """The menu's trust or local authority: the one the current school belongs to."""
    school = request.school
    if school is None or school.organisation_id is None:
        raise Http404("This school does not belong to a trust or local authority.")
    organisation = selectors.organisations_for(request.user).filter(pk=school.organisation_id).first()
    if organisation is None:
        raise Http404("No such trust or local authority.")
    return redirect("setup:organisation", organisation.slug)
