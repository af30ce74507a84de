"""A term of online safety incidents at oakfield, for the demo. Created once; running again adds nothing."""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from onlinesafety.mail.services import absolute_url, notify
from onlinesafety.schools.models import Pupil, School
from onlinesafety.schools.selectors import current_term, terms_of

from . import checklists, services
from .models import (
    Agency,
    AgencyNotContacted,
    Behaviour,
    CaseAction,
    CaseBehaviour,
    CategoryCode,
    ChecklistAnswer,
    Danger,
    Device,
    Illegal,
    IllegalBranch,
    Incident,
    IncidentCategory,
    IncidentPupil,
    Level,
    Location,
    MeetingKind,
    MeetingRole,
    Network,
    Outcome,
    OutsideReport,
    ParentContact,
    PupilReportLink,
    PupilRole,
    Referral,
    ReporterKind,
    ResponseMatrix,
    Sanction,
    Status,
    TimelineEntry,
    Visibility,
)
from .services import new_case_message, recipients_for, set_up_school_defaults

Kind = TimelineEntry.Kind
User = get_user_model()

# (category, location, device, network, platform, what happened, action already taken)
STORIES = [
    (CategoryCode.CYBERBULLYING, Location.OUT_OF_SCHOOL, Device.PERSONAL, Network.HOME_OR_OTHER, "Group chat",
     "Pupil came to me upset at break. Says classmates made a group chat without them and have been posting "
     "photos of them with unkind captions. In their words: \"they said nobody wants me there.\"",
     "Reassured the pupil and told them they did the right thing. Did not ask to see the phone."),
    (CategoryCode.CYBERBULLYING, Location.ONLINE_ONLY, Device.PERSONAL, Network.MOBILE_DATA, "Online game",
     "During a game at the weekend another player from the class kept messaging insults and told others to "
     "leave the pupil out. Pupil showed me the messages on their tablet.",
     "Noted the player name. Advised the pupil to block and report in the game."),
    (CategoryCode.ONLINE_HATE, Location.IN_SCHOOL, Device.SCHOOL, Network.SCHOOL, "Shared document",
     "A racist comment was typed into a shared class document during a lesson. Two pupils were working on it.",
     "Removed the comment, took a copy of the document history first."),
    (CategoryCode.DELIBERATE_ACCESS, Location.IN_SCHOOL, Device.SCHOOL, Network.SCHOOL, "Video site",
     "Pupil searched for violent videos during an independent research task and showed others on the laptop.",
     "Closed the laptop and moved the pupil to work with me."),
    (CategoryCode.ACCIDENTAL_NOT_REPORTED, Location.IN_SCHOOL, Device.SCHOOL, Network.SCHOOL, "Image search",
     "Found a pupil's browser history showed an adult image had come up in an image search last week; the "
     "pupil had not told anyone and said they were worried they would be in trouble.",
     "Reassured the pupil. Told the technician the search term so it can be checked."),
    (CategoryCode.FILTER_BYPASS, Location.IN_SCHOOL, Device.SCHOOL, Network.SCHOOL, "Proxy website",
     "Two pupils were using a proxy website to get to a games site that is blocked.",
     "Took a note of the address and told the IT technician."),
    (CategoryCode.ACCOUNT_MISUSE, Location.IN_SCHOOL, Device.SCHOOL, Network.SCHOOL, "School learning platform",
     "Pupil logged in as a friend using a password they had been told, and changed the friend's work.",
     "Asked the technician to reset the password."),
    (CategoryCode.DEVICE_MISUSE, Location.IN_SCHOOL, Device.PERSONAL, Network.MOBILE_DATA, "Phone camera",
     "A pupil took photos of others in the changing area on a phone that should have been handed in at the office.",
     "Phone taken to the office and kept there. Photos not looked at."),
    (CategoryCode.HARMFUL_AI, Location.OUT_OF_SCHOOL, Device.PERSONAL, Network.HOME_OR_OTHER, "AI image app",
     "Pupil reports that an altered picture of them, made with an AI app, is being passed round a year group chat.",
     "Told the pupil not to share it further. Did not ask to see it."),
    (CategoryCode.YOUTH_IMAGERY, Location.OUT_OF_SCHOOL, Device.PERSONAL, Network.MOBILE_DATA, "Messaging app",
     "A parent phoned to say their child had been sent a nude image by another pupil and had been asked to send "
     "one back. The parent has the phone.",
     "Advised the parent not to look at, copy or forward anything and to keep the phone switched off."),
    (CategoryCode.SEXUAL_ABUSE, Location.ONLINE_ONLY, Device.PERSONAL, Network.HOME_OR_OTHER, "Online game chat",
     "Pupil said an adult they met in a game has been asking them to keep secrets and move to a private app, and "
     "has offered them game credit.",
     "Stayed calm, did not ask leading questions, went straight to the DSL."),
    (CategoryCode.RADICALISATION, Location.OUT_OF_SCHOOL, Device.PERSONAL, Network.HOME_OR_OTHER, "Video platform",
     "Pupil has been repeating extreme views about a religious group in class and says they learnt it from a "
     "channel they watch every night.",
     "Wrote down the channel name the pupil gave."),
    (CategoryCode.DATA_BREACH, Location.IN_SCHOOL, Device.SCHOOL, Network.SCHOOL, "Email",
     "A spreadsheet with pupils' reading levels was emailed to the wrong parent.",
     "Asked the parent to delete it; they confirmed by reply."),
    (CategoryCode.COPYRIGHT, Location.IN_SCHOOL, Device.SCHOOL, Network.SCHOOL, "Homework platform",
     "A pupil's homework was copied word for word from a website and handed in as their own.",
     ""),
    (CategoryCode.OTHER, Location.IN_SCHOOL, Device.SCHOOL, Network.SCHOOL, "Video call",
     "An unknown person joined a class video call with a guest speaker and posted links in the chat.",
     "Removed them from the call and turned off chat."),
]

