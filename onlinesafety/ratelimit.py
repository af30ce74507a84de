"""Rate limits on the pages anyone can open without signing in: the parents' signing links, the invitation links
and the schools' public policy pages. (Sign-in, password reset and second-factor codes have their own limits, in
the authentication library.)

Three limits, each read from settings (README.md, "Configuration"; 0 switches one off):

- **Links that do not work**, per network: each page reached by a secret link calls ``link_failed`` when the link is
  unknown, expired or already used (and the monitoring webhook for a wrong secret, answering its lockout in JSON
  through ``lockout_seconds_left``). ``RATE_LIMIT_LINK_FAILURES`` of them in ``RATE_LIMIT_LOCKOUT_MINUTES`` lock the
  network out of every link page, a working link included, for ``RATE_LIMIT_LOCKOUT_MINUTES``: one audit event
  (``ratelimit.locked_out``) per lockout, naming no link.
- **Requests to signed-out pages**, per network: ``RATE_LIMIT_PUBLIC_PER_MINUTE``, on every view decorated with
  ``public_page`` or ``token_page``, so the public pages cannot be scraped or hammered.
- **Reports sent without signing in** (``report_refusal``, ``report_limited``): a parent's report
  ``RATE_LIMIT_PARENT_REPORTS_PER_EMAIL_PER_HOUR`` per email address they give and
  ``RATE_LIMIT_PARENT_REPORTS_PER_NETWORK_PER_HOUR`` per network (higher: a parents' evening on the school's wifi is
  one network); a pupil's ``RATE_LIMIT_PUPIL_REPORTS_PER_HOUR`` per school link.
- **Heavy actions through one link** (an answer posted, a PDF made, a password tried):
  ``RATE_LIMIT_LINK_ACTIONS_PER_HOUR`` per link, counted by the link's id.

Each refusal is the 429 page (``templates/429.html``, in the site's layout, with ``Retry-After``); the first
refusal of a window is audited, once. A "network" is an IPv4 address, or an IPv6 address's /64 (one home or phone
is given a whole /64 and may use any address in it), as ``clientaddress.client_ip`` reads it; the cache keys hold
its SHA-256, not the address.

**Counting.** A fixed-window counter in Django's default cache (``cache.incr``, or ``cache.add`` for a window's
first), the window numbered in the key (``ratelimit:<limit>:count:<subject>:<window>``), so it ends on time. The
cache is the database's, whose ``incr`` is made atomic, keeping the expiry, in ``onlinesafety/cache.py``; Redis
and memcached count the same way. A lockout and a window's audit event are each claimed with ``cache.add`` of a key
of their own (a unique insert), so each happens once. Not django-ratelimit: it refuses the database cache (its
check E003, "does not support atomic increment", by the backend's name), lets cache errors through as server
errors, has no lockout and keeps its key format to itself, so an unlock could not find a network's counters.

**When the cache fails**, the page is served without the limit (fail open) and a warning naming the limit, not the
address, is logged: the cache is the database, so a page that could not count could not have worked either.
"""

import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onlinesafety.accounts.models import Person
from onlinesafety.audit.services import record_event
from onlinesafety.clientaddress import client_ip
from onlinesafety.headers import PRIVATE
from onlinesafety.schools.models import School

logger = logging.getLogger(__name__)

IPV6_NETWORK_BITS = 64
# The events a network's limit writes, each with the network's address: what the admin's unlock reads.
LIMIT_VERBS = frozenset({"ratelimit.locked_out", "ratelimit.public_limited", "ratelimit.reports_limited"})
Reason = Literal["failures", "public", "link", "reports"]
View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Limit:
    name: str  # in the cache keys and the audit events
    most: int  # allowed in one window; 0: no limit
    seconds: int  # the window


def link_failures() -> Limit:
    return Limit("link-failures", settings.RATE_LIMIT_LINK_FAILURES, settings.RATE_LIMIT_LOCKOUT_MINUTES * 60)


def public_requests() -> Limit:
    return Limit("public", settings.RATE_LIMIT_PUBLIC_PER_MINUTE, 60)


def link_actions() -> Limit:
    return Limit("link-actions", settings.RATE_LIMIT_LINK_ACTIONS_PER_HOUR, 60 * 60)


def reports_by_network() -> Limit:
    return Limit("reports", settings.RATE_LIMIT_PARENT_REPORTS_PER_NETWORK_PER_HOUR, 60 * 60)


def reports_by_email() -> Limit:
    return Limit("email-reports", settings.RATE_LIMIT_PARENT_REPORTS_PER_EMAIL_PER_HOUR, 60 * 60)


def reports_by_link() -> Limit:
    return Limit("link-reports", settings.RATE_LIMIT_PUPIL_REPORTS_PER_HOUR, 60 * 60)


def _now() -> float:
    return time.time()  # the tests move this clock


def _cache() -> BaseCache:
    return caches["default"]


# ---------------------------------------------------------------- who is counted

