"""Wonde (https://docs.wonde.com), the MIS data provider most UK schools approve apps through.

What this relies on, from Wonde's documentation and its official clients (wondeltd/php-client): every list is
``{"data": [...], "meta": {"pagination": {"next": <url or null>, "more": <bool>, ...}}}``, pages are followed by
their ``next`` address until it is empty; ``include=a,b.c`` embeds related objects, each as ``{"data": ...}``;
dates are objects ``{"date": "2014-03-14 00:00:00.000000", "timezone_type": 3, "timezone": "Europe/London"}``;
authentication is the installation's token as a bearer header. Students carry ``id``, ``mis_id``, ``upi``,
``forename``/``surname`` (the preferred names) and ``legal_forename``/``legal_surname``, ``date_of_birth``; the
includes used are ``education_details`` (``upn``, ``admission_date``, ``leaving_date``), ``year``, ``registration``
and ``extended_details`` (``sen_status``); contacts come with their students (``contacts``, with
``relationship`` (``relationship``, ``parental_responsibility``, ``priority``) and ``contact_details``
(``emails``)); employees with ``contact_details`` and ``employment_details``. Fields this does not find are left
empty, never guessed.

The standard library's HTTP client, with a timeout; the token goes only to the configured API's host.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

from ..models import Kind
from ..parsing import RawRow
from . import ProviderError

logger = logging.getLogger(__name__)

TIMEOUT = 20  # seconds for each page
PER_PAGE = 200
MAX_PAGES = 500
MAX_PAGE_BYTES = 20 * 1024 * 1024
STUDENT_INCLUDES = "education_details,year,registration,extended_details"
CONTACT_INCLUDES = "contacts,contacts.contact_details"
EMPLOYEE_INCLUDES = "contact_details,employment_details"


def _data(value: Any) -> Any:
    """An include's object ({"data": ...}), or the value itself."""
    return value.get("data") if isinstance(value, dict) and "data" in value else value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict) and "date" in value:  # a Wonde date object
        return str(value.get("date") or "")[:10]
    return str(value)


def _email(details: Any, *order: str) -> str:
    data = _data(details)
    emails = _data(data.get("emails")) if isinstance(data, dict) else None
    if not isinstance(emails, dict):
        return ""
    return next((_text(emails[kind]) for kind in order if emails.get(kind)), "")


class WondeAdapter:
    name = "Wonde"

    def __init__(self, *, base_url: str, token: str, school_id: str, timeout: float = TIMEOUT,
                 per_page: int = PER_PAGE) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.host = urllib.parse.urlsplit(self.base_url).netloc
        self.token, self.school_id, self.timeout, self.per_page = token, school_id, timeout, per_page

    def _get(self, url: str) -> dict[str, Any]:
        if urllib.parse.urlsplit(url).netloc != self.host:
            raise ProviderError("Wonde's answer pointed to another address; the import stopped there.")
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.token}",
                                                       "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (https, or the test's)
                body = response.read(MAX_PAGE_BYTES + 1)
        except urllib.error.HTTPError as error:
            logger.warning("Wonde answered %s for school %s", error.code, self.school_id)
            if error.code in (401, 403):
                raise ProviderError(f"Wonde refused the request ({error.code}): the school may not have approved "
                                    "access yet, or the installation's token is wrong.") from None
            raise ProviderError(f"Wonde answered with an error ({error.code}); try again later.") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            logger.warning("Wonde could not be reached for school %s (%s)", self.school_id, type(error).__name__)
            raise ProviderError("Wonde could not be reached; try again later.") from None
        if len(body) > MAX_PAGE_BYTES:
            raise ProviderError("Wonde's answer was too large to read.")
        try:
            page = json.loads(body)
        except ValueError:
            raise ProviderError("Wonde's answer was not the JSON it documents.") from None
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise ProviderError("Wonde's answer was not the list it documents.")
        return page

    def _all(self, resource: str, include: str) -> Iterator[dict[str, Any]]:
        query = urllib.parse.urlencode({"include": include, "per_page": self.per_page})
        url: str | None = f"{self.base_url}schools/{urllib.parse.quote(self.school_id)}/{resource}?{query}"
        pages = 0
        while url:
            pages += 1
            if pages > MAX_PAGES:
                raise ProviderError("Wonde's answer went on for more pages than a school has.")
            page = self._get(url)
            yield from (item for item in page["data"] if isinstance(item, dict))
            pagination = (page.get("meta") or {}).get("pagination") or {}
            url = pagination.get("next") or None

    def records(self, kind: str) -> Iterator[RawRow]:
        if kind == Kind.PUPILS:
            yield from self._pupils()
        elif kind == Kind.CONTACTS:
            yield from self._contacts()
        else:
            yield from self._staff()

    def _pupils(self) -> Iterator[RawRow]:
        for position, student in enumerate(self._all("students", STUDENT_INCLUDES), start=1):
            values = {
                "mis_id": _text(student.get("mis_id")) or _text(student.get("id")),
                "first_name": _text(student.get("legal_forename")) or _text(student.get("forename")),
                "last_name": _text(student.get("legal_surname")) or _text(student.get("surname")),
                "preferred_first_name": _text(student.get("forename")),
                "preferred_last_name": _text(student.get("surname")),
                "date_of_birth": _text(student.get("date_of_birth")),
            }
            year = _data(student.get("year")) or {}
            values["year_group"] = _text(year.get("code")) or _text(year.get("name"))
            # What an include did not bring is left out, so the import leaves it as it is.
            if isinstance(education := _data(student.get("education_details")), dict):
                values.update(upn=_text(education.get("upn")), admission_date=_text(education.get("admission_date")),
                              leaving_date=_text(education.get("leaving_date")))
            if isinstance(registration := _data(student.get("registration")), dict):
                values["school_class"] = _text(registration.get("name"))
            if isinstance(extended := _data(student.get("extended_details")), dict) and "sen_status" in extended:
                values["has_send"] = _text(extended.get("sen_status"))
            yield RawRow(position, values)

    def _contacts(self) -> Iterator[RawRow]:
        position = 0
        for student in self._all("students", CONTACT_INCLUDES):
            for contact in _data(student.get("contacts")) or []:
                if not isinstance(contact, dict):
                    continue
                position += 1
                relationship = contact.get("relationship") or {}
                name = " ".join(part for part in (_text(contact.get("forename")), _text(contact.get("surname")))
                                if part)
                yield RawRow(position, {
                    "mis_id": _text(contact.get("mis_id")) or _text(contact.get("id")), "full_name": name,
                    "email": _email(contact.get("contact_details"), "email", "primary", "home", "work"),
                    "relationship": _text(relationship.get("relationship")),
                    "parental_responsibility": _text(relationship.get("parental_responsibility")),
                    "priority": _text(relationship.get("priority")),
                    "pupil_mis_id": _text(student.get("mis_id")) or _text(student.get("id")),
                })

    def _staff(self) -> Iterator[RawRow]:
        for position, employee in enumerate(self._all("employees", EMPLOYEE_INCLUDES), start=1):
            employment = _data(employee.get("employment_details")) or {}
            first = _text(employee.get("forename")) or _text(employee.get("legal_forename"))
            last = _text(employee.get("surname")) or _text(employee.get("legal_surname"))
            yield RawRow(position, {
                "mis_id": _text(employee.get("mis_id")) or _text(employee.get("id")),
                "full_name": " ".join(part for part in (first, last) if part),
                "email": _email(employee.get("contact_details"), "work", "email", "primary"),
                "job_title": _text(employment.get("job_title")) if isinstance(employment, dict) else "",
            })
