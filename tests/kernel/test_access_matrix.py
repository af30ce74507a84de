"""The access matrix: every named URL of the project (from the resolver), as every actor (every role of
Oakfield, a DSL of Riverside, the site and trust administrators, a former member, someone signed out), with
Oakfield's records and with Riverside's, by GET, by POST with a CSRF token and by POST without one, checked against
the rules in tests/access_matrix/rules.py. A URL with no rule fails here, so a new page is a decision about who may
open it (docs/architecture.md, "How to add a feature").

Every request: never a 500; an actor the rules do not allow never gets a page, a file or a redirect other than to
sign in (anonymous), home (no school), or a 403/404/405; another school's record is a 404 for anyone who could
open their own; every POST without a CSRF token is the CSRF failure page; an allowed actor gets a page, a redirect
or a form's 400; and a POST with no fields but its tokens records nothing unless its rule says why it may
(a button with no fields).

The world (tests/access_matrix/world.py) is built once for the module, in a transaction rolled back at its end;
each request runs in a savepoint rolled back after it, so every request sees the same records.
"""

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.test import override_settings

from tests.access_matrix import check
from tests.access_matrix.actors import ACTORS, EVERYONE, role_of
from tests.access_matrix.rules import GROUPS, RULES, UNNAMED_PATTERNS_SKIPPED, rules_for
from tests.access_matrix.world import build_world
from tests.people import EVERYONE as PEOPLE_OF_THE_APP_MATRICES
from tests.sso.fake_provider import FakeProvider, start


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(autouse=True)
def private_media():
    """The module's own media folder (set with the world, below) instead of one per test: the world's files live as
    long as the module."""


@pytest.fixture(scope="module")
def identity_provider():
    """The fake OpenID Connect provider (tests/sso/fake_provider.py) stands in for Google: signing in with the
    schools' configurations reaches it, never the internet."""
    fake = FakeProvider()
    server = start(fake)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media, identity_provider):
    storages = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                 "OPTIONS": {"location": media}}}
    # A signing link opens the answer just given for AUP_COPY_MINUTES: longer than the slowest run of the module.
    with (django_db_blocker.unblock(), override_settings(
            STORAGES=storages, MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            AUP_COPY_MINUTES=24 * 60, SSO_GOOGLE_ISSUER=identity_provider.google_issuer), transaction.atomic()):
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def tally(request):
    found = check.Tally()
    started = time.monotonic()
    yield found
    if found.total:
        by_method = ", ".join(f"{count} {method}" for method, count in found.requests.items())
        lines = [f"access matrix: {len(found.patterns)} URL patterns x {len(found.actors)} actors, "
                 f"{found.total} requests ({by_method}), {found.other_school} on another school's records, "
                 f"{time.monotonic() - started:.0f} s"]
        lines += [f"  an empty POST writes: {target}: {sorted(verbs)}"
                  for target, verbs in sorted(found.empty_post_writes.items())]
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print("\n" + "\n".join(lines))


@pytest.fixture(scope="module")
def all_targets(world, django_db_blocker):
    found, _ = check.endpoints()
    with django_db_blocker.unblock():
        return check.targets(world, found)


def test_it_has_a_rule_for_every_url_of_the_project():
    found, unnamed = check.endpoints()
    missing = [endpoint.name for endpoint in found if rules_for(endpoint.name, endpoint.params) is None]
    assert missing == [], "\n".join(f"add a rule for {name} in {check.RULES_FILE}" for name in missing)
    assert len(found) > 200 and unnamed < 30, (len(found), unnamed, UNNAMED_PATTERNS_SKIPPED)


def test_it_has_no_rule_for_a_url_that_no_longer_exists():
    names = {endpoint.name for endpoint in check.endpoints()[0]}
    stale = sorted(set(RULES) - names)
    assert stale == [], "\n".join(f"remove the rule for {name} from {check.RULES_FILE}: no such URL" for name in stale)
    unused = [group.prefix for group in GROUPS if not any(name.startswith(group.prefix) for name in names)]
    assert unused == [], f"groups in {check.RULES_FILE} that match no URL: {unused}"


def test_it_names_only_actors_that_exist_and_every_person_of_the_apps_matrices():
    named = set().union(*((rule.get or set()) | (rule.post or set()) for rules in RULES.values()
                          for rule in (rules if isinstance(rules, tuple) else (rules,))))
    assert named <= EVERYONE
    assert {role_of(actor) for actor in PEOPLE_OF_THE_APP_MATRICES} <= EVERYONE


# The marker makes pytest-django create the test database; its per-test savepoint sits inside the world's transaction.
@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
def test_it_answers_every_url_as_the_rules_say(world, all_targets, tally, actor):
    with check.quiet_request_logs():
        problems = check.run_actor(world, actor, all_targets, tally)
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems)


@pytest.mark.django_db  # not for the database: so pytest-django keeps it right after the matrix, with its tally
def test_it_saw_every_write_its_rules_declare(tally):
    """A rule's ``writes=`` is checked too: each must have been seen writing (in one school at least), so the table
    says what the views do."""
    if tally.actors != set(ACTORS):
        pytest.skip("runs after the whole matrix")
    declared = {(name, rule.label) for name, rules in RULES.items()
                for rule in (rules if isinstance(rules, tuple) else (rules,)) if rule.writes}
    assert declared - tally.writing_rules == set()


@pytest.mark.parametrize(("expected", "actor", "status", "location", "accepted"), [
    (check.REFUSE, "reporter", 200, "", False),  # a page for someone the rules refuse
    (check.REFUSE, "reporter", 302, "/incidents/1/", False),  # a redirect to the record: a change went through
    (check.REFUSE, "reporter", 403, "", True),
    (check.REFUSE, "anonymous", 302, "/accounts/login/?next=/incidents/1/", True),
    (check.REFUSE, "anonymous", 200, "", False),
    (check.REFUSE, "reporter", 302, "/accounts/login/?next=/incidents/1/", False),  # signed in, yet sent to sign in
    (check.REFUSE, "trust_admin", 302, "/", True),  # no current school: sent home
    (check.REFUSE, "dsl", 302, "/", False),  # with a school, home is no refusal
    (check.REFUSE_AS_MISSING, "dsl", 403, "", False),  # another school's record, seen to exist
    (check.REFUSE_AS_MISSING, "dsl", 404, "", True),
    (check.NOT_OFFERED, "dsl", 405, "", True),
    (check.NOT_OFFERED, "dsl", 200, "", False),
    (check.ALLOW, "dsl", 302, "/accounts/login/?next=/incidents/1/", False),
    (check.ALLOW, "dsl", 500, "", False),
    (check.ALLOW, "dsl", 400, "", True),  # a form sent empty
    (check.ALLOW, "dsl", 404, "", False),
])
def test_it_tells_a_refusal_from_an_answer(expected, actor, status, location, accepted):
    response = HttpResponse(status=status)
    if location:
        response["Location"] = location
    rule = RULES["incidents:triage"]
    assert (check.problem_with(expected, actor, rule, response) is None) is accepted


def test_it_names_the_rules_file_that_exists():
    assert (Path(__file__).parents[2] / check.RULES_FILE).is_file()
