"""The access matrix's rules: for every named URL of the project, who may GET it, who may POST to it, which records
its address names, and what an answer may be. ``tests/kernel/test_access_matrix.py`` requests every URL as every
actor (``actors.py``) with Oakfield's records and with Riverside's, by GET, by POST with a CSRF token and by POST
without one, and checks each answer against these rules.

A URL with no rule fails the test ("add a rule for <name> in tests/access_matrix/rules.py"), and so does a rule
for a URL that no longer exists. A rule is found by the URL's name in ``RULES``, else by the first of ``GROUPS``
whose prefix the name starts with (the admin's model pages; a library's pages).

How to write one (the role groups are in ``actors.py``; derive them from the app's ``rights.py``):

- ``page(WHO)``: a page that answers GET and POST alike (a form on it, or a view that does not look at the
  method): WHO may GET it and POST to it. ``form(WHO)`` is the same, named for a form's page.
- ``button(WHO)``: a ``require_POST`` view; GET answers 405 to everyone.
- ``Rule(get=..., post=...)`` when they differ; ``None`` for a method the view does not offer (405).
- ``args=lambda s: {...}``: the address's arguments from one school's records (``world.SchoolWorld``), requested
  with Oakfield's (the actors' own) and with Riverside's (another school: exactly 404 for anyone who could open
  their own school's). ``site_args=lambda w: {...}`` for records of no school (``world.World``): requested once.
- ``any_school=True``: a public record (the policies page, a signing link): another school's is as open.
- ``answers``: what an allowed actor may get (default: 2xx, 3xx other than to sign in, and 400 for a form sent
  empty); ``anonymous``: how a signed-out visitor is refused (default: a redirect to sign in).
- ``writes="why"``: a POST with no data is a complete request that changes something (a button with no fields:
  sign out, acknowledge, lift a restriction). Without it, a POST with no data that records an audit event fails
  the test: a form that accepts nothing as a valid write is a finding.

Variants of one URL (the same address with different records, or a change with a different right) are a tuple of
rules, each with a ``label``.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.contenttypes.models import ContentType

from onlinesafety.schools.models import Pupil

from .actors import (
    ADMINISTRATORS,
    ADULT_MEMBERS,
    AGREEMENT_MANAGERS,
    CONCERN_REPORTERS,
    DSL_TEAM,
    EVERYONE,
    FILTERING_OVERSIGHT,
    FILTERING_TEAM,
    LEADS_AND_GOVERNORS,
    MEMBERS,
    NOBODY,
    PARENTS,
    PEOPLE_READERS,
    PROVIDER_LOG_READERS,
    REPORT_BUILDERS,
    SAFEGUARDING_LEADS as LEADS,
    SCHOOL_STAFF as STAFF,
    SIGNED_IN,
    SITE_ADMIN,
    SITE_ADMINS,
    STAFF_AND_GOVERNORS,
    TRUST_ADMIN,
    Actors,
)
from .world import SchoolWorld, World

# What an allowed actor may be answered: a page, a download, a redirect (after a change, or to the next step),
# or 400 for a form sent empty. A redirect to sign in never counts (``check.py`` tells it apart).
OK = frozenset(range(200, 400)) | {400}
# How a refusal may look (``check.py`` reads the response): a redirect to sign in ("login"), to the admin's sign
# in ("admin_login"), home (an actor with no current school), or 403, 404 or 405.
LOGIN, ADMIN_LOGIN = "login", "admin_login"


@dataclass(frozen=True)
class Rule:
    get: Actors | None
    post: Actors | None
    args: Callable[[SchoolWorld], Mapping[str, Any]] | None = None
    site_args: Callable[[World], Mapping[str, Any]] | None = None
    label: str = ""
    any_school: bool = False
    answers: frozenset[int] = OK
    anonymous: frozenset[str] = frozenset({LOGIN})
    refusals: frozenset[str] = frozenset({"403", "404", "405"})
    writes: str = ""
    signs_out: bool = False  # done, it sends the person to sign in (a redirect to sign in is then no refusal)
    missing: frozenset[int] = frozenset({404})  # how another school's record is answered: as one that does not exist


def page(who: Actors, **options: Any) -> Rule:
    return Rule(get=who, post=who, **options)


form = page


def button(who: Actors, **options: Any) -> Rule:
    return Rule(get=None, post=who, **options)


def read_only(who: Actors, **options: Any) -> Rule:
    """A page whose view offers GET only (a ``TemplateView``): POST is 405."""
    return Rule(get=who, post=None, **options)


NOT_OFFERED_PAGE = Rule(get=NOBODY, post=NOBODY, anonymous=frozenset({"404"}))


def case(record: str) -> Callable[[SchoolWorld], dict[str, int]]:
    return lambda s: {"incident_id": getattr(s, record).pk}


def slug(s: SchoolWorld) -> dict[str, str]:
    return {"slug": s.school.slug}


# ---------------------------------------------------------------- who may do what with a case (incidents.rights)
# The team case: the DSL team and the head manage it; the technician has it shared to read; the reporter sees their
# reporter's view (status and feedback). Allegations: about a member of staff, the head alone (never the subject);
# about the head, the chair alone. Everyone else: 404, as for a case that does not exist.
CASE_READERS = LEADS | {"technician"}
CASE_PAGE = LEADS | {"reporter", "technician"}

_TEAM_CASE = case("case")

RULES: dict[str, Rule | tuple[Rule, ...]] = {
    # ------------------------------------------------------------ home, accounts (sign-in, passwords, invitations)
    "home": page(SIGNED_IN),  # a site or trust administrator (no school) gets the page listing what they run
    "accounts:login": page(EVERYONE),  # signed in: a redirect home
    # allauth's sign-out: GET asks "sign out?", POST signs out.
    "accounts:logout": Rule(get=SIGNED_IN, post=EVERYONE, writes="signing out is a button with no fields",
                            signs_out=True),
    "accounts:password_reset": page(EVERYONE),
    "accounts:password_change": form(SIGNED_IN),
    "accounts:second_factor": page(SIGNED_IN),
    "accounts:sessions": page(SIGNED_IN, writes="signing out everywhere is a button with no fields",
                              signs_out=True),
    # allauth's pages the product does not offer (sign-up, email management, ...): 404 for everyone.
    **{f"accounts:{name}_not_offered": NOT_OFFERED_PAGE
       for name in ("signup", "email", "password_set", "login_code", "confirm_email", "connections")},
    # ------------------------------------------------------------ django-allauth (sign-in, second factor, sessions)
    "account_login": page(EVERYONE),
    "account_logout": Rule(get=SIGNED_IN, post=EVERYONE, writes="signing out is a button with no fields",
                           signs_out=True),
    "account_inactive": read_only(EVERYONE),
    "account_reauthenticate": form(SIGNED_IN),
    "account_change_password": form(SIGNED_IN),
    "account_reset_password": page(EVERYONE),
    "account_reset_password_done": read_only(EVERYONE),
    "account_reset_password_from_key": page(EVERYONE, site_args=lambda w: {"uidb36": "0", "key": "0"}),
    "account_reset_password_from_key_done": read_only(EVERYONE),
    # The same addresses as the not-offered pages above: 404.
    "account_signup": NOT_OFFERED_PAGE, "account_email": NOT_OFFERED_PAGE, "account_set_password": NOT_OFFERED_PAGE,
    "account_confirm_login_code": NOT_OFFERED_PAGE, "account_email_verification_sent": NOT_OFFERED_PAGE,
    "socialaccount_connections": NOT_OFFERED_PAGE,
    "usersessions_list": page(SIGNED_IN, writes="signing out everywhere is a button with no fields",
                              signs_out=True),  # the same address as accounts:sessions
    # Mid-sign-in only: without a sign-in waiting for its second step, a redirect to sign in (home, signed in).
    "mfa_authenticate": page(NOBODY, refusals=frozenset({"403", "404", "405", LOGIN, "home"})),
    "mfa_index": read_only(SIGNED_IN),
    "mfa_reauthenticate": form(SIGNED_IN),
    "mfa_reauthenticate_webauthn": form(SIGNED_IN),
    "mfa_activate_totp": form(SIGNED_IN),  # asks for the password again first (a redirect)
    "mfa_deactivate_totp": form(SIGNED_IN, answers=OK | {404}),  # none set up: 404
    "mfa_view_recovery_codes": page(SIGNED_IN, answers=OK | {404, 405}),
    "mfa_generate_recovery_codes": form(SIGNED_IN),
    "mfa_download_recovery_codes": page(SIGNED_IN, answers=OK | {404, 405}),
    "mfa_list_webauthn": page(SIGNED_IN, answers=OK | {405}),
    "mfa_add_webauthn": form(SIGNED_IN),
    # A passkey of nobody's ("0"): the password again first, then 404.
    "mfa_edit_webauthn": page(SIGNED_IN, answers=OK | {404}, site_args=lambda w: {"pk": "0"}),
    "mfa_remove_webauthn": page(SIGNED_IN, answers=OK | {404}, site_args=lambda w: {"pk": "0"}),
    # ------------------------------------------------------------ single sign-on (onlinesafety/sso)
    "sso:sign_in": page(EVERYONE),
    "sso:school_sign_in": page(EVERYONE, any_school=True, args=slug, answers=OK | {404}),  # 404: none set up
    "socialaccount_login_cancelled": read_only(EVERYONE),
    "socialaccount_login_error": read_only(EVERYONE, answers=OK | {401}),
    # No sign-up waiting (and none is ever offered): sent to sign in.
    "socialaccount_signup": Rule(get=NOBODY, post=NOBODY, refusals=frozenset({"403", "404", "405", LOGIN})),
    # No configuration with that id ("0"): "not available" for anyone.
    "openid_connect_login": page(EVERYONE, answers=OK | {404}, site_args=lambda w: {"provider_id": "0"}),
    "openid_connect_callback": page(EVERYONE, answers=OK | {404}, site_args=lambda w: {"provider_id": "0"}),
    "sso:school": page(ADMINISTRATORS, args=slug),
    "sso:school_edit": form(ADMINISTRATORS, args=lambda s: {**slug(s), "kind": "microsoft"}),
    "sso:school_remove": form(ADMINISTRATORS, args=lambda s: {**slug(s), "kind": "microsoft"},
                              answers=OK | {404}),  # none set up: nothing to remove
    "sso:organisation": page(frozenset({SITE_ADMIN, TRUST_ADMIN}), args=lambda s: {"slug": s.school.organisation.slug}),
    "sso:organisation_edit": form(frozenset({SITE_ADMIN, TRUST_ADMIN}),
                                  args=lambda s: {"slug": s.school.organisation.slug, "kind": "google"}),
    "sso:organisation_remove": form(frozenset({SITE_ADMIN, TRUST_ADMIN}), answers=OK | {404},
                                    args=lambda s: {"slug": s.school.organisation.slug, "kind": "google"}),
    # The invitation's address only moves its token into the session (for any token, any method: 302) ...
    "accounts:invitation": page(EVERYONE, any_school=True, args=lambda s: {"token": s.invitation_token}),
    # ... and the page it leads to, opened without that step, is "this link does not work".
    "accounts:invitation_set_password": page(EVERYONE, answers=frozenset({404})),
    # ------------------------------------------------------------ the school: pupils, people, alerts (schools.rights)
    "schools:switch": button(SIGNED_IN, answers=frozenset({404})),  # no school named: 404, nothing switched
    "schools:pupil_list": page(STAFF),
    "schools:pupil_detail": page(STAFF, args=lambda s: {"pupil_id": s.pupil.pk}),
    "schools:my_children": page(PARENTS),
    "schools:member_list": page(PEOPLE_READERS),
    "alerts": page(MEMBERS),  # POST marks the person's own alerts read (no audit event: nothing of the school's)
    # The development mailbox is a 404 unless DEBUG is on (never in tests, never in production).
    "mail:dev_mailbox": page(NOBODY, anonymous=frozenset({"404"})),
    "mail:dev_message": page(NOBODY, anonymous=frozenset({"404"}), site_args=lambda w: {"message_id": "0"}),
    # ------------------------------------------------------------ people (schools.people.rights: administers_school)
    "people:current": page(frozenset({"head"})),  # the menu's entry: a redirect to the current school's page
    "people:list": page(ADMINISTRATORS, args=slug),
    "people:add": form(ADMINISTRATORS, args=slug),
    "people:change_role": form(ADMINISTRATORS, args=lambda s: {**slug(s), "membership_id": s.invitee_membership.pk}),
    "people:end": form(ADMINISTRATORS, args=lambda s: {**slug(s), "membership_id": s.invitee_membership.pk},
                       writes="ending a role is a confirmation page with no fields"),
    # The page's buttons send chair=yes|no / link=yes|no; with neither, nothing changes (a form error).
    "people:chair": button(ADMINISTRATORS, args=lambda s: {**slug(s), "membership_id": s.chair_membership.pk}),
    "people:link_governor": button(ADMINISTRATORS,
                                   args=lambda s: {**slug(s), "membership_id": s.chair_membership.pk}),
    # "Send a link" to someone with none: its 'seen' field (none) only stops a second send.
    "people:resend": button(ADMINISTRATORS, args=lambda s: {**slug(s), "membership_id": s.uninvited_membership.pk},
                            writes="'send a link' is a button"),
    "people:invite_staff": button(ADMINISTRATORS, args=slug, writes="'invite them all' is a button"),
    "people:parents": page(ADMINISTRATORS, args=slug),
    "people:invite_parents": button(ADMINISTRATORS, args=slug, writes="'invite the parents' is a button"),
    # ------------------------------------------------------------ set-up (schools.rights)
    "setup:school_new": form(frozenset({SITE_ADMIN, TRUST_ADMIN})),  # can_create_schools
    "setup:current": page(frozenset({"head"})),  # a redirect to the current school's set-up page
    "setup:school": page(ADMINISTRATORS, args=slug),
    "setup:terms": form(ADMINISTRATORS, args=slug),
    "setup:sign_in_security": form(ADMINISTRATORS, args=slug),
    "setup:terms_copy_forward": form(ADMINISTRATORS, args=slug),
    "setup:term": form(ADMINISTRATORS, args=lambda s: {**slug(s), "term_id": str(s.past_term.pk)}),
    # Only for an administrator of the trust who also holds a role in one of its schools (none of the actors).
    "setup:current_organisation": page(NOBODY),
    "setup:organisation": page(frozenset({SITE_ADMIN, TRUST_ADMIN}),
                               args=lambda s: {"slug": s.school.organisation.slug}),
    # ------------------------------------------------------------ the roster (roster.rights: administers_school)
    "roster:current": page(frozenset({"head"})),
    "roster:home": page(ADMINISTRATORS, args=slug),
    "roster:settings": form(ADMINISTRATORS, args=slug,
                            writes="every field is optional: an empty POST is the form saved with every box empty"),
    "roster:upload": form(ADMINISTRATORS, args=lambda s: {**slug(s), "kind": "pupils"}),
    "roster:fetch": button(ADMINISTRATORS, args=lambda s: {**slug(s), "kind": "pupils"}),  # no MIS connected
    "roster:import": page(ADMINISTRATORS, args=lambda s: {**slug(s), "import_id": s.roster_import.pk}),
    "roster:confirm": button(ADMINISTRATORS, args=lambda s: {**slug(s), "import_id": s.roster_import.pk},
                             writes="'confirm the import' is a button"),
    "roster:retry": button(ADMINISTRATORS, args=lambda s: {**slug(s), "import_id": s.roster_import.pk}),
    "roster:discard": button(ADMINISTRATORS, args=lambda s: {**slug(s), "import_id": s.roster_import.pk},
                             writes="'discard' is a button"),
    # ------------------------------------------------------------ incidents (incidents.rights)
    "incidents:report": form(CONCERN_REPORTERS),
    "incidents:pupil_search": button(CONCERN_REPORTERS),  # the right is checked before the method: 403, then 405
    "incidents:mine": page(CONCERN_REPORTERS),
    "incidents:triage": page(LEADS),
    "incidents:export": page(LEADS),
    "incidents:responses": form(LEADS, writes="all checkboxes: an empty POST is the matrix saved with none ticked"),
    "incidents:case": (
        page(CASE_PAGE, args=_TEAM_CASE, label="the team's case"),
        page(frozenset({"head", "reporter"}), args=case("staff_allegation"), label="an allegation about staff"),
        page(frozenset({"chair", "reporter"}), args=case("head_allegation"), label="an allegation about the head"),
    ),
    "incidents:submitted": page(frozenset({"reporter"}), args=_TEAM_CASE),
    "incidents:change": (
        button(LEADS, args=lambda s: {**_TEAM_CASE(s), "change": "note"}, label="a note (work)"),
        button(LEADS, args=lambda s: {**_TEAM_CASE(s), "change": "share"}, label="sharing (share)"),
    ),
    "incidents:take_responses": button(LEADS, args=_TEAM_CASE),
    "incidents:action_done": button(LEADS, args=lambda s: {**_TEAM_CASE(s), "action_id": s.action.pk},
                                    writes="'done' is a button"),
    "incidents:revoke_share": button(LEADS, args=lambda s: {**_TEAM_CASE(s), "user_id": s.shared_with.pk},
                                     writes="'revoke' is a button"),
    "incidents:evidence": page(CASE_READERS, args=lambda s: {**_TEAM_CASE(s), "evidence_id": s.evidence.pk}),
    "incidents:chronology": page(LEADS, args=lambda s: {"pupil_id": s.pupil.pk}),
    # ------------------------------------------------------------ policies and the calendar (policies.rights)
    # The policy is owned by the Online Safety Lead and approved by the head; the duty is the technicians'.
    "policies:register": page(STAFF_AND_GOVERNORS),
    "policies:create": form(LEADS),
    "policies:to_read": page(STAFF),
    "policies:detail": page(STAFF_AND_GOVERNORS, args=lambda s: {"policy_id": s.policy.pk}),
    "policies:edit": form(LEADS, args=lambda s: {"policy_id": s.policy.pk}),
    "policies:start_review": button(LEADS, args=lambda s: {"policy_id": s.policy.pk}),  # early: owner or leads
    "policies:draft": form(frozenset({"osl", "head"}), args=lambda s: {"policy_id": s.policy.pk}),
    "policies:upload": form(LEADS, args=lambda s: {"policy_id": s.policy.pk}),
    "policies:submit": button(frozenset({"osl", "head"}), args=lambda s: {"policy_id": s.policy.pk}),
    "policies:approve": button(frozenset({"head"}), args=lambda s: {"policy_id": s.policy.pk}),
    "policies:send_back": button(frozenset({"head"}), args=lambda s: {"policy_id": s.policy.pk}),
    "policies:remind": button(frozenset({"osl", "head"}), args=lambda s: {"policy_id": s.policy.pk},
                              writes="'remind them' is a button"),
    "policies:acknowledge": button(STAFF, args=lambda s: {"policy_id": s.policy.pk},
                                   writes="'I have read it' is a button"),
    "policies:version": page(STAFF_AND_GOVERNORS,
                             args=lambda s: {"policy_id": s.policy.pk, "version_id": s.policy_version.pk}),
    # Needs the register and the case: a colleague it is shared with (to read) may ask for an early review too.
    "policies:early_review_for_incident": form(CASE_READERS, args=_TEAM_CASE),
    "policies:public": page(EVERYONE, any_school=True, args=lambda s: {"school_slug": s.school.slug}),
    "policies:public_file": page(EVERYONE, any_school=True,
                                 args=lambda s: {"school_slug": s.school.slug, "policy_id": s.policy.pk}),
    "policies:compliance": page(STAFF_AND_GOVERNORS),
    "policies:duty": Rule(get=STAFF_AND_GOVERNORS, post=frozenset({"technician", "head"}),
                          args=lambda s: {"duty_id": s.duty.pk}),
    "policies:duty_evidence": page(STAFF_AND_GOVERNORS,
                                   args=lambda s: {"duty_id": s.duty.pk, "completion_id": s.completion.pk}),
    # ------------------------------------------------------------ filtering (filtering.rights)
    # The change was asked for by the reporter; the annual review names the governor.
    "filtering:changes": page(STAFF_AND_GOVERNORS),  # can_open_changes: staff, and the oversight roles
    "filtering:change_new": form(STAFF),
    "filtering:change": page(FILTERING_TEAM | {"reporter"}, args=lambda s: {"change_id": s.change.pk}),
    "filtering:change_step": (
        button(LEADS, args=lambda s: {"change_id": s.change.pk, "step": "approve"}, label="approve (decide)"),
        button(frozenset({"technician"}), args=lambda s: {"change_id": s.change.pk, "step": "implement"},
               label="implement"),
    ),
    "filtering:log": page(FILTERING_OVERSIGHT),
    "filtering:log_csv": page(FILTERING_OVERSIGHT),
    "filtering:report": form(ADULT_MEMBERS),
    "filtering:checks": page(FILTERING_OVERSIGHT),
    "filtering:check_new": form(FILTERING_TEAM),
    "filtering:review_new": form(LEADS),
    "filtering:review": Rule(get=FILTERING_OVERSIGHT, post=frozenset({"governor"}),
                             args=lambda s: {"review_id": s.review.pk}, writes="'sign off' is a button"),
    "filtering:imports": form(PROVIDER_LOG_READERS),
    "filtering:import": form(PROVIDER_LOG_READERS, args=lambda s: {"import_id": s.provider_import.pk}),
    # The flag is named in the POST: an empty one names none, 404.
    "filtering:flag_to_incident": button(DSL_TEAM, answers=frozenset({404})),
    "filtering:settings": form(LEADS),
    # ------------------------------------------------------------ acceptable use agreements (aup.rights)
    "aup:list": page(STAFF_AND_GOVERNORS),
    "aup:detail": page(STAFF_AND_GOVERNORS, args=lambda s: {"agreement_id": s.agreement.pk}),
    "aup:edit": form(AGREEMENT_MANAGERS, args=lambda s: {"agreement_id": s.agreement.pk}),
    "aup:publish": button(AGREEMENT_MANAGERS, args=lambda s: {"agreement_id": s.agreement.pk}),
    "aup:version": page(STAFF_AND_GOVERNORS, args=lambda s: {"agreement_id": s.agreement.pk, "number": 1}),
    "aup:mine": page(MEMBERS),
    # The staff agreement: staff and governors sign it (a visitor or parent has nothing to sign there: 404).
    "aup:sign_mine": form(STAFF_AND_GOVERNORS, args=lambda s: {"version_id": s.staff_version.pk}),
    "aup:kiosk": form(STAFF),
    "aup:visitor_log": page(STAFF),
    "aup:account_holders": form(AGREEMENT_MANAGERS),
    # An unknown holder (another school's, or one removed by a first click) is a redirect back to the list.
    "aup:remove_account_holder": button(AGREEMENT_MANAGERS, args=lambda s: {"holder_id": s.holder.pk},
                                        writes="'remove' is a button", missing=frozenset({302})),
    "aup:campaigns": page(LEADS),
    "aup:campaign_new": form(AGREEMENT_MANAGERS),
    "aup:campaign": page(LEADS, args=lambda s: {"campaign_id": s.campaign.pk}),
    "aup:coverage": page(LEADS),
    "aup:outstanding": page(LEADS),
    "aup:coverage_csv": page(LEADS),
    # The coverage page's "resend to every family still to answer" sends kind=agreement, the default, alone.
    "aup:resend": button(LEADS, writes="'resend to every family still to answer' is a button"),
    "aup:technology_register": page(STAFF),
    "aup:add_restriction": form(STAFF, args=lambda s: {"pupil_id": s.pupil.pk}),
    "aup:lift_restriction": button(STAFF, args=lambda s: {"restriction_id": s.restriction.pk},
                                   writes="'lift' is a button"),
    "aup:image_register": page(STAFF),
    "aup:family": page(MEMBERS),  # any member; it lists the children they answer for (none for most)
    "aup:family_answer": form(PARENTS, args=lambda s: {"pupil_id": s.open_child.pk, "kind": "agreement"}),
    "aup:family_done": page(PARENTS, args=lambda s: {"signature_id": s.signature.pk}),
    "aup:family_copy": page(PARENTS, args=lambda s: {"signature_id": s.signature.pk}),
    # The signing link: the token is the key, whoever holds it (signed in or not, in any school). A child still to
    # answer, and within the half hour, the answer just given; an unknown token is a 404 page.
    "aup:sign": (
        page(EVERYONE, any_school=True, args=lambda s: {"token": s.signing_token}, label="its link"),
        page(EVERYONE, any_school=True, args=lambda s: {"token": "not-a-token"}, label="unknown token",
             answers=frozenset({404})),
    ),
    "aup:sign_child": page(EVERYONE, any_school=True,
                           args=lambda s: {"token": s.signing_token, "pupil_id": s.open_child.pk}),
    "aup:sign_done": page(EVERYONE, any_school=True,
                          args=lambda s: {"token": s.signing_token, "pupil_id": s.answered_child.pk}),
    "aup:sign_copy": page(EVERYONE, any_school=True,
                          args=lambda s: {"token": s.signing_token, "pupil_id": s.answered_child.pk}),
    # ------------------------------------------------------------ governors' reports (governors.rights)
    "governors:reports": page(LEADS_AND_GOVERNORS),
    "governors:generate": button(REPORT_BUILDERS),  # no term named: nothing built
    "governors:progress": page(LEADS_AND_GOVERNORS, args=lambda s: {"report_id": s.report.pk}),
    "governors:download": page(LEADS_AND_GOVERNORS, args=lambda s: {"report_id": s.report.pk}),
    # ------------------------------------------------------------ the Django admin: the site administrator only
    # Its own pages; each registered model's pages are the "admin:" group below.
    "admin:index": page(SITE_ADMINS, anonymous=frozenset({ADMIN_LOGIN}),
                        refusals=frozenset({ADMIN_LOGIN})),
    # allauth's secure_admin_login: the site's own sign-in (both factors, the lockout) for anyone signed out, 403
    # for a signed-in person who is not a site administrator.
    "admin:login": page(SITE_ADMINS),
    "admin:logout": button(SITE_ADMINS, anonymous=frozenset({ADMIN_LOGIN}), refusals=frozenset({ADMIN_LOGIN}),
                           writes="signing out is a button with no fields", signs_out=True),
}


# ---------------------------------------------------------------- the admin's model pages, by name

ADMIN_ANSWERS = OK | {403}  # the admin refuses some pages to everyone (the audit trail and the outbox are read-only)


def _admin_model(name: str) -> Any:
    """The model whose admin page ``name`` is (``admin:<app>_<model>_<page>``), or None (the site's own pages)."""
    for model in admin.site._registry:
        if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def _first_pk(model: Any) -> str:
    """One record's id (or one that does not exist, which the admin answers with a redirect to its index)."""
    found = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return str(found if found is not None else 0)


def admin_args(name: str, params: tuple[str, ...]) -> Callable[[World], dict[str, str]]:
    def build(world: World) -> dict[str, str]:
        model = _admin_model(name) or Pupil
        values = {"object_id": _first_pk(model), "object_pk": _first_pk(model), "id": _first_pk(model),
                  "user_id": str(world.people["dsl"].pk), "group_id": _first_pk(AuthGroup),
                  "app_label": "schools", "content_type_id": str(ContentType.objects.get_for_model(Pupil).pk)}
        return {param: values[param] for param in params}

    return build


SITE_ADMIN_ONLY = Rule(get=SITE_ADMINS, post=SITE_ADMINS, answers=ADMIN_ANSWERS, anonymous=frozenset({ADMIN_LOGIN}),
                       refusals=frozenset({ADMIN_LOGIN}))
ADMIN_SITE_PAGES: dict[str, Rule] = {
    "admin:password_change_done": replace(SITE_ADMIN_ONLY, post=None),  # a TemplateView
    "admin:jsi18n": replace(SITE_ADMIN_ONLY, post=None),
    # No model, field or term given: refused before anything is read.
    "admin:autocomplete": replace(SITE_ADMIN_ONLY, post=None, answers=frozenset({403})),
    # "View on site" for a pupil: pupils have no page of their own there.
    "admin:view_on_site": replace(SITE_ADMIN_ONLY, answers=frozenset({404})),
}


def placeholder_args(params: tuple[str, ...]) -> Callable[[World], dict[str, str]]:
    """Arguments that name no record ("0" fits every converter the project and allauth use): for a library's pages
    whose records the world does not have. Allow 404 in the group's ``answers`` with them."""
    return lambda world: dict.fromkeys(params, "0")


def with_placeholders(rule: Rule, name: str, params: tuple[str, ...]) -> Rule:
    return replace(rule, site_args=placeholder_args(params)) if params and not rule.site_args else rule


@dataclass(frozen=True)
class Group:
    """One rule for every URL whose name starts with ``prefix``; ``make(rule, name, params)`` adapts it to each URL
    (by default: placeholder arguments for a URL that has parameters)."""

    prefix: str
    rule: Rule
    make: Callable[[Rule, str, tuple[str, ...]], Rule] = with_placeholders


def _admin_page(rule: Rule, name: str, params: tuple[str, ...]) -> Rule:
    rule = ADMIN_SITE_PAGES.get(name, rule)
    if name.endswith("_delete") or "_permissions_manage_" in name:
        # The admin's "Yes, I'm sure" and guardian's "save" are buttons: any POST with a field (the form token the
        # test client adds, as a browser's form carries it) goes through, audited.
        rule = replace(rule, writes="the admin's confirmation is a button")
    return replace(rule, site_args=admin_args(name, params)) if params else rule


GROUPS: tuple[Group, ...] = (
    # Every ModelAdmin's changelist, add, change, delete and history pages, guardian's permission pages on pupils,
    # the user admin's password page, the app index: refused (a redirect to the admin's sign-in) to anyone but the
    # site administrator. A newly registered model is covered without a line here.
    Group("admin:", SITE_ADMIN_ONLY, _admin_page),
)

# Patterns deliberately not requested. Only unnamed patterns exist outside the rules: the admin's redirect from a
# record's old address (``<app>/<model>/<id>/`` -> its change page) and its catch-all (a 404 or a redirect to sign
# in). Nothing else: static files are served by whitenoise's middleware, not by a URL pattern, and there is no
# media URL (uploads go out through the views that check rights).
UNNAMED_PATTERNS_SKIPPED = "unnamed (the admin's old-address redirects and catch-all)"


def rules_for(name: str, params: tuple[str, ...]) -> tuple[Rule, ...] | None:
    """The rules of the URL called ``name`` (with these address parameters), or None if it has none."""
    found = RULES.get(name)
    if found is not None:
        return found if isinstance(found, tuple) else (found,)
    for group in GROUPS:
        if name.startswith(group.prefix):
            return (group.make(group.rule, name, params),)
    return None
