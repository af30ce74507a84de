"""The people pages of one school, by its address: who holds which role, adding and inviting, changing and ending
roles, the chair and the link governors, the parents and inviting them.

Every view starts from ``get_school_to_administer`` (404 unless the person administers the school) and shows
dates in the school's time zone. Writes go through ``services`` inside ``refusal``; the POST-only actions carry
what the page showed, so a form sent twice changes things once.
"""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from onlinesafety.access import school_member_required
from onlinesafety.accounts.models import User
from onlinesafety.forms import choice_from, id_from
from onlinesafety.schools.rights import administered_school
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.views import NOTHING_CHANGED, refusal

from ..middleware import SchoolRequest
from ..models import Membership, School
from ..roles import Role
from . import forms, rights, selectors, services

PARENTS_PER_PAGE = 50
def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User), "login_required let only a signed-in person through"
    return request.user


def _list_url(school: School) -> str:
    return reverse("people:list", args=[school.slug])


def _posted(request: HttpRequest) -> Any:
    """The form's data on a POST, even an empty one (a confirmation with no fields), else None (unbound)."""
    return request.POST if request.method == "POST" else None


def _name(user: User) -> str:
    return user.full_name or user.email


def _refused(request: HttpRequest, school: School, error: str) -> HttpResponseRedirect:
    """A button sent with a value the page never gives: nothing is changed, and the page says so."""
    messages.error(request, NOTHING_CHANGED.format(error=error))
    return redirect(_list_url(school))


@school_member_required(rights.can_manage_people)
def current(request: SchoolRequest) -> HttpResponseRedirect:
    """The menu's entry: the people page of the current school."""
    assert request.school is not None, "school_member_required sends anyone without a school home"
    return redirect("people:list", request.school.slug)


@administered_school
def people_list(request: HttpRequest, school: School) -> HttpResponse:
    now = timezone.now()
    page = selectors.people_page(school, now)
    actor = _actor(request)
    locked = {row.membership.pk for row in page.rows if not rights.membership_access(actor, row.membership).change}
    return render(request, "schools/people/list.html", {
        "school": school, "page": page, "locked": locked, "parents": selectors.parent_summary(school, now),
    })


@administered_school
@sent_once
def add_member(request: HttpRequest, school: School) -> HttpResponse:
    form = forms.AddMemberForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal(request, form) as attempt:
            added = services.add_member(
                school=school, actor=_actor(request), full_name=data["full_name"], email=data["email"],
                role=Role(data["role"]), job_title=data["job_title"], is_chair=data["is_chair"],
                is_link_governor=data["is_link_governor"], request=request)
        if attempt.ok:
            messages.success(request, _added_message(added, school))
            return redirect(_list_url(school))
    return render(request, "schools/people/add.html", {"school": school, "form": form},
                  status=400 if form.errors else 200)


def _added_message(added: services.Added, school: School) -> str:
    membership = added.membership
    name, role = _name(membership.user), Role(membership.role).label
    if added.already_held:
        return f"{name} already holds the role {role} at {school.name}. Nothing was changed."
    if added.invited:
        text = f"{name} has been added as {role}. An email with a link to set their password is on its way to them."
    elif added.account_created or not membership.user.has_usable_password():
        text = f"{name} has been added as {role}. The invitation sent to them earlier still works."
    else:
        text = f"{name} has been added as {role}. They already have an account, so they sign in as before."
    if added.previous_chair is not None:
        text += f" They are now chair of governors in place of {_name(added.previous_chair)}."
    return text


def _membership(school: School, membership_id: int, request: HttpRequest) -> Membership:
    """The member for this page. On a POST an ended one is found too, so a form sent twice reaches the service,
    which says the change is done already."""
    if request.method == "POST":
        membership = (Membership.objects.select_related("user", "school")
                      .filter(pk=membership_id, school=school, role__in=selectors.MANAGED_ROLES).first())
        if membership is not None and not membership.is_active:
            return membership
    return selectors.get_membership_to_manage(school, membership_id)


def _successors(membership: Membership) -> Any:
    """The candidates to name as headteacher when this role is the school's last headteacher's, else None."""
    if membership.is_active and selectors.is_last_headteacher(membership):
        return selectors.successor_candidates(membership.school, membership.user)
    return None


def _refused_page(request: HttpRequest, school: School, membership: Membership, template: str) -> HttpResponse:
    return render(request, template, {"school": school, "membership": membership,
                                      "refusal": rights.headship_refusal(request.user, membership)}, status=403)


@administered_school
@sent_once
def change_role(request: HttpRequest, school: School, membership_id: int) -> HttpResponse:
    membership = _membership(school, membership_id, request)
    if membership.is_active and not rights.membership_access(request.user, membership).change:
        return _refused_page(request, school, membership, "schools/people/change_role.html")
    successors = _successors(membership)
    form = forms.ChangeRoleForm(_posted(request), membership=membership, successors=successors)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as attempt:
            changed = services.change_role(membership=membership, actor=_actor(request),
                                           role=Role(form.cleaned_data["role"]),
                                           successor=form.cleaned_data.get("successor"), request=request)
        if attempt.ok:
            name, new_role = _name(membership.user), Role(changed.membership.role).label
            messages.success(request, f"{name}'s role had already been changed. Nothing was changed." if
                             changed.already_done else
                             f"{name} is now {new_role}, no longer {Role(membership.role).label}.")
            return redirect(_list_url(school))
    return render(request, "schools/people/change_role.html",
                  {"school": school, "membership": membership, "form": form},
                  status=400 if form.errors else 200)


