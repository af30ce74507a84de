"""The records the access matrix opens: the same set in two schools (Oakfield, the actors' own, and Riverside, the
other), so every URL's arguments can be built from either school's records.

Built once per test module through the services (as the app makes them), inside a transaction the module rolls
back. Tokens (signing links, invitations) are read from the outbox rows the services wrote: no email is sent, as
nothing is ever committed.
"""

import datetime
import hashlib
import os
import re
from dataclasses import dataclass, field
from typing import Any

import pyotp
from allauth.account.forms import default_token_generator as allauth_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group as AuthGroup
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from fido2.cose import ES256
from fido2.utils import websafe_encode
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData

from aup import services as aup_services
from aup.models import Agreement, Audience, Campaign, CampaignKind, Invitation as FamilyInvitation, Outcome
from filtering import services as filtering_services
from filtering.models import ProviderImport
from incidents import services as incident_services
from incidents.models import CategoryCode, IncidentCategory
from monitoring import ingest
from monitoring.models import Arrival, MonitoringAlert, MonitoringImport
from onlinesafety.mail.models import Notification, OutboundEmail
from onlinesafety.schools.models import Membership, Organisation, School, YearGroup
from onlinesafety.schools.people import services as people_services
from onlinesafety.schools.roles import Role
from onlinesafety.sso import services as sso_services
from onlinesafety.sso.models import IdentityProvider
from onlinesafety.uploads import check_upload
from policies import services as policy_services
from policies.models import ApprovingBody, Duty, PolicyKind
from tests.factories import (
    ParentLinkFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TermFactory,
    UserFactory,
    administrator_of,
    member_of,
    trust_owning,
)
from tests.governors.helpers import ready_report
from tests.incidents.helpers import png_bytes
from tests.people import People
from tests.roster.helpers import dry_run, pupils_csv

SIGNING_TOKEN = re.compile(r"/aup/sign/([A-Za-z0-9_-]+)/")
INVITATION_TOKEN = re.compile(r"/accounts/invitation/([A-Za-z0-9_-]+)/")


class Cast:
    """Everyone the rules tell apart in one school, by the attribute names of ``tests.people.People``."""

    ROLES = {"reporter": Role.STAFF, "other_staff": Role.STAFF, "technician": Role.TECHNICIAN, "dsl": Role.DSL,
             "deputy": Role.DEPUTY_DSL, "osl": Role.ONLINE_SAFETY_LEAD, "head": Role.HEADTEACHER,
             "chair": Role.GOVERNOR, "governor": Role.GOVERNOR, "parent": Role.PARENT, "visitor": Role.VISITOR}

    def __init__(self, school: School, domain: str, **given: Any) -> None:
        for name, role in self.ROLES.items():
            person = given.get(name) or member_of(school, role, email=f"{name}@{domain}", is_chair=name == "chair")
            setattr(self, name, person)


def _upload(name: str = "screenshot.png") -> Any:
    return check_upload(SimpleUploadedFile(name, png_bytes(), content_type="image/png"), allowed=("image/png",),
                        max_bytes=10**7)


def _without_password(user: Any) -> Any:
    type(user).objects.filter(pk=user.pk).update(password=UNUSABLE_PASSWORD_PREFIX)
    return user


def _token_sent_to(pattern: re.Pattern[str], email: str) -> str:
    body = OutboundEmail.objects.filter(to=email).order_by("-pk").values_list("body", flat=True)
    return next(match.group(1) for text in body if (match := pattern.search(text)))


@dataclass
class SchoolWorld:
    """One school's records, each named for what a URL needs."""

    school: School
    cast: Cast
    domain: str
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_school(school: School, cast: Cast, domain: str) -> SchoolWorld:
    world = SchoolWorld(school, cast, domain)
    o = world.objects
    today = timezone.localdate()
    # Pupils: the parent's two children (one answered through the signing link, one still to answer).
    year1 = SchoolClassFactory(school=school, name="Beech", year_group=YearGroup.Y1)
    year5 = SchoolClassFactory(school=school, name="Maple", year_group=YearGroup.Y5)
    o["answered_child"] = PupilFactory(school=school, year_group=YearGroup.Y1, school_class=year1)
    o["open_child"] = PupilFactory(school=school, year_group=YearGroup.Y5, school_class=year5)
    for child in (o["answered_child"], o["open_child"]):
        ParentLinkFactory(parent=cast.parent, pupil=child)
    o["pupil"] = o["open_child"]
    o["past_term"] = TermFactory(school=school, name="Summer", starts_on=today - datetime.timedelta(days=120),
                                 ends_on=today - datetime.timedelta(days=30))
    _build_people(world)
    _build_agreements(world)
    _build_incidents(world)
    _build_policies(world, today)
    _build_filtering(world, today)
    _build_monitoring(world)
    o["identity_provider"] = _identity_provider(school, cast.head, f"staff.{domain}")
    o["report"] = ready_report(o["past_term"])
    o["roster_import"] = dry_run(school, cast.head, "pupils", pupils_csv(1))
    return world