ALLEGATION = (
    CategoryCode.STAFF_CONDUCT, Location.ONLINE_ONLY, Device.PERSONAL, Network.HOME_OR_OTHER, "Social media",
    "A parent says a member of staff sent their child a private message on a personal social media account.",
    "Told the parent the headteacher will be in touch today.",
)

# The repeated pupil's cases: a classmate harmed, the repeated pupil alleged to have caused it, another who saw it.
REPEATED_STORY = (
    CategoryCode.CYBERBULLYING, Location.OUT_OF_SCHOOL, Device.PERSONAL, Network.HOME_OR_OTHER, "Year group chat",
    "A pupil showed me name-calling aimed at them in the year group chat, posted by a classmate who also told others "
    "to leave them out. A friend who is in the chat came with them and had seen it too.",
    "Thanked them both for telling me. Looked only at what they chose to show me.",
)

# Each demo pupil's role, by kind of story: the first pupil named takes the first role, the second the next.
R = PupilRole
STORY_ROLES = {
    CategoryCode.CYBERBULLYING: [R.AFFECTED, R.CAUSED_HARM],
    CategoryCode.DELIBERATE_ACCESS: [R.CAUSED_HARM, R.WITNESS],
    CategoryCode.FILTER_BYPASS: [R.CAUSED_HARM, R.CAUSED_HARM],
    CategoryCode.ACCOUNT_MISUSE: [R.CAUSED_HARM, R.AFFECTED],
    CategoryCode.DEVICE_MISUSE: [R.CAUSED_HARM, R.AFFECTED],
    CategoryCode.COPYRIGHT: [R.CAUSED_HARM, R.INVOLVED],
    CategoryCode.HARMFUL_AI: [R.AFFECTED, R.CAUSED_HARM],
    CategoryCode.YOUTH_IMAGERY: [R.AFFECTED, R.CAUSED_HARM],
    CategoryCode.SEXUAL_ABUSE: [R.AFFECTED, R.WITNESS],
    CategoryCode.DATA_BREACH: [R.AFFECTED, R.AFFECTED],
    CategoryCode.STAFF_CONDUCT: [R.AFFECTED, R.WITNESS],
}  # the others (online hate in a shared document, radicalisation, ...): "involved" until the team knows more