def network_of(address: str) -> str:
    """The address an IPv4 client is counted by (also when a dual-stack socket gives it as ``::ffff:a.b.c.d``);
    for IPv6, its /64."""
    parsed = ipaddress.ip_address(address)
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_NETWORK_BITS}", strict=False))
    return str(parsed)


def subject_of_address(address: str) -> str:
    return "net-" + hashlib.sha256(network_of(address).encode()).hexdigest()[:32]


def _subject_of(request: HttpRequest) -> str | None:
    address = client_ip(request)
    return subject_of_address(address) if address else None


# ---------------------------------------------------------------- the counter

@dataclass(frozen=True)
class Count:
    count: int
    window: int  # the window's number: seconds since the epoch // the window's length
    seconds_left: int


def _window(limit: Limit) -> tuple[int, int]:
    now = _now()
    window = int(now // limit.seconds)
    return window, max(1, math.ceil((window + 1) * limit.seconds - now))


def _key(limit: Limit, subject: str, window: int, what: str = "count") -> str:
    return f"ratelimit:{limit.name}:{what}:{subject}:{window}"


def _count(limit: Limit, subject: str) -> Count:
    """One more for ``subject`` in the current window of ``limit``: the window's first adds the key, every later
    one increments it (atomically: ``onlinesafety.cache``)."""
    cache = _cache()
    window, left = _window(limit)
    key = _key(limit, subject, window)
    try:
        return Count(cache.incr(key), window, left)
    except ValueError:  # the window's first
        if cache.add(key, 1, timeout=left):
            return Count(1, window, left)
    return Count(cache.incr(key), window, left)  # another request added it in between


def _first_in_window(limit: Limit, subject: str, window: int, what: str, seconds: int) -> bool:
    """True once per window for ``what`` (the request that claims the key), False for every later one."""
    return _cache().add(_key(limit, subject, window, what), _now() + seconds, timeout=seconds)


def _failing_open(what: str, error: Exception) -> None:
    logger.warning("Rate limit %s not applied: the cache is unavailable (%s)", what, type(error).__name__)


@dataclass(frozen=True)
class Over:
    seconds_left: int
    first: bool  # the window's first refusal: the one audited


def _over(limit: Limit, subject: str) -> Over | None:
    """One more for ``subject``: None while within ``limit`` (or when the cache fails), else how it is over."""
    try:
        counted = _count(limit, subject)
        if counted.count <= limit.most:
            return None
        return Over(counted.seconds_left,
                    _first_in_window(limit, subject, counted.window, "noted", counted.seconds_left))
    except Exception as error:
        _failing_open(limit.name, error)
        return None


# ---------------------------------------------------------------- the 429 page

def refusal_page(request: HttpRequest, reason: Reason, seconds: int, *, children: bool = False) -> HttpResponse:
    """The page instead of the one asked for, saying when to try again; ``children``: for a page pupils open (in a
    child's words, in the layout without any account)."""
    response = render(request, "429.html", {"reason": reason, "minutes": max(1, math.ceil(seconds / 60)),
                                            "children": children}, status=429)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = PRIVATE
    return response


# ---------------------------------------------------------------- requests to signed-out pages

def _public_refusal(request: HttpRequest, children: bool = False) -> HttpResponse | None:
    limit = public_requests()
    subject = _subject_of(request)
    over = _over(limit, subject) if limit.most and subject else None
    if over is None:
        return None
    if over.first:
        record_event(verb="ratelimit.public_limited", request=request,
                     detail={"limit": limit.name, "most": limit.most, "seconds": limit.seconds})
    return refusal_page(request, "public", over.seconds_left, children=children)


def public_page(view: View) -> View:
    """A page anyone can open: refused (429) to a network over ``RATE_LIMIT_PUBLIC_PER_MINUTE``."""

    @wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _public_refusal(request) or view(request, *args, **kwargs)

    return limited


# ---------------------------------------------------------------- links that do not work, and the lockout

def _lockout_keys(limit: Limit, subject: str) -> list[str]:
    """A lockout lasts one window from the one it began in, so it is under this window's key or the last one's."""
    window, _ = _window(limit)
    return [_key(limit, subject, window, "lockout"), _key(limit, subject, window - 1, "lockout")]


def lockout_seconds_left(request: HttpRequest) -> int:
    """How long the request's network stays locked out by ``link_failed`` (0: it is not locked out, or the cache
    failed). For an endpoint that answers in its own format (the monitoring webhook's JSON)."""
    limit = link_failures()
    subject = _subject_of(request)
    if not limit.most or subject is None:
        return 0
    try:
        until = max(_cache().get_many(_lockout_keys(limit, subject)).values(), default=0.0)
    except Exception as error:
        _failing_open(limit.name, error)
        return 0
    return max(0, math.ceil(until - _now()))


def _lockout_refusal(request: HttpRequest, children: bool = False) -> HttpResponse | None:
    left = lockout_seconds_left(request)
    return refusal_page(request, "failures", left, children=children) if left > 0 else None


def token_page(view: View) -> View:
    """A page opened with a secret link: refused (429) to a network locked out by ``link_failed``, and to one over
    ``RATE_LIMIT_PUBLIC_PER_MINUTE``."""

    return _token_page(view, children=False)


def pupils_token_page(view: View) -> View:
    """``token_page`` for a page pupils open (the school's pupil link): its 429 page speaks to a child."""
    return _token_page(view, children=True)


def _token_page(view: View, *, children: bool) -> View:
    @wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return (_lockout_refusal(request, children) or _public_refusal(request, children)
                or view(request, *args, **kwargs))

    return limited


def link_failed(request: HttpRequest) -> None:
    """A link page found no link it may open (unknown, expired or used). At ``RATE_LIMIT_LINK_FAILURES`` in a
    window the network is locked out of every link page for ``RATE_LIMIT_LOCKOUT_MINUTES``, audited once."""
    limit = link_failures()
    subject = _subject_of(request)
    if not limit.most or subject is None:
        return
    try:
        counted = _count(limit, subject)
        locked = counted.count >= limit.most and _first_in_window(limit, subject, counted.window, "lockout",
                                                                  limit.seconds)
    except Exception as error:
        _failing_open(limit.name, error)
        return
    if locked:
        record_event(verb="ratelimit.locked_out", request=request,
                     detail={"limit": limit.name, "failures": counted.count, "minutes": limit.seconds // 60})


# ---------------------------------------------------------------- heavy actions through one link

def link_action_refusal(request: HttpRequest, *, link: models.Model, school: School | None) -> HttpResponse | None:
    """One more heavy action through ``link`` (a signing link or an invitation, counted by its id): None while
    under ``RATE_LIMIT_LINK_ACTIONS_PER_HOUR``, else the 429 page, the first of the hour audited."""
    limit = link_actions()
    over = _over(limit, f"{link._meta.label_lower}-{link.pk}") if limit.most else None
    if over is None:
        return None
    if over.first:
        record_event(verb="ratelimit.link_limited", school=school, target=link, request=request,
                     detail={"limit": limit.name, "most": limit.most, "seconds": limit.seconds})
    return refusal_page(request, "link", over.seconds_left)


# ---------------------------------------------------------------- reports sent without signing in

def _email_subject(email: str) -> str:
    return "email-" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def report_limited(request: HttpRequest, *, school: School, link: models.Model | None = None,
                   email: str = "") -> int | None:
    """One more report sent through a signed-out form, counted before it is saved: a pupil's by ``link`` (the
    school's pupil link, ``RATE_LIMIT_PUPIL_REPORTS_PER_HOUR``: a classroom shares one network); a parent's by the
    ``email`` address they give (``RATE_LIMIT_PARENT_REPORTS_PER_EMAIL_PER_HOUR``) and by the network
    (``RATE_LIMIT_PARENT_REPORTS_PER_NETWORK_PER_HOUR``). None while under the limits, else the seconds until the
    report may be sent; the first refusal of the hour is audited (naming neither the address nor the network's
    counts' key)."""
    checks: list[tuple[Limit, str | None]]
    if link is not None:
        checks = [(reports_by_link(), f"{link._meta.label_lower}-{link.pk}")]
    else:
        checks = [(reports_by_email(), _email_subject(email) if email.strip() else None),
                  (reports_by_network(), _subject_of(request))]
    for limit, subject in checks:
        over = _over(limit, subject) if limit.most and subject else None
        if over is None:
            continue
        if over.first:
            record_event(verb="ratelimit.reports_limited", school=school, target=link, request=request,
                         detail={"limit": limit.name, "most": limit.most, "seconds": limit.seconds})
        return over.seconds_left
    return None


def report_refusal(request: HttpRequest, *, school: School, link: models.Model | None = None,
                   email: str = "") -> HttpResponse | None:
    """``report_limited`` as the 429 page (None while under the limits)."""
    seconds = report_limited(request, school=school, link=link, email=email)
    return None if seconds is None else refusal_page(request, "reports", seconds, children=link is not None)


# ---------------------------------------------------------------- unlocking

def clear_network(address: str, *, actor: Person | None = None, request: HttpRequest | None = None,
                  how: str) -> None:
    """Lifts the lockout and resets the counts of ``address``'s network (the site administrator's unlock, from
    the audit trail's admin or ``manage.py clear_rate_limits``), audited with the address it was for."""
    subject = subject_of_address(address)
    keys = []
    for limit in (link_failures(), public_requests(), reports_by_network()):
        window, _ = _window(limit)
        for number in (window, window - 1):
            keys += [_key(limit, subject, number, what) for what in ("count", "lockout", "noted")]
    with transaction.atomic():  # the cache is in the database: the unlock and its event land together
        _cache().delete_many(keys)
        record_event(verb="ratelimit.cleared", actor=actor, request=request,
                     detail={"network": network_of(address), "how": how})
