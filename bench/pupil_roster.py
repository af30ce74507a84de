"""Benchmark: the pupil roster page against a large school.

    .venv/bin/python bench/pupil_roster.py [--pupils 20000] [--requests 200]

Builds a throw-away SQLite database under var/bench/ (or uses DATABASE_URL if set: give it a database you
can drop), fills one school with --pupils pupils, then times --requests page loads of /pupils/ (first page,
a name search POSTed as the form sends it, a class filter, a deep page) through Django's test client, and
reports the query count.
"""

import argparse
import time

from common import set_up_django, signed_in, time_pages  # bench/ is on the path when a script here runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    set_up_django("roster.sqlite3")
    from django.core.management import call_command

    from onlinesafety.schools.models import Pupil, School, SchoolClass
    from onlinesafety.schools.roles import Role
    from tests.factories import member_of

    call_command("migrate", verbosity=0)
    school = School.objects.create(name="Bench School", slug="bench", urn="999999")
    classes = SchoolClass.objects.bulk_create(
        [SchoolClass(school=school, name=f"Class {n}", year_group=n % 7) for n in range(28)]
    )
    started = time.perf_counter()
    Pupil.objects.bulk_create(
        [
            Pupil(school=school, first_name=f"First{n}", last_name=f"Surname{n % 997}", date_of_birth="2017-01-01",
                  year_group=n % 7, school_class=classes[n % 28])
            for n in range(args.pupils)
        ],
        batch_size=2000,
    )
    print(f"created {args.pupils} pupils in {time.perf_counter() - started:.1f} s")

    client = signed_in(member_of(school, Role.STAFF))
    urls = ["/pupils/", f"/pupils/?class={classes[3].pk}", "/pupils/?page=200"]
    pages = [(url, url, {}) for url in urls]
    pages.insert(1, ("/pupils/ POST q=surname12", "/pupils/", {}, {"q": "surname12"}))  # a name goes in the body
    time_pages(client, pages, args.requests)

if __name__ == "__main__":
    main()
