"""Comparing an import's normalised rows with the roster (the dry run), and applying them.

Each kind has a ``Sync``: ``plan()`` reads the school's records once and works out, in memory, what would be added,
changed, marked as left (or removed, or ended) and what is left alone, with every duplicate reported and none
guessed at; ``apply(progress)`` works the plan out again from the database as it is now and writes it, in bulk, in
the caller's transaction (the service's one transaction: a failure anywhere leaves the roster as it was).

Keys: pupils by MIS id, else UPN (a pupil on the roster with neither, as made by hand, is matched once by legal
name and date of birth, and then carries the key); contacts by the MIS's contact id; staff by MIS id, else email.
People are never deleted: a pupil missing from a full export is marked as left, a contact's link missing from a
full contacts export is removed, and a member of staff missing from a full staff export loses the membership the
import manages. A bad line is not missing: the keys it still carries (``fields.key_of``, staged as rows marked
``bad``) count as present, so the person it names is left as they are, and the dry run says so. A membership a
person ended stays ended, whatever the file says. After every import ``sync_parent_access`` gives a parent
membership to every account linked to a pupil on roll and ends it for every other.
"""

import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from django.contrib.auth.hashers import make_password
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from onlinesafety.accounts.models import User
from onlinesafety.audit.models import AuditEvent
from onlinesafety.schools.models import Contact, Membership, ParentLink, Pupil, School, SchoolClass, YearGroup
from onlinesafety.schools.roles import ROLE_PRECEDENCE, Role

from .fields import Row
from .models import IMPORTABLE_STAFF_ROLES, Kind

Progress = Callable[[int], None]
BATCH = 1000
EXAMPLES = 20  # rows shown field by field on the dry-run page
LEAVERS_SHOWN = 100
NAMED_LINES = 3
BAD_LINE = "a bad line, left as it is"


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:NAMED_LINES])
    return shown + (f" and {len(lines) - NAMED_LINES} more" if len(lines) > NAMED_LINES else "")


def _day(value: date | str | None) -> str:
    if value is None or value == "":
        return "none"
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day:%d/%m/%Y}"


@dataclass
class Change:
    pk: int
    line: int
    name: str
    updates: dict[str, Any]  # model field -> new value
    shown: list[tuple[str, str, str]]  # (what, was, now) for the dry-run page


@dataclass
class Plan:
    rows: int = 0
    add: list[Row] = field(default_factory=list)
    change: list[Change] = field(default_factory=list)
    unchanged: int = 0
    leave: list[tuple[int, str]] = field(default_factory=list)  # (pk, who) marked as left / removed / ended
    kept: list[tuple[int, str]] = field(default_factory=list)  # (pk, who and why) left as they are, not missing
    duplicates: list[list[Any]] = field(default_factory=list)  # [line, why]
    bad: list[list[Any]] = field(default_factory=list)  # [line, why], found while matching
    notes: list[str] = field(default_factory=list)
    extra: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "add": len(self.add), "change": len(self.change), "leave": len(self.leave),
                "unchanged": self.unchanged, "duplicates": len(self.duplicates), "kept": len(self.kept), **self.extra}


def today_in(school: School) -> date:
    """Today in the school's own time zone."""
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(school.timezone)).date()


class Sync:
    kind: ClassVar[str]
    leave_words: ClassVar[str]

    def __init__(self, school: School, rows: list[Row], *, full: bool, today: date, staff_role: str = "") -> None:
        self.school, self.full, self.today, self.staff_role = school, full, today, staff_role
        self.rows = [row for row in rows if not row.get("bad")]
        self.bad_keys = [row for row in rows if row.get("bad")]  # the keys of the bad lines: present, not changed
        self.ended_memberships: list[tuple[int, int, str]] = []  # (pk, user, role) the apply ended, to audit

    def plan(self) -> Plan:
        raise NotImplementedError

    def apply(self, progress: Progress) -> dict[str, int]:
        raise NotImplementedError

    def population(self) -> int:
        """How many records a full export could mark as left (for the unattended leavers' limit)."""
        raise NotImplementedError

    @staticmethod
    def details(plan: Plan, name_of: Callable[[Row], str]) -> dict[str, Any]:
        """The examples the dry-run page shows: some additions and changes field by field, the leavers."""
        return {
            "add": [name_of(row) for row in plan.add[:EXAMPLES]],
            "change": [{"line": change.line, "name": change.name, "fields": change.shown}
                       for change in plan.change[:EXAMPLES]],
            "leave": [who for _, who in plan.leave[:LEAVERS_SHOWN]],
            "kept": [who for _, who in plan.kept[:LEAVERS_SHOWN]],
            "notes": plan.notes,
        }


def _duplicates_by(rows: Iterable[Row], key: str, words: str) -> dict[int, str]:
    lines: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.get(key):
            lines[row[key]].append(row["line"])
    return {line: f"{len(same)} rows have the same {words} (lines {_lines(same)}): none of them was imported"
            for same in lines.values() if len(same) > 1 for line in same}


def _records(queryset: Any, *names: str) -> list[dict[str, Any]]:
    """Rows as plain dicts (what the comparisons work on)."""
    return [dict(row) for row in queryset.values(*names)]


def _flush(model: type[Any], batch: list[Any]) -> None:
    if batch:
        model.objects.bulk_create(batch, batch_size=BATCH)
        batch.clear()


# ---------------------------------------------------------------- pupils

