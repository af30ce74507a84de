"""What each kind of import reads, and how one record of an export becomes a normalised row.

A CSV row (through the column mapping) and an API record (through its adapter) both arrive as a ``RawRow``: values
by field, as text. ``normalise`` checks and cleans them into the plain dict that is staged and applied, or raises
``BadRow`` with a plain reason that never quotes a name or an email address. A value from another school (its URN
or DfE number) refuses the whole file.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from onlinesafety.schools.models import ParentLink, YearGroup

from .models import Kind
from .parsing import ImportRefused, RawRow

Row = dict[str, Any]  # a normalised row: JSON-friendly values (dates as ISO text)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = False


ANY_SCHOOL = (Field("school_urn", "School URN"), Field("school_dfe", "School DfE number"))
FIELDS: dict[str, tuple[Field, ...]] = {
    Kind.PUPILS: (
        Field("mis_id", "MIS id"), Field("upn", "UPN"),
        Field("first_name", "Legal first name", True), Field("last_name", "Legal surname", True),
        Field("preferred_first_name", "Preferred first name"), Field("preferred_last_name", "Preferred surname"),
        Field("date_of_birth", "Date of birth", True), Field("year_group", "Year group", True),
        Field("school_class", "Class or tutor group"), Field("has_send", "SEND status"),
        Field("admission_date", "Admission date"), Field("leaving_date", "Leaving date"), *ANY_SCHOOL,
    ),
    Kind.CONTACTS: (
        Field("mis_id", "Contact's MIS id", True), Field("full_name", "Contact's full name"),
        Field("first_name", "Contact's first name"), Field("last_name", "Contact's surname"),
        Field("email", "Contact's email"), Field("relationship", "Relationship"),
        Field("parental_responsibility", "Parental responsibility", True), Field("priority", "Priority"),
        Field("pupil_mis_id", "Pupil's MIS id"), Field("pupil_upn", "Pupil's UPN"), *ANY_SCHOOL,
    ),
    Kind.STAFF: (
        Field("mis_id", "Staff MIS id"), Field("full_name", "Full name"), Field("first_name", "First name"),
        Field("last_name", "Surname"), Field("email", "Work email", True), Field("job_title", "Job title"),
        *ANY_SCHOOL,
    ),
}
# At least one field of each group must be mapped (a key, or a name).
ONE_OF: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    Kind.PUPILS: ((("mis_id", "upn"), "the pupil's MIS id or UPN"),),
    Kind.CONTACTS: ((("pupil_mis_id", "pupil_upn"), "the pupil's MIS id or UPN"),
                    (("full_name", "first_name"), "the contact's name")),
    Kind.STAFF: ((("full_name", "first_name"), "the name"),),
}


def field_names(kind: str) -> list[str]:
    return [f.name for f in FIELDS[kind]]


def label_of(kind: str, name: str) -> str:
    return next(f.label for f in FIELDS[kind] if f.name == name)


def missing(kind: str, mapping: dict[str, str]) -> list[str]:
    """What the mapping still lacks, in words ("the date of birth", "the pupil's MIS id or UPN")."""
    lacking = [f"the {f.label[0].lower()}{f.label[1:]}" for f in FIELDS[kind] if f.required and not mapping.get(f.name)]
    lacking += [words for names, words in ONE_OF[kind] if not any(mapping.get(name) for name in names)]
    if mapping.get("first_name") and not mapping.get("last_name") and not mapping.get("full_name"):
        lacking.append("the surname")
    return lacking


class BadRow(ValueError):
    """This row is skipped; the message says why, in words a school understands, naming no one."""


@dataclass
class Context:
    """What normalising needs to know about the school."""

    urn: str
    dfe_number: str
    today: date
    dfe_unchecked: bool = False


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NAME_LONGEST = 150  # a contact's or a member of staff's name, as the account and the contact record hold it
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\ufffd]")
UPN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
MIDNIGHT = re.compile(r"[ T]00:00(:00(\.0+)?)?$")
YES = {"y", "yes", "true", "t", "1", "x"}
NO = {"", "n", "no", "false", "f", "0"}
SEND_NO = NO | {"none", "no sen", "no special educational need", "no special educational needs", "not sen"}
SEND_YES = YES | {"k", "e", "s", "a", "p", "sen support", "ehc plan", "ehcp", "education, health and care plan",
                  "statement", "school action", "school action plus", "sen"}
# The first that fits ("Step Mother" is a step-parent, "Foster Father" a foster carer); anything else is "other".
RELATIONSHIPS = (
    (("step",), ParentLink.Relationship.STEP_PARENT),
    (("grand",), ParentLink.Relationship.GRANDPARENT),
    (("foster",), ParentLink.Relationship.FOSTER_CARER),
    (("guardian", "special guardian"), ParentLink.Relationship.GUARDIAN),
    (("mother", "mum", "mam", "mom"), ParentLink.Relationship.MOTHER),
    (("father", "dad"), ParentLink.Relationship.FATHER),
)


def _raw(raw: RawRow, name: str) -> str | None:
    """The value of a mapped field (None if the field is not in the file)."""
    return raw.values.get(name)


def _text(value: str, label: str, longest: int) -> str:
    stripped = value.strip()
    if value.startswith(FORMULA_START) or stripped.startswith(FORMULA_START):
        raise BadRow(f"the {label} looks like a spreadsheet formula")
    cleaned = " ".join(stripped.split())
    if CONTROL.search(cleaned):
        raise BadRow(f"the {label} holds characters that cannot be stored")
    if len(cleaned) > longest:
        raise BadRow(f"the {label} is longer than {longest} characters")
    return cleaned


def text(raw: RawRow, name: str, label: str, longest: int, required: bool = False) -> str | None:
    value = _raw(raw, name)
    if value is None:
        return None
    cleaned = _text(value, label, longest)
    if required and not cleaned:
        raise BadRow(f"the {label} is empty")
    return cleaned


def parse_date(value: str, label: str) -> date | None:
    """dd/mm/yyyy, d/m/yyyy or yyyy-mm-dd (a time of midnight after it is allowed); "" is no date."""
    value = MIDNIGHT.sub("", value.strip())
    if not value:
        return None
    shown = value[:20] if not value.startswith(FORMULA_START) else "given"
    if match := UK_DATE.match(value):
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) != 4:
            raise BadRow(f"the {label} {shown} has a two-digit year: write the year in full (14/03/2017)")
    elif match := ISO_DATE.match(value):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise BadRow(f"the {label} is not a date in a format we read (for example 14/03/2017 or 2017-03-14)")
    try:
        return date(year, month, day)
    except ValueError:
        raise BadRow(f"the {label} {shown} is not a date that exists") from None


def parse_year_group(value: str) -> int:
    words = value.strip().lower()
    if words == "-1":
        return YearGroup.NURSERY
    words = re.sub(r"^(national curriculum year|nc year|year group|year|yr|ncy|y)\s*", "", words).strip()
    if words in ("r", "rec", "reception", "0"):
        return YearGroup.RECEPTION
    if words in ("n", "nursery", "n1", "n2", "fs1"):
        return YearGroup.NURSERY
    if words.isdigit() and 1 <= int(words) <= 13:
        return int(words)
    raise BadRow("the year group is not one we read (Nursery, Reception, or Year 1 to Year 13)")


def parse_bool(value: str, label: str, yes: set[str], no: set[str]) -> bool:
    word = value.strip().lower()
    if word in yes:
        return True
    if word in no:
        return False
    raise BadRow(f"the {label} is not yes or no")


def parse_relationship(value: str) -> str:
    word = value.strip().lower()
    for starts, relationship in RELATIONSHIPS:
        if any(word.startswith(start) or f" {start}" in word for start in starts):
            return relationship
    return ParentLink.Relationship.OTHER


def parse_email(value: str | None, label: str = "email address") -> str | None:
    if value is None:
        return None
    cleaned = _text(value, label, 254).lower()
    if not cleaned:
        return ""
    try:
        validate_email(cleaned)
    except ValidationError:
        raise BadRow(f"the {label} is not a valid email address") from None
    return cleaned


def check_school(raw: RawRow, context: Context) -> None:
    """A URN or DfE number that is not this school's refuses the whole file."""
    urn = (_raw(raw, "school_urn") or "").strip()
    if urn and urn != context.urn:
        raise ImportRefused(
            f"This file is from another school: its URN column says {urn[:12]} on line {raw.line}, and this "
            f"school's URN is {context.urn}. Nothing was imported. Export the file from this school's MIS.")
    dfe = re.sub(r"[\s/-]", "", _raw(raw, "school_dfe") or "")
    if dfe and not context.dfe_number:
        context.dfe_unchecked = True
    elif dfe and dfe != context.dfe_number:
        raise ImportRefused(
            f"This file is from another school: its DfE number column says {dfe[:12]} on line {raw.line}, and this "
            f"school's DfE number is {context.dfe_number}. Nothing was imported.")


