"""The procedure checklists for specific harms: what each asks, which incident category brings which, and the
data breach's 72-hour clock. Pure definitions and rules; answers are stored as ``ChecklistAnswer`` rows (one per
item answered, with who and when) and changed only through ``services.answer_checklist``, which audits each change.

Each item is a question answered yes, no or not applicable. The wording is the product's own; the steps follow the
statutory and sector guidance the school's policy points to (UKCIS advice on sharing nudes, Prevent and Channel, the
UK GDPR's 72 hours to tell the ICO)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .models import CategoryCode, ChecklistAnswerValue, ChecklistKind


@dataclass(frozen=True)
class Item:
    key: str
    question: str
    hint: str = ""
    # Answers that need a note saying why (e.g. images viewed under the guidance's exception).
    note_needed_for: frozenset[str] = frozenset()
    note_prompt: str = ""


@dataclass(frozen=True)
class Checklist:
    kind: ChecklistKind
    title: str
    intro: str
    items: tuple[Item, ...]
    # A warning shown while any of these items is answered "yes" and ``escalation_item`` is not answered "yes".
    escalation_triggers: tuple[str, ...] = ()
    escalation_item: str = ""
    escalation_message: str = ""
    # The clock (the data breach's 72 hours): from when the harm was discovered until ``deadline_item`` is answered.
    deadline_hours: int | None = None
    deadline_item: str = ""
    deadline_label: str = ""
    clock_question: str = ""
    keys: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", frozenset(item.key for item in self.items))

    def item(self, key: str) -> Item | None:
        return next((item for item in self.items if item.key == key), None)

    @property
    def size(self) -> int:
        return len(self.items)


WHY = frozenset({ChecklistAnswerValue.NO})
RISK_HINT = "A yes to any risk question means a referral to the police or children's social care straight away."

CHECKLISTS: dict[str, Checklist] = {c.kind: c for c in [
    Checklist(
        ChecklistKind.SHARING_NUDES, "Sharing nudes and semi-nudes",
        "Follow the UKCIS advice: an initial review, the five risk questions, a decision on referral. Images are "
        "never viewed, copied or shared by staff.",
        (
            Item("review_meeting", "Has the DSL held an initial review meeting with the staff involved?"),
            Item("risk_adult", "Risk: is an adult involved, or thought to be?", RISK_HINT),
            Item("risk_coercion", "Risk: was anyone pressured, coerced, blackmailed or groomed into it?", RISK_HINT),
            Item("risk_extreme", "Risk: could the images show acts that are extreme, violent or unusual for the "
                                 "child's age?", "Answer from what the young people say, without viewing the images."),
            Item("risk_vulnerable", "Risk: is a child involved under 13, or vulnerable because of their age, ability "
                                    "or circumstances?", RISK_HINT),
            Item("risk_harm", "Risk: is any child at immediate risk of harm, for example of self-harm?", RISK_HINT),
            Item("referred", "Referred to the police or children's social care?",
                 "If no, say why the case can be handled in school.", WHY, "Why the case is handled in school"),
            Item("not_viewed", "Have staff kept from viewing the images?",
                 "Answer no only if someone viewed them under the guidance's narrow exception.", WHY,
                 "Who viewed them, why, and who agreed (the headteacher)"),
            Item("devices_secured", "Are the devices holding the images confiscated, switched off and kept secure, "
                                    "without anyone looking through them?",
                 "Not applicable if the case is not referred to the police."),
            Item("parents", "Parents or carers told, unless that would put the child at risk?",
                 "If not, say why.", WHY, "Why the parents or carers were not told"),
            Item("deletion_advice", "Have the young people been told how to delete the images and have them taken "
                                    "down (for example with Report Remove)?"),
        ),
        escalation_triggers=("risk_adult", "risk_coercion", "risk_extreme", "risk_vulnerable", "risk_harm"),
        escalation_item="referred",
        escalation_message="A risk question is answered yes: refer to the police or children's social care now.",
    ),
    Checklist(
        ChecklistKind.SEXUAL_ABUSE, "Online sexual abuse and grooming",
        "Keep the child safe first. Do not investigate or question the child in detail; leave that to the police.",
        (
            Item("child_safe", "Is the child safe now (999 called if they were in immediate danger)?"),
            Item("not_viewed", "Has no one viewed, copied or forwarded sexual content?",
                 note_needed_for=WHY, note_prompt="What happened to the content, and who saw it"),
            Item("device_secured", "Are the devices and accounts kept as found, not searched?"),
            Item("ceop_police", "Reported to CEOP or the police?"),
            Item("social_care", "Referred to children's social care?"),
            Item("parents", "Parents or carers told, unless that would put the child at risk?"),
            Item("support", "Support in school planned for the child?"),
        ),
    ),
    Checklist(
        ChecklistKind.INDECENT_IMAGES, "Indecent images of children",
        "Possessing or sharing these images is a crime: never view, copy, print or forward them, even to report them.",
        (
            Item("not_viewed", "Has no one viewed, copied, printed or forwarded the images?",
                 note_needed_for=WHY, note_prompt="Who saw them and how"),
            Item("device_isolated", "Is the device isolated (switched off, not searched) and kept secure?"),
            Item("police", "Reported to the police?"),
            Item("iwf", "Web addresses reported to the Internet Watch Foundation?",
                 "Not applicable if there was none."),
            Item("lado", "If an adult who works with children is involved: the LADO told?"),
            Item("filtering", "Filtering checked, so that the content is blocked in school?"),
        ),
    ),
    Checklist(
        ChecklistKind.RADICALISATION, "Radicalisation and extremism (Prevent)",
        "A Prevent referral goes to the police or the local authority, who decide whether the Channel panel offers "
        "support. Call 999 if anyone is in immediate danger.",
        (
            Item("danger_checked", "Immediate danger ruled out, or 999 called?"),
            Item("dsl_discussed", "Concern discussed with the DSL (the Prevent lead) and the reasons recorded?"),
            Item("prevent_referral", "Prevent referral made?", "If no, say why the concern stays with the school.",
                 WHY, "Why no referral was made"),
            Item("channel_outcome", "The Channel route's outcome recorded (support offered, or no further action)?",
                 "Not applicable if no referral was made."),
            Item("content_reported", "Extremist content reported to the platform or the government's online route?"),
            Item("filtering", "Filtering and monitoring checked for this content?"),
            Item("support", "Support in school planned for the pupil?"),
        ),
    ),
    Checklist(
        ChecklistKind.CYBERBULLYING, "Cyberbullying",
        "Keep the evidence without spreading it further, and get the content taken down.",
        (
            Item("evidence_kept", "Evidence kept (messages or posts noted with dates), without sharing it further?"),
            Item("platforms_reported", "Content reported to the app or platform, asking for it to come down?"),
            Item("block_report", "Pupil shown how to block and report?"),
            Item("support", "Support in place for the pupil harmed?"),
            Item("parents", "Parents or carers of the pupils involved told?"),
            Item("behaviour", "Response decided for those who caused harm (under the behaviour policy)?"),
        ),
    ),
    Checklist(
        ChecklistKind.ONLINE_HATE, "Online hate",
        "Hate directed at someone for who they are is recorded as a hate incident; some of it is a crime.",
        (
            Item("evidence_kept", "Evidence kept, without sharing it further?"),
            Item("platforms_reported", "Content reported to the app or platform?"),
            Item("hate_logged", "Recorded in the school's log of hate incidents?"),
            Item("police", "Police told, if it could be a crime (a threat, or stirring up hatred)?"),
            Item("support", "Support in place for those targeted?"),
            Item("learning", "Learning planned with the class or year group?"),
        ),
    ),
    Checklist(
        ChecklistKind.GENERATIVE_AI, "Misuse of generative AI",
        "A sexual image of a child made or altered with AI is treated as the real thing: add that checklist too.",
        (
            Item("sexual_checked", "Checked whether the content is a sexual image of a child (if so, the nudes or "
                                   "indecent images checklist is added)?"),
            Item("not_spread", "Content not viewed more than needed, and not shared further?"),
            Item("takedown", "Content reported to the platform or tool, asking for it to be removed?"),
            Item("tool_access", "The school's access to the tool reviewed (accounts, filtering, age limits)?"),
            Item("support", "Support in place for the person shown or harmed?"),
            Item("parents", "Parents or carers told?"),
        ),
    ),
    Checklist(
        ChecklistKind.DATA_BREACH, "Personal data breach",
        "The data protection officer decides, within 72 hours of the breach being discovered, whether the ICO must be "
        "told.",
        (
            Item("contained", "Breach contained (data recalled or deleted, access removed, passwords changed)?"),
            Item("dpo_told", "Data protection officer told?"),
            Item("risk_assessed", "Risk assessed: what data, whose, how many people, how sensitive?"),
            Item("ico_decision", "Decision on telling the ICO made and recorded (reported, or why not)?",
                 "Due within 72 hours of discovery."),
            Item("people_told", "People affected told, where the risk to them is high?"),
            Item("logged", "Recorded in the school's breach log, with what was learnt?"),
        ),
        deadline_hours=72, deadline_item="ico_decision", deadline_label="ICO decision",
        clock_question="When was the breach discovered?",
    ),
]}

# The checklist each category brings (a school's own categories bring none: the DSL adds one by hand).
CATEGORY_CHECKLISTS: dict[str, ChecklistKind] = {
    CategoryCode.YOUTH_IMAGERY: ChecklistKind.SHARING_NUDES,
    CategoryCode.SEXUAL_ABUSE: ChecklistKind.SEXUAL_ABUSE,
    CategoryCode.INDECENT_IMAGES: ChecklistKind.INDECENT_IMAGES,
    CategoryCode.RADICALISATION: ChecklistKind.RADICALISATION,
    CategoryCode.CYBERBULLYING: ChecklistKind.CYBERBULLYING,
    CategoryCode.ONLINE_HATE: ChecklistKind.ONLINE_HATE,
    CategoryCode.HARMFUL_AI: ChecklistKind.GENERATIVE_AI,
    CategoryCode.DATA_BREACH: ChecklistKind.DATA_BREACH,
}


def for_category(code: str) -> ChecklistKind | None:
    return CATEGORY_CHECKLISTS.get(code)


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    met_at: datetime | None  # when the deadline's item was answered yes or not applicable
    overdue: bool  # past due and not met, on an open case (a closed case is never overdue)
    hours_left: int  # whole hours until due (negative once past)
    label: str
    seconds_left: float = 0.0  # until due (negative once past)
    closed_unmet: bool = False  # the case closed without the deadline's item met (a case closed before the rule)

    @property
    def hours_overdue(self) -> int:
        return max(0, -self.hours_left)

    @property
    def left_text(self) -> str:
        """The time left, as the case page prints it: "less than an hour", "5 hours", "2 days 3 hours"."""
        return span(max(0.0, self.seconds_left))

    @property
    def overdue_text(self) -> str:
        return span(max(0.0, -self.seconds_left))


def span(seconds: float) -> str:
    """A length of time in whole hours, as days and hours beyond 48 hours; under an hour, "less than an hour"."""
    hours = int(seconds // 3600)
    if hours < 1:
        return "less than an hour"
    if hours <= 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days, hours = divmod(hours, 24)
    text = f"{days} day{'s' if days != 1 else ''}"
    return f"{text} {hours} hour{'s' if hours != 1 else ''}" if hours else text


def deadline(checklist: Checklist, started_at: datetime | None, answers: Mapping[str, tuple[str, datetime]],
             now: datetime, closed_at: datetime | None = None) -> Deadline | None:
    """The checklist's clock, from ``started_at`` (when the harm was discovered). ``answers``: item -> (answer,
    answered at). Met once its item is answered yes or not applicable; overdue past the due time until then, while
    the case is open (``closed_at`` None): a closed case's clock has stopped."""
    if checklist.deadline_hours is None or started_at is None:
        return None
    due = started_at + timedelta(hours=checklist.deadline_hours)
    met = deadline_met_at(checklist, answers)
    left = (due - now).total_seconds()
    return Deadline(due_at=due, met_at=met, overdue=met is None and closed_at is None and now > due,
                    hours_left=int(left / 3600), label=checklist.deadline_label, seconds_left=left,
                    closed_unmet=met is None and closed_at is not None)


def deadline_met_at(checklist: Checklist, answers: Mapping[str, tuple[str, datetime]]) -> datetime | None:
    """When the deadline's item was answered yes or not applicable (a "no" means the decision is not made)."""
    answer = answers.get(checklist.deadline_item)
    return answer[1] if answer and answer[0] in (ChecklistAnswerValue.YES, ChecklistAnswerValue.NA) else None


def escalation(checklist: Checklist, answers: Mapping[str, str]) -> str:
    """The checklist's warning while a trigger is answered yes and its escalation item is not yes; "" otherwise."""
    if not checklist.escalation_item:
        return ""
    if any(answers.get(key) == ChecklistAnswerValue.YES for key in checklist.escalation_triggers) and answers.get(
            checklist.escalation_item) != ChecklistAnswerValue.YES:
        return checklist.escalation_message
    return ""


def answer_version(answer: Any) -> str:
    """A recorded answer's version (a ``ChecklistAnswer``: when it was last given, which every change moves on), or
    "" for an item not answered: the answer form carries it, and a save is refused when it no longer matches."""
    return answer.answered_at.isoformat() if answer is not None else ""