PUPIL_VALUES = ("pk", "mis_id", "upn", "first_name", "last_name", "preferred_first_name", "preferred_last_name",
                "date_of_birth", "year_group", "school_class_id", "has_send", "admission_date", "is_on_roll",
                "left_on")
PUPIL_WORDS = {"mis_id": "MIS id", "upn": "UPN", "first_name": "legal first name", "last_name": "legal surname",
               "preferred_first_name": "preferred first name", "preferred_last_name": "preferred surname",
               "date_of_birth": "date of birth", "year_group": "year group", "school_class": "class",
               "has_send": "SEND", "admission_date": "admission date", "is_on_roll": "on roll"}


def _pupil_name(row: Row | dict[str, Any]) -> str:
    first = row.get("preferred_first_name") or row["first_name"]
    return f"{first} {row.get('preferred_last_name') or row['last_name']}"


class PupilSync(Sync):
    kind = Kind.PUPILS
    leave_words = "marked as left"

    def population(self) -> int:
        return Pupil.objects.filter(school=self.school, is_on_roll=True).count()

    def _load(self) -> None:
        self.existing = {p["pk"]: p for p in _records(Pupil.objects.filter(school=self.school), *PUPIL_VALUES)}
        self.by_mis = {p["mis_id"]: p for p in self.existing.values() if p["mis_id"]}
        self.by_upn = {p["upn"]: p for p in self.existing.values() if p["upn"]}
        self.keyless: dict[tuple[str, str, date], list[dict[str, Any]]] = defaultdict(list)
        for p in self.existing.values():
            if not p["mis_id"] and not p["upn"]:
                self.keyless[(p["first_name"].casefold(), p["last_name"].casefold(), p["date_of_birth"])].append(p)
        self.classes = {c.name.casefold(): c for c in SchoolClass.objects.filter(school=self.school)}
        self.class_names = {c.pk: c.name for c in self.classes.values()}
        self.class_of_line: dict[int, str] = {}

    def plan(self) -> Plan:
        self._load()
        plan = Plan(rows=len(self.rows))
        duplicates = {**_duplicates_by(self.rows, "mis_id", "MIS id"), **_duplicates_by(self.rows, "upn", "UPN")}
        present: set[int] = set()
        matched: list[tuple[Row, dict[str, Any] | None, bool]] = []
        for row in self.rows:
            by_mis = self.by_mis.get(row["mis_id"]) if row["mis_id"] else None
            by_upn = self.by_upn.get(row["upn"]) if row["upn"] else None
            present.update(p["pk"] for p in (by_mis, by_upn) if p)
            if row["line"] in duplicates:
                plan.duplicates.append([row["line"], duplicates[row["line"]]])
                continue
            if by_mis and by_upn and by_mis["pk"] != by_upn["pk"]:
                plan.duplicates.append([row["line"], "its MIS id and its UPN belong to two different pupils already "
                                                     "on the roster: neither was changed"])
                continue
            match, adopted = by_mis or by_upn, False
            if match is None:
                born = date.fromisoformat(row["date_of_birth"])
                candidates = self.keyless.get((row["first_name"].casefold(), row["last_name"].casefold(), born), [])
                if len(candidates) > 1:
                    plan.duplicates.append([row["line"], f"it matches {len(candidates)} pupils on the roster by legal "
                                                         "name and date of birth, none with an MIS id or UPN"])
                    continue
                if candidates:
                    match, adopted = candidates[0], True
                    present.add(match["pk"])
            matched.append((row, match, adopted))
        claims: dict[int, list[int]] = defaultdict(list)
        for row, match, _ in matched:
            if match:
                claims[match["pk"]].append(row["line"])
        adopted_count = 0
        new_classes: dict[str, int] = {}
        for row, match, adopted in matched:
            if match and len(claims[match["pk"]]) > 1:
                plan.duplicates.append([row["line"], f"{len(claims[match['pk']])} rows match the same pupil (lines "
                                                     f"{_lines(claims[match['pk']])}): none of them was imported"])
                continue
            name = row.get("school_class")
            if name and name.casefold() not in self.classes:
                new_classes.setdefault(name.casefold(), row["year_group"])
            leaves = row.get("leaving_date") is not None and row["leaving_date"] <= self.today.isoformat()
            if match is None:
                if leaves:
                    plan.extra["left_not_added"] = plan.extra.get("left_not_added", 0) + 1
                else:
                    plan.add.append(row)
                continue
            adopted_count += adopted
            change = self._change(row, match, leaves)
            if change is None:
                plan.unchanged += 1
            elif change.updates.get("is_on_roll") is False:
                plan.leave.append((match["pk"], f"{_pupil_name(row)} (leaving date {_day(row['leaving_date'])})"))
                plan.change.append(change)
            else:
                plan.change.append(change)
        for row in self.bad_keys:
            for pupil in (self.by_mis.get(row["mis_id"]) if row["mis_id"] else None,
                          self.by_upn.get(row["upn"]) if row["upn"] else None):
                if pupil is not None and pupil["pk"] not in present:
                    present.add(pupil["pk"])
                    plan.kept.append((pupil["pk"], f"{_pupil_name(pupil)} (line {row['line']}: {BAD_LINE})"))
        if self.full:
            for pk, pupil in self.existing.items():
                if pupil["is_on_roll"] and pk not in present:
                    plan.leave.append((pk, f"{_pupil_name(pupil)} (not in the file)"))
        plan.extra["classes_to_create"] = len(new_classes)
        if adopted_count:
            plan.notes.append(f"{adopted_count} pupil{'s' if adopted_count != 1 else ''} already on the roster with no "
                              "MIS id or UPN matched by legal name and date of birth, and now carry the file's keys.")
        if plan.extra.get("left_not_added"):
            plan.notes.append(f"{plan.extra['left_not_added']} rows are pupils whose leaving date has passed and who "
                              "are not on the roster: they were not added.")
        self.leaving_pks = {pk for pk, _ in plan.leave}
        self.new_classes = new_classes
        plan.extra["parents_losing_access"] = self._parents_losing_access(self.leaving_pks)
        self._plan = plan
        return plan

    def _class_pk(self, name: str | None) -> int | None:
        if not name:
            return None
        found = self.classes.get(name.casefold())
        return found.pk if found else -1  # -1: a class this import creates

    def _change(self, row: Row, pupil: dict[str, Any], leaves: bool) -> Change | None:
        wanted: dict[str, Any] = {
            "first_name": row["first_name"], "last_name": row["last_name"],
            "date_of_birth": date.fromisoformat(row["date_of_birth"]), "year_group": row["year_group"],
        }
        if row["mis_id"]:
            wanted["mis_id"] = row["mis_id"]
        if row["upn"]:
            wanted["upn"] = row["upn"]
        for name in ("preferred_first_name", "preferred_last_name", "has_send"):
            if name in row:
                wanted[name] = row[name]
        if "admission_date" in row:
            wanted["admission_date"] = date.fromisoformat(row["admission_date"]) if row["admission_date"] else None
        if "school_class" in row:
            wanted["school_class_id"] = self._class_pk(row["school_class"])
            self.class_of_line[row["line"]] = row["school_class"]
        if leaves:
            wanted["is_on_roll"], wanted["left_on"] = False, date.fromisoformat(row["leaving_date"])
        else:
            wanted["is_on_roll"], wanted["left_on"] = True, None
        updates = {name: value for name, value in wanted.items() if pupil[name] != value}
        if not updates:
            return None
        shown = []
        for name, value in updates.items():
            if name == "left_on":
                continue
            was = pupil[name]
            if name == "school_class_id":
                shown.append(("class", self.class_names.get(was, "none") if was else "none", row["school_class"] or
                              "none"))
            elif name == "year_group":
                shown.append(("year group", YearGroup(was).label, YearGroup(value).label))
            elif name in ("date_of_birth", "admission_date"):
                shown.append((PUPIL_WORDS[name], _day(was), _day(value)))
            elif name in ("has_send", "is_on_roll"):
                shown.append((PUPIL_WORDS[name], "yes" if was else "no", "yes" if value else "no"))
            else:
                shown.append((PUPIL_WORDS[name], was or "none", value or "none"))
        return Change(pupil["pk"], row["line"], _pupil_name(row), updates, shown)

    def _parents_losing_access(self, leaving: set[int]) -> int:
        """Parent accounts whose every child on roll would be marked as left (their access ends with the import)."""
        if not leaving:
            return 0
        children: dict[int, set[int]] = defaultdict(set)
        for parent_id, pupil_id in ParentLink.objects.filter(
                pupil__school=self.school, pupil__is_on_roll=True, parent__isnull=False).values_list(
                "parent_id", "pupil_id"):
            children[parent_id].add(pupil_id)
        return sum(1 for kids in children.values() if kids <= leaving)

    def _pupil_instance(self, row: Row) -> Pupil:
        return Pupil(
            school=self.school, mis_id=row["mis_id"], upn=row["upn"], first_name=row["first_name"],
            last_name=row["last_name"], preferred_first_name=row.get("preferred_first_name", ""),
            preferred_last_name=row.get("preferred_last_name", ""),
            date_of_birth=date.fromisoformat(row["date_of_birth"]), year_group=row["year_group"],
            school_class_id=self._class_pk(row.get("school_class")), has_send=row.get("has_send", False),
            admission_date=date.fromisoformat(row["admission_date"]) if row.get("admission_date") else None,
        )

    def apply(self, progress: Progress) -> dict[str, int]:
        plan = self.plan()
        if self.new_classes:
            names = {row["school_class"].casefold(): row["school_class"] for row in self.rows
                     if row.get("school_class")}
            SchoolClass.objects.bulk_create([SchoolClass(school=self.school, name=names[folded], year_group=year)
                                             for folded, year in self.new_classes.items()])
            self.classes = {c.name.casefold(): c for c in SchoolClass.objects.filter(school=self.school)}
        done = 0
        batch: list[Pupil] = []
        for row in plan.add:
            batch.append(self._pupil_instance(row))
            if len(batch) >= BATCH:
                _flush(Pupil, batch)
            done += 1
            if done % 250 == 0:
                progress(done)
        _flush(Pupil, batch)
        changes = {change.pk: change for change in plan.change}
        # Pupils whose same fields change are updated together, each group naming only its fields (a year on,
        # nearly everyone changes year group and class, and nothing else).
        groups: dict[tuple[str, ...], list[Pupil]] = defaultdict(list)
        for change in changes.values():
            pupil = Pupil(pk=change.pk)
            for name, value in change.updates.items():
                if name == "school_class_id":
                    value = self._class_pk(self.class_of_line[change.line])
                setattr(pupil, name, value)
            changed = tuple(sorted(name.removesuffix("_id") if name == "school_class_id" else name
                                 for name in change.updates))
            if "is_on_roll" in changed and "left_on" not in changed:
                changed = tuple(sorted((*changed, "left_on")))  # leaving or coming back: both, for the check constraint
                pupil.left_on = None if pupil.is_on_roll else self.today
            groups[changed].append(pupil)
        for changed, pupils in groups.items():
            Pupil.objects.bulk_update(pupils, list(changed), batch_size=500)
            done += len(pupils)
            progress(done)
        missing = [pk for pk, _ in plan.leave if pk not in changes]
        for start in range(0, len(missing), BATCH):
            Pupil.objects.filter(pk__in=missing[start:start + BATCH]).update(is_on_roll=False, left_on=self.today)
            done += len(missing[start:start + BATCH])
            progress(done)
        return {**plan.counts(), "classes_created": len(self.new_classes)}