def normalise(kind: str, raw: RawRow, context: Context) -> Row:
    """The row to stage, or ``BadRow``. Fields the file does not have are left out, so they are never changed."""
    if raw.error:
        raise BadRow(raw.error)
    check_school(raw, context)
    return NORMALISERS[kind](raw, context)


def _mis_id(raw: RawRow, name: str, label: str) -> str:
    return text(raw, name, label, 50) or ""


def _upn(raw: RawRow, name: str) -> str:
    value = _raw(raw, name)
    if value is None:
        return ""
    upn = _text(value, "UPN", 20).replace(" ", "").upper()
    if upn and not UPN.match(upn):
        raise BadRow("the UPN is not a letter followed by twelve letters or digits")
    return upn


def _pupil(raw: RawRow, context: Context) -> Row:
    row: Row = {"line": raw.line, "mis_id": _mis_id(raw, "mis_id", "MIS id"), "upn": _upn(raw, "upn")}
    if not row["mis_id"] and not row["upn"]:
        raise BadRow("it has neither an MIS id nor a UPN, so it cannot be matched")
    row["first_name"] = text(raw, "first_name", "legal first name", 80, required=True)
    row["last_name"] = text(raw, "last_name", "legal surname", 80, required=True)
    for name, label, legal in (("preferred_first_name", "preferred first name", "first_name"),
                               ("preferred_last_name", "preferred surname", "last_name")):
        preferred = text(raw, name, label, 80)
        if preferred is not None:
            row[name] = "" if preferred == row[legal] else preferred
    born = parse_date(_raw(raw, "date_of_birth") or "", "date of birth")
    if born is None:
        raise BadRow("the date of birth is empty")
    if born > context.today or born.year < 1990:
        raise BadRow("the date of birth cannot be right (it is in the future, or before 1990)")
    row["date_of_birth"] = born.isoformat()
    row["year_group"] = parse_year_group(_raw(raw, "year_group") or "")
    if (school_class := text(raw, "school_class", "class", 60)) is not None:
        row["school_class"] = school_class
    if (send := _raw(raw, "has_send")) is not None:
        row["has_send"] = parse_bool(send, "SEND status", SEND_YES, SEND_NO)
    for name, label in (("admission_date", "admission date"), ("leaving_date", "leaving date")):
        if (value := _raw(raw, name)) is not None:
            day = parse_date(value, label)
            row[name] = day.isoformat() if day else None
    if row.get("admission_date") and row.get("leaving_date") and row["leaving_date"] < row["admission_date"]:
        raise BadRow("the leaving date is before the admission date")
    return row