FEEDBACK = "Thank you for reporting this so quickly. The school has acted and the pupils involved are being supported."
NOTES = [
    "Spoke with the class teacher; no earlier concerns about this group.",
    "Checked the pupil's chronology: first online safety concern.",
    "Discussed at the weekly safeguarding meeting.",
]


# The behaviour the DSL records for each kind of demo story (those with none are left for the DSL to decide).
STORY_BEHAVIOURS = {
    CategoryCode.CYBERBULLYING: [Behaviour.P_OFFENSIVE_MESSAGE],
    CategoryCode.ONLINE_HATE: [Behaviour.P_OFFENSIVE_MESSAGE, Behaviour.P_DISREPUTE],
    CategoryCode.DELIBERATE_ACCESS: [Behaviour.P_OFFENSIVE_CONTENT],
    CategoryCode.ACCIDENTAL_NOT_REPORTED: [Behaviour.P_ACCIDENT_NOT_REPORTED],
    CategoryCode.FILTER_BYPASS: [Behaviour.P_PROXY],
    CategoryCode.ACCOUNT_MISUSE: [Behaviour.P_PUPIL_ACCOUNT],
    CategoryCode.COPYRIGHT: [Behaviour.P_COPYRIGHT_DATA],
    CategoryCode.DEVICE_MISUSE: [Behaviour.P_DEVICES],
    CategoryCode.STAFF_CONDUCT: [Behaviour.S_PERSONAL_CHANNELS],
}


def seed(*, today=None) -> dict[str, int]:
    school = School.objects.filter(slug="oakfield").first()
    if school is None or Incident.objects.filter(school=school).exists():
        return {}
    set_up_school_defaults(school=school)
    return DemoIncidents(school, today or timezone.localdate()).create()


LAST_TERM_CASES = 34