# ---------------------------------------------------------------- contacts

class ContactSync(Sync):
    kind = Kind.CONTACTS
    leave_words = "links removed"

    def population(self) -> int:
        return ParentLink.objects.filter(contact__school=self.school).exclude(contact__mis_id="").count()

    def _load(self) -> None:
        self.contacts = {c["pk"]: c for c in _records(Contact.objects.filter(school=self.school),
                                                      "pk", "mis_id", "full_name", "email", "user_id")}
        self.by_mis = {c["mis_id"]: c for c in self.contacts.values() if c["mis_id"]}
        self.by_user = {c["user_id"]: c for c in self.contacts.values() if c["user_id"]}
        self.links = {(link["contact_id"], link["pupil_id"]): link for link in _records(
            ParentLink.objects.filter(contact__school=self.school), "pk", "contact_id", "pupil_id", "parent_id",
            "relationship", "has_parental_responsibility", "priority")}
        pupils = _records(Pupil.objects.filter(school=self.school), "pk", "mis_id", "upn", "is_on_roll")
        self.pupils_by_mis = {p["mis_id"]: p for p in pupils if p["mis_id"]}
        self.pupils_by_upn = {p["upn"]: p for p in pupils if p["upn"]}
        self.on_roll = {p["pk"] for p in pupils if p["is_on_roll"]}
        emails = {row["email"] for row in self.rows if row.get("email")}
        self.users = {email: pk for email, pk in User.objects.filter(email__in=emails).values_list("email", "pk")}
        self.links_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for key in self.links:
            self.links_of[key[0]].append(key)

    def _pupil(self, row: Row) -> tuple[int | None, str]:
        by_mis = self.pupils_by_mis.get(row["pupil_mis_id"]) if row["pupil_mis_id"] else None
        by_upn = self.pupils_by_upn.get(row["pupil_upn"]) if row["pupil_upn"] else None
        if by_mis and by_upn and by_mis["pk"] != by_upn["pk"]:
            return None, "the pupil's MIS id and UPN belong to two different pupils"
        found = by_mis or by_upn
        if found is None:
            return None, "no pupil on the roster has this pupil's MIS id or UPN (import the pupils first)"
        return found["pk"], ""

    def plan(self) -> Plan:  # noqa: C901 (one pass per rule, in order)
        self._load()
        plan = Plan(rows=len(self.rows))
        # Rows by contact: one contact's rows must agree about who they are.
        by_contact: dict[str, list[Row]] = defaultdict(list)
        for row in self.rows:
            by_contact[row["mis_id"]].append(row)
        refused: dict[int, str] = {}
        people: dict[str, Row] = {}  # contact id -> its name and email
        for contact_id, rows in by_contact.items():
            names = {row["full_name"] for row in rows}
            emails = {row.get("email") for row in rows}
            if len(names) > 1 or len(emails) > 1:
                for row in rows:
                    refused[row["line"]] = (f"the rows for this contact (lines {_lines([r['line'] for r in rows])}) "
                                            "disagree about their name or email: none of them was imported")
            else:
                people[contact_id] = rows[0]
        # One email address for two different contacts.
        final_email: dict[str, str] = {}
        for contact_id, row in people.items():
            existing = self.by_mis.get(contact_id)
            email = row["email"] if "email" in row else (existing["email"] if existing else "")
            final_email[contact_id] = email
        holders: dict[str, list[str]] = defaultdict(list)
        for contact_id, email in final_email.items():
            if email:
                holders[email].append(contact_id)
        in_file = set(by_contact)
        adopt: dict[str, int] = {}  # contact id -> a contact on record with no MIS id, found by its email
        for email, contact_ids in holders.items():
            reason = ""
            if len(contact_ids) > 1:
                lines = sorted(r["line"] for cid in contact_ids for r in by_contact[cid])
                reason = f"one email address for {len(contact_ids)} different contacts (lines {_lines(lines)})"
            else:
                user_id = self.users.get(email)
                holder = self.by_user.get(user_id) if user_id else None
                if holder and holder["mis_id"] != contact_ids[0]:
                    if not holder["mis_id"] and contact_ids[0] not in self.by_mis:
                        adopt[contact_ids[0]] = holder["pk"]
                    elif holder["mis_id"] not in in_file:
                        reason = "its email address belongs to another contact already on record"
            if reason:
                for contact_id in contact_ids:
                    people.pop(contact_id, None)
                    for row in by_contact[contact_id]:
                        refused[row["line"]] = reason
        final_email = {cid: email for cid, email in final_email.items() if cid in people}
        # Each link once.
        link_lines: dict[tuple[str, int], list[int]] = defaultdict(list)
        resolved: list[tuple[Row, int]] = []
        present: set[tuple[int, int]] = set()
        for row in self.rows:
            pupil_pk, why = self._pupil(row)
            contact = self.by_mis.get(row["mis_id"])
            if contact and pupil_pk:
                present.add((contact["pk"], pupil_pk))
            if row["line"] in refused:
                plan.duplicates.append([row["line"], refused[row["line"]]])
                continue
            if pupil_pk is None:
                (plan.duplicates if "two different" in why else plan.bad).append([row["line"], why])
                continue
            link_lines[(row["mis_id"], pupil_pk)].append(row["line"])
            resolved.append((row, pupil_pk))
        self.new_contacts: dict[str, Row] = {}
        self.contact_updates: dict[int, dict[str, Any]] = {}
        self.new_links: list[tuple[str, int, Row]] = []
        self.link_updates: dict[int, dict[str, Any]] = {}
        self.adopt = adopt
        self.final_email = final_email
        seen_contacts: set[str] = set()
        for row, pupil_pk in resolved:
            same = link_lines[(row["mis_id"], pupil_pk)]
            if len(same) > 1:
                plan.duplicates.append([row["line"], f"{len(same)} rows link this contact to the same pupil (lines "
                                                     f"{_lines(same)}): none of them was imported"])
                continue
            contact = self.by_mis.get(row["mis_id"]) or (self.contacts[adopt[row["mis_id"]]]
                                                         if row["mis_id"] in adopt else None)
            shown: list[tuple[str, str, str]] = []
            if row["mis_id"] not in seen_contacts:
                seen_contacts.add(row["mis_id"])
                if contact is None:
                    self.new_contacts[row["mis_id"]] = row
                else:
                    updates = self._contact_updates(row, contact)
                    if updates:
                        self.contact_updates[contact["pk"]] = updates
                        shown += [(what, was, now) for what, (was, now) in updates.pop("_shown").items()]
            link = self.links.get((contact["pk"], pupil_pk)) if contact else None
            if link is None:
                self.new_links.append((row["mis_id"], pupil_pk, row))
                plan.add.append(row)
                continue
            assert contact is not None, "a link on record belongs to a contact on record"
            updates = {name: row[name] for name in ("relationship", "has_parental_responsibility", "priority")
                       if name in row and link[name] != row[name]}
            shown += [(name.replace("_", " "), str(link[name]), str(row[name])) for name in updates]
            if updates:
                self.link_updates[link["pk"]] = updates
            if shown or contact["pk"] in self.contact_updates:
                plan.change.append(Change(link["pk"], row["line"], row["full_name"], updates, shown))
            else:
                plan.unchanged += 1
        for row in self.bad_keys:  # a bad line's link stays: that one link, or all the contact's if no pupil is read
            contact = self.by_mis.get(row["mis_id"])
            if contact is None:
                continue
            if row["pupil_mis_id"] or row["pupil_upn"]:
                pupil_pk = self._pupil(row)[0]
                keys = [(contact["pk"], pupil_pk)] if pupil_pk else []
            else:
                keys = self.links_of[contact["pk"]]
            for key in keys:
                if key in self.links and key not in present:
                    present.add(key)
                    plan.kept.append((self.links[key]["pk"], f"{contact['full_name']} (line {row['line']}: "
                                                             "a bad line, their link left as it is)"))
        if self.full:
            managed = {pk for pk, c in self.contacts.items() if c["mis_id"]}
            for key, link in self.links.items():
                if key[0] in managed and key not in present:
                    plan.leave.append((link["pk"], f"{self.contacts[key[0]]['full_name']} (link not in the file)"))
        self.removed = {pk for pk, _ in plan.leave}
        plan.extra["parents_losing_access"] = self._parents_losing_access()
        emails_new = {email for email in final_email.values() if email and email not in self.users}
        plan.extra["accounts_to_create"] = len(emails_new)
        plan.extra["without_email"] = sum(1 for cid in people if not final_email.get(cid))
        if adopt:
            plan.notes.append(f"{len(adopt)} contact{'s' if len(adopt) != 1 else ''} already on record without an MIS "
                              "id matched by email address, and now carry the file's contact id.")
        self._plan = plan
        return plan

    def _parents_losing_access(self) -> int:
        """Parent accounts whose every link to a pupil on roll the import removes."""
        if not self.removed:
            return 0
        links: dict[int, set[int]] = defaultdict(set)
        for link in self.links.values():
            if link["parent_id"] and link["pupil_id"] in self.on_roll:
                links[link["parent_id"]].add(link["pk"])
        return sum(1 for pks in links.values() if pks <= self.removed)

    def _contact_updates(self, row: Row, contact: dict[str, Any]) -> dict[str, Any]:
        updates: dict[str, Any] = {}
        shown: dict[str, tuple[str, str]] = {}
        if contact["mis_id"] != row["mis_id"]:
            updates["mis_id"] = row["mis_id"]
        if contact["full_name"] != row["full_name"]:
            updates["full_name"] = row["full_name"]
            shown["name"] = (contact["full_name"], row["full_name"])
        if "email" in row and contact["email"] != row["email"]:
            updates["email"] = row["email"]
            shown["email"] = (contact["email"] or "none", row["email"] or "none")
        if updates:
            updates["_shown"] = shown
        return updates

    def _accounts(self) -> dict[str, int]:
        """email -> account, making an account (no password: it is set through an invitation or a reset) for each
        email that has none."""
        wanted = {email for email in self.final_email.values() if email}
        names = {row["email"]: row["full_name"] for row in self.rows if row.get("email")}
        missing = sorted(wanted - set(self.users))
        User.objects.bulk_create([User(email=email, full_name=names.get(email, "")[:150], password=make_password(None))
                                  for email in missing], batch_size=BATCH)
        accounts = dict(self.users)
        for start in range(0, len(missing), BATCH):
            accounts.update(User.objects.filter(email__in=missing[start:start + BATCH]).values_list("email", "pk"))
        self.accounts_created = len(missing)
        return accounts

    def apply(self, progress: Progress) -> dict[str, int]:
        plan = self.plan()
        accounts = self._accounts()
        done = 0
        # Contacts whose account changes let go of the old one first (one contact per account per school), and so
        # do their links (one link per account and pupil): two carers of one child who swap email addresses would
        # otherwise clash half-way through a single UPDATE (on SQLite and PostgreSQL alike). Every link's parent is
        # set again from its contact at the end, in the same transaction.
        moving = [pk for pk, updates in self.contact_updates.items() if "email" in updates]
        Contact.objects.filter(pk__in=moving).update(user=None)
        ParentLink.objects.filter(contact_id__in=moving).exclude(parent=None).update(parent=None)
        for pk, updates in self.contact_updates.items():
            if "email" in updates:
                updates["user_id"] = accounts.get(updates["email"]) if updates["email"] else None
        adopted = {self.adopt[cid]: cid for cid in self.adopt}
        for pk, cid in adopted.items():
            self.contact_updates.setdefault(pk, {})["mis_id"] = cid
        if self.contact_updates:
            contacts = Contact.objects.in_bulk(list(self.contact_updates))
            for pk, updates in self.contact_updates.items():
                for name, value in updates.items():
                    setattr(contacts[pk], name, value)
            Contact.objects.bulk_update(list(contacts.values()), ["mis_id", "full_name", "email", "user"],
                                        batch_size=500)
        new = [Contact(school=self.school, mis_id=cid, full_name=row["full_name"], email=self.final_email[cid],
                       user_id=accounts.get(self.final_email[cid]) if self.final_email[cid] else None)
               for cid, row in self.new_contacts.items()]
        Contact.objects.bulk_create(new, batch_size=BATCH)
        # Links that go, before those that come (a new link may be to the same account and pupil as one removed).
        removed = list(self.removed)
        for start in range(0, len(removed), BATCH):
            ParentLink.objects.filter(pk__in=removed[start:start + BATCH]).delete()
        contacts_by_mis = dict(Contact.objects.filter(school=self.school).exclude(mis_id="").values_list(
            "mis_id", "pk"))
        users_of = dict(Contact.objects.filter(school=self.school).values_list("pk", "user_id"))
        batch: list[ParentLink] = []
        for cid, pupil_pk, row in self.new_links:
            contact_pk = contacts_by_mis[cid]
            batch.append(ParentLink(
                contact_id=contact_pk, parent_id=users_of[contact_pk], pupil_id=pupil_pk,
                relationship=row.get("relationship", ParentLink.Relationship.OTHER),
                has_parental_responsibility=row["has_parental_responsibility"], priority=row.get("priority", 1)))
            done += 1
            if len(batch) >= BATCH:
                _flush(ParentLink, batch)
                progress(done)
        _flush(ParentLink, batch)
        if self.link_updates:
            links = ParentLink.objects.in_bulk(list(self.link_updates))
            for pk, updates in self.link_updates.items():
                for name, value in updates.items():
                    setattr(links[pk], name, value)
            ParentLink.objects.bulk_update(list(links.values()), ["relationship", "has_parental_responsibility",
                                                                  "priority"], batch_size=500)
        # Every link's parent is its contact's account (the contacts whose account changed).
        if self.contact_updates:
            account = Contact.objects.filter(pk=OuterRef("contact_id")).values("user_id")[:1]
            ParentLink.objects.filter(contact_id__in=list(self.contact_updates)).update(parent_id=Subquery(account))
        progress(done + len(removed))
        return {**plan.counts(), "accounts_created": self.accounts_created, "contacts_created": len(new)}


