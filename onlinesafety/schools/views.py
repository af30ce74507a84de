from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from onlinesafety.access import school_member_required
from onlinesafety.forms import id_from
from onlinesafety.navigation import home_actions_for, home_panels_for, object_links_for

from . import rights, selectors
from .middleware import SESSION_KEY, SchoolRequest
from .models import Membership, SchoolClass
from .roles import SAFEGUARDING_LEADS, Role, primary_role

PUPILS_PER_PAGE = 50
CLASS_NOT_FOUND = "Choose a class from the list: that one is not a class of this school."


@login_required
def home(request: SchoolRequest) -> HttpResponse:
    from onlinesafety.schools.setup.selectors import organisations_for  # the set-up package builds on this module
    from onlinesafety.setup import checklist_for

    if request.school is None:  # a site, trust or local authority administrator sees what they administer
        return render(request, "home/no_school.html", {
            "organisations": organisations_for(request.user), "can_create_schools": rights.can_create_schools(
                request.user),
        })
    assert request.user.is_authenticated, "login_required sends anyone signed out to the login page"
    role = primary_role(request.roles)
    # The worklist: what waits for this person, from each app's registered panels, and their main actions.
    context: dict[str, object] = {"home_panels": home_panels_for(request.user, request.school),
                                  "home_actions": home_actions_for(request.user, request.school)}
    if rights.is_parent(request.user, request.school):
        context["children"] = selectors.children_of(request.user, request.school)
    if rights.can_see_pupils(request.user, request.school):
        context["pupil_count"] = selectors.pupils_visible_to(request.user, request.school).count()
    if role in SAFEGUARDING_LEADS:  # their home page shows the current term
        context["current_term"] = selectors.current_term(request.school, timezone.localdate())
    if role in (Role.HEADTEACHER, Role.ONLINE_SAFETY_LEAD):  # the set-up checklist, until everything is done
        checklist = checklist_for(request.school, timezone.localdate())
        if not checklist.complete:
            context["checklist"] = checklist
            context["checklist_rows"] = checklist.rows_for(request.user, request.school)
            context["can_open_setup"] = rights.administers_school(request.user, request.school)
    return render(request, f"home/{role}.html", context)


@login_required
@require_POST
def switch_school(request: SchoolRequest) -> HttpResponseRedirect:
    try:
        school_id = int(request.POST.get("school", ""))
    except ValueError:
        raise Http404("No such school.") from None
    if school_id not in {school.pk for school in request.schools}:
        raise Http404("No such school.")
    request.session[SESSION_KEY] = school_id
    return redirect("home")


@school_member_required(rights.can_see_pupils)
def pupil_list(request: SchoolRequest) -> HttpResponse:
    assert request.school is not None, "school_member_required sends anyone without a school home"
    # The safeguarding leads may look for a pupil who has left: their records stay with the team.
    can_include_left = rights.can_see_carers(request.user, request.school)
    # The search form is sent as a POST, so a name never reaches an address (logs, history, the Referer); a GET
    # still filters by class, for links and pages.
    search = request.POST if request.method == "POST" else request.GET
    include_left = can_include_left and search.get("left") == "1"
    pupils = selectors.pupils_visible_to(request.user, request.school, include_left=include_left).select_related(
        "school_class")
    query = request.POST.get("q", "").strip()[:80]
    if query:
        pupils = selectors.search_pupils(pupils, query)
    classes = list(SchoolClass.objects.filter(school=request.school))
    class_id = search.get("class", "")
    chosen_class, class_error = id_from(search, "class")
    if chosen_class is not None and chosen_class not in {school_class.pk for school_class in classes}:
        class_error = CLASS_NOT_FOUND
    if class_error:  # a class typed wrong lists nobody, never the whole school
        pupils = pupils.none()
    elif chosen_class is not None:
        pupils = pupils.filter(school_class_id=chosen_class)
    page = Paginator(pupils.order_by("last_name", "first_name", "pk"), PUPILS_PER_PAGE).get_page(search.get("page"))
    return render(
        request,
        "schools/pupil_list.html",
        {"page": page, "query": query, "classes": classes, "class_id": class_id,
         "class_error": CLASS_NOT_FOUND if class_error else "",
         "errors": [("pupil-class", CLASS_NOT_FOUND)] if class_error else [],
         "can_include_left": can_include_left, "include_left": include_left},
        status=400 if class_error else 200,
    )


@school_member_required(rights.can_see_pupils)
def pupil_detail(request: SchoolRequest, pupil_id: int) -> HttpResponse:
    assert request.school is not None, "school_member_required sends anyone without a school home"
    pupil = selectors.get_pupil_for_user(request.user, request.school, pupil_id, include_left=True)
    show_carers = rights.can_see_carers(request.user, request.school)
    carers = selectors.parent_links_of_pupil(pupil) if show_carers else []
    links = object_links_for("pupil", request.user, request.school, pupil.pk)
    return render(request, "schools/pupil_detail.html", {"pupil": pupil, "carers": carers, "links": links})


@school_member_required(rights.is_parent)
def my_children(request: SchoolRequest) -> HttpResponse:
    assert request.school is not None, "school_member_required sends anyone without a school home"
    return render(
        request, "schools/my_children.html", {"children": selectors.children_of(request.user, request.school)}
    )


@school_member_required(rights.can_see_people)
def member_list(request: SchoolRequest) -> HttpResponse:
    assert request.school is not None, "school_member_required sends anyone without a school home"
    staff_roles = [role for role in Role if role not in (Role.PARENT,)]
    memberships = selectors.members_of(request.school, staff_roles).order_by("role", "user__full_name")
    groups: dict[str, list[Membership]] = {}
    for membership in memberships:
        groups.setdefault(membership.get_role_display(), []).append(membership)
    parent_count = selectors.members_of(request.school, [Role.PARENT]).count()
    return render(request, "schools/member_list.html", {
        "groups": groups, "parent_count": parent_count,
        "can_manage": rights.administers_school(request.user, request.school),
    })
