"""The set-up checklist: the kernel registry, each item, its links, and the head's and Online Safety Lead's home."""

import datetime

import pytest
from django.urls import reverse

from filtering import services as filtering_services
from onlinesafety import setup
from onlinesafety.schools.models import Membership
from onlinesafety.schools.roles import Role
from onlinesafety.setup import ChecklistItem, checklist_for, checklists_for
from policies.models import Policy, PolicyKind, Stage
from policies.services import set_up_starter_register
from tests.factories import SchoolFactory, TermFactory, member_of

pytestmark = pytest.mark.django_db

D = datetime.date
CODES = ["terms", "people", "dsl", "link_governor", "chair", "filtering_provider", "policies"]


def items(school, today):
    return {item.code: item for item in checklist_for(school, today).items}


def a_full_year(school):
    TermFactory(school=school, name="Autumn 2026", starts_on=D(2026, 9, 3), ends_on=D(2026, 12, 18))
    TermFactory(school=school, name="Spring 2027", starts_on=D(2027, 1, 5), ends_on=D(2027, 3, 26))
    TermFactory(school=school, name="Summer 2027", starts_on=D(2027, 4, 12), ends_on=D(2027, 7, 21))


def set_up_everything(school, people):
    """Everything the checklist asks for, for a school with the ``people`` fixture's members."""
    a_full_year(school)
    Membership.objects.filter(user=people.governor, school=school).update(is_safeguarding_governor=True)
    filtering_services.record_providers(school=school, actor=people.dsl, filtering_provider="NetSweeper",
                                        monitoring_provider="Smoothwall Monitor")
    Policy.objects.create(school=school, title="Online Safety Policy", kind=PolicyKind.ONLINE_SAFETY,
                          owner_role=Role.ONLINE_SAFETY_LEAD, approving_body="headteacher")


def test_it_speaks_of_the_management_committee_at_a_pupil_referral_unit(on_today):
    from onlinesafety.schools.models import Phase

    unit = SchoolFactory(phase=Phase.ALTERNATIVE)
    found = items(unit, on_today)
    assert (found["chair"].label, found["chair"].missing) == ("A chair of the management committee",
                                                              "No chair of the management committee named")
    assert found["link_governor"].label == "A safeguarding link member of the management committee"


def test_it_lists_every_item_in_a_fixed_order(oakfield, on_today):
    checklist = checklist_for(oakfield, on_today)
    codes = [item.code for item in checklist.items]
    assert [code for code in codes if code in CODES] == CODES
    assert checklist.done_count == 0 and checklist.total == len(codes) >= 7 and not checklist.complete
    assert checklist.next_item.code == "terms"


def test_it_says_what_is_missing_for_a_new_school(oakfield, people, on_today):
    found = items(oakfield, on_today)
    assert found["terms"].missing == "No terms entered for 2026 to 2027"
    assert found["people"].done  # the people fixture fills the school
    assert found["dsl"].done
    assert found["link_governor"].missing == "No link governor named"
    assert found["chair"].done
    assert found["filtering_provider"].missing == "Not recorded yet"
    assert found["policies"].missing == "No policies on the register yet"


def test_it_ticks_each_item_off(oakfield, people, on_today):
    set_up_everything(oakfield, people)
    checklist = checklist_for(oakfield, on_today)
    assert checklist.complete and checklist.done_count == 7 and checklist.next_item is None


def test_it_wants_the_whole_academic_year(oakfield, on_today):
    TermFactory(school=oakfield, name="Autumn 2026", starts_on=D(2026, 9, 3), ends_on=D(2026, 12, 18))
    TermFactory(school=oakfield, name="Summer 2026", starts_on=D(2026, 4, 13), ends_on=D(2026, 7, 22))  # last year
    assert items(oakfield, on_today)["terms"].missing == "Terms entered only until 18 December 2026"
    TermFactory(school=oakfield, name="Summer 2027", starts_on=D(2027, 4, 12), ends_on=D(2027, 7, 21))
    assert items(oakfield, on_today)["terms"].done
    # In August the year about to start is the one to enter.
    assert not items(oakfield, D(2027, 8, 20))["terms"].done


def test_it_counts_people_beyond_the_head_and_names_what_the_dsl_item_lacks(oakfield, on_today):
    member_of(oakfield, Role.HEADTEACHER)
    member_of(oakfield, Role.PARENT)
    found = items(oakfield, on_today)
    assert not found["people"].done and found["people"].missing == "Only the headteacher so far"
    assert found["dsl"].missing == "No DSL and no deputy DSL"
    member_of(oakfield, Role.DSL)
    assert items(oakfield, on_today)["dsl"].missing == "No deputy DSL"
    former = member_of(oakfield, Role.DEPUTY_DSL)
    Membership.objects.filter(user=former).update(is_active=False)  # a deputy who left does not count
    assert not items(oakfield, on_today)["dsl"].done


