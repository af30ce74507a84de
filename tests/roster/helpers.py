"""Building MIS exports for the roster tests, and running them through the import."""

import io

from onlinesafety.roster import services
from onlinesafety.roster.models import Kind

PUPILS_HEADER = ("Adno,UPN,Legal Surname,Legal Forename,Preferred Surname,Preferred Forename,DOB,Year,Reg,"
                 "SEN Status,Admission Date,Leaving Date")
CONTACTS_HEADER = "Contact ID,Contact Surname,Contact Forename,Contact Email,Relationship,Parental Responsibility," \
                  "Priority,Adno"
STAFF_HEADER = "Staff Code,Legal Surname,Legal Forename,Work Email,Role"


def upn(n: int) -> str:
    return f"A{n:012d}"


def pupil(n: int, *, surname: str | None = None, first: str | None = None, year: str = "Year 5",
          klass: str = "Maple", dob: str = "14/03/2016", send: str = "N", leaving: str = "", preferred: str = "",
          adno: str | None = None, upn_: str | None = None) -> str:
    return ",".join([adno if adno is not None else str(1000 + n), upn_ if upn_ is not None else upn(n),
                     surname or f"Surname{n}", first or f"First{n}", "", preferred, dob, year, klass, send,
                     "04/09/2021", leaving])


def contact(contact_id: int, pupil_adno: int | str, *, email: str | None = None, surname: str = "Parent",
            first: str = "Pat", relationship: str = "Mother", responsibility: str = "Yes", priority: str = "1") -> str:
    address = email if email is not None else f"carer{contact_id}@families.test"
    return ",".join([str(contact_id), surname, first, address, relationship, responsibility, priority,
                     str(pupil_adno)])


def staff(code: str, email: str, *, surname: str = "Teacher", first: str = "Tess", role: str = "Class teacher") -> str:
    return ",".join([code, surname, first, email, role])


def csv_bytes(header: str, lines: list[str], *, encoding: str = "utf-8", bom: bool = False) -> bytes:
    data = ("\r\n".join([header, *lines]) + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def dry_run(school, actor, kind, data: bytes, *, columns: str = "sims", full: bool = False, role=None,
            mapping=None, save_mapping: bool = False, name: str = "export.csv"):
    return services.preview_file(school=school, actor=actor, kind=Kind(kind), binary=io.BytesIO(data),
                                 size=len(data), original_name=name, columns=columns, mapping=mapping,
                                 is_full_export=full, staff_role=role, save_mapping=save_mapping)


def apply(roster_import, actor):
    return services.apply_confirmed_now(roster_import=roster_import, actor=actor)


def run(school, actor, kind, data: bytes, **options):
    """A dry run, confirmed and applied at once."""
    return apply(dry_run(school, actor, kind, data, **options), actor)


def pupils_csv(count: int, start: int = 1, **options) -> bytes:
    return csv_bytes(PUPILS_HEADER, [pupil(n, **options) for n in range(start, start + count)])
