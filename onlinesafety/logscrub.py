"""Keeping secrets and names out of the logs: every line that carries a request's address goes through here.

Two things are taken out of a logged address. The query string, because a search or a filter can carry a name.
And the secret segments of a link (a parent's signing link, an invitation, a password reset): each URL parameter
named in ``SECRET_URL_KWARGS`` is replaced by its name in brackets, so ``Gone: /aup/sign/<the token>/`` is logged
as ``Gone: /aup/sign/[token]/``. Which addresses carry a secret is read from the URL resolver itself, so a new
route with a ``<str:token>`` is masked the day it is added (tests/kernel/test_logs.py fails on any URL parameter
that is neither an id, a slug, a secret listed here nor a public value listed there).

``ScrubAddresses`` is the logging filter that does it (to the message and any traceback): in ``LOGGING`` on
Django's request, server and CSRF loggers and on the console handlers, and on gunicorn's access and error logs
(``onlinesafety.gunicorn_conf``). ``WithoutTemplateContext``, on Django's template logger, drops the traceback of a
failed variable lookup, which prints the whole template context.
"""

import functools
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

# URL parameters whose value opens something without signing in, or names the account a link is for.
SECRET_URL_KWARGS = frozenset({"token", "uidb64", "uidb36", "key"})

# One segment of a logged address: it ends at a slash, the query, the fragment, a space or a quote.
_SEGMENT = r"[^/?#\s\"'<>]+"
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# A query string after an address ("/pupils/?q=..." or "https://host/x?y"): dropped, the address kept.
_QUERY = re.compile(r"(/[^\s?#\"'<>]*)\?[^\s#\"'<>]*")


@dataclass(frozen=True)
class SecretRoute:
    """A route whose address carries a secret: ``mask`` finds it anywhere in a line, up to its last secret."""

    route: str
    mask: re.Pattern[str]


def walk(patterns: Sequence[URLPattern | URLResolver], prefix: tuple[object, ...] = ()
         ) -> Iterator[tuple[object, ...]]:
    """Every endpoint of a URLconf, as the chain of patterns (``RoutePattern`` or ``RegexPattern``) that leads to it."""
    for entry in patterns:
        chain = (*prefix, entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, chain)
        else:
            yield chain


def parameters_of(chain: tuple[object, ...]) -> dict[str, str]:
    """Each URL parameter of an endpoint and its converter's name (``"regex"`` for a ``re_path`` group)."""
    found: dict[str, str] = {}
    for pattern in chain:
        if isinstance(pattern, RoutePattern):
            found.update({name: type(converter).__name__ for name, converter in pattern.converters.items()})
        elif isinstance(pattern, RegexPattern):
            found.update(dict.fromkeys(pattern.regex.groupindex, "regex"))
    return found


def _mask_for(route: str) -> re.Pattern[str]:
    """The route up to its last secret parameter, with each secret a named group and any other parameter one
    segment, found from a slash anywhere in a line."""
    pieces = ["/"]
    end = 0
    last_secret_end = 0
    for parameter in _PARAMETER.finditer(route):
        pieces.append(re.escape(route[end:parameter.start()]))
        name = parameter["name"]
        pieces.append(f"(?P<{name}>{_SEGMENT})" if name in SECRET_URL_KWARGS else _SEGMENT)
        end = parameter.end()
        if name in SECRET_URL_KWARGS:
            last_secret_end = len(pieces)
    return re.compile("".join(pieces[:last_secret_end]))


def secret_routes_of(resolver: URLResolver) -> list[SecretRoute]:
    """The routes of a URLconf with a secret parameter. Only ``path()`` routes may carry one: a regular expression
    route cannot be turned back into an address to mask."""
    found: dict[str, SecretRoute] = {}
    for chain in walk(resolver.url_patterns):
        if not SECRET_URL_KWARGS & parameters_of(chain).keys():
            continue
        if not all(isinstance(pattern, RoutePattern) for pattern in chain):
            raise ValueError(f"A URL with a secret parameter must be a path() route: {chain}")
        route = "".join(str(pattern) for pattern in chain)
        mask = _mask_for(route)
        found.setdefault(mask.pattern, SecretRoute(route=route, mask=mask))  # a child page masks the same prefix
    return list(found.values())


@functools.lru_cache(maxsize=4)
def _secret_routes(resolver: URLResolver) -> list[SecretRoute]:
    return secret_routes_of(resolver)


def _hide_secrets(match: re.Match[str]) -> str:
    text, offset = match.group(0), match.start()
    for name in sorted(match.re.groupindex, key=match.start, reverse=True):
        start, end = match.span(name)
        text = text[:start - offset] + f"[{name}]" + text[end - offset:]
    return text


def scrub(text: str) -> str:
    """A log line without query strings and without the secret segments of any link it mentions."""
    text = _QUERY.sub(r"\1", text)
    if not apps.ready:  # gunicorn's master before Django starts: no route exists yet, nothing carries a token
        return text
    try:
        routes = _secret_routes(get_resolver())
    except Exception:  # a line logged while the URLconf itself is being imported: no request has been served yet
        return text
    for route in routes:
        text = route.mask.sub(_hide_secrets, text)
    return text


_TRACEBACKS = logging.Formatter()


class ScrubAddresses(logging.Filter):
    """Rewrites a record's message with ``scrub`` (formatted first, so the arguments cannot bring a secret back),
    and its traceback (formatted here, so a handler prints the scrubbed one). On a logger, every handler (and
    pytest's caplog) sees the clean record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot be formatted is logging's own error to report
            return True
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class WithoutTemplateContext(logging.Filter):
    """Django's template engine logs each failed variable lookup at DEBUG with a traceback whose message prints the
    whole template context: the request, and the pupils and people on the page. The line is kept (the variable and
    the template), the traceback dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        return True
