"""The incident log as CSV, with the columns of the paper log schools keep."""

from django.utils import timezone

from onlinesafety.csvexport import csv_lines

HEADER = ["Case", "Date and time", "Type of incident", "People involved", "System details", "Incident details",
          "Actions taken and by whom"]


def _people(incident) -> str:
    names = [f"{link.pupil.first_name} {link.pupil.last_name} (pupil, {link.get_role_display().lower()})"
             for link in incident.pupil_links.all()]
    names += [f"{u.full_name} (staff)" for u in incident.staff_involved.all()]
    if incident.other_people:
        names.append(incident.other_people)
    return "; ".join(names)


def _system(incident) -> str:
    parts = [incident.get_device_display(), incident.get_network_display(), incident.platform, incident.url]
    return "; ".join(part for part in parts if part)


def _author(entry) -> str:
    """Who wrote a timeline entry: a person, or (a pupil's or a parent's report) who sent it, with no account."""
    return entry.author.full_name if entry.author is not None else "sent without an account"


def _actions(incident, tz) -> str:
    lines = []
    for entry in incident.timeline.all():
        if entry.kind == "reported":
            continue
        text = f": {entry.text}" if entry.text else ""
        when = timezone.localtime(entry.created_at, tz)
        lines.append(f"{when:%d/%m/%Y %H:%M} {entry.get_kind_display()}{text} — {_author(entry)}")
    return "\n".join(lines)


def incident_log_rows(incidents, tz):
    """CSV lines, times in ``tz`` (the school's zone: the response streams after the request's zone is gone)."""
    return csv_lines(HEADER, (
        (incident.reference, f"{timezone.localtime(incident.occurred_at, tz):%d/%m/%Y %H:%M}",
         incident.category.name, _people(incident), _system(incident), incident.description, _actions(incident, tz))
        for incident in incidents.iterator(chunk_size=500)
    ))
