"""Running the access matrix: the project's URLs read from the resolver, the addresses to request, what each
actor should be answered, and the requests themselves (each in a savepoint rolled back, so every request sees the
same world)."""

import copy
import logging
import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY as AUTHENTICATION_METHODS
from django.conf import settings
from django.db import DatabaseError, transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from aup.middleware import SESSION_FLAG
from onlinesafety.audit.models import AuditEvent
from tests.sent_twice import with_form_token

from .actors import ANONYMOUS, WITHOUT_A_SCHOOL, home_school, role_of
from .rules import ADMIN_LOGIN, LOGIN, Rule, rules_for
from .world import World

RULES_FILE = "tests/access_matrix/rules.py"
CSRF_SECRET = "accessmatrixcsrfsecret0123456789"  # a CSRF cookie's secret: 32 letters and digits
GET, POST, POST_WITHOUT_CSRF = "GET", "POST", "POST without CSRF"
METHODS = (GET, POST, POST_WITHOUT_CSRF)
ALLOW, REFUSE, REFUSE_AS_MISSING, NOT_OFFERED = "allowed", "refused", "refused as missing (404)", "not offered"


# ---------------------------------------------------------------- the URLs, from the resolver

@dataclass(frozen=True)
class Endpoint:
    name: str  # with its namespaces, as ``reverse`` takes it
    params: tuple[str, ...]  # the address's parameters


def _params(pattern: URLPattern | URLResolver) -> tuple[str, ...]:
    if isinstance(pattern.pattern, RoutePattern):
        return tuple(pattern.pattern.converters)
    return tuple(pattern.pattern.regex.groupindex)


def _walk(resolver: URLResolver, namespace: str, params: tuple[str, ...]) -> Iterator[Endpoint | None]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, inner, params + _params(pattern))
        elif pattern.name is None:
            yield None  # see rules.UNNAMED_PATTERNS_SKIPPED
        else:
            yield Endpoint(f"{namespace}{pattern.name}", params + _params(pattern))


def endpoints() -> tuple[list[Endpoint], int]:
    """Every named URL pattern of the project (the first of two with one name: the one ``reverse`` finds last is
    the same view), and how many unnamed ones were skipped."""
    found: dict[str, Endpoint] = {}
    unnamed = 0
    for endpoint in _walk(get_resolver(), "", ()):
        if endpoint is None:
            unnamed += 1
        else:
            found.setdefault(endpoint.name, endpoint)
    return list(found.values()), unnamed


# ---------------------------------------------------------------- the addresses to request

@dataclass(frozen=True)
class Target:
    name: str
    rule: Rule
    school: str | None  # whose records the address names: "oak", "river", or None (no school's)
    path: str

    def __str__(self) -> str:
        label = f" [{self.rule.label}]" if self.rule.label else ""
        whose = {"oak": " (own school's)", "river": " (other school's)", None: ""}[self.school]
        return f"{self.name}{label}{whose} {self.path}"


def targets(world: World, found: list[Endpoint]) -> list[Target]:
    made = []
    for endpoint in found:
        for rule in rules_for(endpoint.name, endpoint.params) or ():
            if rule.args is not None:
                for which in ("oak", "river"):
                    path = reverse(endpoint.name, kwargs=rule.args(world.school(which)))
                    made.append(Target(endpoint.name, rule, which, path))
            elif rule.site_args is not None:
                made.append(Target(endpoint.name, rule, None, reverse(endpoint.name, kwargs=rule.site_args(world))))
            else:
                made.append(Target(endpoint.name, rule, None, reverse(endpoint.name)))
    return made


# ---------------------------------------------------------------- what an actor should be answered

def expectation(target: Target, actor: str, method: str) -> str:
    who = target.rule.get if method == GET else target.rule.post
    if who is None:
        return NOT_OFFERED
    allowed = role_of(actor) in who
    home = home_school(actor)
    # Pages without a record act in the actor's own school; a site-wide actor has the same answer in any school.
    if target.school is None or target.rule.any_school or home is None or home == target.school:
        return ALLOW if allowed else REFUSE
    # Another school's record: exactly as for one that does not exist, for anyone who could open their own.
    return REFUSE_AS_MISSING if allowed else REFUSE


def refusal_of(response) -> str | None:
    """What kind of refusal the answer is ("403", "login", "home" ...), or None if it is none."""
    status = response.status_code
    if status in (403, 404, 405):
        return str(status)
    if 300 <= status < 400:
        path = urlsplit(response["Location"]).path
        if path == resolve_url(settings.LOGIN_URL):
            return LOGIN
        if path == reverse("admin:login"):
            return ADMIN_LOGIN
        if path == reverse("admin:index"):
            return "admin_index"  # the admin's sign-out and index send a stranger there, and it on to sign in
        if path == reverse("home"):
            return "home"
    return None


def _accepted_refusals(kinds: frozenset[str]) -> frozenset[str]:
    return kinds | {"admin_index"} if ADMIN_LOGIN in kinds else kinds


def problem_with(expected: str, actor: str, rule: Rule, response) -> str | None:
    status = response.status_code
    refusal = refusal_of(response)
    where = f" -> {response['Location']}" if 300 <= status < 400 else ""
    if status >= 500:
        return f"server error {status}"
    if expected == ALLOW:
        if status in rule.answers and (rule.to_sign_in or refusal not in (LOGIN, ADMIN_LOGIN)):
            return None
        return f"allowed by the rules, but answered {status}{where}"
    if expected == REFUSE_AS_MISSING:
        if status in rule.missing | {405}:
            return None
        return f"another school's record, but answered {status}{where} (not as a missing one: {sorted(rule.missing)})"
    if actor == ANONYMOUS:
        accepted = _accepted_refusals(rule.anonymous) | {"405"}
    else:
        accepted = _accepted_refusals(rule.refusals) | ({"home"} if actor in WITHOUT_A_SCHOOL else set())
    if expected == NOT_OFFERED:
        accepted |= {"405"}
    if refusal in accepted:
        return None
    return f"{expected} by the rules, but answered {status}{where}"


