"""Setting a school up: the checklist of what is still missing, and the starter records of a new school.

Like ``onlinesafety.navigation``, this is a registry: domain apps add to it from ``AppConfig.ready()`` and the
kernel never imports them.

- **The checklist.** A provider takes a list of schools and returns, for each school's id, its items
  (``ChecklistItem``: what, done or not, what is missing, and where it is fixed, for whoever may fix it). It must
  answer in a fixed number of queries however many schools it is given (a trust's page lists them all), so a
  provider reads all the schools at once (``filter(school__in=...)`` and a grouped count), never one by one. The
  kernel's own items (terms, people, the DSL and deputy, the link governor, the chair) are listed here.
- **Starter records.** Each starter takes a school just created from the set-up page and gives it what the school
  then edits (the policies app: the starter policy register). The defaults every school has, however it was
  created (categories, the response tables, agreements, duties), come from ``post_save`` signals instead.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Q
from django.urls import NoReverseMatch, reverse

from onlinesafety.access import Right
from onlinesafety.accounts.models import Person
from onlinesafety.schools import rights as school_rights
from onlinesafety.schools.models import Membership, Phase, School, Term
from onlinesafety.schools.roles import Role
from onlinesafety.schools.setup.years import academic_year_bounds, academic_year_label, academic_year_of


@dataclass(frozen=True)
class ChecklistItem:
    """One thing a school needs before it is set up."""

    code: str  # stable, e.g. "terms"; tests and templates may refer to it
    position: int  # where it is listed: the kernel's items first, then each app's
    label: str  # what it is, e.g. "A named DSL and a deputy"
    done: bool
    missing: str = ""  # when not done: what is missing, in a few words ("No deputy DSL yet")
    url: str = ""  # the page where it is fixed ("" when there is none)
    fix_right: Right = field(default=lambda user, school: False)  # who may open ``url`` for this school
    # True when ``url`` acts on the viewer's current school (a domain app's page), False when the address names
    # the school (the set-up, people and roster pages): the link is only shown where it reaches this school.
    in_current_school: bool = False
    fixed_by: str = ""  # who does it, for anyone without the link ("The headteacher or the trust")

    def link_for(self, user: Person, school: School, current_school: School | None) -> str:
        """``url`` if this person may fix the item for ``school`` from where they are, else ""."""
        if not self.url or (self.in_current_school and (current_school is None or current_school.pk != school.pk)):
            return ""
        return self.url if self.fix_right(user, school) else ""


@dataclass(frozen=True)
class ChecklistRow:
    """An item as one person sees it: with the link to fix it when they may."""

    item: ChecklistItem
    link: str


@dataclass(frozen=True)
class Checklist:
    school: School
    items: list[ChecklistItem]

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.done]

    @property
    def next_item(self) -> ChecklistItem | None:
        """What to do next: the first item not done."""
        return next((item for item in self.items if not item.done), None)

    def rows_for(self, user: Person, current_school: School | None) -> list[ChecklistRow]:
        return [ChecklistRow(item, item.link_for(user, self.school, current_school)) for item in self.items]


ChecklistProvider = Callable[[Sequence[School]], dict[int, list[ChecklistItem]]]
CHECKLIST_PROVIDERS: list[ChecklistProvider] = []


def register_checklist(provider: ChecklistProvider) -> None:
    """Domain apps add their checklist items from AppConfig.ready(); the kernel never imports them."""
    if provider not in CHECKLIST_PROVIDERS:
        CHECKLIST_PROVIDERS.append(provider)


def checklists_for(schools: Sequence[School], today: date) -> dict[int, Checklist]:
    """Every school's checklist (school id -> ``Checklist``), in a fixed number of queries: one or two per
    provider, whatever the number of schools."""
    schools = list(schools)
    items: dict[int, list[ChecklistItem]] = {school.pk: [] for school in schools}
    if not schools:
        return {}
    for provider in [_kernel_items(today), *CHECKLIST_PROVIDERS]:
        for school_id, found in provider(schools).items():
            items[school_id].extend(found)
    return {school.pk: Checklist(school, sorted(items[school.pk], key=lambda item: item.position))
            for school in schools}


def checklist_for(school: School, today: date) -> Checklist:
    return checklists_for([school], today)[school.pk]


# ---------------------------------------------------------------- starter records

Starter = Callable[[School], int]
STARTERS: list[Starter] = []


def register_starter(starter: Starter) -> None:
    """Domain apps add what a school created from the set-up page starts with; the kernel never imports them."""
    if starter not in STARTERS:
        STARTERS.append(starter)


def give_starter_records(school: School) -> int:
    """Run every registered starter for ``school`` (each adds only what is missing). Called by the school
    creation service inside its transaction, and by the demo. Returns how many records were added."""
    return sum(starter(school) for starter in STARTERS)


# ---------------------------------------------------------------- the kernel's own items

# The whole year is entered once its last term reaches the summer.
SUMMER_STARTS = (6, 1)


def school_page(url_name: str, school: School) -> str:
    """The address of a page named by the school's slug (the set-up, people and roster pages, each of its own
    helper package), or "" when that page is not installed."""
    try:
        return reverse(url_name, args=[school.slug])
    except NoReverseMatch:
        return ""


ADMINISTRATORS = "Done by the headteacher or the trust or local authority"


def _administers(user: Person, school: School) -> bool:
    return school_rights.administers_school(user, school)


def _kernel_items(today: date) -> ChecklistProvider:
    def provider(schools: Sequence[School]) -> dict[int, list[ChecklistItem]]:
        start_year = academic_year_of(today)
        first, last = academic_year_bounds(start_year)
        summer = date(start_year + 1, *SUMMER_STARTS)
        terms = {row["school"]: row for row in Term.objects.filter(
            school__in=schools, starts_on__gte=first, starts_on__lte=last,
        ).order_by().values("school").annotate(n=Count("pk"), last_end=Max("ends_on"))}
        people = {row["school"]: row for row in Membership.objects.filter(
            school__in=schools, is_active=True, user__is_active=True,
        ).order_by().values("school").annotate(
            others=Count("pk", filter=~Q(role__in=[Role.HEADTEACHER, Role.PARENT, Role.VISITOR])),
            dsl=Count("pk", filter=Q(role=Role.DSL)),
            deputy=Count("pk", filter=Q(role=Role.DEPUTY_DSL)),
            link_governor=Count("pk", filter=Q(role=Role.GOVERNOR, is_safeguarding_governor=True)),
            chair=Count("pk", filter=Q(role=Role.GOVERNOR, is_chair=True)),
        )}
        result = {}
        for school in schools:
            year = terms.get(school.pk)
            counts = people.get(school.pk, {})
            terms_url = school_page("setup:terms", school)
            people_url = school_page("people:list", school)
            dsl, deputy = counts.get("dsl", 0), counts.get("deputy", 0)
            if year is None:
                terms_missing = f"No terms entered for {academic_year_label(start_year)}"
            elif year["last_end"] < summer:
                terms_missing = f"Terms entered only until {year['last_end'].day} {year['last_end']:%B %Y}"
            else:
                terms_missing = ""
            dsl_missing = " and ".join(
                text for text, absent in (("no DSL", not dsl), ("no deputy DSL", not deputy)) if absent)
            dsl_missing = dsl_missing[:1].upper() + dsl_missing[1:]
            # A pupil referral unit is overseen by a management committee, not a governing body.
            body, member = (("the management committee", "member of the management committee")
                            if school.phase == Phase.ALTERNATIVE else ("governors", "governor"))
            result[school.pk] = [
                ChecklistItem("terms", 10, f"This academic year's terms ({academic_year_label(start_year)})",
                              not terms_missing, terms_missing, terms_url, _administers, fixed_by=ADMINISTRATORS),
                ChecklistItem("people", 20, "People added, beyond the headteacher", counts.get("others", 0) > 0,
                              "Only the headteacher so far", people_url, _administers,
                              fixed_by=ADMINISTRATORS),
                ChecklistItem("dsl", 30, "A named DSL and a deputy", bool(dsl and deputy),
                              dsl_missing, people_url, _administers, fixed_by=ADMINISTRATORS),
                ChecklistItem("link_governor", 40, f"A safeguarding link {member}",
                              counts.get("link_governor", 0) > 0, f"No link {member} named", people_url,
                              _administers, fixed_by=ADMINISTRATORS),
                ChecklistItem("chair", 50, f"A chair of {body}", counts.get("chair", 0) > 0,
                              f"No chair of {body} named", people_url, _administers,
                              fixed_by=ADMINISTRATORS),
            ]
        return result

    return provider

