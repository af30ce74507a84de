"""The technology access register and the image register: who is on them, why, until when, and at what cost."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from aup import selectors, services
from aup.models import AccessRestriction, Agreement, Audience, CampaignKind, Outcome, Signature
from incidents import services as incident_services
from incidents.models import Sanction
from onlinesafety.audit.models import AuditEvent
from onlinesafety.rules import RuleBroken
from onlinesafety.schools.models import YearGroup
from onlinesafety.schools.roles import Role
from tests.factories import ParentLinkFactory, PupilFactory, SchoolClassFactory, member_of
from tests.incidents.helpers import incident_fields

pytestmark = pytest.mark.django_db

DECLINED = "A parent declined the acceptable use agreement"
NOT_SIGNED = "No signed acceptable use agreement"
REMOVED = "Access removed after an incident"
LONDON = zoneinfo.ZoneInfo("Europe/London")
ALL_YES = {name: True for name, _ in Signature.IMAGE_USES}
USES = [name for name, _ in Signature.IMAGE_USES]


# ---------------------------------------------------------------- helpers

def answer(school, parent, pupil, outcome=Outcome.SIGNED, kind=CampaignKind.AGREEMENT, image_answers=None):
    return services.answer_for_child(
        school=school, parent=parent, pupil=pupil, kind=kind, outcome=outcome, typed_name="Pat Parent",
        relationship="mother", discussed_with_child=True,
        decline_reason="We do not allow screens at home." if outcome == Outcome.DECLINED else "",
        image_answers=image_answers)


def consent(school, parent, pupil, **noes):
    """An answer to the image consent form: yes to every use except those given as False."""
    return answer(school, parent, pupil, kind=CampaignKind.IMAGES, image_answers={**ALL_YES, **noes})


def republish(school, audience, actor, now=None):
    agreement = Agreement.objects.get(school=school, audience=audience)
    services.save_draft(agreement=agreement, actor=actor, title=agreement.title,
                        text=agreement.draft_text + "\n\nOne more rule.")
    return services.publish(agreement=agreement, actor=actor, change_summary="One more rule", now=now)


def register(school, today=None):
    return {entry.pupil: entry for entry in selectors.technology_register(school, today or timezone.localdate())}


def access_removed(school, pupil, until, recorded_by):
    incident = incident_services.report_incident(school=school, reporter=recorded_by,
                                                 **incident_fields(school), pupils=[pupil])
    return Sanction.objects.create(incident=incident, pupil=pupil, kind=Sanction.Kind.ACCESS_REMOVED, until=until,
                                   recorded_by=recorded_by)


@pytest.fixture
def published_at_noon(oakfield, riverside, family, people):
    """Every agreement published at noon on 1 September 2026 (London), then the KS2 pupil agreement republished
    ten days later."""
    start = datetime.datetime(2026, 9, 1, 12, 0, tzinfo=LONDON)
    for agreement in Agreement.objects.filter(school=oakfield).order_by("pk"):
        services.publish(agreement=agreement, actor=people.osl, now=start)
    republish(oakfield, Audience.PUPIL_KS2, people.osl, now=start + datetime.timedelta(days=10))
    return oakfield


# ---------------------------------------------------------------- technology: declined, grace, sanctions

def test_it_keeps_a_pupil_whose_parent_declined_off_technology(client, people, published, family, settings):
    settings.AUP_GRACE_DAYS = 14
    answer(published, family.parent, family.older, Outcome.DECLINED)
    entry = register(published)[family.older]
    assert entry.reasons == [DECLINED]
    assert entry.until is None
    assert entry.manual == []
    assert family.younger not in register(published)  # still inside the grace period
    client.force_login(people.reporter)
    body = client.get(reverse("aup:technology_register")).content.decode()
    assert DECLINED in body
    assert "Ben Lovelock" in body
    assert "Ada Lovelock" not in body


def test_it_takes_the_child_off_when_a_parent_who_declined_then_signs(published, family):
    answer(published, family.parent, family.older, Outcome.DECLINED)
    answer(published, family.parent, family.older, Outcome.SIGNED)
    assert family.older not in register(published)


def test_it_lists_a_pupil_without_a_signed_agreement_once_the_grace_period_is_over(published_at_noon, family, settings):
    settings.AUP_GRACE_DAYS = 14
    school = published_at_noon
    # Ada (Year 1) reads the early agreement, published with the home agreement on 1 September.
    assert family.younger not in register(school, datetime.date(2026, 9, 15))
    assert register(school, datetime.date(2026, 9, 16))[family.younger].reasons == [NOT_SIGNED]
    # Ben (Year 5) reads the KS2 agreement, republished on 11 September: the later date counts.
    assert family.older not in register(school, datetime.date(2026, 9, 16))
    assert family.older not in register(school, datetime.date(2026, 9, 25))
    entry = register(school, datetime.date(2026, 9, 26))[family.older]
    assert entry.reasons == [NOT_SIGNED]
    assert entry.until is None
    # Signed: off the register.
    answer(school, family.parent, family.older)
    late = register(school, datetime.date(2026, 10, 20))
    assert family.older not in late
    assert family.younger in late and family.neighbours_child in late


def test_it_follows_the_setting_for_the_grace_period(published_at_noon, family, settings):
    settings.AUP_GRACE_DAYS = 3
    assert family.younger not in register(published_at_noon, datetime.date(2026, 9, 4))
    assert family.younger in register(published_at_noon, datetime.date(2026, 9, 5))


def test_it_starts_a_new_grace_period_and_asks_again_for_a_new_home_agreement(
    published_at_noon, family, people, settings
):
    settings.AUP_GRACE_DAYS = 14
    school = published_at_noon
    answer(school, family.parent, family.younger)
    assert family.younger not in register(school, datetime.date(2026, 10, 1))
    republish(school, Audience.PARENT, people.osl, now=datetime.datetime(2026, 10, 1, 12, 0, tzinfo=LONDON))
    assert family.younger not in register(school, datetime.date(2026, 10, 15))
    assert register(school, datetime.date(2026, 10, 16))[family.younger].reasons == [NOT_SIGNED]


def test_it_counts_the_grace_period_from_the_schools_date(oakfield, family, people, settings):
    settings.AUP_GRACE_DAYS = 14
    just_after_midnight = datetime.datetime(2026, 9, 1, 0, 30, tzinfo=LONDON)  # 31 August 23:30 UTC
    for agreement in Agreement.objects.filter(school=oakfield).order_by("pk"):
        services.publish(agreement=agreement, actor=people.osl, now=just_after_midnight)
    # Published on 1 September at the school: 14 days of grace run to 15 September inclusive.
    assert family.younger not in register(oakfield, datetime.date(2026, 9, 15))
    assert family.younger in register(oakfield, datetime.date(2026, 9, 16))


def test_it_lists_nobody_for_not_signing_before_the_agreements_are_published(oakfield, family, people):
    assert register(oakfield, datetime.date(2030, 1, 1)) == {}


def test_it_lists_a_pupil_whose_access_a_sanction_removed_until_its_date(client, people, published, family):
    answer(published, family.parent, family.older)
    today = timezone.localdate()
    until = today + datetime.timedelta(days=7)
    access_removed(published, family.older, until, people.dsl)
    for day in (today, until):
        entry = register(published, day)[family.older]
        assert entry.reasons == [REMOVED]
        assert entry.until == until
        assert entry.manual == []
    assert family.older not in register(published, until + datetime.timedelta(days=1))
    client.force_login(people.technician)
    body = client.get(reverse("aup:technology_register")).content.decode()
    assert REMOVED in body
    assert f"{until.day} {until:%b %Y}" in body


def test_it_takes_the_latest_sanction_date_and_ignores_other_kinds(published, family, people):
    answer(published, family.parent, family.older)
    today = timezone.localdate()
    access_removed(published, family.older, today + datetime.timedelta(days=2), people.dsl)
    access_removed(published, family.older, today + datetime.timedelta(days=9), people.dsl)
    incident = incident_services.report_incident(school=published, reporter=people.dsl,
                                                 **incident_fields(published), pupils=[family.neighbours_child])
    Sanction.objects.create(incident=incident, pupil=family.neighbours_child, kind=Sanction.Kind.WARNING,
                            recorded_by=people.dsl)
    entries = register(published)
    assert entries[family.older].until == today + datetime.timedelta(days=9)
    assert family.neighbours_child not in entries


def test_it_adds_up_the_reasons(published, family, people):
    answer(published, family.parent, family.older, Outcome.DECLINED)
    today = timezone.localdate()
    access_removed(published, family.older, today + datetime.timedelta(days=3), people.dsl)
    services.add_restriction(school=published, actor=people.dsl, pupil=family.older, reason="Shared a password",
                             ends_on=today + datetime.timedelta(days=5))
    entry = register(published)[family.older]
    assert entry.reasons == [DECLINED, REMOVED, "Shared a password"]
    assert entry.until == today + datetime.timedelta(days=5)


# ---------------------------------------------------------------- technology: restrictions added by hand

def test_it_lets_staff_add_a_restriction_and_audits_it(client, people, published, family):
    answer(published, family.parent, family.older)
    client.force_login(people.reporter)
    url = reverse("aup:add_restriction", args=[family.older.pk])
    assert client.get(url).status_code == 200
    until = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(url, {"reason": "Looked up unsuitable sites", "ends_on": until.isoformat()})
    assert response.status_code == 302
    assert response["Location"] == reverse("aup:technology_register")
    restriction = AccessRestriction.objects.get()
    assert (restriction.school, restriction.pupil, restriction.added_by) == (published, family.older, people.reporter)
    assert restriction.ends_on == until
    entry = register(published)[family.older]
    assert entry.reasons == ["Looked up unsuitable sites"]
    assert entry.until == until
    assert entry.manual == [restriction]
    event = AuditEvent.objects.get(verb="aup.restriction_added")
    assert event.actor == people.reporter
    assert event.school == published
    assert event.object_id == str(restriction.pk)
    assert event.detail == {"pupil": family.older.pk}
    body = client.get(reverse("aup:technology_register")).content.decode()
    assert "Looked up unsuitable sites" in body
    assert reverse("aup:lift_restriction", args=[restriction.pk]) in body


def test_it_keeps_a_restriction_without_an_end_date_until_lifted(client, people, published, family):
    client.force_login(people.dsl)
    response = client.post(reverse("aup:add_restriction", args=[family.younger.pk]), {"reason": "Misused iPad",
                                                                                       "ends_on": ""})
    assert response.status_code == 302
    restriction = AccessRestriction.objects.get()
    assert restriction.ends_on is None
    assert family.younger in register(published, timezone.localdate() + datetime.timedelta(days=5))
    assert "Until it is resolved" in client.get(reverse("aup:technology_register")).content.decode()


@pytest.mark.parametrize("data", [
    {"reason": "", "ends_on": ""},
    {"reason": "   ", "ends_on": ""},
    {"reason": "Misused iPad", "ends_on": "2020-01-01"},
    {"reason": "Misused iPad", "ends_on": "yesterday"},
    {"reason": "Two\nlines", "ends_on": ""},
])
def test_it_saves_nothing_from_a_restriction_form_with_a_mistake(client, people, published, family, data):
    if data["ends_on"] == "yesterday":
        data = {**data, "ends_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}
    client.force_login(people.dsl)
    response = client.post(reverse("aup:add_restriction", args=[family.older.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not AccessRestriction.objects.exists()
    assert not AuditEvent.objects.filter(verb="aup.restriction_added").exists()


def test_it_refuses_in_the_service_an_empty_reason_or_a_past_date(published, family, people):
    with pytest.raises(RuleBroken):
        services.add_restriction(school=published, actor=people.dsl, pupil=family.older, reason="  ")
    with pytest.raises(RuleBroken):
        services.add_restriction(school=published, actor=people.dsl, pupil=family.older, reason="Misused iPad",
                                 ends_on=timezone.localdate() - datetime.timedelta(days=1))
    assert not AccessRestriction.objects.exists()


def test_it_takes_the_pupil_off_when_lifted_and_audits_it(client, people, published, family):
    answer(published, family.parent, family.older)
    restriction = services.add_restriction(school=published, actor=people.dsl, pupil=family.older,
                                           reason="Misused iPad")
    assert family.older in register(published)
    client.force_login(people.other_staff)
    response = client.post(reverse("aup:lift_restriction", args=[restriction.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("aup:technology_register")
    assert family.older not in register(published)
    restriction.refresh_from_db()
    assert restriction.lifted_by == people.other_staff
    assert restriction.lifted_at is not None
    event = AuditEvent.objects.get(verb="aup.restriction_lifted")
    assert (event.actor, event.school, event.object_id) == (people.other_staff, published, str(restriction.pk))
    assert event.detail == {"pupil": family.older.pk}
    assert "Misused iPad" not in client.get(reverse("aup:technology_register")).content.decode()


def test_it_keeps_the_other_when_one_of_two_restrictions_is_lifted(published, family, people):
    answer(published, family.parent, family.older)
    first = services.add_restriction(school=published, actor=people.dsl, pupil=family.older, reason="First")
    services.add_restriction(school=published, actor=people.dsl, pupil=family.older, reason="Second")
    services.lift_restriction(restriction=first, actor=people.dsl)
    services.lift_restriction(restriction=first, actor=people.dsl)  # twice: one event
    assert register(published)[family.older].reasons == ["Second"]
    assert AuditEvent.objects.filter(verb="aup.restriction_lifted").count() == 1


def test_it_drops_an_ended_restriction(published, family, people):
    answer(published, family.parent, family.older)
    today = timezone.localdate()
    services.add_restriction(school=published, actor=people.dsl, pupil=family.older, reason="Misused iPad",
                             ends_on=today)
    assert register(published, today)[family.older].until == today
    assert family.older not in register(published, today + datetime.timedelta(days=1))


def test_it_does_not_list_a_pupil_who_left(published, family, people):
    answer(published, family.parent, family.older, Outcome.DECLINED)
    services.add_restriction(school=published, actor=people.dsl, pupil=family.older, reason="Misused iPad")
    family.older.is_on_roll = False
    family.older.save()
    assert family.older not in register(published)
    assert family.older not in list(selectors.image_register(published))


# ---------------------------------------------------------------- another school

@pytest.fixture
def riverside_pupil(published, riverside, people):
    """A Riverside pupil whose parent declined, with access removed and a restriction by hand."""
    parent = member_of(riverside, Role.PARENT, email="parent@river.example")
    pupil = PupilFactory(school=riverside, first_name="Rory", last_name="Rivers",
                         school_class=SchoolClassFactory(school=riverside, name="Willow", year_group=YearGroup.Y4))
    ParentLinkFactory(parent=parent, pupil=pupil)
    answer(riverside, parent, pupil, Outcome.DECLINED)
    access_removed(riverside, pupil, timezone.localdate() + datetime.timedelta(days=3), people.riverside_dsl)
    services.add_restriction(school=riverside, actor=people.riverside_dsl, pupil=pupil, reason="River reason")
    return pupil


def test_it_never_shows_pupils_of_another_school(client, people, published, family, riverside, riverside_pupil):
    late = timezone.localdate() + datetime.timedelta(days=2)
    assert riverside_pupil not in register(published, late + datetime.timedelta(days=60))
    assert riverside_pupil not in list(selectors.image_register(published))
    assert set(register(riverside, late)) == {riverside_pupil}
    client.force_login(people.dsl)
    for url in (reverse("aup:technology_register"), reverse("aup:image_register")):
        body = client.get(url).content.decode()
        assert "Rivers" not in body and "River reason" not in body, url
    client.logout()
    client.force_login(people.riverside_dsl)
    body = client.get(reverse("aup:technology_register")).content.decode()
    assert "Rory Rivers" in body and "River reason" in body
    assert "Lovelock" not in body


# ---------------------------------------------------------------- the image register

def image_rows(school):
    return {pupil: [getattr(pupil, name) for name in USES] for pupil in selectors.image_register(school)}


def test_it_shows_no_answer_for_every_use_without_an_answer(client, people, published, family):
    rows = image_rows(published)
    assert rows == {family.younger: [None] * 4, family.older: [None] * 4, family.neighbours_child: [None] * 4}
    client.force_login(people.reporter)
    body = client.get(reverse("aup:image_register")).content.decode()
    assert body.count("No answer") == 12


def test_it_leaves_out_yes_to_everything_and_shows_a_no(client, people, published, family):
    consent(published, family.parent, family.older)
    consent(published, family.parent, family.younger, photos_on_website=False)
    rows = image_rows(published)
    assert family.older not in rows
    assert rows[family.younger] == [True, False, True, True]
    assert rows[family.neighbours_child] == [None] * 4
    client.force_login(people.technician)
    body = client.get(reverse("aup:image_register")).content.decode()
    assert "Ben Lovelock" not in body
    assert "Ada Lovelock" in body
    assert body.count("No answer") == 4
    assert body.count(">No<") == 1


def test_it_puts_everyone_back_for_a_new_image_consent_form(published, family, people):
    consent(published, family.parent, family.older)
    consent(published, family.parent, family.younger, photos_on_website=False)
    consent(published, family.neighbour, family.neighbours_child)
    assert image_rows(published) == {family.younger: [True, False, True, True]}
    republish(published, Audience.IMAGE_CONSENT, people.osl)
    assert image_rows(published) == {family.younger: [None] * 4, family.older: [None] * 4,
                                     family.neighbours_child: [None] * 4}


def test_it_does_not_count_the_acceptable_use_answer_as_image_consent(published, family):
    answer(published, family.parent, family.older)
    assert image_rows(published)[family.older] == [None] * 4


# ---------------------------------------------------------------- a fixed number of queries

REGISTER_QUERIES = 10  # 9 and 8 today, whether 3 pupils or 30


def crowd(school, people, count):
    """``count`` pupils on both registers: declined, access removed, a restriction by hand, a no to the press."""
    parent = member_of(school, Role.PARENT, email="crowd.parent@t.example")
    classes = [SchoolClassFactory(school=school, name=f"Class {n}", year_group=year)
               for n, year in enumerate((YearGroup.Y1, YearGroup.Y4, YearGroup.Y6))]
    incident = incident_services.report_incident(school=school, reporter=people.dsl, **incident_fields(school))
    until = timezone.localdate() + datetime.timedelta(days=5)
    for n in range(count):
        school_class = classes[n % len(classes)]
        pupil = PupilFactory(school=school, school_class=school_class, year_group=school_class.year_group)
        ParentLinkFactory(parent=parent, pupil=pupil)
        answer(school, parent, pupil, Outcome.DECLINED)
        consent(school, parent, pupil, photos_in_press=False)
        Sanction.objects.create(incident=incident, pupil=pupil, kind=Sanction.Kind.ACCESS_REMOVED, until=until,
                                recorded_by=people.dsl)
        services.add_restriction(school=school, actor=people.dsl, pupil=pupil, reason=f"Reason {n}",
                                 ends_on=until if n % 2 else None)


@pytest.mark.parametrize("count", [3, 30])
def test_it_shows_the_registers_in_a_fixed_number_of_queries(
    client, people, published, count, django_assert_max_num_queries
):
    crowd(published, people, count)
    client.force_login(people.dsl)
    client.get(reverse("aup:list"))  # the session and the agreements-first check settle on a first page
    with django_assert_max_num_queries(REGISTER_QUERIES):
        response = client.get(reverse("aup:technology_register"))
    assert response.status_code == 200
    assert len(response.context["page"]) == count
    assert response.content.decode().count(REMOVED) == count
    with django_assert_max_num_queries(REGISTER_QUERIES):
        response = client.get(reverse("aup:image_register"))
    assert response.status_code == 200
    assert len(response.context["page"]) == count