def _build_people(world: SchoolWorld) -> None:
    school, cast, o, domain = world.school, world.cast, world.objects, world.domain
    added = people_services.add_member(school=school, actor=cast.head, full_name="Ivy Invitee",
                                       email=f"invitee@{domain}", role=Role.STAFF)
    o["invitee_membership"] = added.membership
    o["invitation_token"] = _token_sent_to(INVITATION_TOKEN, f"invitee@{domain}")
    o["chair_membership"] = Membership.objects.get(user=cast.chair, school=school)
    Membership.objects.filter(pk=o["chair_membership"].pk).update(is_safeguarding_governor=True)
    # A member of staff an import made: no password and no invitation yet ("invite them all", "send a link").
    o["uninvited_membership"] = Membership.objects.get(
        user=_without_password(member_of(school, Role.STAFF, email=f"uninvited@{domain}")), school=school)


def _build_agreements(world: SchoolWorld) -> None:
    school, cast, o = world.school, world.cast, world.objects
    for agreement in Agreement.objects.filter(school=school).order_by("pk"):
        aup_services.publish(agreement=agreement, actor=cast.osl)
    o["agreement"] = Agreement.objects.get(school=school, audience=Audience.STAFF)
    o["staff_version"] = o["agreement"].current_version
    o["holder"] = aup_services.add_account_holder(school=school, actor=cast.osl, user=cast.reporter,
                                                  accounts="Instagram")
    o["campaign"] = aup_services.start_campaign(school=school, actor=cast.osl, kind=CampaignKind.AGREEMENT,
                                                cohort=Campaign.Cohort.WHOLE_SCHOOL)
    o["signing_token"] = _token_sent_to(SIGNING_TOKEN, cast.parent.email)
    # A family that joined after the campaign: still to be asked ("resend"), and with no account yet ("invite").
    late_parent = _without_password(member_of(school, Role.PARENT, email=f"late.parent@{world.domain}"))
    ParentLinkFactory(parent=late_parent, pupil=PupilFactory(school=school, year_group=YearGroup.Y5))
    invitation = FamilyInvitation.objects.get(campaign=o["campaign"], parent=cast.parent)
    o["signature"] = aup_services.answer_for_child(
        school=school, parent=cast.parent, pupil=o["answered_child"], kind=CampaignKind.AGREEMENT,
        outcome=Outcome.SIGNED, typed_name="Pat Parent", relationship="mother", discussed_with_child=True,
        invitation=invitation)
    o["restriction"] = aup_services.add_restriction(school=school, actor=cast.dsl, pupil=o["open_child"],
                                                    reason="Misused a tablet")


def _build_incidents(world: SchoolWorld) -> None:
    school, cast, o = world.school, world.cast, world.objects
    fields = {"occurred_at": timezone.now() - datetime.timedelta(hours=2), "location": "in_school",
              "category": IncidentCategory.objects.get(school=school, code=CategoryCode.CYBERBULLYING),
              "description": "Unkind messages in a class chat.", "immediate_risk": False, "possibly_illegal": "no"}
    o["case"] = incident_services.report_incident(school=school, reporter=cast.reporter, pupils=[o["pupil"]],
                                                  **fields)
    o["evidence"] = incident_services.add_evidence(incident=o["case"], actor=cast.dsl, upload=_upload())
    o["action"] = incident_services.add_action(incident=o["case"], actor=cast.dsl, description="Call home",
                                               owner=cast.dsl, due_on=timezone.localdate())
    incident_services.share_case(incident=o["case"], actor=cast.dsl, colleague=cast.technician)
    o["shared_with"] = cast.technician
    o["staff_allegation"] = incident_services.report_incident(
        school=school, reporter=cast.reporter, allegation_subject=cast.other_staff, **fields)
    o["head_allegation"] = incident_services.report_incident(
        school=school, reporter=cast.reporter, allegation_subject=cast.head, **fields)
    # The school's pupil link ("tell a trusted adult"): whoever holds it opens it, signed in or not.
    o["pupil_link_token"] = incident_services.pupil_link_token(
        incident_services.make_pupil_link(school=school, actor=cast.dsl))
    # The DSL's alert about the new case (each alert is its own person's alone).
    o["dsl_alert"] = Notification.objects.filter(user=cast.dsl, school=school, url__startswith="/").first()