# ---------------------------------------------------------------- staff

class StaffSync(Sync):
    kind = Kind.STAFF
    leave_words = "memberships ended"

    def population(self) -> int:
        return self._managed().filter(is_active=True).values("user_id").distinct().count()

    def _managed(self) -> Any:
        return Membership.objects.filter(school=self.school, role__in=IMPORTABLE_STAFF_ROLES).exclude(mis_id="")

    def _load(self) -> None:
        self.memberships = _records(Membership.objects.filter(school=self.school).exclude(role=Role.PARENT),
                                    "pk", "user_id", "role", "mis_id", "job_title", "is_active", "user__full_name",
                                    "user__email")
        self.by_mis: dict[str, int] = {}
        for m in self.memberships:
            if m["mis_id"]:
                self.by_mis.setdefault(m["mis_id"], m["user_id"])
        self.of_user: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for m in self.memberships:
            self.of_user[m["user_id"]].append(m)
        emails = {row["email"] for row in self.rows} | {row["email"] for row in self.bad_keys if row["email"]}
        self.users = {email: (pk, name) for email, pk, name in User.objects.filter(email__in=emails).values_list(
            "email", "pk", "full_name")}
        self.names_of = {pk: name for pk, name in self.users.values()}
        for m in self.memberships:
            self.names_of.setdefault(m["user_id"], m["user__full_name"])
        self.emails_of = {m["user_id"]: m["user__email"] for m in self.memberships}
        user_ids = set(self.of_user) | {pk for pk, _ in self.users.values()}
        elsewhere = (Membership.objects.filter(user_id__in=user_ids, is_active=True).exclude(school=self.school)
                     .values_list("user_id", flat=True).distinct())
        self.elsewhere = set(elsewhere)
        in_file = {self.by_mis[row["mis_id"]] for row in self.rows if row["mis_id"] in self.by_mis}
        in_file |= {self.users[row["email"]][0] for row in self.rows if row["email"] in self.users}
        self.endings = self._latest_endings([m["pk"] for user_id in in_file for m in self.of_user.get(user_id, [])
                                             if not m["is_active"]])

    def _latest_endings(self, pks: list[int]) -> dict[int, dict[str, Any]]:
        """The last time each of these (ended) memberships was ended, from the audit trail: by a person on the people
        pages, or by an import (its event carries the import's id)."""
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(pks), BATCH):
            events = AuditEvent.objects.filter(
                verb="membership.ended", object_type=Membership._meta.label_lower,
                object_id__in=[str(pk) for pk in pks[start:start + BATCH]]).order_by("occurred_at", "pk")
            for event in _records(events, "pk", "object_id", "actor_id", "actor__full_name", "actor__is_staff",
                                  "occurred_at", "detail"):
                found[int(event["object_id"])] = event
        if found:
            actors = {event["actor_id"] for event in found.values() if event["actor_id"]}
            roles: dict[int, set[str]] = defaultdict(set)
            for user_id, role in Membership.objects.filter(school=self.school, user_id__in=actors).values_list(
                    "user_id", "role"):
                roles[user_id].add(role)
            for ending in found.values():
                held = roles[ending["actor_id"]] if ending["actor_id"] else set()
                ending["role"] = next((Role(role).label for role in ROLE_PRECEDENCE if role in held), "")
        return found

    def _ended_by_a_person(self, staff: list[dict[str, Any]]) -> str:
        """For a person in the file whose every membership here has ended: who ended it, if the last ending was not
        an import's (then it stays ended: an import never undoes a person's decision); "" if an import ended it."""
        events = [self.endings[m["pk"]] for m in staff if m["pk"] in self.endings]
        if not events:
            return "ended by a person, not by an import"
        last = max(events, key=lambda event: (event["occurred_at"], event["pk"]))
        if _by_import(last):
            return ""
        when = f"{timezone.localtime(last['occurred_at'], zoneinfo.ZoneInfo(self.school.timezone)):%d/%m/%Y}"
        if not last["actor_id"]:
            return f"ended on {when}"
        if last["role"]:
            who = f"{last['actor__full_name']} ({last['role'].lower()})"
        elif last["actor__is_staff"]:
            who = f"{last['actor__full_name']} (the site administrator)"
        else:
            who = f"{last['actor__full_name']} (an administrator of the school's trust or local authority)"
        return f"ended by {who} on {when}"

    def plan(self) -> Plan:
        self._load()
        plan = Plan(rows=len(self.rows))
        duplicates = {**_duplicates_by(self.rows, "mis_id", "staff MIS id"),
                      **_duplicates_by(self.rows, "email", "email address")}
        present: set[int] = set()
        self.new_people: list[Row] = []
        self.new_memberships: list[tuple[int, Row]] = []
        self.updates: list[tuple[int, Row, dict[str, Any]]] = []
        for row in self.rows:
            by_mis = self.by_mis.get(row["mis_id"]) if row["mis_id"] else None
            account = self.users.get(row["email"])
            by_email = account[0] if account else None
            present.update(pk for pk in (by_mis, by_email) if pk)
            if row["line"] in duplicates:
                plan.duplicates.append([row["line"], duplicates[row["line"]]])
                continue
            if by_mis and by_email and by_mis != by_email:
                plan.duplicates.append([row["line"], "its MIS id belongs to one person and its email address to "
                                                     "another: neither was changed"])
                continue
            user_id = by_mis or by_email
            if user_id is None:
                self.new_people.append(row)
                plan.add.append(row)
                continue
            staff = self.of_user.get(user_id, [])
            if staff and not any(m["is_active"] for m in staff) and (why := self._ended_by_a_person(staff)):
                plan.kept.append((user_id, f"{row['full_name']} (line {row['line']}: {why}; left ended)"))
                continue
            if not any(m["is_active"] or m["role"] in IMPORTABLE_STAFF_ROLES for m in staff):
                self.new_memberships.append((user_id, row))
                plan.add.append(row)
                continue
            change = self._change(user_id, row, staff)
            if change:
                plan.change.append(change)
            else:
                plan.unchanged += 1
        for row in self.bad_keys:
            account = self.users.get(row["email"]) if row["email"] else None
            for user_id in (self.by_mis.get(row["mis_id"]) if row["mis_id"] else None, account[0] if account else None):
                if user_id and user_id not in present:
                    present.add(user_id)
                    plan.kept.append((user_id, f"{self.names_of.get(user_id, '')} (line {row['line']}: {BAD_LINE})"))
        if self.full:
            ended: set[int] = set()
            for m in self.memberships:
                if (m["is_active"] and m["mis_id"] and m["role"] in IMPORTABLE_STAFF_ROLES
                        and m["user_id"] not in present and m["user_id"] not in ended):
                    ended.add(m["user_id"])
                    plan.leave.append((m["user_id"], f"{m['user__full_name']} (not in the file)"))
        plan.extra["accounts_to_create"] = len(self.new_people)
        other_address = sum(1 for row in self.rows if row["mis_id"] in self.by_mis
                            and self.emails_of.get(self.by_mis[row["mis_id"]]) != row["email"])
        if other_address:
            plan.notes.append(f"{other_address} member{'s' if other_address != 1 else ''} of staff matched by MIS id "
                              "have another email in the file than the address they sign in with: an import never "
                              "changes a sign-in address (change it on the person's page if it should).")
        self._plan = plan
        return plan

    def _change(self, user_id: int, row: Row, staff: list[dict[str, Any]]) -> Change | None:
        shown: list[tuple[str, str, str]] = []
        updates: dict[str, Any] = {}
        current = self.names_of.get(user_id, "")
        if current != row["full_name"] and user_id not in self.elsewhere:
            updates["full_name"] = row["full_name"]
            shown.append(("name", current, row["full_name"]))
        if row["mis_id"] and any(m["mis_id"] != row["mis_id"] for m in staff):
            updates["mis_id"] = row["mis_id"]
            shown.append(("MIS id", staff[0]["mis_id"] or "none", row["mis_id"]))
        if "job_title" in row and any(m["job_title"] != row["job_title"] for m in staff if m["is_active"]):
            updates["job_title"] = row["job_title"]
            shown.append(("job title", staff[0]["job_title"] or "none", row["job_title"] or "none"))
        if not any(m["is_active"] for m in staff):  # an import ended them (``plan`` left a person's ending alone)
            updates["is_active"] = True
            updates["reactivate"] = [m["pk"] for m in staff if m["role"] in IMPORTABLE_STAFF_ROLES
                                     and _by_import(self.endings.get(m["pk"]))]
            shown.append(("member of staff", "no (left)", "yes (back)"))
        if not updates:
            return None
        self.updates.append((user_id, row, updates))
        return Change(user_id, row["line"], row["full_name"], updates, shown)

    def apply(self, progress: Progress) -> dict[str, int]:
        plan = self.plan()
        User.objects.bulk_create([User(email=row["email"], full_name=row["full_name"], password=make_password(None))
                                  for row in self.new_people], batch_size=BATCH)
        created = dict(User.objects.filter(email__in=[row["email"] for row in self.new_people]).values_list(
            "email", "pk"))
        memberships = [Membership(user_id=created[row["email"]], school=self.school, role=self.staff_role,
                                  job_title=row.get("job_title", ""), mis_id=row["mis_id"]) for row in self.new_people]
        memberships += [Membership(user_id=user_id, school=self.school, role=self.staff_role,
                                   job_title=row.get("job_title", ""), mis_id=row["mis_id"])
                        for user_id, row in self.new_memberships]
        Membership.objects.bulk_create(memberships, batch_size=BATCH)
        done = len(memberships)
        progress(done)
        names = [User(pk=user_id, full_name=updates["full_name"]) for user_id, _, updates in self.updates
                 if "full_name" in updates]
        User.objects.bulk_update(names, ["full_name"], batch_size=500)
        for user_id, row, updates in self.updates:
            fields = {name: updates[name] for name in ("mis_id", "job_title") if name in updates}
            staff = Membership.objects.filter(school=self.school, user_id=user_id).exclude(role=Role.PARENT)
            if updates.get("is_active"):
                staff.filter(pk__in=updates["reactivate"], is_active=False).update(is_active=True)
            if fields:
                staff.filter(is_active=True).update(**fields)
            done += 1
        ended = [user_id for user_id, _ in plan.leave]
        self.ended_memberships = list(self._managed().filter(user_id__in=ended, is_active=True).values_list(
            "pk", "user_id", "role"))
        Membership.objects.filter(pk__in=[pk for pk, _, _ in self.ended_memberships]).update(is_active=False)
        progress(done + len(ended))
        return {**plan.counts(), "accounts_created": len(self.new_people)}


