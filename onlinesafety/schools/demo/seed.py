"""The demo schools: oakfield (a one-form-entry primary) and riverside (a small school to show separation).

Oakfield's roster is generated; Riverside's comes from the sample SIMS exports in docs/samples/, run through the
roster import as its headteacher would (a dry run, then confirmed), so the import path is what builds a school.
Everything is derived from fixed seeds, natural keys and the imports' keys, so running it again creates nothing new.
"""

import io
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypedDict

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from onlinesafety.accounts.models import User
from onlinesafety.roster import services as roster_services
from onlinesafety.roster.models import Kind as RosterKind, RosterImport, Status as RosterStatus

from ..models import Contact, Membership, ParentLink, Pupil, School, SchoolClass, Term, YearGroup
from ..roles import Role
from .names import ADULT_FIRST_NAMES, FIRST_NAMES, SURNAMES

OAKFIELD_PUPILS = 200


@dataclass
class Person:
    email: str
    full_name: str
    role: str
    job_title: str = ""
    is_chair: bool = False
    is_safeguarding_governor: bool = False


OAKFIELD_STAFF = [
    Person("head@oakfield.example", "Helen Ashworth", Role.HEADTEACHER, "Headteacher"),
    Person("dsl@oakfield.example", "Daniel Okafor", Role.DSL, "Deputy Headteacher"),
    Person("deputy.dsl@oakfield.example", "Priya Sharma", Role.DEPUTY_DSL, "SENCo"),
    Person("osl@oakfield.example", "Megan Hughes", Role.ONLINE_SAFETY_LEAD, "Computing Lead"),
    Person("teacher@oakfield.example", "Tom Fletcher", Role.STAFF, "Year 4 teacher"),
    Person("tech@oakfield.example", "Sam Patel", Role.TECHNICIAN, "IT technician"),
    Person("office@oakfield.example", "Julie Barker", Role.STAFF, "Office manager"),
    Person("r.achebe@oakfield.example", "Ruth Achebe", Role.STAFF, "Reception teacher"),
    Person("l.morgan@oakfield.example", "Liam Morgan", Role.STAFF, "Year 1 teacher"),
    Person("s.kaur@oakfield.example", "Simran Kaur", Role.STAFF, "Year 2 teacher"),
    Person("j.wallace@oakfield.example", "Jenny Wallace", Role.STAFF, "Year 3 teacher"),
    Person("m.nowak@oakfield.example", "Marta Nowak", Role.STAFF, "Year 5 teacher"),
    Person("c.bailey@oakfield.example", "Chris Bailey", Role.STAFF, "Year 6 teacher"),
    Person("a.rahman@oakfield.example", "Anisa Rahman", Role.STAFF, "Teaching assistant"),
    Person("k.doyle@oakfield.example", "Kieran Doyle", Role.STAFF, "Teaching assistant"),
    Person("e.price@oakfield.example", "Eleanor Price", Role.STAFF, "Teaching assistant"),
    Person("b.shaw@oakfield.example", "Bev Shaw", Role.STAFF, "Midday supervisor"),
    Person("p.gill@oakfield.example", "Pardeep Gill", Role.STAFF, "Sports coach"),
    Person("h.quinn@oakfield.example", "Hannah Quinn", Role.STAFF, "Family support worker"),
    Person("visitor@oakfield.example", "Vikram Desai", Role.VISITOR, "Supply teacher"),
]

OAKFIELD_GOVERNORS = [
    Person("chair@oakfield.example", "Robert Lloyd", Role.GOVERNOR, "Chair of governors", is_chair=True),
    Person("governor@oakfield.example", "Margaret Ellis", Role.GOVERNOR, "Safeguarding link governor",
           is_safeguarding_governor=True),
    Person("f.mensah@oakfield.example", "Frank Mensah", Role.GOVERNOR, "Parent governor"),
    Person("a.iqbal@oakfield.example", "Ayesha Iqbal", Role.GOVERNOR, "Staff governor"),
    Person("d.turner@oakfield.example", "Diane Turner", Role.GOVERNOR, "Local authority governor"),
]

RIVERSIDE_PEOPLE = [
    Person("head@riverside.example", "Graham Hayes", Role.HEADTEACHER, "Headteacher"),
    Person("dsl@riverside.example", "Nadia Farrell", Role.DSL, "Designated Safeguarding Lead"),
    Person("teacher@riverside.example", "Owen Jenkins", Role.STAFF, "Class teacher"),
    Person("governor@riverside.example", "Lucy Marsh", Role.GOVERNOR, "Safeguarding link governor",
           is_safeguarding_governor=True),
    # The chair of Oakfield also governs Riverside: one login, two schools, a switcher.
    Person("chair@oakfield.example", "Robert Lloyd", Role.GOVERNOR, "Governor"),
]

