"""Wonde (https://docs.wonde.com), the MIS data provider most UK schools approve apps through.

What this relies on, from Wonde's documentation and its official clients (wondeltd/php-client): every list is
``{"data": [...], "meta": {"pagination": {"next": <url or null>, "more": <bool>, ...}}}``, pages are followed by
their ``next`` address until it is empty; ``include=a,b.c`` embeds related objects, each as ``{"data": ...}``;
dates are objects ``{"date": "2014-03-14 00:00:00.000000", "timezone_type": 3, "timezone": "Europe/London"}``;
authentication is the installation's token as a bearer header. One school is ``GET schools/{id}``, answered as
``{"data": {"id", "name", "urn", "la_code", "establishment_number", ...}}`` (the URN and the LA code with the
establishment number, which make the DfE number). Students carry ``id``, ``mis_id``, ``upi``,
``forename``/``surname`` (the preferred names) and ``legal_forename``/``legal_surname``, ``date_of_birth``; the
includes used are ``education_details`` (``upn``, ``admission_date``, ``leaving_date``), ``year``, ``registration``
and ``extended_details`` (``sen_status``); contacts come with their students (``contacts``, with
``relationship`` (``relationship``, ``parental_responsibility``, ``priority``) and ``contact_details``
(``emails``)); employees with ``contact_details`` and ``employment_details``. Fields this does not find are left
empty, never guessed; a value of another type than the documented one stops the import (``ProviderError``).

Safety: before any record is read, the school Wonde answers for must be this school (its URN, or else its LA code and
establishment number against the school's DfE number). Every address fetched must be on the configured API's own
scheme and host (https; plain http only to this machine, for the tests), and a redirect is never followed, so the
token goes nowhere else. Each page must come within ``timeout`` seconds (the whole answer, not each read: a server
that trickles is cut off), and one fetch, every page together, within ``budget`` seconds.
"""

import http.client
import ipaddress
import json
import logging
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

from ..models import Kind
from ..parsing import RawRow
from . import ProviderError

logger = logging.getLogger(__name__)

TIMEOUT = 20  # seconds for each page, the whole answer
BUDGET = 60  # seconds for one fetch, every page together
PER_PAGE = 200
MAX_PAGES = 500
MAX_PAGE_BYTES = 20 * 1024 * 1024
CHUNK = 64 * 1024
STUDENT_INCLUDES = "education_details,year,registration,extended_details"
CONTACT_INCLUDES = "contacts,contacts.contact_details"
EMPLOYEE_INCLUDES = "contact_details,employment_details"
SHAPE = "Wonde's answer was not the shape it documents"


def _object(value: Any, what: str) -> dict[str, Any]:
    """An object of the answer ({} when it is missing); anything else than an object stops the import."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProviderError(f"{SHAPE} ({what} is not an object).")
    return value


def _included(value: Any, what: str) -> dict[str, Any] | None:
    """An included object ({"data": {...}}, or the object itself), None when it was not included."""
    if value is None:
        return None
    found = _object(value, what)
    if "data" in found:
        return None if found["data"] is None else _object(found["data"], what)
    return found


def _list(value: Any, what: str) -> list[dict[str, Any]]:
    """A list of objects ([] when it is missing); a list holding anything else stops the import."""
    if value is None:
        return []
    if isinstance(value, dict) and "data" in value:
        value = value["data"]
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ProviderError(f"{SHAPE} ({what} is not a list of records).")
    return value


def _text(value: Any, what: str = "a value") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, dict) and "date" in value:  # a Wonde date object
        date = value.get("date")
        if date is not None and not isinstance(date, str):
            raise ProviderError(f"{SHAPE} ({what} is not a date).")
        return (date or "")[:10]
    raise ProviderError(f"{SHAPE} ({what} is not a single value).")


def _email(details: Any, *order: str) -> str:
    """The first address of these kinds in a contact_details include ("" if none)."""
    emails = _included((_included(details, "contact details") or {}).get("emails"), "emails") or {}
    return next((_text(emails[kind], "an email address") for kind in order if emails.get(kind)), "")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Watchdog:
    """Cuts a connection off at its deadline, whatever it is waiting for (connecting, headers, a trickle of body)."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.connection, self.fired = connection, False
        # Kept apart from the connection: http.client hands the socket to the response (and sets the connection's to
        # None) when the answer has no length, and a cut must still reach it.
        self.sock: socket.socket | None = None
        self.timer = threading.Timer(max(seconds, 0.0), self._cut)
        self.timer.daemon = True

    def __enter__(self) -> "_Watchdog":
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        self.connection.close()
        if self.sock is not None:
            self.sock.close()

    def _cut(self) -> None:
        self.fired = True
        sock = self.sock or self.connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked read at once
            except OSError:
                pass