def _name(raw: RawRow, label: str) -> str:
    full = text(raw, "full_name", label, 150)
    if full:
        return full
    first = text(raw, "first_name", f"{label}'s first name", 75) or ""
    last = text(raw, "last_name", f"{label}'s surname", 75) or ""
    name = f"{first} {last}".strip()
    if not name:
        raise BadRow(f"the {label} is empty")
    if len(name) > NAME_LONGEST:
        raise BadRow(f"the {label} is longer than {NAME_LONGEST} characters (the first name and surname together)")
    return name


def _contact(raw: RawRow, context: Context) -> Row:
    row: Row = {"line": raw.line, "mis_id": _mis_id(raw, "mis_id", "contact's MIS id")}
    if not row["mis_id"]:
        raise BadRow("the contact's MIS id is empty, so the contact cannot be matched")
    row["full_name"] = _name(raw, "contact's name")
    if (email := parse_email(_raw(raw, "email"), "contact's email address")) is not None:
        row["email"] = email
    if (relationship := text(raw, "relationship", "relationship", 60)) is not None:
        row["relationship"] = parse_relationship(relationship)
    row["has_parental_responsibility"] = parse_bool(_raw(raw, "parental_responsibility") or "",
                                                    "parental responsibility", YES, NO)
    if (priority := _raw(raw, "priority")) is not None:
        priority = priority.strip()
        if priority and not (priority.isdigit() and 1 <= int(priority) <= 99):
            raise BadRow("the priority is not a number from 1 to 99")
        row["priority"] = int(priority) if priority else 1
    row["pupil_mis_id"] = _mis_id(raw, "pupil_mis_id", "pupil's MIS id")
    row["pupil_upn"] = _upn(raw, "pupil_upn")
    if not row["pupil_mis_id"] and not row["pupil_upn"]:
        raise BadRow("it names no pupil (neither a pupil's MIS id nor a UPN)")
    return row


