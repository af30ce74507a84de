"""Column presets for the usual CSV exports of SIMS, Arbor, Bromcom, ScholarPack and Integris.

These are starting points, not a specification: each MIS lets a school build its own report, and column names
vary with the report and the version. For each field a preset lists the column names that export usually uses,
first match wins (case and spaces ignored). A school whose export differs chooses the columns by hand once and
saves them ("remember these columns"); the saved columns are then used before any preset.
"""

from dataclasses import dataclass

from .fields import FIELDS, missing
from .models import Kind

Columns = dict[str, tuple[str, ...]]  # field -> the column names an export usually gives it
SCHOOL = {"school_urn": ("URN", "School URN", "Establishment URN"),
          "school_dfe": ("DfE Number", "DfE No", "DfE", "LAESTAB", "LA/Estab")}


@dataclass(frozen=True)
class Preset:
    code: str
    label: str
    columns: dict[str, Columns]  # kind -> its columns


PRESETS = (
    Preset("sims", "SIMS", {
        Kind.PUPILS: {
            "mis_id": ("Adno", "Admission No", "Admission Number"), "upn": ("UPN",),
            "first_name": ("Legal Forename", "Forename"), "last_name": ("Legal Surname", "Surname"),
            "preferred_first_name": ("Preferred Forename",), "preferred_last_name": ("Preferred Surname",),
            "date_of_birth": ("DOB", "Date of Birth"), "year_group": ("Year", "Year Group", "NC Year"),
            "school_class": ("Reg", "Reg Group", "Registration Group"), "has_send": ("SEN Status", "SEN"),
            "admission_date": ("Admission Date", "Date of Admission"),
            "leaving_date": ("Leaving Date", "Date of Leaving"), **SCHOOL,
        },
        Kind.CONTACTS: {
            "mis_id": ("Contact ID", "Contact Person ID"), "full_name": ("Contact Name",),
            "first_name": ("Contact Forename",), "last_name": ("Contact Surname",),
            "email": ("Contact Email", "Contact Email Address", "Email"),
            "relationship": ("Relationship", "Contact Relationship"),
            "parental_responsibility": ("Parental Responsibility", "Parental Resp"),
            "priority": ("Priority", "Contact Priority"), "pupil_mis_id": ("Adno", "Admission Number"),
            "pupil_upn": ("UPN",), **SCHOOL,
        },
        Kind.STAFF: {
            "mis_id": ("Staff Code", "Staff ID"), "full_name": ("Name",), "first_name": ("Legal Forename", "Forename"),
            "last_name": ("Legal Surname", "Surname"), "email": ("Work Email", "Email", "Email Address"),
            "job_title": ("Role", "Post", "Job Title"), **SCHOOL,
        },
    }),
    Preset("arbor", "Arbor", {
        Kind.PUPILS: {
            "mis_id": ("Student ID", "Arbor ID", "ID"), "upn": ("UPN",),
            "first_name": ("Legal First Name", "First Name"), "last_name": ("Legal Last Name", "Last Name"),
            "preferred_first_name": ("Preferred First Name",), "preferred_last_name": ("Preferred Last Name",),
            "date_of_birth": ("Date of Birth", "DOB"), "year_group": ("Year Group", "Year"),
            "school_class": ("Registration Form", "Reg Form", "Tutor Group"), "has_send": ("SEN Status", "SEN"),
            "admission_date": ("Start Date", "Enrolment Start Date", "Admission Date"),
            "leaving_date": ("End Date", "Enrolment End Date", "Leaving Date"), **SCHOOL,
        },
        Kind.CONTACTS: {
            "mis_id": ("Guardian ID", "Contact ID"), "full_name": ("Guardian Name", "Contact Name"),
            "first_name": ("Guardian First Name", "Contact First Name"),
            "last_name": ("Guardian Last Name", "Contact Last Name"),
            "email": ("Guardian Email", "Contact Email", "Email Address", "Email"),
            "relationship": ("Relationship",), "parental_responsibility": ("Parental Responsibility", "Legal Guardian"),
            "priority": ("Priority", "Contact Priority"), "pupil_mis_id": ("Student ID",), "pupil_upn": ("UPN",),
            **SCHOOL,
        },
        Kind.STAFF: {
            "mis_id": ("Staff ID", "Arbor ID"), "full_name": ("Name",),
            "first_name": ("Legal First Name", "First Name"),
            "last_name": ("Legal Last Name", "Last Name"), "email": ("Work Email", "Email Address", "Email"),
            "job_title": ("Job Title", "Role"), **SCHOOL,
        },
    }),
    Preset("bromcom", "Bromcom", {
        Kind.PUPILS: {
            "mis_id": ("Student ID", "Person ID"), "upn": ("UPN",),
            "first_name": ("Legal Forename", "Forename"), "last_name": ("Legal Surname", "Surname"),
            "preferred_first_name": ("Preferred Forename",), "preferred_last_name": ("Preferred Surname",),
            "date_of_birth": ("DOB", "Date Of Birth"), "year_group": ("Year", "Year Group"),
            "school_class": ("Tutor Group", "Form", "Registration Group"), "has_send": ("SEN Status", "SEN Need"),
            "admission_date": ("Admission Date", "Start Date"), "leaving_date": ("Leaving Date", "Leave Date"),
            **SCHOOL,
        },
        Kind.CONTACTS: {
            "mis_id": ("Contact ID", "Contact Person ID"), "full_name": ("Contact Name",),
            "first_name": ("Contact Forename",), "last_name": ("Contact Surname",),
            "email": ("Contact Email", "Email"), "relationship": ("Relationship", "Relation"),
            "parental_responsibility": ("Parental Responsibility", "Has Parental Responsibility"),
            "priority": ("Priority", "Contact Priority", "Contact Order"), "pupil_mis_id": ("Student ID",),
            "pupil_upn": ("UPN",), **SCHOOL,
        },
        Kind.STAFF: {
            "mis_id": ("Staff ID", "Person ID"), "full_name": ("Name",), "first_name": ("Legal Forename", "Forename"),
            "last_name": ("Legal Surname", "Surname"), "email": ("Work Email", "Email"),
            "job_title": ("Job Title", "Role"), **SCHOOL,
        },
    }),
    Preset("scholarpack", "ScholarPack", {
        Kind.PUPILS: {
            "mis_id": ("Pupil ID", "ScholarPack ID", "ID"), "upn": ("UPN",),
            "first_name": ("Legal Forename", "Forename", "First Name"),
            "last_name": ("Legal Surname", "Surname", "Last Name"),
            "preferred_first_name": ("Preferred Forename", "Known As"), "preferred_last_name": ("Preferred Surname",),
            "date_of_birth": ("Date of Birth", "DOB"), "year_group": ("Year", "NC Year", "Year Group"),
            "school_class": ("Class", "Registration Group"), "has_send": ("SEN Stage", "SEN Status", "SEN"),
            "admission_date": ("Start Date", "Admission Date", "Date of Admission"),
            "leaving_date": ("Leave Date", "Leaving Date"), **SCHOOL,
        },
        Kind.CONTACTS: {
            "mis_id": ("Contact ID",), "full_name": ("Contact Name",),
            "first_name": ("Contact Forename", "Contact First Name"),
            "last_name": ("Contact Surname", "Contact Last Name"), "email": ("Contact Email", "Email"),
            "relationship": ("Relationship",),
            "parental_responsibility": ("Parental Responsibility", "Has Parental Responsibility"),
            "priority": ("Priority", "Contact Priority"), "pupil_mis_id": ("Pupil ID",), "pupil_upn": ("UPN",),
            **SCHOOL,
        },
        Kind.STAFF: {
            "mis_id": ("Staff ID",), "full_name": ("Name",), "first_name": ("Forename", "First Name"),
            "last_name": ("Surname", "Last Name"), "email": ("Email", "Work Email"),
            "job_title": ("Job Title", "Role"), **SCHOOL,
        },
    }),
    Preset("integris", "Integris", {
        Kind.PUPILS: {
            "mis_id": ("Pupil ID", "Adno", "Admission Number"), "upn": ("UPN",),
            "first_name": ("Legal Forename", "Forename"), "last_name": ("Legal Surname", "Surname"),
            "preferred_first_name": ("Preferred Forename",), "preferred_last_name": ("Preferred Surname",),
            "date_of_birth": ("Date of Birth", "DOB"), "year_group": ("NC Year", "National Curriculum Year", "Year"),
            "school_class": ("Registration Group", "Reg Group", "Class"),
            "has_send": ("SEN Provision", "SEN Status"),
            "admission_date": ("Date of Admission", "Admission Date"),
            "leaving_date": ("Date of Leaving", "Leaving Date"), **SCHOOL,
        },
        Kind.CONTACTS: {
            "mis_id": ("Contact ID", "Contact Ref"), "full_name": ("Contact Name",),
            "first_name": ("Contact Forename",), "last_name": ("Contact Surname",),
            "email": ("Contact Email", "Email"), "relationship": ("Relationship",),
            "parental_responsibility": ("Parental Responsibility",), "priority": ("Priority", "Contact Priority"),
            "pupil_mis_id": ("Pupil ID", "Adno"), "pupil_upn": ("UPN",), **SCHOOL,
        },
        Kind.STAFF: {
            "mis_id": ("Staff ID", "Staff Code"), "full_name": ("Name",), "first_name": ("Legal Forename", "Forename"),
            "last_name": ("Legal Surname", "Surname"), "email": ("Email", "Work Email"),
            "job_title": ("Job Title", "Post"), **SCHOOL,
        },
    }),
)
BY_CODE = {preset.code: preset for preset in PRESETS}
CHOICES = [(preset.code, preset.label) for preset in PRESETS]