def _build_policies(world: SchoolWorld, today: datetime.date) -> None:
    school, cast, o = world.school, world.cast, world.objects
    policy = policy_services.create_policy(
        school=school, actor=cast.head, title="Online safety", kind=PolicyKind.ONLINE_SAFETY, owner=cast.osl,
        owner_role=Role.ONLINE_SAFETY_LEAD, approving_body=ApprovingBody.HEADTEACHER, review_cycle_months=12,
        last_approved_on=today - datetime.timedelta(days=200), staff_must_read=True)
    policy_services.start_review(policy=policy, actor=cast.osl)
    policy_services.save_draft(policy=policy, actor=cast.osl, change_summary="v1", text="The policy's text.")
    policy_services.submit_for_approval(policy=policy, actor=cast.osl)
    policy_services.approve(policy=policy, actor=cast.head, approved_on=today)
    policy.refresh_from_db()
    o["policy"], o["policy_version"] = policy, policy.current_version
    o["duty"] = Duty.objects.get(school=school, code="filtering_check")
    o["completion"] = policy_services.complete_duty(duty=o["duty"], actor=cast.technician, completed_on=today,
                                                    upload=_upload("check.png"), due_on=o["duty"].next_due_on)


def _build_filtering(world: SchoolWorld, today: datetime.date) -> None:
    school, cast, o = world.school, world.cast, world.objects
    o["change"] = filtering_services.request_change(
        school=school, actor=cast.reporter, action=filtering_services.Action("unblock"),
        target_type=filtering_services.TargetType("domain"), target="www.example.org",
        user_group=filtering_services.UserGroup("pupils_ks2"), reason="Year 6 history research", lesson="WW2",
        is_temporary=True, starts_on=today, ends_on=today + datetime.timedelta(days=13))
    o["review"] = filtering_services.record_review(
        school=school, actor=cast.head, reviewed_on=today, senior_leader=cast.head, governor=cast.governor,
        filtering_provider="F", monitoring_provider="M", categories_blocked="All", alert_route="Email",
        alert_speed="15 min", out_of_hours="Filtered", training="Done", findings="Fine", actions="None")
    provider_import = ProviderImport(school=school, uploaded_by=cast.technician, original_name="log.csv",
                                     header=["time", "user", "url", "category"])
    provider_import.file.save("log.csv", ContentFile(b"time,user,url,category\r\n"), save=False)
    provider_import.save()
    o["provider_import"] = provider_import


def _build_monitoring(world: SchoolWorld) -> None:
    school, cast, o = world.school, world.cast, world.objects
    ingest.save_alerts(school, [ingest.read_alert({
        "time": timezone.now(), "provider_reference": "MATRIX-1", "user": "amy.b", "category": "Bullying",
        "risk": "medium", "captured_text": "typed something"}, datetime.UTC)], arrival=Arrival.WEBHOOK)
    o["monitoring_alert"] = MonitoringAlert.objects.get(school=school, provider_reference="MATRIX-1")
    alert_import = MonitoringImport(school=school, uploaded_by=cast.dsl, original_name="alerts.csv",
                                    header=["time", "category", "risk"])
    alert_import.file.save("alerts.csv", ContentFile(b"time,category,risk\r\n"), save=False)
    alert_import.save()
    o["monitoring_import"] = alert_import


def _identity_provider(owner: Any, actor: Any, domain: str) -> IdentityProvider:
    """Sign in with Google, set up (the issuer is the fake provider the test module runs: nothing leaves the
    machine)."""
    return sso_services.save_identity_provider(
        actor=actor, owner=owner, kind=IdentityProvider.Kind.GOOGLE, client_id=f"client.{domain}",
        client_secret="matrix-client-secret", tenant_id="", domains=[domain], enforces_mfa=False, enabled=True)


