"""The coverage lists and "resend" take only the classes, agreements and kinds the pages offer: a class typed
wrong is an error that sends nothing and lists nobody, never "every family" (it once emailed all 118 outstanding
families of a school instead of one class)."""

import pytest
from django.urls import reverse

from aup.models import Campaign
from onlinesafety.mail.models import OutboundEmail
from tests.factories import SchoolClassFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("changes", [{"class": "abc"}, {"class": "-1"}, {"class": "99999999"},
                                     {"audience": "staff"}, {"audience": "everyone"}, {"kind": "nonsense"}],
                         ids=["a word", "a negative id", "no such class", "a personal agreement",
                              "no such agreement", "no such kind"])
def test_it_sends_nothing_for_a_resend_with_a_wrong_filter(client, published, family, people, changes):
    client.force_login(people.dsl)
    emails = OutboundEmail.objects.count()
    response = client.post(reverse("aup:resend"), {"kind": "agreement", **changes}, follow=True)
    assert "Nothing was sent:" in response.content.decode()
    assert not Campaign.objects.exists() and OutboundEmail.objects.count() == emails


def test_it_sends_nothing_for_another_schools_class(client, published, riverside, family, people):
    client.force_login(people.dsl)
    theirs = SchoolClassFactory(school=riverside)
    response = client.post(reverse("aup:resend"), {"kind": "agreement", "class": theirs.pk}, follow=True)
    assert "not a class of this school" in response.content.decode() and not Campaign.objects.exists()


def test_it_resends_to_the_one_class_asked_for(client, published, family, people):
    client.force_login(people.dsl)
    assert client.post(reverse("aup:resend"), {"kind": "agreement", "class": family.year1.pk}).status_code == 302
    invitations = Campaign.objects.get().invitations.all()
    assert {pupil for invitation in invitations for pupil in invitation.pupils.all()} == {family.younger}


@pytest.mark.parametrize("query", [{"class": "abc"}, {"audience": "nope"}, {"kind": "x"}, {"missing": "phone"},
                                   {"missing": "email", "class": "abc"}])
def test_it_lists_nobody_for_a_wrong_filter(client, published, family, people, query):
    client.force_login(people.dsl)
    response = client.get(reverse("aup:outstanding"), query)
    page = response.content.decode()
    assert response.status_code == 400 and 'id="error-summary"' in page
    assert "Lovelock" not in page and "Nextdoor" not in page and "Resend to these families" not in page