class DemoIncidents:
    def __init__(self, school, today):
        self.school, self.today = school, today
        self.rng = random.Random(60)
        self.tz = timezone.get_current_timezone()
        term = current_term(school, today)
        self.start = term.starts_on if term else today - timedelta(days=80)
        self.people = {u.email: u for u in User.objects.filter(memberships__school=school).distinct()}
        self.categories = {c.code: c for c in IncidentCategory.objects.filter(school=school)}
        self.pupils = list(Pupil.objects.filter(school=school).order_by("pk"))
        self.counts = {"incidents": 0}
        self.tables = ResponseMatrix.objects.filter(school=school).order_by("-number").first()

    def person(self, email):
        return self.people[f"{email}@oakfield.example"]

    def moment(self, day, hour=None):
        hour = hour if hour is not None else self.rng.choice([9, 10, 11, 13, 14, 15])
        return datetime.combine(day, time(hour, self.rng.choice([5, 20, 35, 50])), self.tz)

    def create(self) -> dict[str, int]:
        days = (self.today - self.start).days
        reporters = [self.person(e) for e in ("teacher", "r.achebe", "l.morgan", "s.kaur", "j.wallace",
                                              "m.nowak", "c.bailey", "a.rahman", "office", "tech")]
        # One pupil in several recent cases: the dashboard flags them, and their three behaviours in the year
        # (offensive messages), each in a case where they are alleged to have caused harm, put them at continued
        # infringements. Each case also has the classmate harmed and one who saw it: the label is theirs alone.
        repeated = self.pupils[120]
        self.last_term(reporters)
        for index in range(56):
            story = STORIES[index % len(STORIES)]
            day = self.start + timedelta(days=int(days * index / 56))
            pupils = self.rng.sample(self.pupils, self.rng.choice([1, 1, 2]))
            self.case(story, day, reporters[index % len(reporters)], pupils, age_days=(self.today - day).days)
        for turn, back in enumerate((26, 15, 4)):
            latest = self.case(REPEATED_STORY, self.today - timedelta(days=back), self.person("teacher"),
                               [self.pupils[121 + turn], repeated, self.pupils[130 + turn]], age_days=back,
                               roles=[R.AFFECTED, R.CAUSED_HARM, R.INVOLVED if back == 4 else R.WITNESS])
        # The reporter was not sure what the friend's part was; the DSL, having spoken to them, records it.
        latest.refresh_from_db()
        services.set_pupil_role(incident=latest, actor=self.person("dsl"), pupil=self.pupils[132], role=R.WITNESS,
                                expected_version=None)
        self.allegation()
        urgent = self.case(STORIES[10], self.today, self.person("teacher"), [self.pupils[42]], age_days=0,
                           urgent=True)
        waiting = self.case(STORIES[3], self.today - timedelta(days=2), self.person("j.wallace"),
                            [self.pupils[77]], age_days=2, leave_new=True)
        self.alert_the_team(urgent, waiting)
        self.mid_branch()
        self.checklists()
        self.alert_the_team(*self.outside_reports())
        return self.counts

    def checklists(self):
        """Two open cases with their harm's checklist under way: nudes shared, the UKCIS steps partly answered; and
        a data breach discovered this morning, its 72 hours to the ICO decision running."""
        dsl = self.person("dsl")
        nudes = self.case(STORIES[9], self.today - timedelta(days=1), self.person("r.achebe"),
                          self.rng.sample(self.pupils, 2), age_days=1, leave_new=True)
        services.acknowledge(incident=nudes, actor=dsl, expected_version=None)
        services.answer_checklist(incident=nudes, actor=dsl, kind="sharing_nudes", answers={
            "review_meeting": ("yes", ""), "risk_adult": ("no", ""), "risk_coercion": ("yes", ""),
            "referred": ("yes", ""), "not_viewed": ("yes", "")})
        services.add_referral(incident=nudes, actor=dsl, agency=Agency.SOCIAL_CARE, referred_on=self.today,
                              reference="MASH-5531", contact="Front door duty social worker")
        breach = self.case(STORIES[12], self.today, self.person("office"), [], age_days=0, leave_new=True)
        services.acknowledge(incident=breach, actor=dsl, expected_version=None)
        discovered = min(timezone.now(), breach.reported_at) - timedelta(hours=3)
        services.set_checklist_clock(incident=breach, actor=dsl, kind="data_breach", started_at=discovered)
        services.answer_checklist(incident=breach, actor=dsl, kind="data_breach", answers={
            "contained": ("yes", ""), "dpo_told": ("yes", "")})
        self.counts["cases with a checklist under way"] = 2

    def answer_checklist(self, incident, owner, when, closed):
        """The demo's worked cases answer their checklist: every item once closed, the first half (and any
        deadline's item) while open. Risk questions are answered no."""
        record = incident.checklists.first()
        if record is None:
            return
        definition = checklists.CHECKLISTS[record.kind]
        items = list(definition.items) if closed else [
            item for n, item in enumerate(definition.items)
            if n < definition.size // 2 or item.key == definition.deadline_item]
        ChecklistAnswer.objects.bulk_create(
            ChecklistAnswer(checklist=record, item=item.key, answered_by=owner, answered_at=when,
                            answer="no" if item.key.startswith("risk_") else "yes")
            for item in items)

    def outside_reports(self):
        """The pupils' link, a pupil's own report (they gave their first name) and a parent's report, both waiting in
        the triage queue with no category chosen yet ("Other") and no level, as the forms leave them."""
        link = demo_pupil_link(self.school)
        other = self.categories[CategoryCode.OTHER]
        made = []
        for kind, when, description, platform, outside in (
            (ReporterKind.PUPIL, timezone.now() - timedelta(hours=3),
             "Someone in a game I play keeps saying mean things about me and my friends said he knows where I live. "
             "I blocked him but he made a new name.", "online game",
             {"reporter_name": "Maya", "child_class": "6R", "danger_now": Danger.NOT_SURE, "link": link}),
            (ReporterKind.PARENT, timezone.now() - timedelta(hours=20),
             "My daughter was added to a group chat by older pupils where a photo of her was edited and shared with "
             "rude comments. She is very upset and does not want to come in tomorrow.", "Social media",
             {"reporter_name": "Jo Parent", "reporter_email": "jo.parent@home.example", "child_name": "Ella",
              "child_class": "Year 7", "danger_now": Danger.NO, "receipt": "R-D3M7-7K2Q",
              "occurred_on": self.today - timedelta(days=1)}),
        ):
            self.counts["incidents"] += 1
            incident = Incident.objects.create(
                school=self.school, number=self.counts["incidents"], reported_by=None, reporter_kind=kind,
                occurred_at=when, location=Location.NOT_KNOWN, category=other, description=description,
                platform=platform, immediate_risk=False, is_urgent=outside["danger_now"] == Danger.NOT_SURE,
                possibly_illegal=Illegal.NOT_ASKED)
            Incident.objects.filter(pk=incident.pk).update(reported_at=when)
            OutsideReport.objects.create(incident=incident, kind=kind, **outside)
            TimelineEntry.objects.create(incident=incident, kind=Kind.REPORTED, author=None,
                                         text=f"Sent by a {ReporterKind(kind).label.lower()} (no account)")
            made.append(incident)
        self.counts["reports from pupils and parents"] = len(made)
        return made

    def mid_branch(self):
        """A possibly illegal case half way down the flowchart: the reporter was not sure, the DSL chose "illegal,
        no immediate risk", kept the evidence, secured the device and called the police on 101; the strategy
        meeting, CEOP and the IWF are still open, so the case cannot close yet."""
        story = (CategoryCode.SEXUAL_ABUSE, Location.ONLINE_ONLY, Device.PERSONAL, Network.HOME_OR_OTHER,
                 "Photo sharing app",
                 "Pupil told me an older teenager she does not know keeps sending her links to a photo app and "
                 "asking for pictures. She showed me the app's name but I did not open anything.",
                 "Told her she did the right thing, asked her to hand the phone in switched off.")
        incident = self.case(story, self.today - timedelta(days=1), self.person("l.morgan"), [self.pupils[63]],
                             age_days=1, leave_new=True)
        Incident.objects.filter(pk=incident.pk).update(possibly_illegal=Illegal.NOT_SURE,
                                                       url="photoapp.example/u/unknown-sender")
        incident.refresh_from_db()
        dsl, osl = self.person("dsl"), self.person("osl")
        services.acknowledge(incident=incident, actor=dsl, expected_version=None)
        services.set_level(incident=incident, actor=dsl, level=Level.ILLEGAL_NO_RISK, expected_version=None)
        services.record_branch_evidence(incident=incident, actor=dsl, by=osl, expected_version=None,
                                        how="App name, account name and web address written down; nothing opened",
                                        where="The case file in the DSL's office")
        services.record_branch_device(incident=incident, actor=dsl, secured=True, by=dsl, expected_version=None,
                                      held_at="Switched off, sealed bag in the DSL's locked cabinet")
        services.add_referral(incident=incident, actor=dsl, agency=Agency.POLICE_101, referred_on=self.today,
                              reference="POL-2611-0457", contact="Child abuse investigation team")
        self.counts["cases mid-branch"] = 1

    def complete_branch(self, incident, owner, referred, closed):
        """A closed possibly illegal case has every step of its branch answered (the service refuses it otherwise)."""
        IllegalBranch.objects.create(
            incident=incident, evidence_how="Web address and a description; nothing copied",
            evidence_where="The case file", evidence_by=owner, device_secured=False,
            device_not_secured_because="The content was seen on a pupil's own phone at home; the parent kept it",
            meeting_kind=MeetingKind.REVIEW, meeting_on=closed.date(),
            meeting_roles=[MeetingRole.DSL, MeetingRole.HEADTEACHER, MeetingRole.SOCIAL_CARE],
            meeting_decision="Referral made; the school supports the pupil and closes its case.")
        AgencyNotContacted.objects.bulk_create(
            AgencyNotContacted(incident=incident, agency=agency, recorded_by=owner,
                               reason="Advised by the agency referred to that no further report was needed")
            for agency in (Agency.POLICE_101, Agency.CEOP, Agency.IWF) if agency != referred)

    def last_term(self, reporters) -> None:
        """A quieter previous term, all closed, so the governors' report has a term to compare with."""
        term = terms_of(self.school).filter(ends_on__lt=self.start).order_by("-starts_on").first()
        if term is None:
            return
        days = (term.ends_on - term.starts_on).days
        for index in range(LAST_TERM_CASES):
            day = term.starts_on + timedelta(days=int(days * index / LAST_TERM_CASES))
            pupils = self.rng.sample(self.pupils, self.rng.choice([1, 1, 2]))
            self.case(STORIES[(index * 7) % len(STORIES)], day, reporters[index % len(reporters)], pupils,
                      age_days=(self.today - day).days)

    def alert_the_team(self, *incidents):
        """In-app alerts for the cases still new, as the report form would have sent (no emails in the demo)."""
        for incident in incidents:
            notify(users=recipients_for(incident), school=self.school, is_urgent=incident.is_urgent,
                   message=new_case_message(incident)[0], url=reverse("incidents:case", args=[incident.pk]))

    def case(self, story, day, reporter, pupils, age_days, urgent=False, leave_new=False,
             visibility=Visibility.DSL_TEAM, subject=None, roles=None):
        code, location, device, network, platform, description, action_taken = story
        self.counts["incidents"] += 1
        occurred = self.moment(day)
        reported = occurred + timedelta(minutes=self.rng.choice([10, 25, 40, 90]))
        sensitive = code in (CategoryCode.YOUTH_IMAGERY, CategoryCode.SEXUAL_ABUSE, CategoryCode.RADICALISATION)
        incident = Incident.objects.create(
            school=self.school, number=self.counts["incidents"], reported_by=reporter, occurred_at=occurred,
            location=location, category=self.categories[code], device=device, network=network, platform=platform,
            description=description, immediate_action=action_taken, immediate_risk=urgent,
            possibly_illegal=Illegal.YES if sensitive else Illegal.NO, is_urgent=urgent, visibility=visibility,
            subject_of_allegation=subject,
        )
        Incident.objects.filter(pk=incident.pk).update(reported_at=reported)
        incident.reported_at = reported
        pattern = roles or STORY_ROLES.get(code, [R.INVOLVED])
        IncidentPupil.objects.bulk_create(
            IncidentPupil(incident=incident, pupil=pupil, role=pattern[min(i, len(pattern) - 1)])
            for i, pupil in enumerate(pupils))
        services.add_category_checklist(incident)
        entries = [(Kind.REPORTED, reporter, reported, "")]
        if not (leave_new or age_days == 0):
            self.work_on(incident, pupils, age_days, sensitive, entries)
        TimelineEntry.objects.bulk_create(
            [TimelineEntry(incident=incident, kind=kind, author=author, text=text) for kind, author, _, text in entries]
        )
        for entry, (_, _, when, _) in zip(incident.timeline.order_by("pk"), entries):
            TimelineEntry.objects.filter(pk=entry.pk).update(created_at=when)
        return incident

    def work_on(self, incident, pupils, age_days, sensitive, entries):
        lead = self.person("dsl") if incident.visibility == Visibility.DSL_TEAM else self.person("head")
        deputy = self.person(self.rng.choice(["dsl", "deputy.dsl", "osl"]))
        owner = lead if incident.visibility != Visibility.DSL_TEAM else deputy
        acked = incident.reported_at + timedelta(hours=self.rng.choice([1, 2, 3, 20]))
        level = Level.ILLEGAL_NO_RISK if sensitive else Level.INAPPROPRIATE
        changes = {"acknowledged_at": acked, "acknowledged_by": owner, "assigned_to": owner, "level": level,
                   "status": Status.OPEN}
        entries += [(Kind.ACKNOWLEDGED, owner, acked, ""), (Kind.LEVEL, owner, acked, Level(level).label),
                    (Kind.NOTE, owner, acked + timedelta(hours=2), self.rng.choice(NOTES))]
        behaviours = STORY_BEHAVIOURS.get(incident.category.code, []) if self.tables else []
        if behaviours:
            CaseBehaviour.objects.bulk_create(CaseBehaviour(incident=incident, behaviour=b, matrix=self.tables,
                                                            recorded_by=owner) for b in behaviours)
            entries.append((Kind.BEHAVIOURS, owner, acked + timedelta(hours=1),
                            "; ".join(f"Added: {Behaviour(b).label}" for b in behaviours)))
        due = incident.reported_at.date() + timedelta(days=7)
        done = age_days > 12 or self.rng.random() < 0.4  # a few are left overdue, for the dashboard's flag
        CaseAction.objects.create(
            incident=incident, description="Speak to the pupils involved and their class teacher", owner=owner,
            due_on=due, created_by=owner, done_at=acked + timedelta(days=2) if done else None,
            done_by=owner if done else None,
        )
        if pupils:
            ParentContact.objects.create(incident=incident, pupil=pupils[0], who="Parent or carer", method="phone",
                                         contacted_at=acked + timedelta(hours=3), recorded_by=owner)
            entries.append((Kind.PARENTS, owner, acked + timedelta(hours=3), "Parent or carer (phone call)"))
        if sensitive:
            agency = Agency.CEOP if incident.category.code == CategoryCode.SEXUAL_ABUSE else Agency.SOCIAL_CARE
            Referral.objects.create(incident=incident, agency=agency, referred_on=acked.date(),
                                    reference=f"REF-{incident.number:04d}", recorded_by=owner)
            entries.append((Kind.REFERRAL, owner, acked + timedelta(hours=4), Agency(agency).label))
            changes["status"] = Status.WAITING if age_days < 30 else Status.OPEN
        if incident.category.code in (CategoryCode.DELIBERATE_ACCESS, CategoryCode.FILTER_BYPASS) and pupils:
            until = self.today + timedelta(days=10)
            Sanction.objects.create(incident=incident, pupil=pupils[0], kind=Sanction.Kind.ACCESS_REMOVED,
                                    until=until, recorded_by=owner)
            entries.append((Kind.SANCTION, owner, acked + timedelta(hours=5),
                            f"Network / internet access removed until {until:%d %b %Y}"))
        if age_days > 21:
            closed = acked + timedelta(days=self.rng.choice([3, 6, 10]))
            outcome = Outcome.REFERRED_AND_CLOSED if sensitive else self.rng.choice(
                [Outcome.RESOLVED_INTERNALLY, Outcome.RESOLVED_INTERNALLY, Outcome.NO_FURTHER_ACTION])
            changes.update(status=Status.CLOSED, outcome=outcome, closed_at=closed)
            if sensitive:
                self.complete_branch(incident, owner, agency, closed)
            entries += [(Kind.FEEDBACK, owner, closed, FEEDBACK), (Kind.CLOSED, owner, closed, Outcome(outcome).label)]
        self.answer_checklist(incident, owner, acked + timedelta(hours=6), closed=age_days > 21)
        Incident.objects.filter(pk=incident.pk).update(**changes)

    def allegation(self):
        subject = self.person("c.bailey")
        incident = self.case(ALLEGATION, self.today - timedelta(days=6), self.person("office"), [self.pupils[150]],
                             age_days=6, visibility=Visibility.HEADTEACHER, subject=subject)
        incident.staff_involved.set([subject])


# ---------------------------------------------------------------- the printed pupil link

DEMO_LINK_NONCE = "demo-pupil-link"  # the token is an HMAC of it under SECRET_KEY: the same link on every run


def demo_pupil_link(school) -> PupilReportLink:
    link = PupilReportLink.objects.filter(school=school, revoked_at__isnull=True).first()
    if link is None:
        link = PupilReportLink(school=school, nonce=DEMO_LINK_NONCE)
        link.token_sha256 = services.token_digest(services.pupil_link_token(link))
        link.save()
    return link


def pupil_link() -> list[str]:
    school = School.objects.filter(slug="oakfield").first()
    if school is None:
        return []
    link = demo_pupil_link(school)
    return [f"The pupils' \"tell a trusted adult\" link (no sign-in needed): "
            f"{absolute_url(reverse('incidents:tell', args=[services.pupil_link_token(link)]))}",
            f"The parents' report form (no sign-in needed): "
            f"{absolute_url(reverse('incidents:parent_report', args=[school.slug]))}"]
