import datetime

import pytest
from django.urls import reverse

from onlinesafety.schools.roles import Role
from tests.factories import PupilFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db


def test_it_lists_pupils_in_a_fixed_number_of_queries(client, oakfield, teacher, django_assert_max_num_queries):
    client.force_login(teacher)
    PupilFactory.create_batch(3, school=oakfield)
    with django_assert_max_num_queries(12) as small:
        assert client.get(reverse("schools:pupil_list")).status_code == 200
    PupilFactory.create_batch(60, school=oakfield)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("schools:pupil_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50


def test_it_searches_by_any_part_of_the_name(client, oakfield, teacher):
    PupilFactory(school=oakfield, first_name="Zainab", last_name="Okoro")
    PupilFactory(school=oakfield, first_name="Ben", last_name="Carter")
    client.force_login(teacher)
    body = client.post(reverse("schools:pupil_list"), {"q": "zain oko"}).content.decode()
    assert "Okoro, Zainab" in body
    assert "Carter, Ben" not in body


def test_it_keeps_the_name_searched_for_out_of_the_address(client, oakfield, teacher):
    """The form is a POST with its CSRF token; a name in a GET address is not searched for."""
    PupilFactory(school=oakfield, first_name="Zainab", last_name="Okoro")
    PupilFactory(school=oakfield, first_name="Ben", last_name="Carter")
    client.force_login(teacher)
    page = client.get(reverse("schools:pupil_list"), {"q": "okoro"}).content.decode()
    assert "Carter" in page and 'method="post"' in page and "csrfmiddlewaretoken" in page
    assert 'value="okoro"' not in page


def test_it_searches_with_the_csrf_token_of_the_form(oakfield, teacher):
    from django.test import Client

    PupilFactory(school=oakfield, first_name="Zainab", last_name="Okoro")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(teacher)
    url = reverse("schools:pupil_list")
    assert browser.post(url, {"q": "okoro"}).status_code == 403
    token = browser.get(url).context["csrf_token"]
    assert "Okoro, Zainab" in browser.post(url, {"q": "okoro", "csrfmiddlewaretoken": token}).content.decode()


def test_it_pages_a_search_by_sending_the_form_again(client, oakfield, teacher, django_assert_max_num_queries):
    PupilFactory.create_batch(55, school=oakfield, last_name="Manyfold")
    PupilFactory(school=oakfield, last_name="Otherwise")
    client.force_login(teacher)
    url = reverse("schools:pupil_list")
    with django_assert_max_num_queries(12):
        first = client.post(url, {"q": "manyfold"})
    body = first.content.decode()
    assert body.count("Manyfold, ") == 50 and "Page 1 of 2" in body
    assert '<button type="submit" form="pupil-search-form" name="page" value="2"' in body
    assert "?q=" not in body and "href=\"?" not in body
    second = client.post(url, {"q": "manyfold", "page": "2"}).content.decode()
    assert second.count("Manyfold, ") == 5 and "Otherwise" not in second


def test_it_filters_by_class(client, oakfield, teacher):
    hazel = SchoolClassFactory(school=oakfield, name="Hazel")
    PupilFactory(school=oakfield, school_class=hazel, last_name="Inhazel")
    PupilFactory(school=oakfield, last_name="Elsewhere")
    client.force_login(teacher)
    body = client.get(reverse("schools:pupil_list"), {"class": hazel.pk}).content.decode()
    assert "Inhazel" in body and "Elsewhere" not in body


def test_it_answers_a_page_out_of_range_with_the_last_page(client, oakfield, teacher):
    client.force_login(teacher)
    assert client.get(reverse("schools:pupil_list"), {"page": "999"}).status_code == 200


def test_it_shows_carers_to_leadership_only(client, oakfield, make_member):
    from tests.factories import ParentLinkFactory, UserFactory

    pupil = PupilFactory(school=oakfield)
    ParentLinkFactory(pupil=pupil, parent=UserFactory(full_name="Carer Person"))
    client.force_login(make_member(oakfield, Role.DSL))
    assert b"Carer Person" in client.get(reverse("schools:pupil_detail", args=[pupil.pk])).content
    client.force_login(make_member(oakfield, Role.STAFF))
    assert b"Carer Person" not in client.get(reverse("schools:pupil_detail", args=[pupil.pk])).content


@pytest.mark.parametrize("value", ["²", "9" * 35, "1" * 5000, "-1", "1.0", "'; drop", "abc"])
def test_it_lists_nobody_for_a_class_that_is_not_an_id(client, oakfield, teacher, value):
    """A wrong class is an error next to the class list, and no names: never every pupil in the school."""
    PupilFactory(school=oakfield, last_name="Anyone")
    client.force_login(teacher)
    for response in (client.get(reverse("schools:pupil_list"), {"class": value}),
                     client.post(reverse("schools:pupil_list"), {"class": value, "q": ""})):
        page = response.content.decode()
        assert response.status_code == 400 and "Anyone" not in page
        assert 'href="#pupil-class"' in page and 'aria-describedby="pupil-class-error"' in page
        assert "js/form-errors.js" in page


def test_it_lists_nobody_for_another_schools_class(client, oakfield, riverside, teacher):
    PupilFactory(school=oakfield, last_name="Anyone")
    elsewhere = SchoolClassFactory(school=riverside)
    client.force_login(teacher)
    response = client.get(reverse("schools:pupil_list"), {"class": elsewhere.pk})
    assert response.status_code == 400 and "Anyone" not in response.content.decode()


def test_it_lets_only_the_safeguarding_leads_find_pupils_who_have_left(client, oakfield, people):
    left = PupilFactory(school=oakfield, first_name="Lorcan", last_name="Leftwood", is_on_roll=False,
                        left_on=datetime.date(2026, 7, 22))
    url = reverse("schools:pupil_list")
    client.force_login(people.dsl)
    assert "Leftwood" not in client.get(url).content.decode()
    page = client.get(url, {"left": "1"}).content.decode()
    assert "Leftwood" in page and "Left 22 Jul 2026" in page
    client.force_login(people.reporter)  # other staff: the box is not there, and asking for it changes nothing
    page = client.get(url, {"left": "1"}).content.decode()
    assert "Leftwood" not in page and "Include pupils who have left" not in page
    assert client.get(reverse("schools:pupil_detail", args=[left.pk])).status_code == 404