OAKFIELD_CLASSES = [
    ("Acorns", YearGroup.RECEPTION), ("Beech", YearGroup.Y1), ("Cedar", YearGroup.Y2), ("Elm", YearGroup.Y3),
    ("Hazel", YearGroup.Y4), ("Maple", YearGroup.Y5), ("Willow", YearGroup.Y6),
]
# Riverside's MIS exports (SIMS columns), imported in this order as full exports by the headteacher. New staff get
# the "staff" role; the head, DSL and class teacher above already hold theirs and keep them.
RIVERSIDE_ROSTER = [
    (RosterKind.PUPILS, "roster-riverside-pupils.csv", None),
    (RosterKind.STAFF, "roster-riverside-staff.csv", Role.STAFF),
    (RosterKind.CONTACTS, "roster-riverside-contacts.csv", None),
]
SAMPLES = settings.BASE_DIR / "docs" / "samples"
# The academic year the samples' dates are written for (September 2026): the seeder moves them by whole years to
# the current one, so that each pupil's date of birth still fits their year group.
SAMPLE_ACADEMIC_YEAR = 2026
UK_DATE = re.compile(rb"\b(\d{2}/\d{2}/)(\d{4})\b")

PARENT_EMAIL = "parent@oakfield.example"
SITE_ADMIN_EMAIL = "admin@oakfield.example"


class PlannedCarer(TypedDict):
    email: str
    name: str
    relationship: str
    responsibility: bool


class PlannedFamily(TypedDict):
    children: list[Pupil]
    carers: list[PlannedCarer]


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, count: int) -> None:
        if count:
            self.created[what] = self.created.get(what, 0) + count

    @property
    def changed(self) -> bool:
        return bool(self.created)


def academic_year_start(today: date) -> int:
    return today.year if today.month >= 9 else today.year - 1


def term_dates(start_year: int) -> list[tuple[str, date, date]]:
    return [
        (f"Autumn {start_year}", date(start_year, 9, 3), date(start_year, 12, 18)),
        (f"Spring {start_year + 1}", date(start_year + 1, 1, 5), date(start_year + 1, 3, 26)),
        (f"Summer {start_year + 1}", date(start_year + 1, 4, 13), date(start_year + 1, 7, 22)),
    ]


def birth_date(rng: random.Random, year_group: int, start_year: int) -> date:
    """A birthday that puts the child in ``year_group`` in the academic year starting ``start_year``."""
    first = date(start_year - 5 - year_group, 9, 1)
    return first + timedelta(days=rng.randrange(365))