def _second_factors(actors: dict[str, Any]) -> Any:
    """An authenticator app for everyone whose role needs a second factor (as they must have one); the head also has
    recovery codes and a passkey, whose pages are the head's alone. Returns the passkey."""
    from onlinesafety.accounts import mfa

    for user in actors.values():
        if mfa.second_factor_required(user):
            TOTP.activate(user, pyotp.random_base32())
    RecoveryCodes.activate(actors["head"])
    return Authenticator.objects.create(user=actors["head"], type=Authenticator.Type.WEBAUTHN,
                                        data={"name": "Laptop", "credential": _passkey_registration()})


def _passkey_registration() -> dict[str, Any]:
    """What a browser sends when a passkey is added (no attestation), for a key made here: allauth reads the
    credential from it on every passkey page."""
    credential_id = os.urandom(16)
    public_key = ES256.from_cryptography_key(ec.generate_private_key(ec.SECP256R1()).public_key())
    authenticator = AuthenticatorData.create(
        hashlib.sha256(b"testserver").digest(), AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT, 0,
        AttestedCredentialData.create(bytes(16), credential_id, public_key))
    client_data = CollectedClientData.create(type="webauthn.create", challenge=os.urandom(16),
                                             origin="http://testserver")
    return {"id": websafe_encode(credential_id), "rawId": websafe_encode(credential_id), "type": "public-key",
            "clientExtensionResults": {},
            "response": {"clientDataJSON": websafe_encode(client_data),
                         "attestationObject": websafe_encode(AttestationObject.create("none", authenticator, {}))}}


@dataclass
class World:
    """Both schools' records, the people who make the requests, and the site-wide records (accounts, admin)."""

    oak: SchoolWorld
    river: SchoolWorld
    people: dict[str, Any]  # actor name -> user (no entry for "anonymous")
    reset_user: Any
    organisation: Organisation
    other_organisation: Organisation
    passkey: Authenticator  # the head's

    def school(self, which: str) -> SchoolWorld:
        return self.oak if which == "oak" else self.river

    def reset_kwargs(self) -> dict[str, str]:
        """A password reset link's arguments, as allauth's email gives them."""
        user = self.reset_user
        return {"uidb36": user_pk_to_url_str(user), "key": allauth_token_generator.make_token(user)}


def build_world() -> World:
    oakfield = SchoolFactory(name="Oakfield Test Primary", slug="oak-test", urn="900001")
    riverside = SchoolFactory(name="Riverside Test Primary", slug="river-test", urn="900002")
    organisation = trust_owning(oakfield, "Oak Learning Trust", "oak-trust")
    other_organisation = trust_owning(riverside, "River Schools Trust", "river-trust")
    people = People(oakfield, riverside)
    oak_cast = Cast(oakfield, "t.example", **{name: getattr(people, name) for name in Cast.ROLES})
    river_cast = Cast(riverside, "river.example", dsl=people.riverside_dsl)
    actors = {name: getattr(people, name) for name in Cast.ROLES} | {"riverside_dsl": people.riverside_dsl}
    # The installation's operator, as the demo makes them: ``is_staff`` (the site's rights) and a superuser (every
    # admin page; with ``is_staff`` alone the admin shows nothing at all).
    actors["site_admin"] = UserFactory(email="operator@site.example", is_staff=True, is_superuser=True)
    actors["trust_admin"] = administrator_of(organisation, "admin@oak-trust.example")
    actors["former"] = member_of(oakfield, Role.STAFF, email="former@t.example")
    Membership.objects.filter(user=actors["former"]).update(is_active=False)
    AuthGroup.objects.create(name="Matrix group")  # for guardian's group permission page in the admin
    for trust, domain in ((organisation, "oak-trust.example"), (other_organisation, "river-trust.example")):
        _identity_provider(trust, actors["site_admin"], f"staff.{domain}")
    world = World(oak=build_school(oakfield, oak_cast, "t.example"),
                  river=build_school(riverside, river_cast, "river.example"), people=actors,
                  reset_user=UserFactory(email="forgetful@t.example"), organisation=organisation,
                  other_organisation=other_organisation, passkey=_second_factors(actors))
    return world