def test_it_counts_policies_not_yet_uploaded(oakfield, people, on_today):
    set_up_starter_register(school=oakfield)
    assert items(oakfield, on_today)["policies"].missing == "8 of 8 policies not yet uploaded"
    Policy.objects.filter(school=oakfield).exclude(starter_code="online_safety").update(stage=Stage.CURRENT)
    item = items(oakfield, on_today)["policies"]
    assert item.missing == "1 of 8 policies not yet uploaded"
    assert item.url == reverse("policies:register") + "?status=not_uploaded"


def test_it_answers_for_many_schools_in_a_fixed_number_of_queries(django_assert_num_queries,
                                                                   django_assert_max_num_queries, on_today):
    few = [SchoolFactory() for _ in range(3)]
    many = few + [SchoolFactory() for _ in range(27)]
    for school in many[::3]:
        member_of(school, Role.DSL)
        a_full_year(school)
    with django_assert_max_num_queries(2 * (1 + len(setup.CHECKLIST_PROVIDERS))) as counted:
        result = checklists_for(few, on_today)
    assert set(result) == {school.pk for school in few}
    with django_assert_num_queries(len(counted.captured_queries)):  # terms, people, filtering, policies
        result = checklists_for(many, on_today)
    assert sum(1 for checklist in result.values() if checklist.items[0].done) == 10
    assert checklists_for([], on_today) == {}


def test_domain_apps_register_their_items_and_the_kernel_imports_none(oakfield, on_today, monkeypatch):
    from filtering.selectors import setup_checklist as filtering_items
    from policies.selectors import setup_checklist as policy_items

    assert filtering_items in setup.CHECKLIST_PROVIDERS and policy_items in setup.CHECKLIST_PROVIDERS
    extra = ChecklistItem("extra", 5, "Something else", False, "Missing")
    monkeypatch.setattr(setup, "CHECKLIST_PROVIDERS", [*setup.CHECKLIST_PROVIDERS,
                                                        lambda schools: {s.pk: [extra] for s in schools}])
    assert checklist_for(oakfield, on_today).items[0] == extra  # ordered by position
    source = open(setup.__file__).read()
    assert "import policies" not in source and "from policies" not in source and "from filtering" not in source


def test_it_links_each_item_for_whoever_may_fix_it(oakfield, riverside, people, trust, trust_admin, on_today):
    found = items(oakfield, on_today)
    terms, providers, policies = found["terms"], found["filtering_provider"], found["policies"]
    assert terms.link_for(people.head, oakfield, oakfield) == reverse("setup:terms", args=[oakfield.slug])
    assert terms.link_for(trust_admin, oakfield, None) == reverse("setup:terms", args=[oakfield.slug])
    assert terms.link_for(people.osl, oakfield, oakfield) == ""
    assert providers.link_for(people.osl, oakfield, oakfield) == reverse("filtering:settings")
    assert providers.link_for(people.governor, oakfield, oakfield) == ""
    # A domain page acts on the current school: no link from anywhere else, even for someone who could.
    assert providers.link_for(trust_admin, oakfield, None) == ""
    assert policies.link_for(people.head, oakfield, riverside) == ""
    assert policies.link_for(people.dsl, oakfield, oakfield).startswith(reverse("policies:register"))


# ---------------------------------------------------------------- the home pages

@pytest.mark.parametrize("person", ["head", "osl"])
def test_it_shows_the_checklist_on_the_head_and_osl_home_until_it_is_done(client, oakfield, people, on_today,
                                                                         person):
    client.force_login(getattr(people, person))
    page = client.get(reverse("home")).content.decode()
    assert 'id="setup-checklist"' in page and "Setting up Oakfield Test Primary" in page
    assert "No terms entered for 2026 to 2027" in page
    assert ("Open the set-up page" in page) == (person == "head")
    assert (reverse("setup:terms", args=[oakfield.slug]) in page) == (person == "head")
    assert reverse("filtering:settings") in page  # both may record the providers
    set_up_everything(oakfield, people)
    assert 'id="setup-checklist"' not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("person", ["dsl", "deputy", "reporter", "technician", "governor", "chair", "parent",
                                    "visitor"])
def test_it_shows_no_checklist_to_anyone_else(client, oakfield, people, on_today, person):
    client.force_login(getattr(people, person))
    assert 'id="setup-checklist"' not in client.get(reverse("home")).content.decode()


def test_the_home_page_costs_a_fixed_number_of_queries_more(client, oakfield, people, on_today,
                                                           django_assert_max_num_queries):
    client.force_login(people.head)
    with django_assert_max_num_queries(40) as counted:
        client.get(reverse("home"))
    for _ in range(20):
        member_of(oakfield, Role.STAFF)
    with django_assert_max_num_queries(len(counted.captured_queries)):
        client.get(reverse("home"))
