"""Every form of the agreements app sent twice with one token writes once: one signature (a parent's through the
link, signed in, or a member's own), one campaign and one round of emails, one restriction."""

import pytest
from django.urls import reverse

from aup import services
from aup.models import Agreement, Audience
from tests.sent_twice import assert_sent_once, forms_sent_twice

from .helpers import answer_form

pytestmark = pytest.mark.django_db


def _agreement(s, audience=Audience.STAFF):
    return Agreement.objects.get(school=s.school, audience=audience)


def _publish(s):
    agreement = _agreement(s)
    services.save_draft(agreement=agreement, actor=s.people.osl, title=agreement.title, text="New rules for AI.")
    return s.people.osl, reverse("aup:publish", args=[agreement.pk]), {"change_summary": "AI tools"}


def _holder(s):
    holder = services.add_account_holder(school=s.school, actor=s.people.osl, user=s.people.reporter,
                                         accounts="Instagram")
    return s.people.osl, reverse("aup:remove_account_holder", args=[holder.pk]), {}


def _restriction_lifted(s):
    restriction = services.add_restriction(school=s.school, actor=s.people.reporter, pupil=s.family.older,
                                           reason="Misused iPad")
    return s.people.reporter, reverse("aup:lift_restriction", args=[restriction.pk]), {}


def _sign_child(s):
    return None, reverse("aup:sign_child", args=[s.token(), s.family.younger.pk]), answer_form()


CASES = {
    "edit a draft": ("aup:edit", lambda s: (s.people.osl, reverse("aup:edit", args=[_agreement(s).pk]),
                                            {"title": "Staff agreement", "text": "Be kind online."})),
    "publish": ("aup:publish", _publish),
    "sign my agreement": ("aup:sign_mine", lambda s: (s.people.reporter, reverse(
        "aup:sign_mine", args=[_agreement(s).current_version_id]), {"has_read": "on", "typed_name": "Rita Reporter"})),
    "sign at the kiosk": ("aup:kiosk", lambda s: (s.people.reporter, reverse("aup:kiosk"), {
        "full_name": "Alex Guitar", "organisation": "Music service", "visit_reason": "Lessons", "has_read": "on"})),
    "add an account holder": ("aup:account_holders", lambda s: (s.people.osl, reverse("aup:account_holders"), {
        "user": s.people.reporter.pk, "accounts": "Instagram"})),
    "remove an account holder": ("aup:remove_account_holder", _holder),
    "start a campaign": ("aup:campaign_new", lambda s: (s.people.osl, reverse("aup:campaign_new"), {
        "kind": "agreement", "cohort": "school", "link_days": 30})),
    "resend to a class": ("aup:resend", lambda s: (s.people.dsl, reverse("aup:resend"), {
        "kind": "agreement", "class": s.family.year5.pk})),
    "add a restriction": ("aup:add_restriction", lambda s: (s.people.reporter, reverse(
        "aup:add_restriction", args=[s.family.older.pk]), {"reason": "Misused iPad"})),
    "lift a restriction": ("aup:lift_restriction", _restriction_lifted),
    "answer signed in": ("aup:family_answer", lambda s: (s.people.parent, reverse(
        "aup:family_answer", args=[s.family.younger.pk, "agreement"]), answer_form())),
    "answer through the link": ("aup:sign_child", _sign_child),
}


class Setting:
    def __init__(self, school, people, family, request):
        self.school, self.people, self.family, self._request = school, people, family, request

    def token(self):
        return self._request.getfixturevalue("token")


@pytest.mark.parametrize(**forms_sent_twice(CASES))
def test_it_writes_once_when_a_form_is_sent_twice(client, published, people, family, case, request,
                                                  django_capture_on_commit_callbacks):
    user, url, data = case(Setting(published, people, family, request))
    if user is not None:
        client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert_sent_once(client, url, data)


def test_it_never_stores_a_signing_links_token_and_still_shows_the_first_answer(client, family, token):
    """The second send of a parent's answer goes to the receipt the first went to, on the same link, although only
    "[token]" is kept."""
    from onlinesafety.submissions.models import UsedToken

    url = reverse("aup:sign_child", args=[token, family.younger.pk])
    first = assert_sent_once(client, url, answer_form())
    assert token in first["Location"]
    assert UsedToken.objects.get().result == first["Location"].replace(token, "[token]")
    assert not UsedToken.objects.filter(result__contains=token).exists()