def _staff(raw: RawRow, context: Context) -> Row:
    row: Row = {"line": raw.line, "mis_id": _mis_id(raw, "mis_id", "staff MIS id"), "full_name": _name(raw, "name")}
    email = parse_email(_raw(raw, "email"), "work email address")
    if not email:
        raise BadRow("the work email address is empty: a member of staff needs one to sign in")
    row["email"] = email
    if (job_title := text(raw, "job_title", "job title", 100)) is not None:
        row["job_title"] = job_title
    return row


NORMALISERS: dict[str, Callable[[RawRow, Context], Row]] = {Kind.PUPILS: _pupil, Kind.CONTACTS: _contact,
                                                            Kind.STAFF: _staff}


# ---------------------------------------------------------------- the keys of a bad row

def _readable(read: Callable[[], str | None]) -> str:
    """One key, or "" if it cannot be read (empty, a formula, too long, not of the key's form)."""
    try:
        return read() or ""
    except BadRow:
        return ""


def key_of(kind: str, raw: RawRow) -> Row | None:
    """The keys a bad row still carries, readable on their own (the row's other cells may be anything), as a row
    marked ``bad``: the import counts the person they name as present and leaves them as they are, so a mistyped
    date of birth never marks a pupil as left. None when the row names no one this way. A key cell that is itself
    a formula, or not of the key's form, is no key."""
    if kind == Kind.PUPILS:
        keys = {"mis_id": _readable(lambda: _mis_id(raw, "mis_id", "MIS id")),
                "upn": _readable(lambda: _upn(raw, "upn"))}
        found = keys["mis_id"] or keys["upn"]
    elif kind == Kind.CONTACTS:
        keys = {"mis_id": _readable(lambda: _mis_id(raw, "mis_id", "contact's MIS id")),
                "pupil_mis_id": _readable(lambda: _mis_id(raw, "pupil_mis_id", "pupil's MIS id")),
                "pupil_upn": _readable(lambda: _upn(raw, "pupil_upn"))}
        found = keys["mis_id"]
    else:
        keys = {"mis_id": _readable(lambda: _mis_id(raw, "mis_id", "staff MIS id")),
                "email": _readable(lambda: parse_email(_raw(raw, "email")))}
        found = keys["mis_id"] or keys["email"]
    return {"line": raw.line, "bad": True, **keys} if found else None