class WondeAdapter:
    name = "Wonde"

    def __init__(self, *, base_url: str, token: str, school_id: str, urn: str = "", dfe_number: str = "",
                 timeout: float = TIMEOUT, budget: float = BUDGET, per_page: int = PER_PAGE) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        parts = urllib.parse.urlsplit(self.base_url)
        self.scheme, self.netloc, self.port = parts.scheme, parts.netloc, parts.port
        self.hostname = parts.hostname or ""
        self.token, self.school_id, self.timeout, self.per_page = token, school_id, timeout, per_page
        self.urn, self.dfe_number, self.budget = urn, dfe_number, budget
        self.deadline = 0.0

    # ------------------------------------------------------------ one page

    def _check_address(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        if (parts.scheme, parts.netloc) != (self.scheme, self.netloc):
            raise ProviderError("Wonde's answer pointed to another address; the import stopped there.")
        if self.scheme != "https" and not (self.scheme == "http" and _is_loopback(self.hostname)):
            raise ProviderError("The Wonde API address is not an https:// address, so nothing was sent to it.")

    def _get(self, url: str) -> dict[str, Any]:
        """One answer of Wonde's, as the JSON object it documents. Raises ``ProviderError``."""
        self._check_address(url)
        left = min(self.timeout, self.deadline - time.monotonic())
        if left <= 0:
            raise ProviderError(f"Wonde took too long to answer (more than {self.budget:g} seconds in all); try "
                                "again later.")
        parts = urllib.parse.urlsplit(url)
        connection: http.client.HTTPConnection
        if self.scheme == "https":
            connection = http.client.HTTPSConnection(self.hostname, self.port, timeout=left,
                                                     context=ssl.create_default_context())
        else:
            connection = http.client.HTTPConnection(self.hostname, self.port, timeout=left)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        with _Watchdog(connection, left) as watchdog:
            try:
                connection.connect()
                watchdog.sock = connection.sock
                if watchdog.fired:  # the deadline came while connecting, before there was a socket to cut
                    raise TimeoutError
                # http.client never follows a redirect: a 3xx is an answer like any other, refused below.
                connection.request("GET", path, headers={"Authorization": f"Bearer {self.token}",
                                                         "Accept": "application/json"})
                response = connection.getresponse()
                status = response.status
                body = b""
                if status == 200:
                    while len(body) <= MAX_PAGE_BYTES and (chunk := response.read(CHUNK)):
                        body += chunk
                        if watchdog.fired:
                            break
            except (OSError, http.client.HTTPException) as error:
                if watchdog.fired or isinstance(error, TimeoutError):  # the socket's own timeout may come first
                    watchdog.fired, status = True, 0
                else:
                    logger.warning("Wonde could not be reached for school %s (%s)", self.school_id,
                                   type(error).__name__)
                    raise ProviderError("Wonde could not be reached; try again later.") from None
        if watchdog.fired:
            logger.warning("Wonde took longer than %ss to answer for school %s", f"{left:.1f}", self.school_id)
            if left < self.timeout:  # the fetch's budget ran out, not the page's own time
                raise ProviderError(f"Wonde took too long to answer (more than {self.budget:g} seconds in all); "
                                    "try again later.")
            raise ProviderError(f"Wonde took too long to answer (more than {self.timeout:g} seconds for one page); "
                                "try again later.")
        if 300 <= status < 400:
            logger.warning("Wonde answered %s (a redirect) for school %s; not followed", status, self.school_id)
            raise ProviderError(f"Wonde answered with a redirect ({status}) to another address. It was not "
                                "followed, so the token went nowhere else; the import stopped there.")
        if status != 200:
            logger.warning("Wonde answered %s for school %s", status, self.school_id)
            if status in (401, 403):
                raise ProviderError(f"Wonde refused the request ({status}): the school may not have approved "
                                    "access yet, or the installation's token is wrong.")
            if status == 404:
                raise ProviderError("Wonde knows no school with this id (404): check the Wonde school id.")
            raise ProviderError(f"Wonde answered with an error ({status}); try again later.")
        if len(body) > MAX_PAGE_BYTES:
            raise ProviderError("Wonde's answer was too large to read.")
        try:
            page = json.loads(body)
        except ValueError:
            raise ProviderError("Wonde's answer was not the JSON it documents.") from None
        if not isinstance(page, dict):
            raise ProviderError(f"{SHAPE}.")
        return page

    def _start(self) -> None:
        self.deadline = time.monotonic() + self.budget

    def _all(self, resource: str, include: str) -> Iterator[dict[str, Any]]:
        query = urllib.parse.urlencode({"include": include, "per_page": self.per_page})
        url: str | None = f"{self.base_url}schools/{urllib.parse.quote(self.school_id)}/{resource}?{query}"
        pages = 0
        while url:
            pages += 1
            if pages > MAX_PAGES:
                raise ProviderError("Wonde's answer went on for more pages than a school has.")
            page = self._get(url)
            if not isinstance(page.get("data"), list):
                raise ProviderError("Wonde's answer was not the list it documents.")
            yield from _list(page["data"], "the list")
            pagination = _object(_object(page.get("meta"), "meta").get("pagination"), "pagination")
            following = pagination.get("next")
            if following is not None and not isinstance(following, str):
                raise ProviderError(f"{SHAPE} (the next page is not an address).")
            url = following or None

    # ------------------------------------------------------------ the school

    def check_school(self) -> None:
        """Wonde's record of this school id must be this school: its URN, or (when Wonde gives none) its LA code and
        establishment number against the school's DfE number. Raises ``ProviderError`` saying why not."""
        self._start()
        self._check_school()

    def _check_school(self) -> None:
        page = self._get(f"{self.base_url}schools/{urllib.parse.quote(self.school_id)}")
        school = _object(page.get("data"), "the school")
        if not school:
            raise ProviderError(f"{SHAPE} (no school in it).")
        urn = _text(school.get("urn"), "the URN").strip()
        laestab = _text(school.get("la_code"), "the LA code").strip() + _text(
            school.get("establishment_number"), "the establishment number").strip()
        if urn:
            if urn != self.urn:
                raise ProviderError(f"The Wonde school {self.school_id} is not this school: Wonde gives its URN as "
                                    f"{urn[:12]}, and this school's URN is {self.urn}. Check the Wonde school id.")
            return
        if len(laestab) == 7 and self.dfe_number:
            if laestab != self.dfe_number:
                raise ProviderError(f"The Wonde school {self.school_id} is not this school: Wonde gives its DfE number "
                                    f"as {laestab}, and this school's is {self.dfe_number}. Check the Wonde school id.")
            return
        raise ProviderError(f"Wonde gives no URN for the school {self.school_id}, so we cannot check it is this "
                            "school. Record the school's DfE number on the roster settings page: it is checked against "
                            "Wonde's LA code and establishment number.")

    # ------------------------------------------------------------ the records

    def records(self, kind: str) -> Iterator[RawRow]:
        """Every record of ``kind``, after checking Wonde's school is this school; one budget for the whole fetch."""
        self._start()
        self._check_school()
        if kind == Kind.PUPILS:
            yield from self._pupils()
        elif kind == Kind.CONTACTS:
            yield from self._contacts()
        else:
            yield from self._staff()

    def _pupils(self) -> Iterator[RawRow]:
        for position, student in enumerate(self._all("students", STUDENT_INCLUDES), start=1):
            values = {
                "mis_id": _text(student.get("mis_id"), "an MIS id") or _text(student.get("id"), "an id"),
                "first_name": _text(student.get("legal_forename"), "a name") or _text(student.get("forename"),
                                                                                      "a name"),
                "last_name": _text(student.get("legal_surname"), "a name") or _text(student.get("surname"),
                                                                                    "a name"),
                "preferred_first_name": _text(student.get("forename"), "a name"),
                "preferred_last_name": _text(student.get("surname"), "a name"),
                "date_of_birth": _text(student.get("date_of_birth"), "a date of birth"),
            }
            year = _included(student.get("year"), "a year") or {}
            values["year_group"] = _text(year.get("code"), "a year") or _text(year.get("name"), "a year")
            # What an include did not bring is left out, so the import leaves it as it is.
            if (education := _included(student.get("education_details"), "education details")) is not None:
                values.update(upn=_text(education.get("upn"), "a UPN"),
                              admission_date=_text(education.get("admission_date"), "an admission date"),
                              leaving_date=_text(education.get("leaving_date"), "a leaving date"))
            if (registration := _included(student.get("registration"), "a registration group")) is not None:
                values["school_class"] = _text(registration.get("name"), "a registration group")
            extended = _included(student.get("extended_details"), "extended details")
            if extended is not None and "sen_status" in extended:
                values["has_send"] = _text(extended.get("sen_status"), "a SEN status")
            yield RawRow(position, values)

    def _contacts(self) -> Iterator[RawRow]:
        position = 0
        for student in self._all("students", CONTACT_INCLUDES):
            for contact in _list(student.get("contacts"), "a student's contacts"):
                position += 1
                relationship = _object(contact.get("relationship"), "a relationship")
                name = " ".join(part for part in (_text(contact.get("forename"), "a name"),
                                                  _text(contact.get("surname"), "a name")) if part)
                yield RawRow(position, {
                    "mis_id": _text(contact.get("mis_id"), "an MIS id") or _text(contact.get("id"), "an id"),
                    "full_name": name,
                    "email": _email(contact.get("contact_details"), "email", "primary", "home", "work"),
                    "relationship": _text(relationship.get("relationship"), "a relationship"),
                    "parental_responsibility": _text(relationship.get("parental_responsibility"),
                                                     "parental responsibility"),
                    "priority": _text(relationship.get("priority"), "a priority"),
                    "pupil_mis_id": _text(student.get("mis_id"), "an MIS id") or _text(student.get("id"), "an id"),
                })

    def _staff(self) -> Iterator[RawRow]:
        for position, employee in enumerate(self._all("employees", EMPLOYEE_INCLUDES), start=1):
            employment = _included(employee.get("employment_details"), "employment details") or {}
            first = _text(employee.get("forename"), "a name") or _text(employee.get("legal_forename"), "a name")
            last = _text(employee.get("surname"), "a name") or _text(employee.get("legal_surname"), "a name")
            yield RawRow(position, {
                "mis_id": _text(employee.get("mis_id"), "an MIS id") or _text(employee.get("id"), "an id"),
                "full_name": " ".join(part for part in (first, last) if part),
                "email": _email(employee.get("contact_details"), "work", "email", "primary"),
                "job_title": _text(employment.get("job_title"), "a job title"),
            })
