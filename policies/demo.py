"""Oakfield's policy register and compliance calendar for the demo. Created once; running again adds nothing."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from onlinesafety.schools.models import School, Term
from onlinesafety.schools.roles import Role

from . import schedule
from .models import (
    Acknowledgement,
    ApprovingBody,
    Duty,
    DutyCompletion,
    Policy,
    PolicyKind,
    PolicyVersion,
    Recurrence,
    Review,
    Stage,
)
from .selectors import readers_of
from .services import first_due

User = get_user_model()

# (title, kind, owner, role, approving body, cycle, next review in days from today, staff must read)
POLICIES = [
    ("Online Safety Policy", PolicyKind.ONLINE_SAFETY, "osl", Role.ONLINE_SAFETY_LEAD,
     ApprovingBody.GOVERNING_BODY, 12, 21, True),
    ("Acceptable Use Policy", PolicyKind.AUP, "osl", Role.ONLINE_SAFETY_LEAD, ApprovingBody.HEADTEACHER, 12, 250,
     True),
    ("Filtering and Monitoring Policy", PolicyKind.FILTERING, "dsl", Role.DSL, ApprovingBody.GOVERNING_BODY, 12,
     -40, False),
    ("Data Protection Policy", PolicyKind.DATA_PROTECTION, "head", Role.HEADTEACHER,
     ApprovingBody.GOVERNING_BODY, 24, 400, False),
    ("Mobile Phones and Personal Devices Policy", PolicyKind.MOBILE, "head", Role.HEADTEACHER,
     ApprovingBody.HEADTEACHER, 12, 150, True),
    ("Social Media Policy", PolicyKind.SOCIAL_MEDIA, "dsl", Role.DSL, ApprovingBody.GOVERNING_BODY, 12, 190, False),
    ("Photographs and Digital Images Policy", PolicyKind.DIGITAL_IMAGES, "dsl", Role.DSL,
     ApprovingBody.HEADTEACHER, 12, 95, True),
    ("Use of Artificial Intelligence Policy", PolicyKind.AI, "osl", Role.ONLINE_SAFETY_LEAD,
     ApprovingBody.HEADTEACHER, 12, 60, False),
]

TEXT = """{title}

1. Purpose
This policy sets out how {school} keeps pupils and adults safe when they use technology, in school and at home,
and what everyone can expect of each other.

2. Who it applies to
Everyone who works at, governs, volunteers in or visits the school, and every pupil.

3. What we do
- We teach pupils, in every year group, how to stay safe and kind online and where to get help.
- We record every online safety concern and the Designated Safeguarding Lead decides what happens next.
- We review this policy every {cycle} months, and sooner after a serious incident or a new risk.

4. Roles
The {owner_role} owns this policy. The {body} approves it.

5. Reporting a concern
Anyone worried about a child tells the Designated Safeguarding Lead at once. If a child is in immediate danger,
call 999 first.
"""


def seed(*, today=None) -> dict[str, int]:
    school = School.objects.filter(slug="oakfield").first()
    if school is None or Policy.objects.filter(school=school).exists():
        return {}
    today = today or timezone.localdate()
    people = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@oakfield.example")}
    readers = list(readers_of(school))
    created = 0
    for title, kind, owner, role, body, cycle, due_in, must_read in POLICIES:
        next_review = today + timedelta(days=due_in)
        approved = schedule.add_months(next_review, -cycle)
        policy = Policy.objects.create(
            school=school, title=title, kind=kind, owner=people[owner], owner_role=role, approving_body=body,
            review_cycle_months=cycle, last_approved_on=approved, next_review_on=next_review,
            staff_must_read=must_read,
        )
        text = TEXT.format(title=title, school=school.name, cycle=cycle, owner_role=Role(role).label,
                           body=ApprovingBody(body).label.lower())
        approver = people["head"] if body == ApprovingBody.HEADTEACHER else people["chair"]
        version = PolicyVersion.objects.create(
            policy=policy, number=1, state=PolicyVersion.State.PUBLISHED, text=text,
            change_summary="Adopted after the review of all online safety policies.", created_by=people[owner],
            approved_on=approved, approved_by=approver,
            minute_reference=f"FGB {approved:%d/%m/%Y}" if body != ApprovingBody.HEADTEACHER else "",
        )
        policy.current_version = version
        policy.save(update_fields=["current_version"])
        if must_read:  # most staff have read it; a few have not, so the owner has someone to remind
            Acknowledgement.objects.bulk_create(Acknowledgement(version=version, user=user) for user in readers[4:])
        created += 1
    _one_under_review(school, people)
    _calendar_history(school, people, today)
    return {"policies": created}


def _one_under_review(school, people):
    policy = Policy.objects.get(school=school, kind=PolicyKind.AI)
    current = policy.current_version
    assert current is not None  # every seeded policy was published above
    Review.objects.create(policy=policy, reason=Review.Reason.THREAT, started_by=people["osl"],
                          detail="Pupils are using AI image apps at home; the policy says nothing about them.")
    PolicyVersion.objects.create(
        policy=policy, number=2, text=current.text + "\n6. AI image and chat apps\nDraft section.",
        change_summary="Adds AI image and chat apps used at home.", created_by=people["osl"],
    )
    policy.stage = Stage.UNDER_REVIEW
    policy.save(update_fields=["stage"])


def _calendar_history(school, people, today):
    """A mix for the calendar: a check that is overdue, an audit done on time, a report due this term."""
    terms = list(Term.objects.filter(school=school))
    due_in = {"filtering_monitoring_review": 75, "training_audit": 280, "aup_review": 230}
    for duty in Duty.objects.filter(school=school):
        if duty.code in due_in:
            duty.next_due_on = today + timedelta(days=due_in[duty.code])
        elif duty.recurrence in (Recurrence.HALF_TERMLY, Recurrence.TERMLY):  # now that the terms exist
            duty.next_due_on = first_due(duty.recurrence, today, terms)
        duty.anchor_day = duty.next_due_on.day
        duty.save(update_fields=["next_due_on", "anchor_day"])
    duties = {d.code: d for d in Duty.objects.filter(school=school)}
    check = duties["filtering_check"]
    check.next_due_on = today - timedelta(days=5)
    check.anchor_day = check.next_due_on.day
    check.save(update_fields=["next_due_on", "anchor_day"])
    DutyCompletion.objects.create(duty=check, due_on=schedule.add_months(check.next_due_on, -1),
                                  completed_on=schedule.add_months(check.next_due_on, -1),
                                  completed_by=people["tech"], notes="All categories blocked on pupil laptops.")
    audit = duties["incident_log_audit"]
    DutyCompletion.objects.create(duty=audit, due_on=today - timedelta(days=30),
                                  completed_on=today - timedelta(days=31), completed_by=people["osl"],
                                  notes="No unfinished actions; two repeat patterns noted.")