def _folded(name: str) -> str:
    return "".join(name.split()).casefold()


def resolve(columns: Columns, header: list[str]) -> dict[str, str]:
    """field -> the header's column, for each field whose usual names the header has (first match wins)."""
    present = {_folded(column): column for column in header}
    mapping = {}
    for field, names in columns.items():
        found = next((present[_folded(name)] for name in names if _folded(name) in present), None)
        if found is not None:
            mapping[field] = found
    return mapping


def preset_mapping(code: str, kind: str, header: list[str]) -> dict[str, str]:
    return resolve(BY_CODE[code].columns[kind], header)


def best_preset(kind: str, header: list[str]) -> tuple[str, dict[str, str]] | None:
    """The preset that fits this header (every field it needs found) and finds the most columns; None if none."""
    fitting = [(len(mapping), preset.code, mapping) for preset in PRESETS
               if not missing(kind, mapping := resolve(preset.columns[kind], header))]
    if not fitting:
        return None
    _, code, mapping = max(fitting, key=lambda item: item[0])  # max keeps the first of equals: SIMS, then Arbor ...
    return code, mapping


def guess(kind: str, header: list[str]) -> dict[str, str]:
    """A starting point for choosing columns by hand: every preset's names, then the field's own label."""
    labels = {f.name: (f.label, f.name.replace("_", " ")) for f in FIELDS[kind]}
    columns: Columns = {name: tuple(column for preset in PRESETS for column in preset.columns[kind].get(name, ()))
                        + labels[name] for name in labels}
    return resolve(columns, header)
