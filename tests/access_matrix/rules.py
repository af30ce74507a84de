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
- ``csrf_exempt="why"``: a view that takes no CSRF token (a provider's webhook): a POST without one is checked like
  any POST instead of expecting the CSRF failure page.
- ``writes="why"``: a POST with no fields but its tokens (CSRF, the one-time form token) is a complete request
  that changes something (a button with no fields: sign out, acknowledge, lift a restriction). Without it, such a
  POST that records an audit event fails the test: a form that accepts nothing as a valid write is a finding.

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
    SECOND_FACTOR_HOLDERS,
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
    to_sign_in: bool = False  # its answer may be a redirect to sign in (after signing out, say): then no refusal
    missing: frozenset[int] = frozenset({404})  # how another school's record is answered: as one that does not exist
    csrf_exempt: str = ""  # why the view takes no CSRF token (a system posts to it, with a secret of its own)


def page(who: Actors, **options: Any) -> Rule:
    return Rule(get=who, post=who, **options)


form = page


def button(who: Actors, **options: Any) -> Rule:
    return Rule(get=None, post=who, **options)


def read_only(who: Actors, **options: Any) -> Rule:
    """A page whose view offers GET only (a ``TemplateView``): POST is 405."""
    return Rule(get=who, post=None, **options)


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
SIGN_OUT = page(EVERYONE, writes="signing out is a button with no fields", to_sign_in=True)
NOT_OFFERED = page(NOBODY, anonymous=frozenset({"404"}))

RULES: dict[str, Rule | tuple[Rule, ...]] = {
    # ------------------------------------------------------------ home, sign-in (allauth, under the project's names)
    "home": page(SIGNED_IN),  # a site or trust administrator (no school) gets the page listing what they run
    "accounts:login": page(EVERYONE),  # signed in: a redirect home
    "accounts:logout": SIGN_OUT,
    "accounts:password_reset": page(EVERYONE),
    "accounts:password_change": form(SIGNED_IN),
    "accounts:second_factor": page(SIGNED_IN),  # what a second factor is, and where to set one up
    "accounts:sessions": form(SIGNED_IN, writes="'sign out everywhere' is a button with no fields", to_sign_in=True),
    # allauth pages the product does not offer (sign-up, email addresses, codes by email): 404 for everyone.
    **dict.fromkeys(["accounts:signup_not_offered", "accounts:email_not_offered", "accounts:password_set_not_offered",
                     "accounts:login_code_not_offered", "accounts:confirm_email_not_offered",
                     "accounts:connections_not_offered"], NOT_OFFERED),
    # The invitation's address only moves its token into the session (for any token, any method: 302) ...
    "accounts:invitation": page(EVERYONE, any_school=True, args=lambda s: {"token": s.invitation_token}),
    # ... and the page it leads to, opened without that step, is "this link does not work".
    "accounts:invitation_set_password": page(EVERYONE, answers=frozenset({404})),
    # ------------------------------------------------------------ allauth's own names (the "account_", "mfa_" and
    # "socialaccount_" groups below hold the rest). Some share an address with a project name above, which answers.
    "account_logout": SIGN_OUT,
    **dict.fromkeys(["account_signup", "account_email", "account_email_verification_sent", "account_set_password",
                     "account_confirm_login_code", "socialaccount_connections"], NOT_OFFERED),
    "account_change_password": form(SIGNED_IN),
    "account_reauthenticate": form(SIGNED_IN),
    "usersessions_list": form(SIGNED_IN, writes="'sign out everywhere' is a button with no fields", to_sign_in=True),
    # A reset link: its key goes into the session and the browser on to the key-less page (allauth's view).
    "account_reset_password_from_key": page(EVERYONE, site_args=lambda w: w.reset_kwargs()),
    # allauth's pages that offer GET only.
    **dict.fromkeys(["account_inactive", "account_reset_password_done", "account_reset_password_from_key_done",
                     "socialaccount_login_cancelled"], read_only(EVERYONE)),
    "socialaccount_login_error": read_only(EVERYONE, answers=OK | {401}),  # allauth answers its error page 401
    # No sign-in with a provider under way: back to the sign-in page.
    "socialaccount_signup": page(EVERYONE, to_sign_in=True),
    # The second factor's pages. Everyone whose role needs one has an authenticator app; the head also has recovery
    # codes and a passkey, which are the head's alone (another person's passkey id is a 404).
    **dict.fromkeys(["mfa_index", "mfa_list_webauthn"], read_only(SIGNED_IN)),
    # Turning the app off: a confirmation page with no fields. Whoever's role needs a second factor keeps their
    # last one (the form says so); the head, who has a passkey too, turns it off.
    "mfa_deactivate_totp": form(SECOND_FACTOR_HOLDERS, writes="'deactivate' is a confirmation page with no fields"),
    "mfa_view_recovery_codes": read_only(frozenset({"head"})),
    "mfa_download_recovery_codes": read_only(frozenset({"head"})),
    "mfa_edit_webauthn": form(frozenset({"head"}), site_args=lambda w: {"pk": w.passkey.pk}),
    "mfa_remove_webauthn": form(frozenset({"head"}), site_args=lambda w: {"pk": w.passkey.pk},
                                writes="'remove' is a confirmation page with no fields"),
    # A passkey that does not answer (an empty POST) is sent to the sign-in page (allauth's choice), which sends a
    # signed-in person home.
    "mfa_reauthenticate_webauthn": page(SIGNED_IN, to_sign_in=True),
    # Signing in with the school's Microsoft or Google: public, whoever asks (the identity provider decides).
    "openid_connect_login": page(EVERYONE, any_school=True,
                                 args=lambda s: {"provider_id": s.identity_provider.provider_id}),
    "openid_connect_callback": page(EVERYONE, any_school=True,
                                    args=lambda s: {"provider_id": s.identity_provider.provider_id}),
    # ------------------------------------------------------------ single sign-on's set-up (sso.rights)
    "sso:sign_in": form(EVERYONE),
    "sso:school_sign_in": page(EVERYONE, any_school=True, args=slug),
    "sso:school": page(ADMINISTRATORS, args=slug),
    "sso:school_edit": form(ADMINISTRATORS, args=lambda s: {**slug(s), "kind": "google"}),
    "sso:school_remove": form(ADMINISTRATORS, args=lambda s: {**slug(s), "kind": "google"},
                              writes="'remove' is a confirmation page with no fields"),
    "failed_jobs": read_only(SITE_ADMINS),  # the site administrator's list of failed background jobs
    "sso:organisation": page(frozenset({SITE_ADMIN, TRUST_ADMIN}), args=lambda s: {"slug": s.school.organisation.slug}),
    "sso:organisation_edit": form(frozenset({SITE_ADMIN, TRUST_ADMIN}),
                                  args=lambda s: {"slug": s.school.organisation.slug, "kind": "google"}),
    "sso:organisation_remove": form(frozenset({SITE_ADMIN, TRUST_ADMIN}),
                                    args=lambda s: {"slug": s.school.organisation.slug, "kind": "google"},
                                    writes="'remove' is a confirmation page with no fields"),
    # ------------------------------------------------------------ the school: pupils, people, alerts (schools.rights)
    "schools:switch": button(SIGNED_IN, answers=frozenset({404})),  # no school named: 404, nothing switched
    "schools:pupil_list": page(STAFF),
    "schools:pupil_detail": page(STAFF, args=lambda s: {"pupil_id": s.pupil.pk}),
    "schools:my_children": page(PARENTS),
    "schools:member_list": page(PEOPLE_READERS),
    "alerts": page(MEMBERS),  # POST marks the person's own alerts read (no audit event: nothing of the school's)
    # Opening an alert marks it read and follows it: its own person only (anyone else's is a 404); GET only.
    "open_alert": read_only(frozenset({"dsl"}), args=lambda s: {"notification_id": s.dsl_alert.pk}),
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
    # The page's buttons send chair=yes|no and link=yes|no; a POST with neither changes nothing.
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
    "setup:sign_in_security": form(ADMINISTRATORS, args=slug),
    "setup:terms": form(ADMINISTRATORS, args=slug),
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
    # An empty POST is refused (400): it names no version it was based on, so nothing is saved.
    "incidents:response_tables": form(LEADS),
    "incidents:case": (
        page(CASE_PAGE, args=_TEAM_CASE, label="the team's case"),
        page(frozenset({"head", "reporter"}), args=case("staff_allegation"), label="an allegation about staff"),
        page(frozenset({"chair", "reporter"}), args=case("head_allegation"), label="an allegation about the head"),
    ),
    "incidents:submitted": page(frozenset({"reporter"}), args=_TEAM_CASE),
    "incidents:change": (
        button(LEADS, args=lambda s: {**_TEAM_CASE(s), "change": "note"}, label="a note (work)"),
        button(LEADS, args=lambda s: {**_TEAM_CASE(s), "change": "share"}, label="sharing (share)"),
        button(LEADS, args=lambda s: {**_TEAM_CASE(s), "change": "behaviours"}, label="behaviours (work)"),
    ),
    "incidents:take_responses": button(LEADS, args=_TEAM_CASE),
    "incidents:action_done": button(LEADS, args=lambda s: {**_TEAM_CASE(s), "action_id": s.action.pk},
                                    writes="'done' is a button"),
    "incidents:revoke_share": button(LEADS, args=lambda s: {**_TEAM_CASE(s), "user_id": s.shared_with.pk},
                                     writes="'revoke' is a button"),
    "incidents:evidence": page(CASE_READERS, args=lambda s: {**_TEAM_CASE(s), "evidence_id": s.evidence.pk}),
    # The harms' checklists: the team managing the case alone (the technician it is shared with: 403).
    "incidents:checklist_add": button(LEADS, args=_TEAM_CASE),
    "incidents:checklist_answer": button(LEADS, args=lambda s: {**_TEAM_CASE(s), "kind": "cyberbullying"}),
    "incidents:checklist_clock": button(LEADS, args=lambda s: {**_TEAM_CASE(s), "kind": "cyberbullying"}),
    "incidents:chronology": page(LEADS, args=lambda s: {"pupil_id": s.pupil.pk}),
    # Reports from pupils and parents (incidents/outside_views.py). The pupil link's page: the safeguarding leads
    # (rights.can_manage_pupil_link). The pupils' form: whoever holds the school's link, signed in or not; an
    # unknown link is a 404 page. The parents' form: anyone, for any school (the school's public pages).
    "incidents:pupil_link": form(LEADS),
    "incidents:tell": (
        page(EVERYONE, any_school=True, args=lambda s: {"token": s.pupil_link_token}, label="its link"),
        page(EVERYONE, any_school=True, args=lambda s: {"token": "not-a-token"}, label="unknown token",
             answers=frozenset({404})),
    ),
    "incidents:tell_thanks": page(EVERYONE, any_school=True, args=lambda s: {"token": s.pupil_link_token}),
    "incidents:parent_report": page(EVERYONE, any_school=True, args=lambda s: {"school_slug": s.school.slug}),
    "incidents:parent_report_sent": page(EVERYONE, any_school=True,
                                         args=lambda s: {"school_slug": s.school.slug}),
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
    "filtering:changes": page(STAFF),  # can_list_changes: staff (a governor reads the change log instead)
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
    "filtering:import_retry": button(PROVIDER_LOG_READERS, args=lambda s: {"import_id": s.provider_import.pk}),
    # The flag is named in the POST: an empty one names none, 404.
    "filtering:flag_to_incident": button(DSL_TEAM, answers=frozenset({404})),
    "filtering:settings": form(LEADS),
    # ------------------------------------------------------------ monitoring alerts (monitoring.rights: the DSL team)
    "monitoring:inbox": read_only(DSL_TEAM),
    "monitoring:alert": read_only(DSL_TEAM, args=lambda s: {"alert_id": s.monitoring_alert.pk}),
    "monitoring:dismiss": button(DSL_TEAM, args=lambda s: {"alert_id": s.monitoring_alert.pk}),  # no reason: 400
    "monitoring:link": button(DSL_TEAM, args=lambda s: {"alert_id": s.monitoring_alert.pk}),  # no case: 400
    "monitoring:open_case": button(DSL_TEAM, args=lambda s: {"alert_id": s.monitoring_alert.pk},
                                   writes="'open a case from this alert' is one click"),
    "monitoring:imports": form(DSL_TEAM),
    "monitoring:import": form(DSL_TEAM, args=lambda s: {"import_id": s.monitoring_import.pk}),
    "monitoring:import_retry": button(DSL_TEAM, args=lambda s: {"import_id": s.monitoring_import.pk}),  # not failed
    "monitoring:settings": read_only(DSL_TEAM),
    "monitoring:new_secret": button(DSL_TEAM, writes="'set a new secret' is a button"),
    # The provider's system posts alerts with the school's secret in a header: no session, no CSRF token. Sent
    # without the secret (as every actor here), it is 403 for anyone, whatever school; GET is 405.
    "monitoring:webhook": Rule(get=None, post=NOBODY, args=slug, any_school=True, anonymous=frozenset({"403"}),
                               csrf_exempt="the provider's system posts alerts with the school's secret in a header"),
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
    "governors:retry": button(REPORT_BUILDERS, args=lambda s: {"report_id": s.report.pk}),  # ready: refused
    # ------------------------------------------------------------ the Django admin: the site administrator only
    # Its own pages; each registered model's pages are the "admin:" group below.
    "admin:index": page(SITE_ADMINS, anonymous=frozenset({ADMIN_LOGIN}),
                        refusals=frozenset({ADMIN_LOGIN})),
    # allauth's secure_admin_login: signed out, the site's sign-in (with the second factor); signed in without
    # is_staff, 403; the site administrator, on to the admin.
    "admin:login": page(SITE_ADMINS),
    "admin:logout": button(SITE_ADMINS, anonymous=frozenset({ADMIN_LOGIN}), refusals=frozenset({ADMIN_LOGIN}),
                           writes="signing out is a button with no fields", to_sign_in=True),
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
        # The user admin's password page is named after Django's auth app ("auth_user_password_change") whatever
        # the user model: its id is a user's, never a pupil's that happens to exist (ids differ between databases).
        user_page = name.endswith("auth_user_password_change")
        values = {"object_id": _first_pk(model), "object_pk": _first_pk(model),
                  "id": str(world.people["dsl"].pk) if user_page else _first_pk(model),
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


# What the admin's pages do with a POST of no fields but its tokens: a record's delete page is a confirmation (its
# deletes are audited, one event each), guardian's permission form is all checkboxes (none ticked: none left).
ADMIN_WRITES = {"_delete": "the delete page is a confirmation with no fields",
                "_permissions_manage_user": "all checkboxes: none ticked removes every permission",
                "_permissions_manage_group": "all checkboxes: none ticked removes every permission"}


def _admin_page(rule: Rule, name: str, params: tuple[str, ...]) -> Rule:
    rule = ADMIN_SITE_PAGES.get(name, rule)
    if writes := next((why for ending, why in ADMIN_WRITES.items() if name.endswith(ending)), ""):
        rule = replace(rule, writes=writes)
    return replace(rule, site_args=admin_args(name, params)) if params else rule


GROUPS: tuple[Group, ...] = (
    # Every ModelAdmin's changelist, add, change, delete and history pages, guardian's permission pages on pupils,
    # the user admin's password page, the app index: refused (a redirect to the admin's sign-in) to anyone but the
    # site administrator. A newly registered model is covered without a line here.
    Group("admin:", SITE_ADMIN_ONLY, _admin_page),
    # django-allauth's pages (its URL names have no namespace), each group with a rule, the pages that differ in
    # RULES by name. Another library's pages are one line here each.
    Group("account_", page(EVERYONE)),  # sign in, reset, "account inactive": public
    Group("mfa_", page(SIGNED_IN)),  # authenticator app, passkeys, recovery codes, reauthentication
    Group("socialaccount_", page(EVERYONE)),  # a provider's sign-in cancelled or failed
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