class DemoSeeder:
    def __init__(self, password: str, today: date | None = None):
        self.password_hash = make_password(password)  # one Argon2 hash shared by every demo account
        self.today = today or timezone.localdate()
        self.start_year = academic_year_start(self.today)
        self.result = SeedResult()

    def run(self) -> SeedResult:
        with transaction.atomic():
            oakfield = self.school("Oakfield Primary School", "oakfield", "990101")
            riverside = self.school("Riverside Community Primary", "riverside", "990202")
            self.site_admin()
            self.people(oakfield, OAKFIELD_STAFF + OAKFIELD_GOVERNORS)
            self.people(riverside, RIVERSIDE_PEOPLE)
            for school in (oakfield, riverside):
                self.terms(school)
            self.pupils_and_families(oakfield, OAKFIELD_CLASSES, OAKFIELD_PUPILS, "oakfield", seed=2026)
            self.riverside_roster(riverside)
        return self.result

    def school(self, name: str, slug: str, urn: str) -> School:
        school, created = School.objects.get_or_create(slug=slug, defaults={"name": name, "urn": urn})
        self.result.add("schools", int(created))
        return school

    def site_admin(self) -> None:
        self.users([(SITE_ADMIN_EMAIL, "Site Administrator")], is_staff=True, is_superuser=True)

    def users(self, pairs: list[tuple[str, str]], **flags: bool) -> dict[str, User]:
        emails = [email for email, _ in pairs]
        existing = {u.email: u for u in User.objects.filter(email__in=emails)}
        missing = [
            User(email=email, full_name=name, password=self.password_hash, **flags)
            for email, name in dict(pairs).items()
            if email not in existing
        ]
        User.objects.bulk_create(missing)
        self.result.add("users", len(missing))
        return {u.email: u for u in User.objects.filter(email__in=emails)}

    def people(self, school: School, people: list[Person]) -> None:
        users = self.users([(p.email, p.full_name) for p in people])
        existing = set(Membership.objects.filter(school=school).values_list("user_id", "role"))
        missing = [
            Membership(
                user=users[p.email], school=school, role=p.role, job_title=p.job_title,
                is_chair=p.is_chair, is_safeguarding_governor=p.is_safeguarding_governor,
            )
            for p in people
            if (users[p.email].pk, p.role) not in existing
        ]
        Membership.objects.bulk_create(missing)
        self.result.add("memberships", len(missing))

    def terms(self, school: School) -> None:
        existing = set(Term.objects.filter(school=school).values_list("starts_on", flat=True))
        dates = term_dates(self.start_year - 1) + term_dates(self.start_year)
        missing = [
            Term(school=school, name=name, starts_on=start, ends_on=end)
            for name, start, end in dates
            if start not in existing
        ]
        Term.objects.bulk_create(missing)
        self.result.add("terms", len(missing))

    def riverside_roster(self, school: School) -> None:
        """Riverside's pupils, staff and contacts from the sample exports, through the roster import: a dry run,
        confirmed by the headteacher, then applied (here, not on a worker). Each kind is imported once."""
        head = User.objects.get(email="head@riverside.example")
        shift = self.start_year - SAMPLE_ACADEMIC_YEAR
        for kind, name, role in RIVERSIDE_ROSTER:
            if RosterImport.objects.filter(school=school, kind=kind, status=RosterStatus.APPLIED).exists():
                continue
            data = UK_DATE.sub(lambda match: match[1] + str(int(match[2]) + shift).encode(),
                               (SAMPLES / name).read_bytes())
            dry_run = roster_services.preview_file(
                school=school, actor=head, kind=kind, binary=io.BytesIO(data), size=len(data), original_name=name,
                columns="sims", is_full_export=True, staff_role=role, save_mapping=True)
            applied = roster_services.apply_confirmed_now(roster_import=dry_run, actor=head)
            assert applied.status == RosterStatus.APPLIED, applied.failure
            self.result.add("roster imports", 1)

    def classes(self, school: School, classes: list[tuple[str, YearGroup]]) -> list[SchoolClass]:
        existing = set(SchoolClass.objects.filter(school=school).values_list("name", flat=True))
        SchoolClass.objects.bulk_create(
            [SchoolClass(school=school, name=name, year_group=year) for name, year in classes if name not in existing]
        )
        self.result.add("classes", len(classes) - len(existing & {name for name, _ in classes}))
        return list(SchoolClass.objects.filter(school=school).order_by("year_group"))

    def pupils_and_families(
        self, school: School, classes: list[tuple[str, YearGroup]], pupil_total: int, domain: str, seed: int
    ) -> None:
        rng = random.Random(seed)
        school_classes = self.classes(school, classes)
        per_class = -(-pupil_total // len(school_classes))
        places = {c.pk: per_class for c in school_classes}
        families = self.plan_families(rng, school, school_classes, places, pupil_total, domain)

        existing = {(p.first_name, p.last_name): p for p in Pupil.objects.filter(school=school)}
        new_pupils = [
            child for family in families for child in family["children"]
            if (child.first_name, child.last_name) not in existing
        ]
        Pupil.objects.bulk_create(new_pupils)
        self.result.add("pupils", len(new_pupils))
        pupils = {(p.first_name, p.last_name): p for p in Pupil.objects.filter(school=school)}

        carers = [(c["email"], c["name"]) for family in families for c in family["carers"]]
        users = self.users(carers)
        self.people(school, [Person(email, name, Role.PARENT) for email, name in carers])

        contacts = self.contacts(school, [users[email] for email, _ in carers])
        existing_links = set(ParentLink.objects.filter(pupil__school=school).values_list("parent_id", "pupil_id"))
        new_links = []
        for family in families:
            for carer in family["carers"]:
                for child in family["children"]:
                    pupil = pupils[(child.first_name, child.last_name)]
                    parent = users[carer["email"]]
                    if (parent.pk, pupil.pk) not in existing_links:
                        new_links.append(ParentLink(
                            contact=contacts[parent.pk], parent=parent, pupil=pupil,
                            relationship=carer["relationship"], has_parental_responsibility=carer["responsibility"],
                        ))
        ParentLink.objects.bulk_create(new_links)
        self.result.add("parent links", len(new_links))

    def contacts(self, school: School, parents: list[User]) -> dict[int, Contact]:
        """Each parent's contact record in the school, made where missing (bulk: no signals, no audit)."""
        existing = {c.user_id: c for c in Contact.objects.filter(school=school, user__in=parents)}
        Contact.objects.bulk_create([Contact(school=school, user=p, full_name=p.full_name, email=p.email)
                                     for p in {p.pk: p for p in parents}.values() if p.pk not in existing])
        return {c.user_id: c for c in Contact.objects.filter(school=school, user__in=parents)
                if c.user_id is not None}

    def plan_families(
        self, rng: random.Random, school: School, school_classes: list[SchoolClass], places: dict[int, int],
        pupil_total: int, domain: str,
    ) -> list[PlannedFamily]:
        """Families of one to three children, each with one or two carers; names unique in the school."""
        families: list[PlannedFamily] = []
        used_names: set[tuple[str, str]] = set()
        used_emails: set[str] = set()
        planned = 0
        while planned < pupil_total:
            surname = rng.choice(SURNAMES)
            featured = not families and domain == "oakfield"  # parent@oakfield.example has two children
            size = 2 if featured else rng.choices([1, 2, 3], weights=[70, 25, 5])[0]
            size = min(size, pupil_total - planned)
            open_classes = [c for c in school_classes if places[c.pk] > 0]
            children = []
            for school_class in rng.sample(open_classes, min(size, len(open_classes))):
                first = rng.choice(FIRST_NAMES)
                while (first, surname) in used_names:
                    first = rng.choice(FIRST_NAMES)
                used_names.add((first, surname))
                places[school_class.pk] -= 1
                children.append(Pupil(
                    school=school, first_name=first, last_name=surname,
                    date_of_birth=birth_date(rng, school_class.year_group, self.start_year),
                    year_group=school_class.year_group, school_class=school_class,
                    has_send=rng.random() < 0.14,
                ))
            planned += len(children)
            carers = self.plan_carers(rng, surname, domain, used_emails, featured=featured)
            families.append({"children": children, "carers": carers})
        return families

    @staticmethod
    def plan_carers(
        rng: random.Random, surname: str, domain: str, used_emails: set[str], featured: bool
    ) -> list[PlannedCarer]:
        count = 1 if rng.random() < 0.35 else 2
        relationships = [("mother", True), ("father", True)]
        if count == 2 and rng.random() < 0.1:
            relationships = [("mother", True), ("step_parent", False)]
        carers: list[PlannedCarer] = []
        for index in range(count):
            first = rng.choice(ADULT_FIRST_NAMES)
            email = f"{first}.{surname}".lower().replace("-", "") + f"@families.{domain}.example"
            suffix = 2
            while email in used_emails:
                email = f"{first}.{surname}{suffix}".lower().replace("-", "") + f"@families.{domain}.example"
                suffix += 1
            if featured and index == 0:
                email = PARENT_EMAIL
            used_emails.add(email)
            relationship, responsibility = relationships[index]
            carers.append({
                "email": email, "name": f"{first} {surname}",
                "relationship": relationship, "responsibility": responsibility,
            })
        return carers


DEMO_LOGINS = [
    ("head@oakfield.example", "Headteacher, Oakfield"),
    ("dsl@oakfield.example", "Designated Safeguarding Lead, Oakfield"),
    ("osl@oakfield.example", "Online Safety Lead, Oakfield"),
    ("teacher@oakfield.example", "Class teacher, Oakfield"),
    ("tech@oakfield.example", "IT technician, Oakfield"),
    ("governor@oakfield.example", "Safeguarding link governor, Oakfield"),
    ("chair@oakfield.example", "Chair of governors, Oakfield (also governor at Riverside)"),
    ("parent@oakfield.example", "Parent, Oakfield"),
    ("visitor@oakfield.example", "Visitor (supply teacher), Oakfield"),
    ("dsl@riverside.example", "Designated Safeguarding Lead, Riverside"),
    ("head@riverside.example", "Headteacher, Riverside (its roster was imported from docs/samples/)"),
    ("trust-admin@oakfield.example", "Trust administrator, Oakfield Learning Trust (owns both schools)"),
    ("admin@oakfield.example", "Site administrator (creates schools; Django admin, development mailbox)"),
]
