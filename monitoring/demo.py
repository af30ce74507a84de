"""Oakfield's monitoring alerts for the demo: a morning's alerts waiting in the inbox (a dozen, mixed risk, all but
one matched to a pupil, one high risk that alerted the DSL team), three from earlier already triaged by the DSL (one
of each outcome: dismissed with a reason, added to a case as evidence, opened as a case), and a webhook secret.
Created once. The morning is today's if it has passed, else yesterday's (an alert cannot be in the future)."""

import secrets
import zoneinfo
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from incidents import selectors as incident_selectors
from onlinesafety.schools.models import Pupil, School

from . import ingest, services
from .models import Arrival, DismissReason, MonitoringAlert, MonitoringSettings

PROVIDER = "A monitoring service for schools"
# (minutes after 08:00, category, risk, captured text); the pupil is the n-th pupil with an MIS id, or None.
MORNING = (
    (-25, "Self-harm", "high", "searched: how many tablets is too many"),
    (-10, "Bullying", "medium", "typed in a chat: nobody wants you in this class"),
    (5, "Violence", "low", "searched: knife crime statistics for a history project"),
    (12, "Gambling", "medium", "visited a betting site"),
    (20, "Gaming", "low", "typed: meet me on the server after school"),
    (31, "Hate speech", "medium", "typed a slur in a shared document"),
    (44, "Nudity (image)", "medium", "this capture must never be kept"),
    (58, "Proxy / VPN", "low", "searched: unblocked proxy for school wifi"),
    (67, "Bullying", "low", "typed: you are so annoying lol"),
    (81, "Radicalisation", "medium", "searched: join the movement"),
    (95, "Drugs", "low", "searched: what is vaping"),
    (110, "Profanity", "low", "typed a swear word in a search"),
)
UNMATCHED = 4  # the gaming alert: a shared laptop's login, not a pupil's
# Alerts of the evening before, triaged by the DSL: (category, risk, captured text, what was done).
TRIAGED = (
    ("Bullying", "low", "typed: only joking, see you tomorrow", "dismissed"),
    ("Cyberbullying", "medium", "typed in a group chat: everyone ignore her", "linked"),
    ("Grooming", "high", "chat: don't tell your mum we talk, delete this", "opened"),
)


def seed(*, today=None) -> dict[str, int]:
    school = School.objects.filter(slug="oakfield").first()
    if school is None or MonitoringAlert.objects.filter(school=school).exists():
        return {}
    zone = zoneinfo.ZoneInfo(school.timezone)
    if today is None:
        today = timezone.localdate()
        last = datetime.combine(today, time(8, 0), zone) + timedelta(minutes=max(m for m, *_ in MORNING))
        if last > timezone.now():
            today -= timedelta(days=1)
    with transaction.atomic():
        pupils = _pupils_with_mis_ids(school, len(MORNING))
        alerts = []
        for position, (minutes, category, risk, text) in enumerate(MORNING):
            at = datetime.combine(today, time(8, 0), zone) + timedelta(minutes=minutes)
            pupil = None if position == UNMATCHED or not pupils else pupils[position % len(pupils)]
            mis_id = pupil.mis_id if pupil is not None else ""
            alerts.append(ingest.read_alert({
                "time": at, "provider_reference": f"DEMO-{today:%Y%m%d}-{position + 1:02d}", "provider": PROVIDER,
                "user": f"{mis_id.lower()}@pupils.oakfield.example" if mis_id else "shared-laptop-07",
                "device": f"OAK-LAPTOP-{position + 3:02d}", "pupil_identifier": mis_id,
                "category": category, "risk": risk, "captured_text": text,
                "screenshot_ref": f"capture-{position + 1:02d}.png",
            }, zone))
        saved = ingest.save_alerts(school, alerts, arrival=Arrival.WEBHOOK)
        services.tell_team_of_high_risk(school, saved.high_risk_added)
        triaged = _triaged(school, today, zone, pupils)
        MonitoringSettings.objects.get_or_create(school=school, defaults={"webhook_secret": secrets.token_urlsafe(32)})
    return {"monitoring alerts waiting": saved.added, "monitoring alerts triaged": triaged}


def _triaged(school, today, zone, pupils) -> int:
    """The evening before's alerts, each triaged through the services as the DSL would."""
    dsl = get_user_model().objects.filter(email="dsl@oakfield.example").first()
    case = (incident_selectors.incidents_visible_to(dsl, school).order_by("number").first()
            if dsl is not None else None)
    if dsl is None or case is None:
        return 0
    evening = datetime.combine(today - timedelta(days=1), time(18, 0), zone)
    alerts = []
    for position, (category, risk, text, _) in enumerate(TRIAGED):
        pupil = pupils[(position + 1) % len(pupils)] if pupils else None
        mis_id = pupil.mis_id if pupil is not None else ""
        alerts.append(ingest.read_alert({
            "time": evening + timedelta(minutes=17 * position), "provider": PROVIDER,
            "provider_reference": f"DEMO-{today:%Y%m%d}-T{position + 1}", "pupil_identifier": mis_id,
            "user": f"{mis_id.lower()}@pupils.oakfield.example" if mis_id else "shared-laptop-07",
            "device": f"OAK-LAPTOP-{position + 20:02d}", "category": category, "risk": risk, "captured_text": text,
            "screenshot_ref": f"capture-t{position + 1}.png",
        }, zone))
    ingest.save_alerts(school, alerts, arrival=Arrival.WEBHOOK)
    saved = {alert.provider_reference: alert for alert in MonitoringAlert.objects.filter(
        school=school, provider_reference__in=[alert[1] for alert in alerts])}
    for alert, (*_, outcome) in zip(alerts, TRIAGED, strict=True):
        row = saved[alert[1]]
        if outcome == "dismissed":
            services.dismiss(alert=row, actor=dsl, reason=DismissReason.ALREADY_KNOWN,
                             note="Spoken to the pupils on Friday; the class teacher is aware.")
        elif outcome == "linked":
            services.link_to_case(alert=row, actor=dsl, case_reference=case.reference)
        else:
            services.open_case(alert=row, actor=dsl)
    return len(TRIAGED)


def _pupils_with_mis_ids(school, count):
    """The MIS ids a roster import would have brought, for the pupils the alerts name (the demo's pupils have none)."""
    pupils = list(Pupil.objects.filter(school=school, is_on_roll=True).order_by("pk")[:count])
    for pupil in pupils:
        if not pupil.mis_id:
            pupil.mis_id = f"OAK{pupil.pk:05d}"
            Pupil.objects.filter(pk=pupil.pk).update(mis_id=pupil.mis_id)
    return pupils