def _by_import(event: dict[str, Any] | None) -> bool:
    return event is not None and isinstance(event["detail"], dict) and bool(event["detail"].get("roster_import"))


SYNCS: dict[str, type[Sync]] = {Kind.PUPILS: PupilSync, Kind.CONTACTS: ContactSync, Kind.STAFF: StaffSync}


def sync_parent_access(school: School) -> tuple[int, int]:
    """Every account linked to a pupil on roll holds an active parent membership; every other parent membership of
    the school ends, at once. Returns (given, ended). Worked out in Python from two reads, so that the database's
    plan cannot go wrong on tables an import has just filled (PostgreSQL's statistics lag behind a bulk insert)."""
    linked = set(ParentLink.objects.filter(pupil__school=school, pupil__is_on_roll=True, parent__isnull=False)
                 .values_list("parent_id", flat=True))
    parents = list(Membership.objects.filter(school=school, role=Role.PARENT).values_list("pk", "user_id",
                                                                                          "is_active"))
    ending = [pk for pk, user_id, active in parents if active and user_id not in linked]
    giving = [pk for pk, user_id, active in parents if not active and user_id in linked]
    for pks, active in ((ending, False), (giving, True)):
        for start in range(0, len(pks), BATCH):
            Membership.objects.filter(pk__in=pks[start:start + BATCH]).update(is_active=active)
    holders = {user_id for _, user_id, _ in parents}
    new = [Membership(user_id=user_id, school=school, role=Role.PARENT) for user_id in sorted(linked - holders)]
    Membership.objects.bulk_create(new, batch_size=BATCH)
    return len(giving) + len(new), len(ending)
