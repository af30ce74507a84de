"""The coverage CSV: every pupil with where their family's answers stand (and whether any parent or carer with
parental responsibility has an email on record), then every member who signs a personal agreement with theirs."""

from collections.abc import Iterator

from onlinesafety.csvexport import csv_lines
from onlinesafety.schools.models import School

from .models import PERSONAL_AUDIENCES, Audience, CampaignKind
from .selectors.agreements import people_who_sign
from .selectors.coverage import pupil_status_rows, unsigned_people
from .selectors.rounds import Round

HEADER = ["who", "name", "year group", "class", "acceptable use", "image consent", "family email on record"]


def _rows(school: School, round_: Round) -> Iterator[list[str]]:
    aup_ready, images_ready = round_.ready(CampaignKind.AGREEMENT), round_.ready(CampaignKind.IMAGES)
    for pupil in pupil_status_rows(school, round_).iterator(chunk_size=1000):
        if not aup_ready:
            status = "not published"
        else:
            status = "signed" if pupil.aup_signed else "declined" if pupil.aup_declined else "outstanding"
        images = ("answered" if pupil.images_answered else "outstanding") if images_ready else "not published"
        email = "yes" if getattr(pupil, "email_on_record", True) else "no email on record"
        yield ["pupil", pupil.full_name, pupil.get_year_group_display(),
               pupil.school_class.name if pupil.school_class else "", status, images, email]
    for audience in PERSONAL_AUDIENCES:
        version = round_.versions.get(audience)
        unsigned = set(unsigned_people(school, audience, round_).values_list("pk", flat=True))
        for person in people_who_sign(school, audience):
            state = "not published" if version is None else "outstanding" if person.pk in unsigned else "signed"
            yield [Audience(audience).label, person.full_name, "", "", state, "", ""]


def coverage_lines(school: School, round_: Round) -> Iterator[str]:
    """CSV lines, made while the response streams."""
    return csv_lines(HEADER, _rows(school, round_))