@administered_school
@sent_once
def end_membership(request: HttpRequest, school: School, membership_id: int) -> HttpResponse:
    membership = _membership(school, membership_id, request)
    if membership.is_active and not rights.membership_access(request.user, membership).change:
        return _refused_page(request, school, membership, "schools/people/end.html")
    successors = _successors(membership)
    form = forms.EndMembershipForm(_posted(request), successors=successors)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as attempt:
            ended = services.end_membership(membership=membership, actor=_actor(request),
                                            successor=form.cleaned_data.get("successor"), request=request)
        if attempt.ok:
            messages.success(request, _ended_message(ended, school))
            return redirect(_list_url(school))
    other_roles = Membership.objects.filter(user_id=membership.user_id, school=school, is_active=True).exclude(
        pk=membership.pk)
    return render(request, "schools/people/end.html", {
        "school": school, "membership": membership, "form": form,
        "other_roles": [Role(role).label for role in other_roles.values_list("role", flat=True)],
    }, status=400 if form.errors else 200)


def _ended_message(ended: services.Ended, school: School) -> str:
    name, role = _name(ended.membership.user), Role(ended.membership.role).label
    if ended.already_done:
        return f"{name}'s role as {role} had already ended. Nothing was changed."
    text = f"{name}'s role as {role} has ended: what it gave them at {school.name} has gone at once."
    if ended.account_closed:
        text += " They hold no other role anywhere, so their account is switched off."
    return text


@require_POST
@administered_school
@sent_once
def chair(request: HttpRequest, school: School, membership_id: int) -> HttpResponse:
    membership = selectors.get_membership_to_manage(school, membership_id)
    name = _name(membership.user)
    chosen, error = choice_from(request.POST, "chair", ["yes", "no"], label="make chair or no longer chair",
                                required=True)
    if error:
        return _refused(request, school, error)
    with refusal(request) as attempt:
        if chosen == "yes":
            chaired = services.set_chair(membership=membership, actor=_actor(request), request=request)
            done = f"{name} is chair of governors" + (
                f" in place of {_name(chaired.previous.user)}." if chaired.previous else ".")
        else:
            services.stop_chair(membership=membership, actor=_actor(request), request=request)
            done = f"{name} is no longer chair of governors. Choose the new chair below."
    if attempt.ok:
        messages.success(request, done)
    return redirect(_list_url(school))


@require_POST
@administered_school
@sent_once
def link_governor(request: HttpRequest, school: School, membership_id: int) -> HttpResponse:
    membership = selectors.get_membership_to_manage(school, membership_id)
    chosen, error = choice_from(request.POST, "link", ["yes", "no"],
                                label="make link governor or no longer link governor", required=True)
    if error:
        return _refused(request, school, error)
    value = chosen == "yes"
    with refusal(request) as attempt:
        services.set_link_governor(membership=membership, actor=_actor(request), value=value, request=request)
    if attempt.ok:
        name = _name(membership.user)
        messages.success(request, f"{name} is a link governor." if value else f"{name} is no longer a link governor.")
    return redirect(_list_url(school))


@require_POST
@administered_school
@sent_once
def resend(request: HttpRequest, school: School, membership_id: int) -> HttpResponse:
    membership = selectors.get_membership_to_manage(school, membership_id)
    seen, error = id_from(request.POST, "seen")
    if error:
        return _refused(request, school, error)
    with refusal(request) as attempt:
        invitation = services.resend_invitation(membership=membership, actor=_actor(request), seen_invitation=seen,
                                                request=request)
    if attempt.ok:
        name = _name(membership.user)
        messages.success(request, f"A new link has been emailed to {name}; earlier links no longer work." if invitation
                         else f"A new link was sent to {name} a moment ago. Nothing more was sent.")
    return redirect(_list_url(school))


@administered_school
def parent_list(request: HttpRequest, school: School) -> HttpResponse:
    now = timezone.now()
    page = Paginator(selectors.parent_list(school), PARENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "schools/people/parents.html", {
        "school": school, "page": page, "rows": selectors.parent_rows(list(page.object_list), now),
        "parents": selectors.parent_summary(school, now),
    })


@require_POST
@administered_school
@sent_once
def invite_parents(request: HttpRequest, school: School) -> HttpResponse:
    with refusal(request) as attempt:
        count = services.invite_parents(school=school, actor=_actor(request), request=request)
    if attempt.ok:
        messages.success(request, f"{count} parent{'s and carers' if count != 1 else ' or carer'} "
                                  f"{'have' if count != 1 else 'has'} been emailed a link to set a password.")
    return redirect(_list_url(school))


@require_POST
@administered_school
@sent_once
def invite_staff(request: HttpRequest, school: School) -> HttpResponse:
    with refusal(request) as attempt:
        count = services.invite_staff(school=school, actor=_actor(request), request=request)
    if attempt.ok:
        messages.success(request, f"{count} {'people have' if count != 1 else 'person has'} been emailed a link to "
                                  "set a password.")
    return redirect(_list_url(school))