# ---------------------------------------------------------------- the requests

@dataclass
class Tally:
    requests: Counter[str] = field(default_factory=Counter)  # by method
    other_school: int = 0
    patterns: set[str] = field(default_factory=set)
    actors: set[str] = field(default_factory=set)
    empty_post_writes: dict[str, set[str]] = field(default_factory=dict)  # target -> verbs, for allowed POSTs
    writing_rules: set[tuple[str, str]] = field(default_factory=set)  # (name, label) of the rules seen writing

    @property
    def total(self) -> int:
        return sum(self.requests.values())


def signed_in_client(world: World, actor: str) -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if actor != ANONYMOUS:
        client.force_login(world.people[actor])  # with a second factor (tests/conftest.py)
        session = client.session
        session.pop(SESSION_FLAG, None)  # as after the first page: "agreements first" has had its turn
        # ... and just reauthenticated, as allauth asks before the second-factor pages: the pages themselves answer.
        session[AUTHENTICATION_METHODS] = [*session.get(AUTHENTICATION_METHODS, []),
                                           {"method": "password", "at": time.time(), "reauthenticated": True}]
        session.save()
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return client


def _audit_verbs_after(last: int) -> list[str]:
    try:
        with transaction.atomic():
            return list(AuditEvent.objects.filter(pk__gt=last).order_by("pk").values_list("verb", flat=True))
    except DatabaseError as error:  # the request left the transaction broken: that is a 500 already
        return [f"<unreadable: {error.__class__.__name__}>"]


@contextmanager
def quiet_request_logs() -> Iterator[None]:
    """Thousands of 403s and 404s: Django's warning for each is expected; errors (a 500) still show. (Not by the
    loggers' levels: loading Celery's admin pages configures logging again.)"""
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def _send(client: Client, method: str, path: str):
    """A POST has no fields but the tokens a page's form carries: the one-time form token (``{% form_token %}``),
    and the CSRF token (in its header) unless it is the POST without one."""
    if method == GET:
        return client.get(path)
    if method == POST:
        return client.post(path, with_form_token(None), HTTP_X_CSRFTOKEN=CSRF_SECRET)
    return client.post(path, with_form_token(None))


def request_as(client: Client, method: str, path: str):
    """The response, and the verbs of the audit events the request wrote, all of it rolled back."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = _send(client, method, path)
        verbs = _audit_verbs_after(last)
        transaction.set_rollback(True)
    client.cookies = cookies  # a sign-out or a rotated token must not carry over to the next request
    return response, verbs


def _dump(actor: str, method: str, target: Target, response, verbs: list[str]) -> None:
    """With ACCESS_MATRIX_DUMP=<file>, one line per request (to read the whole matrix, not only its failures)."""
    if path := os.environ.get("ACCESS_MATRIX_DUMP"):
        where = response.get("Location", "")
        expected = "" if method == POST_WITHOUT_CSRF else expectation(target, actor, method)
        with open(path, "a", encoding="utf-8") as dump:
            dump.write("\t".join([actor, method, str(target), expected, str(response.status_code), where,
                                   ",".join(verbs)]) + "\n")


def run_actor(world: World, actor: str, all_targets: list[Target], tally: Tally) -> list[str]:
    """Every address by GET, POST with a CSRF token and POST without one, as ``actor``; the problems found."""
    client = signed_in_client(world, actor)
    problems = []
    tally.actors.add(actor)
    for target in all_targets:
        tally.patterns.add(target.name)
        read_verbs: set[str] = set()
        for method in METHODS:
            response, verbs = request_as(client, method, target.path)
            tally.requests[method] += 1
            _dump(actor, method, target, response, verbs)
            tally.other_school += target.school == "river"
            for problem in _problems(target, actor, method, response, verbs, read_verbs, tally):
                problems.append(f"{actor} {method} {target}: {problem}")
            if method == GET:
                read_verbs = set(verbs)
    return problems


def _problems(target: Target, actor: str, method: str, response, verbs: list[str], read_verbs: set[str],
              tally: Tally) -> Iterator[str]:
    if method == POST_WITHOUT_CSRF and target.rule.csrf_exempt:
        method = POST  # takes no CSRF token (a provider's webhook): answered as any POST, and may not write either
    if method == POST_WITHOUT_CSRF:
        csrf_page = "403_csrf.html" in [template.name for template in response.templates]
        if response.status_code != 403 or not csrf_page:
            yield f"a POST without a CSRF token answered {response.status_code}, not the CSRF failure page"
        if verbs:
            yield f"a POST without a CSRF token wrote {verbs}"
        return
    expected = expectation(target, actor, method)
    if (problem := problem_with(expected, actor, target.rule, response)) is not None:
        yield problem
    if expected != ALLOW and verbs:
        yield f"{expected}, but wrote {verbs}"
    if expected == ALLOW and method == POST and set(verbs) - read_verbs:
        tally.empty_post_writes.setdefault(str(target), set()).update(verbs)
        tally.writing_rules.add((target.name, target.rule.label))
        if not target.rule.writes:
            yield (f"an empty POST wrote {verbs}: if the page is a button with no fields, say so with writes= in "
                   f"its rule in {RULES_FILE}; if not, the form accepts nothing as a valid change (a finding)")
