"""Agreements and their versions: the default drafts, editing a draft, publishing it as the next version."""

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from onlinesafety.accounts.models import User
from onlinesafety.audit.services import record_event
from onlinesafety.db import lock_for_update
from onlinesafety.mail.services import absolute_url, notify
from onlinesafety.rules import RuleBroken, require
from onlinesafety.schools.models import School
from onlinesafety.tokens import sha256_of

from .. import rights
from ..defaults import DEFAULT_AGREEMENTS, audiences_for
from ..models import PERSONAL_AUDIENCES, Agreement, AgreementVersion, Audience
from ..selectors.agreements import people_who_sign

ONLY_MANAGERS = "Only the Online Safety Lead or the head can change the agreements."


@transaction.atomic
def set_up_default_agreements(*, school: School) -> int:
    """The agreements of the school's phase (every adult audience, and the pupil agreements for the ages it
    teaches: ``defaults.audiences_for``), each with this product's default text as an unpublished draft. Called
    by the system when a school is created; adds only what is missing."""
    existing = set(Agreement.objects.filter(school=school).values_list("audience", flat=True))
    agreements = [
        Agreement(school=school, audience=audience, title=DEFAULT_AGREEMENTS[audience]["title"],
                  draft_text=DEFAULT_AGREEMENTS[audience]["text"])
        for audience in Audience if audience in audiences_for(school.phase) and audience not in existing
    ]
    Agreement.objects.bulk_create(agreements)
    if agreements:
        record_event(verb="aup.default_agreements_added", school=school, detail={"agreements": len(agreements)})
    return len(agreements)


@transaction.atomic
def save_draft(*, agreement: Agreement, actor: User, title: str, text: str,
               request: HttpRequest | None = None) -> Agreement:
    require(rights.can_manage_agreements(actor, agreement.school), ONLY_MANAGERS)
    lock_for_update(agreement)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # browsers send textareas with CRLF line endings
    if not title.strip() or not text.strip():
        raise RuleBroken("An agreement needs a title and some text.")
    agreement.title, agreement.draft_text = title.strip(), text.strip()
    agreement.draft_changed_at, agreement.draft_changed_by = timezone.now(), actor
    agreement.save(update_fields=["title", "draft_text", "draft_changed_at", "draft_changed_by"])
    record_event(verb="aup.draft_saved", actor=actor, school=agreement.school, target=agreement, request=request)
    return agreement


@transaction.atomic
def publish(*, agreement: Agreement, actor: User, change_summary: str = "", request: HttpRequest | None = None,
            now: datetime | None = None) -> AgreementVersion:
    """Publish the draft as the next version. Everyone in the audience must answer again."""
    require(rights.can_manage_agreements(actor, agreement.school), ONLY_MANAGERS)
    lock_for_update(agreement)
    text = agreement.draft_text.strip()
    if not text:
        raise RuleBroken("Write the agreement before publishing it.")
    current = agreement.current_version
    if current is not None and current.text == text and current.title == agreement.title:
        raise RuleBroken("Nothing has changed since the version in force.")
    number = (agreement.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = AgreementVersion.objects.create(
        agreement=agreement, number=number, title=agreement.title, text=text,
        change_summary=change_summary.strip()[:300], sha256=sha256_of(text), published_by=actor,
        published_at=now or timezone.now(),
    )
    agreement.current_version = version
    agreement.save(update_fields=["current_version"])
    record_event(verb="aup.published", actor=actor, school=agreement.school, target=agreement, request=request,
                 detail={"version": number, "audience": agreement.audience})
    if agreement.audience in PERSONAL_AUDIENCES:
        _ask_members_to_sign(agreement, version)
    return version


def _ask_members_to_sign(agreement: Agreement, version: AgreementVersion) -> None:
    people = people_who_sign(agreement.school, agreement.audience)
    notify(users=people, school=agreement.school, url=reverse("aup:mine"),
           message=f"Please read and sign version {version.number} of the {agreement.title.lower()}.",
           email_subject="An agreement is waiting for your signature",
           email_body="A new version of an acceptable use agreement has been published and needs your "
                      f"signature.\n\nSign in to read and sign it: {absolute_url(reverse('aup:mine'))}\n",
           kind="aup_new_version")
